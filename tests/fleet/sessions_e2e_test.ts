// Fleet sessions across two instances, straight (no load balancer): what one instance learns of a
// session the other one serves (its log level, its subscriptions, before the client has the
// answer), and what a hostile caller cannot do with a session id it knows.
import assert from "node:assert/strict";
import { sign } from "../auth/tokens.ts";
import { INITIALIZE, ROOT, sseEvents, startHttpServer } from "../helpers.ts";
import { dropKeys, need, REQUIRE_SERVICES, service, uniqueNamespace } from "../services.ts";

const redis = service("REDIS_URL");
const SECRET = "fleet-sessions-secret-that-is-long-enough-0123456789";

const config = `server: { type: streamable-http, auth: bearer }
streamable-http: { port: 0, stateless: false, fleet: true }
tools:
  modules_to_import: ["${ROOT}examples/deploy/tools.ts", "logs.ts"]
`;
const logs = `import { defineTool } from "${ROOT}define.ts";
export const chatty = defineTool({
  name: "chatty",
  description: "Logs at info and at error",
  inputSchema: {},
  handler: async (_a, ctx) => {
    await ctx.log("info", "an info line");
    await ctx.log("error", "an error line");
    return "said";
  },
});
`;

/** One POST; the answer's JSON-RPC messages (JSON or SSE). */
async function post(url: string, token: string, body: unknown, sid?: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
      "mcp-protocol-version": "2025-11-25",
      ...(sid ? { "mcp-session-id": sid } : {}),
    },
    body: JSON.stringify(body),
  });
  const type = res.headers.get("content-type") ?? "";
  const messages: Record<string, unknown>[] = [];
  if (type.includes("event-stream")) {
    const events = sseEvents(res.body!);
    for (let e = await events.next(); e; e = await events.next()) {
      messages.push(e.data as Record<string, unknown>);
    }
  } else if (type.includes("json")) {
    const j = await res.json();
    messages.push(...(Array.isArray(j) ? j : [j]));
  } else await res.body?.cancel();
  return { status: res.status, sid: res.headers.get("mcp-session-id"), messages };
}

Deno.test({
  name: "fleet sessions: one instance serves what another opened; state travels; other users get 'not found'",
  ignore: redis.ignore && !REQUIRE_SERVICES,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const url = redis.url ?? need("REDIS_URL");
    const ns = uniqueNamespace();
    const env = { ...ns.env, REDIS_URL: url, JWT_SECRET_KEY: SECRET };
    const a = await startHttpServer(config, { env, files: { "logs.ts": logs } });
    const b = await startHttpServer(config, { env, files: { "logs.ts": logs } });
    try {
      const alice = await sign({ sub: "alice" }, { key: SECRET });
      const mallory = await sign({ sub: "mallory" }, { key: SECRET });
      const init = await post(a.url, alice, {
        ...INITIALIZE,
        params: { ...INITIALIZE.params, protocolVersion: "2025-11-25" },
      });
      assert.equal(init.status, 200);
      const sid = init.sid!;
      await post(a.url, alice, { jsonrpc: "2.0", method: "notifications/initialized" }, sid);

      // Another user with the session's id: "not found" on the instance that never saw it, and
      // the session is not restored for them
      const stolen = await post(b.url, mallory, { jsonrpc: "2.0", id: 1, method: "tools/list" }, sid);
      assert.equal(stolen.status, 404);
      // ... nor can they answer its requests (an answer addressed to instance A)
      const forged = await post(b.url, mallory, { jsonrpc: "2.0", id: "0123456789ab:0", result: {} }, sid);
      assert.equal(forged.status, 404);

      // The owner: served by B
      const listed = await post(b.url, alice, { jsonrpc: "2.0", id: 2, method: "tools/list" }, sid);
      assert.equal(listed.status, 200);
      assert.ok(JSON.stringify(listed.messages).includes("chatty"));

      // logging/setLevel on A holds on B
      const before = await post(b.url, alice, {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "chatty", arguments: {} },
      }, sid);
      assert.equal(before.messages.filter((m) => m.method === "notifications/message").length, 2);
      const set = await post(a.url, alice, {
        jsonrpc: "2.0",
        id: 4,
        method: "logging/setLevel",
        params: { level: "error" },
      }, sid);
      assert.equal(set.status, 200);
      let seen = 2;
      for (let i = 0; i < 50 && seen !== 1; i++) {
        const after = await post(b.url, alice, {
          jsonrpc: "2.0",
          id: 5 + i,
          method: "tools/call",
          params: { name: "chatty", arguments: {} },
        }, sid);
        seen = after.messages.filter((m) => m.method === "notifications/message").length;
      }
      assert.equal(seen, 1, "only the error line once the level is error");

      // A subscription answered by A is in the fleet before the client has the answer: the update
      // its very next call causes on B reaches the session's GET stream (here held by A), each round
      const get = await fetch(a.url, {
        headers: { accept: "text/event-stream", authorization: `Bearer ${alice}`, "mcp-session-id": sid },
      });
      assert.equal(get.status, 200);
      const stream = sseEvents(get.body!);
      try {
        for (let round = 0; round < 5; round++) {
          const id = 200 + 3 * round;
          const board = { uri: "note://board" };
          const sub = await post(a.url, alice, {
            jsonrpc: "2.0",
            id,
            method: "resources/subscribe",
            params: board,
          }, sid);
          assert.deepEqual(sub.messages.map((m) => m.id), [id]);
          const note = await post(b.url, alice, {
            jsonrpc: "2.0",
            id: id + 1,
            method: "tools/call",
            params: { name: "post_note", arguments: {} },
          }, sid);
          assert.equal(note.status, 200);
          let timer: ReturnType<typeof setTimeout> | undefined;
          const update = await Promise.race([
            stream.next(),
            new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), 10_000)),
          ]).finally(() => clearTimeout(timer));
          assert.deepEqual(
            update?.data,
            { jsonrpc: "2.0", method: "notifications/resources/updated", params: board },
            `round ${round}: the update on the GET stream`,
          );
          await post(a.url, alice, {
            jsonrpc: "2.0",
            id: id + 2,
            method: "resources/unsubscribe",
            params: board,
          }, sid);
        }
      } finally {
        await stream.cancel();
      }

      // A resume with another session's event id is refused
      const other = await post(a.url, alice, {
        ...INITIALIZE,
        params: { ...INITIALIZE.params, protocolVersion: "2025-11-25" },
      });
      const foreign = await fetch(b.url, {
        headers: {
          accept: "text/event-stream",
          authorization: `Bearer ${alice}`,
          "mcp-session-id": other.sid!,
          "last-event-id": `${encodeURIComponent(sid)}/_GET_stream/1-0`,
        },
      });
      assert.equal(foreign.status, 400);
      await foreign.body?.cancel();

      // DELETE on B ends the session on A too
      const del = await fetch(b.url, {
        method: "DELETE",
        headers: { authorization: `Bearer ${alice}`, "mcp-session-id": sid },
      });
      assert.equal(del.status, 200);
      await del.body?.cancel();
      let status = 200;
      for (let i = 0; i < 50 && status !== 404; i++) {
        status =
          (await post(a.url, alice, { jsonrpc: "2.0", id: 100 + i, method: "tools/list" }, sid)).status;
      }
      assert.equal(status, 404);
    } finally {
      for (const s of [a, b]) assert.equal((await s.stop()).code, 0);
      for (const s of [a, b]) await Deno.remove(s.dir, { recursive: true });
      await dropKeys(url, ns.prefix);
    }
  },
});
