// Loading modules named in the configuration, through the real CLI: relative paths, disabled
// entries, and startup errors (duplicate names across modules, a module that fails to import,
// a module that is not there).
import assert from "node:assert/strict";
import { connectStdio, runCliOnce, tempConfig } from "../helpers.ts";

const tool = (name: string, text: string) =>
  `export const t = { name: "${name}", inputSchema: { type: "object" }, handler: () => "${text}" };\n`;

Deno.test("paths resolve against the config file; disabled servers and slots are skipped", async () => {
  const { path } = await tempConfig(
    `server: {type: stdio}
tools:
  modules_to_import: [extra/more.ts]
mcp_servers:
  mine:
    location: ./pkg
    tools: {module: tools.ts}
    prompts: {module: missing_but_disabled.ts, enabled: false}
  off:
    enabled: false
    location: ./nowhere
    tools: {module: nothing.ts}
  dotted:
    location: .
    tools: {module: pkg.dotted}
`,
    {
      "extra/more.ts": tool("from_extra", "extra"),
      "pkg/tools.ts": tool("from_pkg", "pkg"),
      "pkg/dotted.ts": tool("from_dotted", "dotted"),
    },
  );
  const c = await connectStdio(["--config", path], { cwd: "/" });
  try {
    const names = (await c.client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ["from_dotted", "from_extra", "from_pkg"]);
    const r = await c.client.callTool({ name: "from_pkg", arguments: {} });
    assert.deepEqual(r.content, [{ type: "text", text: "pkg" }]);
  } finally {
    await c.close();
  }
});

Deno.test("duplicate tool names across two modules: startup error naming both sources", async () => {
  const { path } = await tempConfig(
    "server: {type: stdio}\ntools:\n  modules_to_import: [one.ts, two.ts]\n",
    { "one.ts": tool("clash", "1"), "two.ts": tool("clash", "2") },
  );
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "error: duplicate tool 'clash': defined by one.ts and by two.ts\n");
  assert.equal(r.stdout, "");
});

Deno.test("duplicate names between a local server entry and modules_to_import name both", async () => {
  const { path } = await tempConfig(
    "server: {type: stdio}\ntools:\n  modules_to_import: [one.ts]\nmcp_servers:\n  srv:\n    location: sub\n    tools: {module: two.ts}\n",
    { "one.ts": tool("clash", "1"), "sub/two.ts": tool("clash", "2") },
  );
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /duplicate tool 'clash': defined by one\.ts and by mcp_servers\.srv \(two\.ts\)/);
});

Deno.test("one file named twice (modules_to_import and mcp_servers, as the reference README does) loads once", async () => {
  // The reference README's resources "Complete Example": the same module in both places.
  const { path } = await tempConfig(
    `server:
  type: "stdio"
tools:
  modules_to_import:
    - resources_example
mcp_servers:
  local:
    enabled: true
    location: "."
    tools:
      enabled: true
      module: "resources_example"
`,
    {
      "resources_example.ts": tool("save_document", "saved") +
        'export const r = { uri: "config://app/settings", name: "Application Settings", handler: () => "{}" };\n',
    },
  );
  const c = await connectStdio(["--config", path, "--log-level", "INFO"], { cwd: "/" });
  try {
    assert.deepEqual((await c.client.listTools()).tools.map((t) => t.name), ["save_document"]);
    assert.deepEqual((await c.client.listResources()).resources.map((r) => r.uri), ["config://app/settings"]);
    assert.match(
      c.stderr(),
      /mcp_servers\.local\.tools\.module names .*resources_example\.ts again .* loaded once/,
    );
  } finally {
    await c.close();
  }
});

Deno.test("a module that fails to import is a startup error naming the file", async () => {
  const { dir, path } = await tempConfig(
    "server: {type: stdio}\ntools:\n  modules_to_import: [ok.ts, broken.ts]\n",
    { "ok.ts": tool("fine", "ok"), "broken.ts": 'throw new Error("kaboom at import");\n' },
  );
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: cannot load module ${dir}/broken\\.ts: .*kaboom at import`));

  const syntax = await tempConfig("server: {type: stdio}\ntools:\n  modules_to_import: [bad.ts]\n", {
    "bad.ts": "export const = ;\n",
  });
  const s = await runCliOnce(["--config", syntax.path]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, new RegExp(`error: cannot load module ${syntax.dir}/bad\\.ts`));
});

Deno.test("a module path that does not exist is a config error naming the key", async () => {
  const { path } = await tempConfig(
    "server: {type: stdio}\nmcp_servers:\n  srv:\n    location: sub\n    resources: {module: gone.ts}\n",
  );
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /mcp_servers\.srv\.resources\.module: module not found: "gone\.ts"/);
});

Deno.test("a definition that is invalid at registration is a startup error naming its module", async () => {
  const { path } = await tempConfig("server: {type: stdio}\ntools:\n  modules_to_import: [bad_schema.ts]\n", {
    "bad_schema.ts":
      'export const t = { name: "t", inputSchema: { type: "object", properties: { a: { type: "nope" } } }, handler: () => "" };\n',
  });
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: bad_schema\.ts: tool 't' inputSchema: invalid JSON Schema: .*nope\n$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace for a definition error");
});
