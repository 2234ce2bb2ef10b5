// dispatch() is the core's one entry for every MCP method, era- and transport-independent: these
// calls reach it with no SDK, no transport and no connection (as the per-request era will), and
// get results or typed ProtocolErrors.
import assert from "node:assert/strict";
import {
  type Call,
  defineTool,
  dispatch,
  ErrorCode,
  ProtocolError,
  Runtime,
  validateConfig,
} from "../../mod.ts";
import { requestContext } from "../../src/core/request.ts";
import { defineResource } from "../../define.ts";
import { localResourceEntry } from "../../src/tools/local.ts";

async function runtime(): Promise<Runtime> {
  const r = new Runtime({ config: validateConfig({ logging: { level: "ERROR" } }, "inline") });
  await r.start();
  return r;
}

/** A call as a connection-less era makes it: the context comes from the core's own builder. */
function call(r: Runtime, meta?: Record<string, unknown>): Call & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    context: () =>
      Promise.resolve(requestContext({
        signal: new AbortController().signal,
        headers: {},
        binding: r.bindSession({ userId: null, followUser: true }),
        user: undefined,
        sandboxId: r.sandboxId,
        requestId: 1,
        meta,
        transport: "internal",
        clientCapabilities: () => undefined,
        wantsLog: () => true,
        notify: (n) => (sent.push(n), Promise.resolve()),
        ask: () => Promise.reject(new Error("no client to ask")),
        resourceUpdated: () => Promise.resolve(),
      })),
  };
}

async function rejected(p: Promise<unknown>): Promise<ProtocolError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `not a ProtocolError: ${e}`);
    return e;
  }
  throw new Error("did not reject");
}

Deno.test("dispatch: tools/list and tools/call without a connection, progress through the context", async () => {
  const r = await runtime();
  try {
    r.registry.tools.add({
      tool: { name: "count", inputSchema: { type: "object" } },
      source: "test",
      call: async (_args, ctx) => {
        await ctx.sendProgress(1, 1);
        return { content: [{ type: "text", text: `session ${ctx.sessionId ? "bound" : "none"}` }] };
      },
    });
    assert.deepEqual(await dispatch(r, "tools/list", {}, call(r)), { tools: r.registry.listTools() });
    const c = call(r, { progressToken: "p" });
    const result = await dispatch(r, "tools/call", { name: "count", arguments: {} }, c);
    assert.deepEqual(result, { content: [{ type: "text", text: "session bound" }] });
    assert.equal(c.sent.length, 1, "the progress notification went to the era's notify");
  } finally {
    await r.stop();
  }
});

Deno.test("dispatch: errors are typed ProtocolErrors with the protocol's codes", async () => {
  const r = await runtime();
  try {
    const unknownTool = await rejected(dispatch(r, "tools/call", { name: "nope" }, call(r)));
    assert.equal(unknownTool.code, ErrorCode.InvalidParams);
    assert.equal(unknownTool.message, "Unknown tool: nope");
    const missing = await rejected(dispatch(r, "resources/read", { uri: "x://missing" }, call(r)));
    assert.equal(missing.code, ErrorCode.ResourceNotFound);
    assert.deepEqual(missing.data, { uri: "x://missing" });
    const badParams = await rejected(dispatch(r, "tools/call", { name: 42 }, call(r)));
    assert.equal(badParams.code, ErrorCode.InvalidParams);
    assert.equal((await rejected(dispatch(r, "no/such", {}, call(r)))).code, ErrorCode.MethodNotFound);
    // Methods that change a connection's state need one.
    const subscribe = await rejected(dispatch(r, "resources/subscribe", { uri: "x://a" }, call(r)));
    assert.equal(subscribe.code, ErrorCode.MethodNotFound);
    const setLevel = await rejected(dispatch(r, "logging/setLevel", { level: "info" }, call(r)));
    assert.equal(setLevel.code, ErrorCode.MethodNotFound);
  } finally {
    await r.stop();
  }
});

Deno.test("dispatch: a tool asking the client gets a tool error when no client can answer", async () => {
  const r = await runtime();
  try {
    const ask = defineTool({
      name: "ask",
      inputSchema: { type: "object" },
      handler: async (_args, ctx) => (await ctx.elicit({ message: "name?" })).action,
    });
    const { localToolEntry } = await import("../../src/tools/local.ts");
    r.registry.tools.add(localToolEntry(ask, "test", { defaultTimeout: 0 }));
    const result = await dispatch(r, "tools/call", { name: "ask" }, call(r)) as {
      isError?: boolean;
      content: { text: string }[];
    };
    assert.equal(result.isError, true);
    assert.match(result.content[0].text, /elicitation needs a session/);
    r.registry.resources.add(
      localResourceEntry(defineResource({ uri: "x://a", handler: () => "A" }), "test"),
    );
    assert.deepEqual(await dispatch(r, "resources/read", { uri: "x://a" }, call(r)), {
      contents: [{ uri: "x://a", mimeType: "text/plain", text: "A" }],
    });
  } finally {
    await r.stop();
  }
});

Deno.test("dispatch: arguments sent as a JSON string are parsed; any other string is -32602", async () => {
  const r = await runtime();
  try {
    r.registry.tools.add({
      tool: { name: "echo", inputSchema: { type: "object" } },
      source: "test",
      call: (args) => Promise.resolve({ content: [{ type: "text", text: JSON.stringify(args) }] }),
    });
    const result = await dispatch(r, "tools/call", { name: "echo", arguments: '{"a": 1}' }, call(r));
    assert.deepEqual(result, { content: [{ type: "text", text: '{"a":1}' }] });
    for (const bad of ["a=1", "[1]", "42"]) {
      const e = await rejected(dispatch(r, "tools/call", { name: "echo", arguments: bad }, call(r)));
      assert.equal(e.code, ErrorCode.InvalidParams);
      assert.equal(
        e.message,
        "Invalid params: 'arguments' must be an object (or a JSON string of one); got a string",
      );
    }
  } finally {
    await r.stop();
  }
});
