// FleetSessions on standalone Redis and on Redis Cluster: records, state notes to the instances
// serving a session, answers handed to an instance, subscribers of a URI, heartbeats.
import assert from "node:assert/strict";
import { RedisChannels } from "../../src/fleet/channels.ts";
import { type FleetSessionNote, FleetSessions } from "../../src/fleet/sessions.ts";
import { dropKeys, need, REQUIRE_SERVICES, service, uniqueNamespace } from "../services.ts";

const redis = service("REDIS_URL");
const cluster = service("REDIS_CLUSTER_URL");

for (
  const [name, svc, variable] of [["redis", redis, "REDIS_URL"], [
    "redis cluster",
    cluster,
    "REDIS_CLUSTER_URL",
  ]] as const
) {
  Deno.test({
    name:
      `fleet sessions (${name}): records, state notes, answers between instances, subscribers, heartbeats`,
    ignore: svc.ignore && !REQUIRE_SERVICES,
    async fn() {
      const url = svc.url ?? need(variable);
      const { prefix } = uniqueNamespace();
      const ca = await RedisChannels.open({ url });
      const cb = await RedisChannels.open({ url });
      const a = await FleetSessions.open(ca, { prefix, ttlSeconds: 60 });
      const b = await FleetSessions.open(cb, { prefix, ttlSeconds: 60 });
      try {
        assert.match(a.instanceId, /^[0-9a-f]{12}$/);
        const record = {
          user: "alice",
          view: null,
          init: { protocolVersion: "2025-11-25" },
          subscriptions: [],
        };
        await a.save("s1", record);
        assert.deepEqual(await b.load("s1"), record);
        assert.equal(await b.load("nope"), undefined);
        // B serves s1 and hears A's state changes (not its own)
        const notes: FleetSessionNote[] = [];
        let heard!: () => void;
        const got = new Promise<void>((r) => (heard = r));
        const stop = await b.watch("s1", (n) => (notes.push(n), heard()));
        const changed = { ...record, logLevel: "error" as const, subscriptions: ["note://x"] };
        await a.update("s1", changed, record);
        await got;
        assert.equal(notes[0].t, "state");
        assert.deepEqual((notes[0] as { record: unknown }).record, changed);
        assert.deepEqual(await b.subscribersOf("note://x"), ["s1"]);
        await stop();
        // An answer for A that reached B
        const answers: unknown[] = [];
        let answered!: () => void;
        const arrived = new Promise<void>((r) => (answered = r));
        a.onAnswer((sid, m) => (answers.push([sid, m]), answered()));
        await b.sendAnswer(a.instanceId, "s1", { jsonrpc: "2.0", id: `${a.instanceId}:0`, result: {} });
        await arrived;
        assert.deepEqual(answers, [["s1", { jsonrpc: "2.0", id: `${a.instanceId}:0`, result: {} }]]);
        // Heartbeats: alive while open, gone once closed
        assert.equal(await b.isAlive(a.instanceId), true);
        assert.equal(await b.isAlive("000000000000"), false);
        await a.close();
        assert.equal(await b.isAlive(a.instanceId), false);
        // End: the record and its subscriptions go
        await b.end("s1");
        assert.equal(await a.load("s1"), undefined);
        assert.deepEqual(await b.subscribersOf("note://x"), []);
      } finally {
        await a.close();
        await b.close();
        await ca.close();
        await cb.close();
        await dropKeys(url, prefix);
      }
    },
  });
}
