// The surface at the core's one entry (dispatch): access rules, views and the search tools apply
// to lists and lookups alike, whatever era calls; a name the caller may not see answers exactly
// as one that does not exist, and the refusal is logged.
import assert from "node:assert/strict";
import { type Call, defineTool, dispatch, ProtocolError, Runtime, validateConfig } from "../../mod.ts";
import { configureLogging } from "../../src/log/logger.ts";
import type { RuntimeConfigInput } from "../../src/config/types.ts";
import { requestContext } from "../../src/core/request.ts";
import { defineResource } from "../../define.ts";
import { localResourceEntry, localToolEntry } from "../../src/tools/local.ts";
import type { UserIdentity } from "../../src/auth/types.ts";

const logged: string[] = [];

async function runtime(config: RuntimeConfigInput): Promise<Runtime> {
  const r = new Runtime({ config: validateConfig({ logging: { level: "WARNING" }, ...config }, "inline") });
  await r.start();
  configureLogging({ sink: (line) => logged.push(line) });
  const tool = (name: string, description: string) =>
    r.registry.tools.add(localToolEntry(
      defineTool({
        name,
        description,
        inputSchema: { type: "object", properties: { text: { type: "string" } } },
        handler: ({ text }) => `${name}: ${text ?? ""}`,
      }),
      "test",
      { defaultTimeout: 0 },
    ));
  tool("math.add", "Add two numbers");
  tool("math.mul", "Multiply two numbers");
  tool("admin.reset", "Reset the whole database");
  tool("time.now", "The current time");
  r.registry.resources.add(
    localResourceEntry(defineResource({ uri: "calc://pi", handler: () => "3.14" }), "test"),
  );
  r.registry.resources.add(
    localResourceEntry(defineResource({ uri: "secret://key", handler: () => "hunter2" }), "test"),
  );
  return r;
}

function call(r: Runtime, user?: UserIdentity, view?: string): Call {
  return {
    ...(user ? { user } : {}),
    ...(view ? { view } : {}),
    context: () =>
      Promise.resolve(requestContext({
        signal: new AbortController().signal,
        headers: {},
        binding: r.bindSession({ userId: user?.id ?? null, followUser: true }),
        user,
        sandboxId: r.sandboxId,
        requestId: 1,
        meta: undefined,
        transport: "internal",
        clientCapabilities: () => undefined,
        wantsLog: () => true,
        notify: () => Promise.resolve(),
        ask: () => Promise.reject(new Error("no client")),
        resourceUpdated: () => Promise.resolve(),
      })),
  };
}

async function error(p: Promise<unknown>): Promise<{ code: number; message: string; data: unknown }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProtocolError, String(e));
    return { code: e.code, message: e.message, data: e.data };
  }
  throw new Error("did not reject");
}

async function names(r: Runtime, c: Call): Promise<string[]> {
  return ((await dispatch(r, "tools/list", {}, c)) as { tools: { name: string }[] }).tools.map((t) => t.name);
}

const ADMIN: UserIdentity = { id: "ann", claims: { sub: "ann", role: "admin" } };
const BOB: UserIdentity = { id: "bob", claims: { sub: "bob", role: "user" } };

Deno.test("surface: a denied tool is not listed and its call is the unknown-tool error, logged with user and rule", async () => {
  const r = await runtime({
    access: { rules: [{ tools: ["admin.*"], resources: ["secret://*"], claims: { role: ["admin"] } }] },
  });
  try {
    assert.deepEqual(await names(r, call(r, ADMIN)), ["math.add", "math.mul", "admin.reset", "time.now"]);
    assert.deepEqual(await names(r, call(r, BOB)), ["math.add", "math.mul", "time.now"]);
    logged.length = 0;
    const denied = await error(dispatch(r, "tools/call", { name: "admin.reset" }, call(r, BOB)));
    const missing = await error(dispatch(r, "tools/call", { name: "admin.nope" }, call(r, BOB)));
    assert.deepEqual(denied, { ...missing, message: "Unknown tool: admin.reset" });
    assert.equal(logged.length, 1);
    assert.match(
      logged[0],
      /WARNING access: denied tool 'admin\.reset' to user 'bob': access\.rules\[0\] needs role in \[admin\]/,
    );
    // Resources: not listed, and a read is "not found" exactly like a URI nobody serves.
    const listed = (await dispatch(r, "resources/list", {}, call(r, BOB))) as {
      resources: { uri: string }[];
    };
    assert.deepEqual(listed.resources.map((x) => x.uri), ["calc://pi"]);
    const secret = await error(dispatch(r, "resources/read", { uri: "secret://key" }, call(r, BOB)));
    const nobody = await error(dispatch(r, "resources/read", { uri: "secret://nope" }, call(r, BOB)));
    assert.deepEqual(secret, {
      ...nobody,
      message: "Resource not found: secret://key",
      data: { uri: "secret://key" },
    });
    const read = await dispatch(r, "resources/read", { uri: "secret://key" }, call(r, ADMIN));
    assert.match(JSON.stringify(read), /hunter2/);
    // No token: access.default (allow) for everything.
    assert.equal((await names(r, call(r))).length, 4);
  } finally {
    await r.stop();
  }
});

Deno.test("surface: a view lists its subset only; calls outside it are unknown; rules still apply inside", async () => {
  const r = await runtime({
    access: { rules: [{ tools: ["math.mul"], claims: { role: ["admin"] } }] },
    views: { math: { tools: ["math.*"], resources: ["calc://*"] } },
  });
  try {
    assert.deepEqual(await names(r, call(r, ADMIN, "math")), ["math.add", "math.mul"]);
    assert.deepEqual(await names(r, call(r, BOB, "math")), ["math.add"]);
    const outside = await error(dispatch(r, "tools/call", { name: "time.now" }, call(r, ADMIN, "math")));
    assert.equal(outside.message, "Unknown tool: time.now");
    const ok = await dispatch(
      r,
      "tools/call",
      { name: "math.add", arguments: { text: "1+1" } },
      call(r, BOB, "math"),
    );
    assert.deepEqual(ok, { content: [{ type: "text", text: "math.add: 1+1" }] });
    const res = (await dispatch(r, "resources/list", {}, call(r, BOB, "math"))) as {
      resources: { uri: string }[];
    };
    assert.deepEqual(res.resources.map((x) => x.uri), ["calc://pi"]);
    assert.deepEqual(await dispatch(r, "prompts/list", {}, call(r, BOB, "math")), { prompts: [] });
  } finally {
    await r.stop();
  }
});

Deno.test("surface: search_tools ranks what the caller may see; lazy lists two tools and call_tool reaches the rest", async () => {
  const r = await runtime({
    tools: { search: { enabled: true, lazy: true } },
    access: { rules: [{ tools: ["admin.*"], claims: { role: ["admin"] } }] },
  });
  try {
    assert.deepEqual(await names(r, call(r, BOB)), ["search_tools", "call_tool"]);
    const search = async (c: Call, query: string) =>
      ((await dispatch(r, "tools/call", { name: "search_tools", arguments: { query } }, c)) as {
        structuredContent: { tools: { name: string; inputSchema: unknown }[] };
      }).structuredContent.tools;
    const found = await search(call(r, ADMIN), "reset the database");
    assert.equal(found[0].name, "admin.reset");
    assert.deepEqual(found[0].inputSchema, r.registry.tools.get("admin.reset")!.tool.inputSchema);
    assert.ok(!(await search(call(r, BOB), "reset the database")).some((t) => t.name === "admin.reset"));
    const viaCall = await dispatch(r, "tools/call", {
      name: "call_tool",
      arguments: { name: "math.mul", arguments: { text: "2*3" } },
    }, call(r, BOB));
    assert.deepEqual(viaCall, { content: [{ type: "text", text: "math.mul: 2*3" }] });
    // Denied and missing look the same through call_tool too.
    const denied = await dispatch(
      r,
      "tools/call",
      { name: "call_tool", arguments: { name: "admin.reset" } },
      call(r, BOB),
    );
    assert.deepEqual(denied, {
      content: [{ type: "text", text: "Unknown tool: admin.reset" }],
      isError: true,
    });
    const missing = await dispatch(
      r,
      "tools/call",
      { name: "call_tool", arguments: { name: "nope" } },
      call(r, BOB),
    );
    assert.deepEqual(missing, { content: [{ type: "text", text: "Unknown tool: nope" }], isError: true });
    // A tool the caller may see is still callable by its own name.
    const direct = await dispatch(r, "tools/call", { name: "time.now", arguments: {} }, call(r, BOB));
    assert.deepEqual(direct, { content: [{ type: "text", text: "time.now: " }] });
    // Bad arguments are tool errors, not crashes.
    for (const args of [{}, { query: "" }, { query: "x", limit: 0 }, { query: "x", limit: "3" }]) {
      const bad = (await dispatch(r, "tools/call", { name: "search_tools", arguments: args }, call(r))) as {
        isError?: boolean;
      };
      assert.equal(bad.isError, true, JSON.stringify(args));
    }
    const loop = await dispatch(
      r,
      "tools/call",
      { name: "call_tool", arguments: { name: "call_tool" } },
      call(r),
    );
    assert.equal((loop as { isError?: boolean }).isError, true);
  } finally {
    await r.stop();
  }
});

Deno.test("surface: search without lazy lists every tool plus search_tools; without search neither exists", async () => {
  const r = await runtime({ tools: { search: { enabled: true } } });
  try {
    assert.deepEqual(await names(r, call(r)), [
      "math.add",
      "math.mul",
      "admin.reset",
      "time.now",
      "search_tools",
    ]);
    const noCall = await error(
      dispatch(r, "tools/call", { name: "call_tool", arguments: { name: "math.add" } }, call(r)),
    );
    assert.equal(noCall.message, "Unknown tool: call_tool");
    const limited = (await dispatch(r, "tools/call", {
      name: "search_tools",
      arguments: { query: "numbers", limit: 1 },
    }, call(r))) as { structuredContent: { tools: unknown[] } };
    assert.equal(limited.structuredContent.tools.length, 1);
  } finally {
    await r.stop();
  }
  const plain = await runtime({});
  try {
    assert.ok(!(await names(plain, call(plain))).includes("search_tools"));
  } finally {
    await plain.stop();
  }
});
