/**
 * Resumable streams on the 2025 stateful wire (SEP-1699): a POST's SSE stream starts with a
 * priming event (an id, a `retry:`), the server may close it mid-call (`ctx.closeStream()`), and
 * the client gets the rest — the result included — by reconnecting with `Last-Event-ID`. The SDK
 * v1 client does this by itself; the raw exchange is checked too, and another session's event ids
 * are refused.
 */

import assert from "node:assert/strict";
import {
  connectHttp,
  firstText,
  INITIALIZE,
  ROOT,
  sseEvents,
  startCli,
  startHttpServer,
} from "../../helpers.ts";

const STATEFUL = `${ROOT}examples/conformance/config.yaml`;

async function initialize(url: string): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2025-11-25" } }),
  });
  await res.body?.cancel();
  return res.headers.get("mcp-session-id")!;
}

function headers(session: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-session-id": session,
    "mcp-protocol-version": "2025-11-25",
    ...extra,
  };
}

Deno.test("resumable streams: the SDK v1 client gets the result of a call whose stream the server closed", async () => {
  const proc = startCli(["--config", STATEFUL, "--port", "0"]);
  try {
    const c = await connectHttp(await proc.ready);
    try {
      const r = await c.client.callTool({ name: "test_reconnection", arguments: {} });
      assert.equal(firstText(r), "Reconnection test completed");
    } finally {
      await c.close();
    }
  } finally {
    assert.equal((await proc.stop()).code, 0, proc.stderr());
  }
});

Deno.test("resumable streams: priming event, Last-Event-ID replay, and no replay across sessions", async () => {
  const proc = startCli(["--config", STATEFUL, "--port", "0"]);
  try {
    const url = await proc.ready;
    const session = await initialize(url);
    const res = await fetch(url, {
      method: "POST",
      headers: headers(session),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "test_reconnection" },
      }),
    });
    const raw = await res.text(); // the server ends this stream before the result
    const primed = /^id: (\S+)\nretry: 1000\ndata: \n/m.exec(raw);
    assert.ok(primed, raw);
    assert.doesNotMatch(raw, /"result"/);
    const lastEventId = primed[1];

    // Another session cannot resume this one's stream.
    const other = await initialize(url);
    const foreign = await fetch(url, {
      method: "GET",
      headers: headers(other, { "last-event-id": lastEventId }),
    });
    assert.equal(foreign.status, 400);
    await foreign.body?.cancel();

    const resumed = await fetch(url, {
      method: "GET",
      headers: headers(session, { "last-event-id": lastEventId }),
    });
    assert.equal(resumed.status, 200);
    const events = sseEvents(resumed.body!);
    const event = await events.next();
    assert.equal((event?.data as { id: number }).id, 1);
    assert.equal(
      (event?.data as { result: { content: { text: string }[] } }).result.content[0].text,
      "Reconnection test completed",
    );
    await events.cancel();
  } finally {
    assert.equal((await proc.stop()).code, 0, proc.stderr());
  }
});

Deno.test("resumable streams: off with `resumable: false` (no priming event)", async () => {
  const server = await startHttpServer(`server: { type: streamable-http }
streamable-http: { port: 0, stateless: false, json_response: false, resumable: false }
mcp_servers:
  c: { location: "${ROOT}examples/conformance", tools: { module: tools.ts } }
`);
  try {
    const session = await initialize(server.url);
    const res = await fetch(server.url, {
      method: "POST",
      headers: headers(session),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "test_simple_text" },
      }),
    });
    const raw = await res.text();
    assert.doesNotMatch(raw, /^id:/m);
    assert.match(raw, /simple text response/);
  } finally {
    assert.equal((await server.stop()).code, 0);
    await Deno.remove(server.dir, { recursive: true });
  }
});
