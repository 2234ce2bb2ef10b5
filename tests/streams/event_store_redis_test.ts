// The Redis event store (shared by a fleet): replay after an id, sessions that cannot see each
// other, bounds, and following a stream live with nothing missed or sent twice — on standalone
// Redis and on Redis Cluster (a session's streams share a slot).
import assert from "node:assert/strict";
import { RedisChannels } from "../../src/fleet/channels.ts";
import { type FollowedEvent, RedisEventStore } from "../../src/streams/event_store_redis.ts";
import { dropKeys, need, REQUIRE_SERVICES, service, uniqueNamespace } from "../services.ts";

const redis = service("REDIS_URL");
const cluster = service("REDIS_CLUSTER_URL");
const msg = (n: number) => ({ jsonrpc: "2.0" as const, method: `m${n}` });
const method = (m: unknown) => (m as { method: string }).method;

async function withStore(url: string, fn: (store: RedisEventStore) => Promise<void>, max?: number) {
  const channels = await RedisChannels.open({ url });
  const { prefix } = uniqueNamespace();
  try {
    await fn(
      new RedisEventStore(channels, { prefix, ttlSeconds: 60, ...(max ? { maxEventsPerStream: max } : {}) }),
    );
  } finally {
    await channels.close();
    await dropKeys(url, prefix);
  }
}

for (const [name, svc] of [["redis", redis], ["redis cluster", cluster]] as const) {
  Deno.test({
    name: `redis event store (${name}): replay after an event, per stream and per session`,
    ignore: svc.ignore && !REQUIRE_SERVICES,
    fn: () =>
      withStore(svc.url ?? need(name === "redis" ? "REDIS_URL" : "REDIS_CLUSTER_URL"), async (store) => {
        const a = store.scoped("session-a");
        const first = await a.storeEvent("s1", msg(1));
        await a.storeEvent("s2", msg(99));
        await a.storeEvent("s1", msg(2));
        await a.storeEvent("s1", msg(3));
        const seen: string[] = [];
        const stream = await a.replayEventsAfter(first, {
          send: (_id, m) => (seen.push(method(m)), Promise.resolve()),
        });
        assert.equal(stream, "s1");
        assert.deepEqual(seen, ["m2", "m3"]);
        assert.equal(await a.getStreamIdForEventId(first), "s1");
        // Another session's ids are unknown; malformed ones too
        const b = store.scoped("session-b");
        assert.equal(await b.getStreamIdForEventId(first), undefined);
        await assert.rejects(
          b.replayEventsAfter(first, { send: () => Promise.resolve() }),
          /unknown event id/,
        );
        assert.equal(await a.getStreamIdForEventId("garbage"), undefined);
        assert.equal(await a.getStreamIdForEventId("session-a/s1/not-an-id"), undefined);
        await assert.rejects(store.follow("session-b", { streamId: "s1", lastEventId: first }, () => {}));
      }),
  });
}

Deno.test({
  name:
    "redis event store: following a stream — the replay, then what any writer stores, once each, in order",
  ignore: redis.ignore && !REQUIRE_SERVICES,
  fn: () =>
    withStore(redis.url ?? need("REDIS_URL"), async (store) => {
      const writer = store.scoped("s");
      const cursor = await writer.storeEvent("_GET_stream", msg(0));
      await writer.storeEvent("_GET_stream", msg(1));
      const got: FollowedEvent[] = [];
      // Events stored while the follower subscribes and replays: none lost, none twice.
      const during = Promise.all([2, 3, 4].map((n) => writer.storeEvent("_GET_stream", msg(n))));
      const following = await store.follow("s", { streamId: "_GET_stream", lastEventId: cursor }, (e) =>
        got.push(e));
      await during;
      for (let n = 5; n < 20; n++) {
        await writer.storeEvent("_GET_stream", msg(n));
      }
      await writer.storeEvent("other", msg(100));
      const deadline = Date.now() + 5000;
      while (got.length < 19 && Date.now() < deadline) {
        await new Promise((r) =>
          setTimeout(r, 10)
        );
      }
      await following.close();
      assert.deepEqual(
        got.map((e) => method(e.message)).sort(),
        Array.from({ length: 19 }, (_, i) => `m${i + 1}`).sort(),
      );
      assert.equal(new Set(got.map((e) => e.id)).size, 19, "each once");
      const ids = got.map((e) => e.id.split("/")[2]);
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => {
          const [a, b] = [x, y].map((v) => v.split("-").map(Number));
          return a[0] - b[0] || a[1] - b[1];
        }),
        "in store order",
      );
      // A fresh follow starts with a priming event: resuming from it replays what came after
      let priming = "";
      const fresh: FollowedEvent[] = [];
      const f2 = await store.follow("s", { streamId: "_GET_stream" }, (e) =>
        fresh.push(e), (id) => (priming = id));
      await f2.close();
      assert.ok(priming);
      await writer.storeEvent("_GET_stream", msg(50));
      const after: string[] = [];
      await writer.replayEventsAfter(priming, {
        send: (_id, m) => (after.push(method(m)), Promise.resolve()),
      });
      assert.deepEqual(after, ["m50"], "the priming event itself is never replayed");
      // drop forgets the session's streams
      store.drop("s");
      const gone = Date.now() + 5000;
      while (await writer.getStreamIdForEventId(cursor) !== undefined && Date.now() < gone) {
        await new Promise((r) =>
          setTimeout(r, 10)
        );
      }
      assert.equal(await writer.getStreamIdForEventId(cursor), undefined);
    }),
});

Deno.test({
  name: "redis event store: bounded per stream (MAXLEN ~)",
  ignore: redis.ignore && !REQUIRE_SERVICES,
  fn: () =>
    withStore(redis.url ?? need("REDIS_URL"), async (store) => {
      const s = store.scoped("s");
      const first = await s.storeEvent("x", msg(0));
      for (let n = 1; n < 1000; n++) await s.storeEvent("x", msg(n));
      let count = 0;
      await s.replayEventsAfter(first, { send: () => (count++, Promise.resolve()) });
      assert.ok(count < 400, `trimmed to about 100 (kept ${count})`);
    }, 100),
});
