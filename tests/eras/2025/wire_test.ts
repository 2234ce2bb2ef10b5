// The JSON-RPC wire of a 2025-era connection (src/eras/2025/wire.ts), which took over from the
// SDK's per-connection `Server`: what it does with cancellations, bad handshakes and task params
// through the real CLI on stdio, and how a request of ours to the client ends (answer, error,
// timeout, the connection's end) over our stdio transport.
import assert from "node:assert/strict";
import { INITIALIZE, ROOT, spawnStdio, tempConfig } from "../../helpers.ts";
import { StdioTransport } from "../../../src/transports/stdio.ts";
import { Wire } from "../../../src/eras/2025/wire.ts";
import { ProtocolError } from "../../../src/errors.ts";

const MODULES = `tools:\n  modules_to_import: ["${ROOT}examples/tools.ts"]\n`;

type Message = {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

Deno.test("2025 wire on stdio: a cancelled call gets no answer, its id is free again; bad handshakes and task params are refused in one line", async () => {
  const { path } = await tempConfig(`server: {type: stdio}\n${MODULES}`);
  const p = spawnStdio(["--config", path]);
  const line = (m: unknown) => p.send(JSON.stringify(m) + "\n");
  const next = async (): Promise<Message> => JSON.parse((await p.out.next())!);
  try {
    // A handshake without clientInfo: -32602 naming the field; the connection goes on.
    await line({ ...INITIALIZE, params: { protocolVersion: "2025-06-18", capabilities: {} } });
    const bad = await next();
    assert.equal(bad.error?.code, -32602);
    assert.match(bad.error!.message, /^Invalid params for initialize: 'clientInfo': /);
    assert.ok(!bad.error!.message.includes("\n"));
    // An unknown version is answered with the latest; a known one is kept.
    await line({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "1999-01-01" } });
    assert.equal((await next()).result?.protocolVersion, "2025-11-25");
    await line(INITIALIZE);
    const init = await next();
    assert.equal(init.result?.protocolVersion, "2025-06-18");
    assert.deepEqual((init.result?.capabilities as Record<string, unknown>).tools, { listChanged: true });
    await line({ jsonrpc: "2.0", method: "notifications/initialized" });

    // A slow call, cancelled: nothing comes back for it; the next request with its id is served.
    await line({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "count_to", arguments: { n: 4, delay_ms: 100 } },
    });
    await line({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 7, reason: "enough" },
    });
    await line({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "add", arguments: { a: 2, b: 3 } },
    });
    const reused = await next();
    assert.equal(reused.id, 7);
    assert.equal((reused.result?.content as { text: string }[])[0].text, '{"sum":5}');
    // Had the cancelled count (300 ms) answered, its answer would come before this longer one's.
    await line({
      jsonrpc: "2.0",
      id: 12,
      method: "tools/call",
      params: { name: "count_to", arguments: { n: 6, delay_ms: 100 } },
    });
    const longer = await next();
    assert.equal(longer.id, 12);
    assert.equal((longer.result?.content as { text: string }[])[0].text, "Counted to 6");

    // A task on a 2025 request is not created: an error, and the connection serves on.
    await line({
      jsonrpc: "2.0",
      id: 8,
      method: "tools/call",
      params: { name: "add", arguments: { a: 1, b: 1 }, task: { ttl: 1000 } },
    });
    const task = await next();
    assert.equal(task.id, 8);
    assert.match(task.error!.message, /does not support task creation/);
    await line({ jsonrpc: "2.0", id: 9, method: "no/such" });
    assert.deepEqual((await next()).error, { code: -32601, message: "Method not found: no/such" });
    await line({ jsonrpc: "2.0", id: 10, method: "ping" });
    const pong = await next();
    assert.deepEqual(pong, { result: {}, jsonrpc: "2.0", id: 10 });
  } finally {
    await p.closeStdin();
    await p.child.status;
    await p.stderr;
  }
});

/** A Wire on our stdio transport, with the client's end of the pipes. */
function wired() {
  const toWire = new TransformStream<Uint8Array, Uint8Array>();
  const fromWire = new TransformStream<Uint8Array, Uint8Array>();
  const transport = new StdioTransport({ input: toWire.readable, output: fromWire.writable });
  const served: string[] = [];
  const closed = Promise.withResolvers<void>();
  const wire = new Wire({
    request: (r) => (served.push(r.method), Promise.resolve({})),
    notification: () => {},
    closed: () => closed.resolve(),
  });
  const writer = toWire.writable.getWriter();
  const reader = fromWire.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const next = async (): Promise<Message> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the wire's output ended");
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const text = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return JSON.parse(text);
  };
  const send = (m: unknown) => writer.write(new TextEncoder().encode(JSON.stringify(m) + "\n"));
  return { wire, transport, next, send, served, closed: closed.promise, writer, reader };
}

Deno.test("2025 wire: a request of ours resolves with the answer, rejects with an error answer, times out with a cancellation, and ends with the connection", async () => {
  const w = wired();
  await w.wire.connect(w.transport);

  const answered = w.wire.ask("roots/list", undefined);
  const asked = await w.next();
  assert.equal(asked.method, "roots/list");
  await w.send({ jsonrpc: "2.0", id: asked.id, result: { roots: [] } });
  assert.deepEqual(await answered, { roots: [] });

  const refused = w.wire.ask("sampling/createMessage", { messages: [], maxTokens: 1 });
  const asked2 = await w.next();
  await w.send({
    jsonrpc: "2.0",
    id: asked2.id,
    error: { code: -1, message: "User rejected", data: { why: "no" } },
  });
  await assert.rejects(refused, (e: unknown) => {
    assert.ok(e instanceof ProtocolError);
    assert.deepEqual([e.code, e.message, e.data], [-1, "User rejected", { why: "no" }]);
    return true;
  });

  const timedOut = w.wire.ask("roots/list", undefined, { timeoutMs: 50 });
  const asked3 = await w.next();
  const cancelled = await w.next();
  assert.equal(cancelled.method, "notifications/cancelled");
  assert.equal(cancelled.params?.requestId, asked3.id);
  await assert.rejects(timedOut, (e: unknown) => e instanceof ProtocolError && e.code === -32001);

  const pending = w.wire.ask("roots/list", undefined);
  await w.next();
  await w.wire.close();
  await w.closed;
  await assert.rejects(pending, (e: unknown) => e instanceof ProtocolError && e.code === -32000);
  await w.writer.close().catch(() => {});
  await w.reader.cancel().catch(() => {});
});
