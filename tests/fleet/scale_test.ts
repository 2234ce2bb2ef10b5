// Issue 17's "done when": three instances of examples/deploy/config.yaml (each under exactly the
// flags `cli.ts permissions` prints) behind a real HAProxy (examples/deploy/haproxy.cfg:
// round-robin, no stickiness), sharing Redis and s3rver.
import assert from "node:assert/strict";
import { firstText } from "../helpers.ts";
import { OwnRedis, REQUIRE_SERVICES, service, uniqueNamespace } from "../services.ts";
import { S3_ENDPOINT, s3Env } from "../artifacts/services.ts";
import { connect2025, startFleet, tokenFor, type Traced, until } from "./harness.ts";
import { envelope, standardHeaders, V2026 } from "../eras/2026/wire.ts";

const redisService = service("REDIS_URL");
const needS3 = S3_ENDPOINT !== undefined || Deno.env.get("REQUIRE_SERVICES") === "1";
const haveHaproxy = (() => {
  try {
    return new Deno.Command("haproxy", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

/** One 2026-07-28 request through the load balancer: its answer and who served it. */
async function call2026(url: string, token: string, method: string, params: Record<string, unknown>) {
  const full = { ...params, _meta: envelope({ elicitation: {}, sampling: {} }) };
  const res = await fetch(url, {
    method: "POST",
    headers: { ...standardHeaders(method, full), authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: full }),
  });
  const by = res.headers.get("x-served-by");
  const text = await res.text();
  const json = text.startsWith("{")
    ? JSON.parse(text)
    : JSON.parse(text.split("\n").filter((l) => l.startsWith("data: ")).at(-1)!.slice(6));
  return {
    by,
    body: json as { result?: Record<string, unknown>; error?: { code: number; message: string } },
  };
}

Deno.test({
  name:
    "fleet: 3 instances behind HAProxy, no stickiness — 2025 sessions, 2026 rounds, artifacts, kill -9 and drain",
  // Without HAProxy or s3rver the test is ignored (visibly) — unless REQUIRE_SERVICES=1 (CI).
  ignore: !REQUIRE_SERVICES && (!haveHaproxy || redisService.ignore || !needS3),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const own = redisService.url ? undefined : new OwnRedis();
    await own?.start();
    const ns = uniqueNamespace();
    const bucket = `fleet-${crypto.randomUUID().slice(0, 8)}`;
    const fleet = await startFleet({
      count: 3,
      env: {
        ...ns.env,
        REDIS_URL: redisService.url ?? own!.url,
        ...s3Env(bucket),
        REQUEST_STATE_KEY: `fleet-test-${crypto.randomUUID()}`,
      },
    });
    const clients: Traced[] = [];
    try {
      // -- a 2025 stateful client: initialize, 50 calls, progress, sampling, a subscription update
      const alice = await connect2025(fleet, "alice");
      clients.push(alice);
      for (let i = 0; i < 50; i++) {
        const r = await alice.client.callTool({ name: "greet", arguments: { name: `n${i}` } });
        assert.equal(firstText(r), `Hello, n${i}!`);
      }
      const posts = alice.served.filter((s) => s.method === "POST").map((s) => s.by);
      assert.deepEqual(new Set(posts), new Set(["mcp1", "mcp2", "mcp3"]), "requests spread over all three");
      let progress = 0;
      const p = await alice.client.callTool(
        { name: "count_with_progress", arguments: { steps: 3 } },
        undefined,
        { onprogress: () => void progress++ },
      );
      assert.ok(!p.isError);
      assert.ok(progress >= 1, "progress arrived");
      // A sampling request goes out on the call's stream; the client's answer (another POST) lands
      // on the next instance in turn and is handed back over Redis.
      for (let i = 0; i < 3; i++) {
        const s = await alice.client.callTool({ name: "ask_model", arguments: { prompt: `q${i}` } });
        assert.match(firstText(s), new RegExp(`model said: sampled: .*q${i}`));
      }
      await alice.client.subscribeResource({ uri: "note://board" });
      await alice.client.callTool({ name: "post_note", arguments: {} });
      await until(() => alice.updates.length === 1, "the resource update on alice's GET stream");

      // -- a 2026 client's multi-round input_required call, its rounds on different instances
      const token = await tokenFor("carol");
      const rounds: (string | null)[] = [];
      let params: Record<string, unknown> = { name: "two_questions", arguments: {} };
      for (let round = 0; round < 5; round++) {
        const { by, body } = await call2026(fleet.url, token, "tools/call", params);
        rounds.push(by);
        assert.equal(body.error, undefined, JSON.stringify(body));
        const r = body.result!;
        if (r.resultType !== "input_required") break;
        const requests = r.inputRequests as Record<string, { method: string }>;
        const answers: Record<string, unknown> = {};
        for (const [k, q] of Object.entries(requests)) {
          answers[k] = q.method === "elicitation/create"
            ? { action: "accept", content: { name: "Ada", color: "green" } }
            : { model: "m", role: "assistant", content: { type: "text", text: "ok" } };
        }
        params = { ...params, requestState: r.requestState, inputResponses: answers };
      }
      assert.ok(rounds.length >= 2, `rounds: ${rounds}`);
      assert.ok(new Set(rounds).size >= 2, `rounds on different instances: ${rounds}`);
      void V2026;

      // -- a user's artifact written via one instance is read via the others
      const w = await alice.client.callTool({
        name: "write_user_file",
        arguments: { filename: "notes.txt", content: "shared by the fleet" },
      });
      assert.ok(!w.isError, firstText(w));
      const artifact = /Artifact ID: (\S+)/.exec(firstText(w))![1];
      for (const inst of fleet.instances) {
        // Straight to each instance, in a session of its own: the same user reads the same bytes.
        const direct = await connect2025(fleet, "alice", `http://127.0.0.1:${inst.port}/mcp`);
        const r = await direct.client.callTool({ name: "read_file", arguments: { artifact_id: artifact } });
        assert.equal(firstText(r), "shared by the fleet", `read via ${inst.name}`);
        await direct.close();
      }

      // -- kill -9 under a steady load
      const bob = await connect2025(fleet, "bob");
      clients.push(bob);
      await bob.client.subscribeResource({ uri: "note://board" });
      await until(() => bob.served.some((s) => s.method === "GET" && s.by), "bob's GET stream");
      const streamAt = bob.served.find((s) => s.method === "GET")!.by!;
      const victim = fleet.instances.find((i) => i.name === streamAt)!;
      const loaders = await Promise.all([1, 2, 3, 4].map((n) => connect2025(fleet, `load${n}`)));
      clients.push(...loaders);
      const outcomes: { start: number; end: number; error?: string }[] = [];
      let loading = true;
      const load = Promise.all(loaders.map(async (c, n) => {
        for (let i = 0; loading && i < 100_000; i++) {
          const start = Date.now();
          try {
            const r = await c.client.callTool({ name: "greet", arguments: { name: `l${n}-${i}` } });
            assert.equal(firstText(r), `Hello, l${n}-${i}!`);
            outcomes.push({ start, end: Date.now() });
          } catch (e) {
            outcomes.push({ start, end: Date.now(), error: String(e) });
          }
        }
      }));
      await until(() => outcomes.length >= 40, "the load running");
      // Streamed calls in flight when the instance dies (progress on their POST streams).
      const inflight = await connect2025(fleet, "inflight");
      clients.push(inflight);
      const firstCall = inflight.served.length;
      const progressed = [0, 0, 0, 0, 0, 0];
      const streamed = progressed.map((_, i) =>
        inflight.client.callTool(
          { name: "count_with_progress", arguments: { steps: 10, delay_ms: 500 } },
          undefined,
          { onprogress: () => void progressed[i]++, timeout: 20_000 },
        ).then(() => "ok", (e) => String(e))
      );
      await until(() => progressed.every((n) => n >= 1), "six streamed calls running");
      const onVictim = inflight.served.slice(firstCall).filter((s) =>
        s.method === "POST" && s.by === victim.name
      );
      const killedAt = Date.now();
      victim.proc!.child.kill("SIGKILL");
      await victim.proc!.status;
      victim.proc = undefined;
      // Updates while bob's stream is gone: stored in Redis, replayed where bob reconnects.
      const K = 5;
      for (let i = 0; i < K; i++) {
        const r = await alice.client.callTool({ name: "post_note", arguments: {} });
        assert.ok(!r.isError);
      }
      await fleet.waitForLb(new RegExp(`Server mcp/${victim.name} is DOWN`));
      const downAt = Date.now();
      const before = outcomes.length;
      await until(() => outcomes.length >= before + 60, "the load after the instance was removed");

      // -- drain: SIGTERM another instance while a slow call runs on it
      const drained = fleet.instances.find((i) => i.proc && i !== victim)!;
      const direct = `http://127.0.0.1:${drained.port}`;
      const slow = call2026(`${direct}/mcp`, token, "tools/call", {
        name: "slow_compute",
        arguments: { ms: 1500 },
      });
      await until(() => /slow_compute|tools\/call/.test("tools/call"), "the slow call sent");
      await new Promise((r) => setTimeout(r, 200)); // the slow call reaches the instance
      const exit = drained.proc!.status;
      drained.proc!.child.kill("SIGTERM");
      // The signal's handler runs when the instance gets to it (late on a loaded machine): until
      // then /health still says ready; readiness fails while the listener still answers.
      let health = await fetch(`${direct}/health`);
      for (let i = 0; i < 250 && health.status === 200; i++) {
        await health.body?.cancel();
        await new Promise((r) => setTimeout(r, 20));
        health = await fetch(`${direct}/health`);
      }
      assert.equal(health.status, 503, "readiness fails first");
      assert.equal((await health.json()).status, "draining");
      const slowDone = await slow;
      assert.equal(slowDone.body.error, undefined);
      assert.match(JSON.stringify(slowDone.body.result), /done after 1500 ms/);
      await fleet.waitForLb(new RegExp(`Server mcp/${drained.name} is DOWN`));
      assert.equal((await exit).code, 0);
      drained.proc = undefined;
      const drainedAt = Date.now();
      await until(
        () => outcomes.filter((o) => o.start > drainedAt).length >= 40,
        "the load on the last instance",
      );
      loading = false;
      await load;

      const failed = outcomes.filter((o) => o.error);
      const late = failed.filter((o) => o.start > downAt);
      console.log(
        `load: ${outcomes.length} calls, ${failed.length} failed (all in flight on ${victim.name} ` +
          `when it was killed, or sent before HAProxy removed it ${downAt - killedAt} ms later): ` +
          JSON.stringify([...new Set(failed.map((f) => f.error!.slice(0, 120)))]),
      );
      assert.deepEqual(late, [], "no call fails once HAProxy removed the dead instance");
      for (const f of failed) assert.ok(f.start <= downAt && f.end >= killedAt, JSON.stringify(f));
      // HAProxy's own 502/503 page reaches the SDK's message as the body, without "HTTP 502"
      for (const f of failed) {
        assert.match(
          f.error!,
          /HTTP 50[23]|50[23] (Bad Gateway|Service Unavailable)|fetch|connection|closed|terminated/i,
        );
      }
      // bob's stream was on the dead instance: it resumed elsewhere with Last-Event-ID, nothing missed
      await until(() => bob.updates.length === K, `bob's ${K} updates (has ${bob.updates.length})`);
      const resumed = bob.served.filter((s) =>
        s.method === "GET" && s.lastEventId && s.by && s.by !== streamAt
      );
      assert.ok(
        resumed.length >= 1,
        `bob resumed on another instance: ${JSON.stringify(bob.served.filter((s) => s.method === "GET"))}`,
      );
      // The streamed calls that were on the dead instance fail with a clear error (their clients
      // resumed elsewhere, where the instance's absence is noticed); the others complete.
      const streamedOutcomes = await Promise.all(streamed);
      const streamedFailed = streamedOutcomes.filter((o) => o !== "ok");
      console.log(
        `streamed calls in flight: ${streamedOutcomes.length}, on ${victim.name}: ${onVictim.length}, failed: ` +
          JSON.stringify(streamedFailed),
      );
      assert.equal(streamedFailed.length, onVictim.length);
      for (const f of streamedFailed) assert.match(f, /instance serving this request stopped/);
      // Sessions and artifacts survive: alice's session (opened when all three ran) still works
      const again = await alice.client.callTool({ name: "read_file", arguments: { artifact_id: artifact } });
      assert.equal(firstText(again), "shared by the fleet");
      assert.equal(bob.updates.length, K, "no update twice");
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      await fleet.stop();
      await own?.stop();
    }
  },
});
