// Issue 17's "done when": three instances of examples/deploy/config.yaml (each under exactly the
// flags `cli.ts permissions` prints) behind a real HAProxy (examples/deploy/haproxy.cfg:
// round-robin, no stickiness), sharing Redis and s3rver.
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "../../src/sdk/client.ts";
import {
  CreateMessageRequestSchema,
  ResourceUpdatedNotificationSchema,
} from "../../src/sdk/types.ts";
import { deferResponses } from "../../src/sdk/client.ts";
import { firstText } from "../helpers.ts";
import { OwnRedis, service, uniqueNamespace } from "../services.ts";
import { S3_ENDPOINT, s3Env } from "../artifacts/services.ts";
import { type Fleet, startFleet, tokenFor, tracingFetch } from "./harness.ts";
import { V2026, envelope, standardHeaders } from "../eras/2026/wire.ts";

const redisService = service("REDIS_URL");
const needS3 = S3_ENDPOINT !== undefined || Deno.env.get("REQUIRE_SERVICES") === "1";
const haveHaproxy = (() => {
  try {
    return new Deno.Command("haproxy", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

/** A 2025 client through the load balancer, noting which instance served each request. */
interface Traced {
  client: Client;
  transport: StreamableHTTPClientTransport;
  served: { by: string | null; method: string }[];
  updates: string[];
  close(): Promise<void>;
}

async function connect2025(fleet: Fleet, user: string, name = user): Promise<Traced> {
  const served: Traced["served"] = [];
  const transport = new StreamableHTTPClientTransport(new URL(fleet.url), {
    fetch: tracingFetch((by, method) => served.push({ by, method })),
    requestInit: { headers: { Authorization: `Bearer ${await tokenFor(user)}` } },
    reconnectionOptions: {
      initialReconnectionDelay: 200,
      maxReconnectionDelay: 1000,
      reconnectionDelayGrowFactor: 1.5,
      maxRetries: 10,
    },
  });
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  const updates: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  client.setRequestHandler(CreateMessageRequestSchema, (req) => ({
    model: "test-model",
    role: "assistant",
    content: { type: "text", text: `sampled: ${JSON.stringify(req.params.messages[0]?.content)}` },
  }));
  await client.connect(transport);
  deferResponses(transport);
  return {
    client,
    transport,
    served,
    updates,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** Resolves once `check` holds (polled every 20 ms, bounded). */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
  return { by, body: json as { result?: Record<string, unknown>; error?: { code: number; message: string } } };
}

Deno.test({
  name: "fleet: 3 instances behind HAProxy, no stickiness — 2025 sessions, 2026 rounds, artifacts, kill -9 and drain",
  ignore: !haveHaproxy || redisService.ignore || !needS3,
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
      const written = JSON.parse(firstText(w)) as { artifact_id?: string; id?: string };
      console.log(written);
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      await fleet.stop();
      await own?.stop();
    }
  },
});
