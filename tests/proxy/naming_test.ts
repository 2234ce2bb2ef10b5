// Naming rules, OpenAI export and the proxy command line, as units.
import assert from "node:assert/strict";
import { parseProxyArgs } from "../../src/cli/proxy_command.ts";
import { proxiedNames, shortenName, toOpenAIName } from "../../src/proxy/naming.ts";
import { toOpenAITools } from "../../src/proxy/openai.ts";

const base = { namespace: "proxy", keepRootAliases: false, openaiCompatible: false, onlyOpenaiTools: false };
const names = (o: Partial<typeof base>, server = "time", tool = "get_current_time") =>
  proxiedNames(server, tool, { ...base, ...o }).map((n) => n.name);

Deno.test("naming matrix of the reference README: openai_compatible lists no dotted name", () => {
  assert.deepEqual(names({}), ["proxy.time.get_current_time"]);
  assert.deepEqual(names({ keepRootAliases: true }), ["proxy.time.get_current_time", "get_current_time"]);
  // `openai_compatible: true` → `time_get_current_time` (only: a client handing the list to OpenAI
  // must never see a dotted name).
  assert.deepEqual(names({ openaiCompatible: true }), ["time_get_current_time"]);
  assert.deepEqual(names({ openaiCompatible: true, onlyOpenaiTools: true }), ["time_get_current_time"]);
  assert.deepEqual(names({ openaiCompatible: true, keepRootAliases: true }), [
    "time_get_current_time",
    "get_current_time",
  ]);
  assert.deepEqual(names({ openaiCompatible: true, onlyOpenaiTools: true, keepRootAliases: true }), [
    "time_get_current_time",
    "get_current_time",
  ]);
  // only_openai_tools means nothing without openai_compatible (as in the reference)
  assert.deepEqual(names({ onlyOpenaiTools: true }), ["proxy.time.get_current_time"]);
  assert.deepEqual(names({ namespace: "gw" }), ["gw.time.get_current_time"]);
});

Deno.test("OpenAI names replace everything outside [A-Za-z0-9_-]", () => {
  assert.equal(toOpenAIName("my server.get time/now@v2"), "my_server_get_time_now_v2");
  assert.deepEqual(names({ openaiCompatible: true, onlyOpenaiTools: true }, "web.search", "find+all"), [
    "web_search_find_all",
  ]);
});

Deno.test("long names are shortened to 64 characters, deterministically and without collisions", () => {
  const a = "x".repeat(70) + "a";
  const b = "x".repeat(70) + "b";
  assert.equal(shortenName(a).length, 64);
  assert.equal(shortenName(a), shortenName(a));
  assert.notEqual(shortenName(a), shortenName(b));
  assert.equal(shortenName("short"), "short");
  for (const n of names({ openaiCompatible: true, keepRootAliases: true }, "s".repeat(40), "t".repeat(40))) {
    assert.ok(n.length <= 64, n);
  }
});

Deno.test("toOpenAITools: function definitions with sanitised names and the input schema", () => {
  const defs = toOpenAITools([
    {
      name: "proxy.time.get_time",
      description: "Get\n the  time",
      inputSchema: { type: "object", properties: {} },
    },
    { name: "proxy_time_get_time", inputSchema: { type: "object" } },
  ]);
  assert.deepEqual(defs, [{
    type: "function",
    function: {
      name: "proxy_time_get_time",
      description: "Get the time",
      parameters: { type: "object", properties: {} },
    },
  }]);
});

Deno.test("proxy command line: the README quick start, several servers, remote options", () => {
  const a = parseProxyArgs([
    "--stdio",
    "time",
    "--command",
    "uvx",
    "--",
    "mcp-server-time",
    "--local-timezone",
    "America/New_York",
  ]);
  assert.deepEqual(a.servers, [{
    name: "time",
    kind: "stdio",
    command: "uvx",
    args: ["mcp-server-time", "--local-timezone", "America/New_York"],
    env: {},
    headers: {},
  }]);
  const b = parseProxyArgs([
    "--openai-compatible",
    "--stdio",
    "time",
    "--command",
    "uvx",
    "--cwd",
    "/srv",
    "--env",
    "TZ=UTC",
    "--",
    "mcp-server-time",
    "--stdio",
    "weather",
    "--command",
    "uvx",
    "--args",
    "mcp-server-weather",
    "--sse",
    "metrics",
    "--url",
    "https://m.example.com/sse",
    "--api-key",
    "k",
    "--http",
    "docs",
    "--url=https://d.example.com/mcp",
    "--header",
    "X-Team=blue",
  ]);
  assert.equal(b.openaiCompatible, true);
  assert.deepEqual(b.servers.map((s) => [s.name, s.kind, s.args]), [
    ["time", "stdio", ["mcp-server-time"]],
    ["weather", "stdio", ["mcp-server-weather"]],
    ["metrics", "sse", []],
    ["docs", "streamable-http", []],
  ]);
  assert.equal(b.servers[0].cwd, "/srv");
  assert.deepEqual(b.servers[0].env, { TZ: "UTC" });
  assert.equal(b.servers[2].apiKey, "k");
  assert.deepEqual(b.servers[3].headers, { "X-Team": "blue" });
  const t = parseProxyArgs(["tools", "--openai", "--stdio", "a", "--command", "x"]);
  assert.equal(t.tools && t.openai, true);
});

Deno.test("proxy command line: proxy-only flags after the last '--' are the proxy's; --args keeps them literal", () => {
  // The reference README: chuk-mcp-proxy --stdio time --command uvx -- mcp-server-time --openai-compatible
  const a = parseProxyArgs([
    "--stdio",
    "time",
    "--command",
    "uvx",
    "--",
    "mcp-server-time",
    "--openai-compatible",
  ]);
  assert.equal(a.openaiCompatible, true);
  assert.deepEqual(a.servers[0].args, ["mcp-server-time"]);
  assert.equal(a.notes.length, 1);
  assert.match(
    a.notes[0],
    /--openai-compatible after '--' is taken as the proxy's option, not time's argument/,
  );
  // Child flags around it stay the child's, in order.
  const b = parseProxyArgs([
    "--stdio",
    "time",
    "--command",
    "uvx",
    "--",
    "mcp-server-time",
    "--keep-root-aliases",
    "--local-timezone",
    "UTC",
    "--only-openai-tools",
  ]);
  assert.deepEqual(b.servers[0].args, ["mcp-server-time", "--local-timezone", "UTC"]);
  assert.equal(b.keepRootAliases && b.onlyOpenaiTools, true);
  assert.equal(b.notes.length, 2);
  // Flags a child may well take (--port, --transport, --namespace) are never taken.
  const c = parseProxyArgs(["--stdio", "s", "--command", "x", "--", "--port", "1", "--transport", "stdio"]);
  assert.deepEqual(c.servers[0].args, ["--port", "1", "--transport", "stdio"]);
  assert.deepEqual(c.notes, []);
  // Not the last group: the server's argument, as written.
  const d = parseProxyArgs([
    "--stdio",
    "a",
    "--command",
    "x",
    "--",
    "--openai-compatible",
    "--stdio",
    "b",
    "--command",
    "y",
  ]);
  assert.deepEqual(d.servers[0].args, ["--openai-compatible"]);
  assert.equal(d.openaiCompatible, false);
  // --args: everything is the child's, literally.
  const e = parseProxyArgs(["--stdio", "s", "--command", "x", "--args", "serve", "--openai-compatible"]);
  assert.deepEqual(e.servers[0].args, ["serve", "--openai-compatible"]);
  assert.equal(e.openaiCompatible, false);
  assert.deepEqual(e.notes, []);
});

Deno.test("proxy command line: mistakes are usage errors", () => {
  assert.throws(() => parseProxyArgs(["--command", "uvx"]), /must follow --stdio NAME/);
  assert.throws(() => parseProxyArgs(["--stdio", "a"]), /needs --command/);
  assert.throws(() => parseProxyArgs(["--sse", "a"]), /needs --url/);
  assert.throws(
    () => parseProxyArgs(["--stdio", "a", "--command", "x", "--stdio", "a", "--command", "y"]),
    /twice/,
  );
  assert.throws(() => parseProxyArgs(["--bogus"]), /unknown option/);
  assert.throws(() => parseProxyArgs(["--env", "x"]), /must follow/);
  assert.throws(() => parseProxyArgs(["--stdio", "a", "--command", "x", "--env", "novalue"]), /KEY=VALUE/);
  assert.throws(() => parseProxyArgs(["--openai"]), /proxy tools/);
});
