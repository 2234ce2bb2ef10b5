// The stdio transport byte by byte: bad lines get JSON-RPC errors and lose nothing, stdout holds
// only protocol (even when a tool prints), end of input exits 0, SIGTERM lets a call finish.
import assert from "node:assert/strict";
import { Client } from "../../src/sdk/client.ts";
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "../../src/sdk/types.ts";
import {
  connectStdio,
  firstText,
  FIXTURES,
  INITIALIZE,
  nextEvent,
  spawnStdio,
  tempConfig,
} from "../helpers.ts";
import { StdioTransport } from "../../src/transports/stdio.ts";

async function config(): Promise<string> {
  const { path } = await tempConfig(
    `server: {type: stdio}\ntools:\n  modules_to_import: ["${FIXTURES}probe.ts"]\n`,
  );
  return path;
}

const line = (msg: unknown) => JSON.stringify(msg) + "\n";
const isResponse = (id: unknown) => (m: Record<string, unknown>) =>
  m.id === id && ("result" in m || "error" in m);

Deno.test("stdio: unparsable and invalid lines get JSON-RPC errors; the server keeps serving", async () => {
  const p = spawnStdio(["--config", await config()]);
  try {
    await p.send(line(INITIALIZE));
    await p.out.until(isResponse(0));
    await p.send("this is not json\n");
    assert.deepEqual(await p.out.until(() => true), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error: invalid JSON" },
    });
    await p.send('{"jsonrpc":"2.0","id":7}\n');
    assert.deepEqual(await p.out.until(() => true), {
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
    });
    await p.send('{"hello": "world"}\r\n\n   \n');
    assert.equal(((await p.out.until(() => true)).error as { code: number }).code, -32600);
    await p.send(line({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    const list = await p.out.until(isResponse(1));
    assert.ok((list.result as { tools: unknown[] }).tools.length > 0);
    await p.send(line({ jsonrpc: "2.0", id: 2, method: "no/such/method" }));
    assert.equal(((await p.out.until(isResponse(2))).error as { code: number }).code, -32601);
  } finally {
    await p.closeStdin();
    assert.equal((await p.child.status).code, 0);
  }
});

Deno.test("stdio: a message split across writes, and two in one write, are both read", async () => {
  const p = spawnStdio(["--config", await config()]);
  try {
    const text = line(INITIALIZE);
    await p.send(text.slice(0, 10));
    await p.send(text.slice(10));
    await p.out.until(isResponse(0));
    await p.send(
      line({ jsonrpc: "2.0", id: 1, method: "ping" }) + line({ jsonrpc: "2.0", id: 2, method: "ping" }),
    );
    await p.out.until(isResponse(1));
    await p.out.until(isResponse(2));
  } finally {
    await p.closeStdin();
    await p.child.status;
  }
});

Deno.test("stdio: stdout carries only protocol, even when a tool uses console.log", async () => {
  const p = spawnStdio(["--config", await config(), "--log-level", "DEBUG"]);
  await p.send(line(INITIALIZE));
  await p.out.until(isResponse(0));
  await p.send(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
  await p.send(
    line({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "noisy", arguments: {} } }),
  );
  const r = await p.out.until(isResponse(1));
  assert.deepEqual(r.result, { content: [{ type: "text", text: "quiet answer" }] });
  await p.closeStdin();
  while (await p.out.next() !== undefined) { /* drain */ }
  assert.equal((await p.child.status).code, 0);
  for (const l of p.out.lines) {
    const msg = JSON.parse(l);
    assert.equal(msg.jsonrpc, "2.0", l);
  }
  const err = await p.stderr;
  assert.match(err, /noise from console\.log/, "console output goes to stderr instead");
  assert.match(err, /noise from console\.info/);
  assert.match(err, /DEBUG/);
});

Deno.test("stdio: end of input stops the server with exit code 0", async () => {
  const p = spawnStdio(["--config", await config()]);
  await p.send(line(INITIALIZE));
  await p.out.until(isResponse(0));
  await p.closeStdin();
  assert.equal(await p.out.next(), undefined);
  const status = await p.child.status;
  assert.equal(status.code, 0);
  assert.equal(status.signal, null);
});

Deno.test("stdio: SIGTERM lets an in-flight call finish, then exits 0", async () => {
  const p = spawnStdio(["--config", await config()]);
  await p.send(line(INITIALIZE));
  await p.out.until(isResponse(0));
  await p.send(line({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "step_then_wait", arguments: { ms: 800 }, _meta: { progressToken: "s" } },
  }));
  // The first progress notification proves the call is running.
  await p.out.until((m) => m.method === "notifications/progress");
  p.child.kill("SIGTERM");
  const r = await p.out.until(isResponse(1));
  assert.deepEqual(r.result, { content: [{ type: "text", text: "waited 800 ms" }] });
  const status = await p.child.status;
  assert.equal(status.code, 0, await p.stderr);
  await p.out.cancel();
});

Deno.test("stdio with the SDK client: cancellation, logging levels, subscriptions, elicitation", async () => {
  const c = await connectStdio(["--config", await config()]);
  try {
    // cancellation
    const controller = new AbortController();
    const call = c.client.callTool({ name: "abortable", arguments: { key: "stdio-cancel" } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort("cancelled over stdio"),
    });
    await assert.rejects(call);
    const info = await c.client.callTool({ name: "abort_info", arguments: { key: "stdio-cancel" } });
    assert.equal(firstText(info), "cancelled over stdio");

    // logging/setLevel: "say" at info is filtered at warning; the error marker gets through
    const seen: string[] = [];
    let end: ((v: unknown) => void) | undefined;
    c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      seen.push(`${n.params.level}:${n.params.data}`);
      if (n.params.data === "end") end?.(undefined);
    });
    await c.client.setLoggingLevel("warning");
    const ended = nextEvent((r) => (end = r));
    await c.client.callTool({ name: "say", arguments: { level: "info", text: "hidden" } });
    await c.client.callTool({ name: "say", arguments: { level: "warning", text: "shown" } });
    await c.client.callTool({ name: "say", arguments: { level: "error", text: "end" } });
    await ended;
    assert.deepEqual(seen, ["warning:shown", "error:end"]);

    // subscriptions
    await c.client.subscribeResource({ uri: "test://x" });
    const updated = nextEvent<string>((r) =>
      c.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => r(n.params.uri))
    );
    await c.client.callTool({ name: "touch", arguments: { uri: "test://x" } });
    assert.equal(await updated, "test://x");

    // elicitation: the client's answer reaches the tool
    const { path } = await tempConfig(
      `server: {type: stdio}\ntools:\n  modules_to_import: ["${FIXTURES}tools.ts"]\n`,
    );
    const full = await connectStdio(["--config", path]);
    try {
      full.client.setRequestHandler(
        ElicitRequestSchema,
        () => ({ action: "accept", content: { ok: false } }),
      );
      const r = await full.client.callTool({ name: "confirm", arguments: {} });
      assert.deepEqual(r.structuredContent, { action: "accept", content: { ok: false } });
    } finally {
      await full.close();
    }
    // a client that did not declare elicitation gets a tool error, not a hang
    const e = await connectStdio(["--config", path], { client: newBareClient() });
    try {
      const r = await e.client.callTool({ name: "confirm", arguments: {} });
      assert.equal(r.isError, true);
      assert.equal(firstText(r), "the client does not support elicitation");
    } finally {
      await e.close();
    }
  } finally {
    await c.close();
  }
});

function newBareClient() {
  return new Client({ name: "bare", version: "1" }, { capabilities: {} });
}

Deno.test("stdio: calls in flight at end of input still answer before exit", async () => {
  const p = spawnStdio(["--config", await config()]);
  await p.send(
    line(INITIALIZE) +
      line({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "step_then_wait", arguments: { ms: 300 } },
      }),
  );
  await p.closeStdin();
  const r = await p.out.until(isResponse(1));
  assert.deepEqual(r.result, { content: [{ type: "text", text: "waited 300 ms" }] });
  assert.equal((await p.child.status).code, 0);
  await p.out.cancel();
});

Deno.test("stdio transport: a line over maxLineBytes closes the transport without being handled", async () => {
  const msg = JSON.stringify({
    jsonrpc: "2.0",
    method: "notifications/initialized",
    params: { pad: "x".repeat(200) },
  });
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      // No newline: the line only grows until it passes the limit.
      for (let i = 0; i < msg.length; i += 50) {
        controller.enqueue(new TextEncoder().encode(msg.slice(i, i + 50)));
      }
      controller.close();
    },
  });
  const written: string[] = [];
  const output = new WritableStream<Uint8Array>({
    write: (c) => void written.push(new TextDecoder().decode(c)),
  });
  const transport = new StdioTransport({
    input,
    output,
    maxLineBytes: 100,
    onEnd: () => assert.fail("not an end"),
  });
  const received: unknown[] = [];
  const errors: Error[] = [];
  transport.onmessage = (m) => received.push(m);
  transport.onerror = (e) => errors.push(e);
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await transport.start();
  await closed;
  assert.deepEqual(received, []);
  assert.deepEqual(written, []);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /longer than 100 bytes/);
});

Deno.test("stdio: a second request with the id of one still in flight gets -32600 at once", async () => {
  const p = spawnStdio(["--config", await config()]);
  try {
    await p.send(line(INITIALIZE));
    await p.out.until(isResponse(0));
    await p.send(line({
      jsonrpc: "2.0",
      id: 5,
      method: "tools/call",
      params: { name: "step_then_wait", arguments: { ms: 1500 }, _meta: { progressToken: "p" } },
    }));
    await p.out.until((m) => m.method === "notifications/progress");
    await p.send(
      line({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "context", arguments: {} } }),
    );
    // The duplicate is refused before the first call ends; the first is not disturbed.
    const refused = await p.out.until(isResponse(5));
    assert.deepEqual(refused.error, {
      code: -32600,
      message: "Invalid Request: request id 5 is already in use by a request in flight",
    });
    const first = await p.out.until(isResponse(5));
    assert.deepEqual(first.result, { content: [{ type: "text", text: "waited 1500 ms" }] });
    // Once answered, the id may be used again (1 and "5" are other ids all along).
    await p.send(
      line({ jsonrpc: "2.0", id: 5, method: "ping" }) + line({ jsonrpc: "2.0", id: "5", method: "ping" }),
    );
    assert.deepEqual((await p.out.until(isResponse(5))).result, {});
    assert.deepEqual((await p.out.until(isResponse("5"))).result, {});
  } finally {
    await p.closeStdin();
    await p.child.status;
  }
});

Deno.test("stdio: a batch is served as one array when 2025-03-26 was negotiated, refused after it", async () => {
  for (const version of ["2025-03-26", "2025-06-18"]) {
    const p = spawnStdio(["--config", await config()]);
    try {
      // Before initialize there is no version: a batch is refused.
      await p.send(line([{ jsonrpc: "2.0", id: 90, method: "ping" }]));
      const early = await p.out.until(() => true);
      assert.equal((early.error as { code: number }).code, -32600);
      assert.match((early.error as { message: string }).message, /before initialize/);
      await p.send(line({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: version } }));
      await p.out.until(isResponse(0));
      await p.send(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
      await p.send(line([
        { jsonrpc: "2.0", id: 1, method: "tools/list" },
        { jsonrpc: "2.0", id: 2, method: "ping" },
        { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99 } },
        { hello: "world" },
      ]));
      const answer = await p.out.until(() => true) as unknown as Record<string, unknown>[] & {
        error?: { code: number; message: string };
      };
      if (version === "2025-03-26") {
        assert.ok(Array.isArray(answer), JSON.stringify(answer));
        assert.deepEqual(answer.map((a) => a.id).sort(), [1, 2, null].sort());
        assert.equal((answer.find((a) => a.id === null)!.error as { code: number }).code, -32600);
      } else {
        assert.equal(answer.error?.code, -32600);
        assert.match(
          answer.error!.message,
          /not allowed in protocol version 2025-06-18 \(only up to 2025-03-26\)/,
        );
      }
      await p.send(line({ jsonrpc: "2.0", id: 3, method: "ping" }));
      assert.deepEqual((await p.out.until(isResponse(3))).result, {});
    } finally {
      await p.closeStdin();
      assert.equal((await p.child.status).code, 0);
    }
  }
});

Deno.test("stdio: a batch whose request is cancelled is answered with the others (no wait for the cancelled one)", async () => {
  const p = spawnStdio(["--config", await config()]);
  try {
    await p.send(line({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2025-03-26" } }));
    await p.out.until(isResponse(0));
    await p.send(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
    await p.send(line([
      { jsonrpc: "2.0", id: 1, method: "ping" },
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "abortable", arguments: { key: "b", ms: 60_000 } },
      },
    ]));
    await p.send(line({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 2 } }));
    const answer = await p.out.until(Array.isArray) as unknown as { id: number }[];
    assert.deepEqual(answer.map((a) => a.id), [1]);
  } finally {
    await p.closeStdin();
    assert.equal((await p.child.status).code, 0);
  }
});
