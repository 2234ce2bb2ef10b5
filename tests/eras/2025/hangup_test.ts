// A client that hangs up cancels its calls: the tool's ctx.signal aborts, and a proxied call's
// upstream gets notifications/cancelled. Stateless streamable HTTP (the request is the whole
// exchange, in JSON or streamed answers) and the legacy SSE transport (the stream is the
// connection). Stateful streamable HTTP keeps the spec's rule: a dropped stream is not a cancel.
import assert from "node:assert/strict";
import {
  connectSse,
  DENO,
  eventually,
  firstText,
  FIXTURES,
  postJson,
  startHttpServer,
} from "../../helpers.ts";
import { FIXTURE_ARGS } from "../../proxy/_helpers.ts";

const yaml = (server: string) =>
  `${server}
tools:
  modules_to_import: ["${FIXTURES}probe.ts"]
proxy: {enabled: true}
mcp_servers:
  fx: ${JSON.stringify({ type: "stdio", command: DENO, args: FIXTURE_ARGS, env: { NO_COLOR: "1" } })}
`;

const call = (id: number, name: string, args: Record<string, unknown>, token?: string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args, ...(token ? { _meta: { progressToken: token } } : {}) },
});

/**
 * POST `body` and hang up once the call is running: when `started` resolves, or (a streamed
 * answer) when its first event (progress) has arrived.
 */
async function hangUp(url: string, body: unknown, started?: () => Promise<unknown>): Promise<void> {
  const abort = new AbortController();
  const res = fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  res.catch(() => {});
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  if (started) await started();
  else {
    reader = (await res).body!.getReader();
    await reader.read();
  }
  abort.abort();
  await reader?.cancel().catch(() => {});
}

async function text(url: string, id: number, name: string, args: Record<string, unknown>): Promise<string> {
  const r = await postJson(url, call(id, name, args));
  const msg = JSON.parse(r.text.startsWith("{") ? r.text : /^data: (.*)$/m.exec(r.text)![1]);
  return firstText(msg.result);
}

Deno.test("hang-up: stateless streamable HTTP cancels the call (JSON or streamed) and its upstream call", async () => {
  const server = await startHttpServer(yaml("server: {type: streamable-http}\nstreamable-http: {port: 0}"));
  try {
    // JSON answer pending: nothing was sent yet when the client goes.
    await hangUp(
      server.url,
      call(1, "abortable", { key: "json" }),
      () => text(server.url, 2, "await_start", { key: "json" }),
    );
    assert.notEqual(await text(server.url, 3, "abort_info", { key: "json" }), "not aborted");
    // Streamed answer (the call sent progress first).
    await hangUp(server.url, call(4, "abortable", { key: "stream" }, "p"));
    assert.notEqual(await text(server.url, 5, "abort_info", { key: "stream" }), "not aborted");
    // A proxied call: the upstream hears notifications/cancelled and stops.
    await hangUp(server.url, call(6, "proxy.fx.slow", { ms: 60_000 }, "q"));
    await eventually(
      async () => JSON.parse(await text(server.url, 7, "proxy.fx.stats", {})).cancelled === 1,
      "the upstream call to be cancelled",
    );
  } finally {
    await server.stop();
  }
});

Deno.test("hang-up: closing the legacy SSE stream cancels the connection's calls and their upstream calls", async () => {
  const server = await startHttpServer(yaml("server: {type: sse}\nsse: {port: 0}"));
  const observer = await connectSse(server.url);
  const tool = async (name: string, args: Record<string, unknown>) =>
    firstText(await observer.client.callTool({ name, arguments: args }));
  try {
    const stream = await fetch(server.url, { headers: { accept: "text/event-stream" } });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let first = "";
    while (!first.includes("\n\n")) first += (await reader.read()).value ?? "";
    const endpoint = new URL(/data: (.*)/.exec(first)![1], server.url);
    const post = (body: unknown) =>
      fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
        .then((r) => r.text());
    await post({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    await post(call(1, "abortable", { key: "sse" }));
    await post(call(2, "proxy.fx.slow", { ms: 60_000 }, "q"));
    assert.equal(await tool("await_start", { key: "sse" }), "started");
    // The upstream's progress shows its call is running.
    let events = "";
    while (!events.includes('"progressToken":"q"')) events += (await reader.read()).value ?? "";
    await reader.cancel();
    assert.notEqual(await tool("abort_info", { key: "sse" }), "not aborted");
    await eventually(
      async () => JSON.parse(await tool("proxy.fx.stats", {})).cancelled === 1,
      "the upstream call to be cancelled",
    );
  } finally {
    await observer.close();
    await server.stop();
  }
});
