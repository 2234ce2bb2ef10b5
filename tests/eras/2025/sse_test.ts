// The HTTP+SSE transport through the real CLI: the endpoint event, tools, progress, headers,
// logging, sampling/elicitation, subscriptions, cancellation, health and bad POSTs.
import assert from "node:assert/strict";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "../../../src/sdk/types.ts";
import {
  connectSse,
  eventually,
  firstText,
  FIXTURES,
  INITIALIZE,
  jsonText,
  nextEvent,
  ROOT,
  sseEvents,
  startHttpServer,
} from "../../helpers.ts";

const YAML = `host: {name: sse-test}
server: {type: sse}
sse: {port: 0}
tools:
  modules_to_import: ["${FIXTURES}probe.ts", "${FIXTURES}tools.ts", "${ROOT}examples/tools.ts"]
mcp_servers:
  fx:
    location: ${FIXTURES}
    resources: {module: resources.ts}
`;

/** Open the event stream by hand and read the first event. */
async function openStream(url: string) {
  const res = await fetch(url, { headers: { accept: "text/event-stream" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
  return { first: text, reader };
}

Deno.test("SSE transport", async (t) => {
  const server = await startHttpServer(YAML);
  const c = await connectSse(server.url, { headers: { "X-Test-Header": "over-sse" } });
  try {
    await t.step("the first event names the message endpoint with a session id", async () => {
      const { first, reader } = await openStream(server.url);
      assert.match(first, /^event: endpoint\ndata: \/messages\/\?session_id=[0-9a-f-]{36}\n\n$/);
      await reader.cancel();
    });

    await t.step("tools/list and tools/call", async () => {
      assert.equal(c.client.getServerVersion()?.name, "sse-test");
      const { tools } = await c.client.listTools();
      assert.ok(tools.some((x) => x.name === "count_to"));
      const r = await c.client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
      assert.deepEqual(r.structuredContent, { sum: 5 });
    });

    await t.step("progress", async () => {
      for (let i = 0; i < 5; i++) {
        const progress: number[] = [];
        const r = await c.client.callTool({ name: "count_to", arguments: { n: 3, delay_ms: 0 } }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        });
        assert.equal(firstText(r), "Counted to 3");
        assert.deepEqual(progress, [1, 2, 3]);
      }
    });

    await t.step("headers of the POST are visible to tools", async () => {
      const ctx = jsonText(await c.client.callTool({ name: "context", arguments: {} }));
      assert.equal((ctx.headers as Record<string, string>)["x-test-header"], "over-sse");
      assert.equal(ctx.transport, "sse");
      assert.equal(typeof ctx.session_id, "string");
    });

    await t.step("logging with setLevel", async () => {
      const levels: string[] = [];
      let done: ((v: unknown) => void) | undefined;
      c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        if (n.params.data === "--end--") done?.(undefined);
        else levels.push(n.params.level);
      });
      await c.client.setLoggingLevel("info");
      const end = nextEvent((r) => (done = r));
      await c.client.callTool({ name: "chatty", arguments: {} });
      await c.client.callTool({ name: "say", arguments: { level: "error", text: "--end--" } });
      await end;
      assert.deepEqual(levels, ["info", "error"]);
    });

    await t.step("sampling and elicitation from inside a tool", async () => {
      c.client.setRequestHandler(CreateMessageRequestSchema, () => ({
        role: "assistant",
        content: { type: "text", text: "from sse client" },
        model: "m",
      }));
      c.client.setRequestHandler(ElicitRequestSchema, () => ({ action: "decline" }));
      assert.equal(
        firstText(await c.client.callTool({ name: "ask_model", arguments: { prompt: "x" } })),
        "model said: from sse client",
      );
      const e = await c.client.callTool({ name: "confirm", arguments: {} });
      assert.deepEqual(e.structuredContent, { action: "decline", content: null });
    });

    await t.step("resource subscriptions", async () => {
      await c.client.subscribeResource({ uri: "items://apple" });
      const updated = nextEvent<string>((r) =>
        c.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => r(n.params.uri))
      );
      await c.client.callTool({ name: "touch", arguments: { uri: "items://apple" } });
      assert.equal(await updated, "items://apple");
    });

    await t.step("cancellation aborts ctx.signal", async () => {
      const controller = new AbortController();
      const call = c.client.callTool({ name: "abortable", arguments: { key: "sse-cancel" } }, undefined, {
        signal: controller.signal,
        onprogress: () => controller.abort("stop it"),
      });
      await assert.rejects(call);
      const info = await c.client.callTool({ name: "abort_info", arguments: { key: "sse-cancel" } });
      assert.match(firstText(info), /stop it/);
    });

    await t.step("health answers GET and HEAD", async () => {
      const body = await (await fetch(`${server.origin}/health`)).json();
      assert.equal(body.name, "sse-test");
      assert.equal(typeof body.uptime_seconds, "number");
      assert.ok(body.sessions >= 1);
      const head = await fetch(`${server.origin}/health`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
    });

    await t.step("bad POSTs get HTTP errors with JSON-RPC bodies; the server keeps serving", async () => {
      const { first, reader } = await openStream(server.url);
      const endpoint = new URL(/data: (.*)/.exec(first)![1], server.origin).href;
      const post = async (url: string, body: string, type = "application/json") => {
        const r = await fetch(url, { method: "POST", headers: { "content-type": type }, body });
        return { status: r.status, body: await r.text() };
      };
      const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
      assert.equal((await post(`${server.origin}/messages/`, ping)).status, 400, "no session_id");
      const unknown = await post(`${server.origin}/messages/?session_id=nope`, ping);
      assert.equal(unknown.status, 404);
      assert.equal(JSON.parse(unknown.body).error.code, -32001);
      assert.equal((await post(endpoint, ping, "text/plain")).status, 415);
      const malformed = await post(endpoint, "{not json");
      assert.equal(malformed.status, 400);
      assert.equal(JSON.parse(malformed.body).error.code, -32700);
      const notRpc = await post(endpoint, JSON.stringify({ hello: 1 }));
      assert.equal(notRpc.status, 400);
      assert.equal(JSON.parse(notRpc.body).error.code, -32600);
      assert.equal((await post(endpoint, ping)).status, 202);
      let text = "";
      while (!text.includes('"id":1')) text += (await reader.read()).value ?? "";
      assert.match(text, /event: message\ndata: \{"result":\{\},"jsonrpc":"2.0","id":1\}/);
      await reader.cancel();
      const get = await fetch(`${server.origin}/messages/`);
      await get.body?.cancel();
      assert.equal(get.status, 405);
      assert.equal((await c.client.callTool({ name: "greet", arguments: {} })).isError, undefined);
    });

    await t.step(
      "a batch is served when the connection negotiated 2025-03-26, refused after it",
      async () => {
        const sessions = async () => (await (await fetch(`${server.origin}/health`)).json()).sessions;
        const before = await sessions();
        for (const version of ["2025-03-26", "2025-06-18"]) {
          const res = await fetch(server.url, { headers: { accept: "text/event-stream" } });
          const events = sseEvents(res.body!);
          const endpoint = new URL(String((await events.next())!.data), server.origin).href;
          const post = async (body: unknown) => {
            const r = await fetch(endpoint, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(body),
            });
            return { status: r.status, body: await r.text() };
          };
          const batch = [{ jsonrpc: "2.0", id: 1, method: "ping" }, {
            jsonrpc: "2.0",
            id: 2,
            method: "ping",
          }];
          const early = await post(batch);
          assert.equal(early.status, 400);
          assert.match(JSON.parse(early.body).error.message, /before initialize/);
          assert.equal(
            (await post({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: version } }))
              .status,
            202,
          );
          assert.equal((await events.next())!.data && true, true); // the initialize answer
          const r = await post(batch);
          if (version === "2025-03-26") {
            assert.equal(r.status, 202);
            const ids = [(await events.next())!.data, (await events.next())!.data].map((d) =>
              (d as { id: number }).id
            );
            assert.deepEqual(ids.sort(), [1, 2]);
          } else {
            assert.equal(r.status, 400);
            assert.equal(JSON.parse(r.body).error.code, -32600);
            assert.match(JSON.parse(r.body).error.message, /not allowed in protocol version 2025-06-18/);
          }
          await events.cancel();
        }
        await eventually(async () => (await sessions()) === before, "the batch test's sessions closed");
      },
    );

    await t.step("closing the stream ends the session", async () => {
      const before = (await (await fetch(`${server.origin}/health`)).json()).sessions;
      const { reader } = await openStream(server.url);
      await eventually(async () => {
        const n = (await (await fetch(`${server.origin}/health`)).json()).sessions;
        return n === before + 1 ? n : undefined;
      }, "the new session");
      await reader.cancel();
      await eventually(async () => {
        const n = (await (await fetch(`${server.origin}/health`)).json()).sessions;
        return n === before ? n : undefined;
      }, "the session to close");
    });
  } finally {
    await c.close();
    const status = await server.stop();
    assert.equal(status.code, 0, server.proc.stderr());
  }
});
