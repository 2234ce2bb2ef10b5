// The HTTP+SSE transport under a hostile client: batches are capped at 100 messages (as on
// streamable HTTP), and a client that does not read its event stream gets a bounded queue, then
// is disconnected (its connection closes, its calls are cancelled).
import assert from "node:assert/strict";
import { eventually, FIXTURES, ROOT, startHttpServer } from "../../helpers.ts";

const yaml = (extra = "") =>
  `server: {type: sse}\nsse:\n  port: 0\n${extra}tools:\n  modules_to_import: ["${FIXTURES}probe.ts", "${FIXTURES}tools.ts", "${ROOT}examples/tools.ts"]\n`;

/** Open the event stream over raw TCP, read its endpoint event, then never read again. */
async function openAndStall(origin: string) {
  const u = new URL(origin);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  await conn.write(
    new TextEncoder().encode(`GET /sse HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`),
  );
  const buf = new Uint8Array(4096);
  let text = "";
  while (!/session_id=[^\s&]+/.test(text)) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`stream ended: ${text}`);
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  const endpoint = new URL(/data: (\S+)/.exec(text)![1], origin);
  const post = async (body: unknown) => {
    const r = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: r.status, text: await r.text() };
  };
  return { conn, post };
}

const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

Deno.test("SSE: a batch of more than 100 messages is refused with -32600", async () => {
  const server = await startHttpServer(yaml());
  const { conn, post } = await openAndStall(server.origin);
  try {
    assert.equal((await post(INIT)).status, 202);
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "ping" }));
    const big = await post(batch(101));
    assert.equal(big.status, 400);
    assert.deepEqual(JSON.parse(big.text).error, {
      code: -32600,
      message: "Invalid Request: Batch must not exceed 100 messages",
    });
    assert.equal((await post(batch(100))).status, 202);
  } finally {
    conn.close();
    await server.stop();
  }
});

Deno.test("SSE: a client that does not read its stream is disconnected once its queue is full", async () => {
  const server = await startHttpServer(yaml("  max_queue_bytes: 262144\n"));
  const { conn, post } = await openAndStall(server.origin);
  try {
    assert.equal((await post(INIT)).status, 202);
    const batch = Array.from(
      { length: 100 },
      (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "tools/list" }),
    );
    // Each batch queues ~100 tool lists on a stream nobody reads; socket buffers fill, then the
    // queue, then the connection is dropped and later POSTs find no session.
    let last = 0;
    await eventually(
      async () => {
        last = (await post(batch)).status;
        return last === 404;
      },
      "the stalled connection to be dropped",
      { tries: 400, everyMs: 0 },
    );
    assert.equal(last, 404);
    await eventually(() => server.proc.stderr().includes("does not read its event stream"), "the warning");
  } finally {
    conn.close();
    await server.stop();
  }
});
