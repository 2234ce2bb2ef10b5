// One server's filter and overrides (`include_*` / `exclude_*`, `tool_overrides`), as the proxy
// and the module loader apply them.
import assert from "node:assert/strict";
import { createTestContext, defineTool, localToolEntry, validateConfig } from "../../mod.ts";
import { ServerShape } from "../../src/tools/shape.ts";
import type { Tool } from "../../src/protocol.ts";

function shapeOf(entry: Record<string, unknown>): ServerShape {
  const config = validateConfig({ mcp_servers: { s: { command: "x", ...entry } } }, "inline");
  return new ServerShape(config.mcp_servers.s);
}

const ECHO: Tool = {
  name: "echo",
  description: "Echo a message",
  inputSchema: {
    type: "object",
    properties: { message: { type: "string" }, loud: { type: "boolean" }, times: { type: "integer" } },
    required: ["message", "loud"],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true },
};

Deno.test("shape: include and exclude globs per kind; exclude wins; nothing set passes all", () => {
  const shape = shapeOf({
    include_tools: ["read_*", "write_*"],
    exclude_tools: ["write_secret*"],
    exclude_prompts: ["debug-*"],
    include_resources: ["file:///docs/*"],
  });
  assert.ok(shape.tool("read_file"));
  assert.ok(shape.tool("write_file"));
  assert.ok(!shape.tool("write_secret_key"));
  assert.ok(!shape.tool("delete_file"));
  assert.ok(shape.prompt("summary"));
  assert.ok(!shape.prompt("debug-dump"));
  assert.ok(shape.resource("file:///docs/a.md"));
  assert.ok(!shape.resource("file:///etc/passwd"));
  assert.equal(shape.plain, false);
  const plain = shapeOf({});
  assert.equal(plain.plain, true);
  assert.ok(plain.tool("anything") && plain.prompt("x") && plain.resource("y://z"));
});

Deno.test("shape: an override renames, rewrites, merges annotations; other tools pass untouched", () => {
  const shape = shapeOf({
    tool_overrides: {
      echo: { name: "say", title: "Say", description: "Say it", annotations: { idempotentHint: true } },
    },
  });
  const say = shape.shapeTool(ECHO);
  assert.equal(say.original, "echo");
  assert.deepEqual(
    { ...say.tool, inputSchema: undefined },
    {
      ...ECHO,
      name: "say",
      title: "Say",
      description: "Say it",
      annotations: { readOnlyHint: true, idempotentHint: true },
      inputSchema: undefined,
    },
  );
  assert.deepEqual(say.tool.inputSchema, ECHO.inputSchema);
  const other = shape.shapeTool({ ...ECHO, name: "other" });
  assert.equal(other.override, undefined);
  assert.equal(other.tool.name, "other");
  // The upstream's definition is not modified.
  assert.equal(ECHO.name, "echo");
});

Deno.test("shape: a hidden argument leaves the schema and always takes its default; a default is shown and filled", () => {
  const shape = shapeOf({
    tool_overrides: {
      echo: {
        arguments: {
          loud: { default: false, hide: true },
          times: { default: 2, description: "How often" },
          trace: { hide: true },
        },
      },
    },
  });
  const shaped = shape.shapeTool(ECHO);
  assert.deepEqual(shaped.tool.inputSchema, {
    type: "object",
    properties: {
      message: { type: "string" },
      times: { type: "integer", default: 2, description: "How often" },
    },
    required: ["message"],
    additionalProperties: false,
  });
  assert.deepEqual(shaped.args({ message: "hi" }), { message: "hi", loud: false, times: 2 });
  // A caller cannot set a hidden argument, and cannot send one that has no default.
  assert.deepEqual(shaped.args({ message: "hi", loud: true, times: 5, trace: "x" }), {
    message: "hi",
    loud: false,
    times: 5,
  });
  assert.deepEqual(shaped.args(undefined), { loud: false, times: 2 });
  // Defaults are copied: a tool that mutates its arguments cannot change the next call's.
  const objShape = shapeOf({ tool_overrides: { echo: { arguments: { opts: { default: { a: 1 } } } } } });
  const a = objShape.shapeTool(ECHO).args({}) as { opts: { a: number } };
  a.opts.a = 99;
  assert.deepEqual(objShape.shapeTool(ECHO).args({}), { opts: { a: 1 } });
});

Deno.test("shape: a local tool entry is shown renamed and validates the completed arguments", async () => {
  const entry = localToolEntry(
    defineTool({
      name: "greet",
      inputSchema: {
        type: "object",
        properties: { name: { type: "string" }, greeting: { type: "string" } },
        required: ["name", "greeting"],
      },
      handler: ({ name, greeting }) => `${greeting}, ${name}!`,
    }),
    "inline",
    { defaultTimeout: 10 },
  );
  const shape = shapeOf({
    tool_overrides: { greet: { name: "hello", arguments: { greeting: { default: "Hello", hide: true } } } },
  });
  const shaped = shape.shapeEntry(entry);
  assert.equal(shaped.tool.name, "hello");
  assert.deepEqual(shaped.tool.inputSchema.required, ["name"]);
  const result = await shaped.call({ name: "Ada", greeting: "Boo" }, createTestContext());
  assert.deepEqual(result.content, [{ type: "text", text: "Hello, Ada!" }]);
  const bad = await shaped.call({}, createTestContext());
  assert.equal(bad.isError, true);
});

Deno.test("config: overrides and filters are checked with the key path", () => {
  assert.throws(
    () =>
      validateConfig(
        { mcp_servers: { s: { command: "x", tool_overrides: { a: { name: "no spaces" } } } } },
        "c",
      ),
    /mcp_servers\.s\.tool_overrides\.a\.name: expected a tool name/,
  );
  assert.throws(
    () => validateConfig({ mcp_servers: { s: { command: "x", include_tools: "read_*" } } }, "c"),
    /mcp_servers\.s\.include_tools: expected a list/,
  );
  assert.throws(
    () =>
      validateConfig({
        mcp_servers: { s: { command: "x", tool_overrides: { a: { arguments: { b: { hidden: true } } } } } },
      }, "c"),
    /unknown key 'hidden'/,
  );
});

Deno.test("shape (stdio): a local module's mcp_servers entry filters and renames its tools", async () => {
  const { connectStdio, firstText, ROOT, tempConfig } = await import("../helpers.ts");
  const entry = {
    location: `${ROOT}examples`,
    tools: { module: "tools.ts" },
    include_tools: ["greet", "add", "echo"],
    exclude_tools: ["echo"],
    tool_overrides: { greet: { name: "hello", arguments: { name: { default: "Ada", hide: true } } } },
  };
  const { dir, path } = await tempConfig(
    `server: {type: stdio}\nlogging: {level: WARNING}\nmcp_servers: {local: ${JSON.stringify(entry)}}\n`,
  );
  const c = await connectStdio(["--config", path]);
  try {
    const { tools } = await c.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["add", "hello"]);
    assert.deepEqual(tools.find((t) => t.name === "hello")!.inputSchema.properties, {});
    const hello = await c.client.callTool({ name: "hello", arguments: { name: "Bob" } });
    assert.equal(firstText(hello), "Hello, Ada!");
    for (const name of ["greet", "echo"]) {
      await assert.rejects(c.client.callTool({ name, arguments: {} }), new RegExp(`Unknown tool: ${name}$`));
    }
  } finally {
    await c.close();
    await Deno.remove(dir, { recursive: true });
  }
});
