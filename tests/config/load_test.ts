// Configuration loading in-process: defaults, precedence (flags > env > file > defaults), the
// timeout and sandbox-id chains, ${VAR} expansion and the shape of error messages.
import assert from "node:assert/strict";
import { ConfigError, loadConfig, validateConfig } from "../../mod.ts";
import {
  envFromObject,
  parseConfigText,
  resolveLogLevel,
  resolveSandboxId,
  resolveToolTimeout,
} from "../../src/config/mod.ts";
import { tempConfig } from "../helpers.ts";

const noEnv = envFromObject({});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    assert.equal(e.exitCode, 2);
    return e;
  }
  assert.fail("expected a ConfigError");
}

async function configErrorAsync(fn: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("defaults: every section filled as the reference README gives them", () => {
  const c = validateConfig({}, "inline");
  assert.equal(c.host.name, "generic-mcp-server");
  assert.equal(c.server.type, "stdio");
  assert.equal(c.server.auth, "none");
  assert.deepEqual(
    [c.sse.host, c.sse.port, c.sse.sse_path, c.sse.message_path, c.sse.health_path],
    ["127.0.0.1", 8000, "/sse", "/messages/", "/health"],
  );
  const h = c["streamable-http"];
  assert.deepEqual(
    [h.host, h.port, h.mcp_path, h.json_response, h.stateless, h.health_path],
    ["127.0.0.1", 3000, "/mcp", true, true, "/health"],
  );
  assert.ok(h.max_body_bytes >= 8 * 1024 * 1024);
  assert.deepEqual([h.allowed_hosts, h.allowed_origins], [[], []]);
  assert.equal(c.tools.timeout, undefined);
  assert.deepEqual(c.tools.modules_to_import, []);
  assert.equal(c.sessions.sandbox_id, null);
  assert.equal(c.sessions.default_ttl_hours, 24);
  assert.equal(c.session_tools.enabled, false);
  assert.equal(c.artifacts.enabled, false);
  assert.equal(c.proxy.enabled, false);
  assert.equal(c.proxy.namespace, "proxy");
  assert.deepEqual(c.mcp_servers, {});
  assert.equal(resolveLogLevel(c), "INFO");
});

Deno.test("precedence: flags > environment > file > defaults", async () => {
  const { path } = await tempConfig(
    "server: {type: sse}\nsse: {port: 8100}\nlogging: {level: WARNING}\nhost: {log_level: ERROR}\n",
  );
  // file only
  let { config } = await loadConfig({ path, env: noEnv });
  assert.equal(config.server.type, "sse");
  assert.equal(config.sse.port, 8100);
  assert.equal(resolveLogLevel(config), "WARNING");
  // env beats the file
  ({ config } = await loadConfig({ path, env: envFromObject({ CHUK_MCP_LOG_LEVEL: "debug" }) }));
  assert.equal(resolveLogLevel(config), "DEBUG");
  // flags beat env and file
  ({ config } = await loadConfig({
    path,
    env: envFromObject({ CHUK_MCP_LOG_LEVEL: "debug" }),
    overrides: { logLevel: "ERROR", transport: "streamable-http", host: "::1", port: 0 },
  }));
  assert.equal(resolveLogLevel(config), "ERROR");
  assert.equal(config.server.type, "streamable-http");
  assert.equal(config["streamable-http"].host, "::1");
  assert.equal(config["streamable-http"].port, 0);
  assert.equal(config.sse.port, 8100, "--port applies to the active transport only");
  // host.log_level is the last fallback before INFO
  assert.equal(resolveLogLevel(validateConfig({ host: { log_level: "error" } }, "x")), "ERROR");
});

Deno.test("CHUK_MCP_LOG_LEVEL: invalid value is a config error naming the variable", async () => {
  const e = await configErrorAsync(() =>
    loadConfig({ noSearch: true, env: envFromObject({ CHUK_MCP_LOG_LEVEL: "loud" }) })
  );
  assert.match(e.message, /CHUK_MCP_LOG_LEVEL/);
  assert.match(e.message, /expected one of DEBUG/);
});

Deno.test("config file: --config beats CHUK_MCP_CONFIG_PATH beats ./config.yaml; missing file is an error", async () => {
  const a = await tempConfig("host: {name: from-a}\n");
  const b = await tempConfig("host: {name: from-b}\n");
  const env = envFromObject({ CHUK_MCP_CONFIG_PATH: b.path });
  assert.equal((await loadConfig({ path: a.path, env, cwd: a.dir })).config.host.name, "from-a");
  assert.equal((await loadConfig({ env, cwd: a.dir })).config.host.name, "from-b");
  const found = await loadConfig({ env: noEnv, cwd: a.dir });
  assert.equal(found.config.host.name, "from-a");
  assert.equal(found.file, a.path);
  assert.equal(found.baseDir, a.dir);
  const none = await loadConfig({
    env: noEnv,
    cwd: a.dir,
    noSearch: true,
    fallback: { host: { name: "fb" } },
  });
  assert.equal(none.embedded, true);
  assert.equal(none.config.host.name, "fb");

  let e = await configErrorAsync(() => loadConfig({ path: `${a.dir}/nope.yaml`, env: noEnv }));
  assert.match(e.message, /nope\.yaml/);
  assert.match(e.message, /not found \(given by --config\)/);
  e = await configErrorAsync(() =>
    loadConfig({ env: envFromObject({ CHUK_MCP_CONFIG_PATH: "/no/such.yaml" }), cwd: a.dir })
  );
  assert.match(e.message, /\/no\/such\.yaml: config file not found \(given by CHUK_MCP_CONFIG_PATH\)/);
});

Deno.test("tool timeout: tools.timeout > MCP_TOOL_TIMEOUT > TOOL_TIMEOUT > 60", () => {
  const file = validateConfig({ tools: { timeout: 7 } }, "x");
  const none = validateConfig({}, "x");
  const both = envFromObject({ MCP_TOOL_TIMEOUT: "5", TOOL_TIMEOUT: "3" });
  assert.equal(resolveToolTimeout(file, both), 7);
  assert.equal(resolveToolTimeout(none, both), 5);
  assert.equal(resolveToolTimeout(none, envFromObject({ TOOL_TIMEOUT: "3" })), 3);
  assert.equal(resolveToolTimeout(none, noEnv), 60);
  // unparsable values are skipped, like the reference
  assert.equal(
    resolveToolTimeout(none, envFromObject({ MCP_TOOL_TIMEOUT: "soon", TOOL_TIMEOUT: "2.5" })),
    2.5,
  );
  assert.equal(resolveToolTimeout(validateConfig({ tools: { timeout: 0 } }, "x"), both), 0);
  assert.equal(resolveToolTimeout(validateConfig({ tools: { timeout: null } }, "x"), both), 5);
});

Deno.test("sandbox id: sessions.sandbox_id > MCP_SANDBOX_ID > CHUK_SANDBOX_ID > SANDBOX_ID > POD_NAME > generated", () => {
  const all = { MCP_SANDBOX_ID: "m", CHUK_SANDBOX_ID: "c", SANDBOX_ID: "s", POD_NAME: "p" };
  const none = validateConfig({}, "x");
  assert.equal(
    resolveSandboxId(validateConfig({ sessions: { sandbox_id: "cfg" } }, "x"), envFromObject(all)),
    "cfg",
  );
  assert.equal(resolveSandboxId(none, envFromObject(all)), "m");
  assert.equal(resolveSandboxId(none, envFromObject({ ...all, MCP_SANDBOX_ID: undefined })), "c");
  assert.equal(resolveSandboxId(none, envFromObject({ SANDBOX_ID: "s", POD_NAME: "p" })), "s");
  assert.equal(resolveSandboxId(none, envFromObject({ POD_NAME: "p" })), "p");
  assert.equal(resolveSandboxId(none, noEnv, 1_700_000_000_123), "mcp-runtime-1700000000");
});

Deno.test("${VAR} expansion: values, defaults, escapes; unset variable names key and line", () => {
  const env = envFromObject({ PORT: "9001", NAME: "svc" });
  const c = parseConfigText(
    [
      "host:",
      "  name: ${NAME}-x",
      "sse:",
      "  sse_path: /${MISSING:-events}",
      "  message_path: /m$${NAME}/",
      "mcp_servers:",
      "  up:",
      "    command: run",
      "    args: ['--port', '${PORT}']",
    ].join("\n"),
    "vars.yaml",
    env,
  );
  assert.equal(c.host.name, "svc-x");
  assert.equal(c.sse.sse_path, "/events");
  assert.equal(c.sse.message_path, "/m${NAME}/");
  assert.deepEqual(c.mcp_servers.up.args, ["--port", "9001"]);
  const e = configError(() => parseConfigText("host:\n  name: x\nsse:\n  host: ${NOPE}\n", "vars.yaml", env));
  assert.equal(e.location.path, "sse.host");
  assert.equal(e.location.line, 4);
  assert.match(e.message, /^vars\.yaml:4: sse\.host: environment variable NOPE is not set/);
});

Deno.test("${VAR} expansion: a value that is one reference takes the type its key expects", () => {
  const env = envFromObject({ PORT: "8080", ID: "123", FLAG: "False" });
  const c = parseConfigText(
    [
      "host:",
      "  name: ${ID}", // a string key keeps the string
      "streamable-http:",
      "  port: ${PORT}",
      "  stateless: ${FLAG}",
      "  json_response: ${UNSET:-true}",
      "  session_idle_timeout: ${UNSET:-2.5}",
    ].join("\n"),
    "vars.yaml",
    env,
  );
  assert.equal(c.host.name, "123");
  assert.equal(c["streamable-http"].port, 8080);
  assert.equal(c["streamable-http"].stateless, false);
  assert.equal(c["streamable-http"].json_response, true);
  assert.equal(c["streamable-http"].session_idle_timeout, 2.5);
  // Text around the reference, or a value that is no number, stays an error naming the key.
  for (const yaml of ["streamable-http:\n  port: x${PORT}\n", "streamable-http:\n  port: ${ID:-}abc\n"]) {
    const e = configError(() => parseConfigText(yaml, "vars.yaml", env));
    assert.equal(e.location.path, "streamable-http.port");
    assert.match(e.message, /expected a number, got the string/);
  }
  const e = configError(() =>
    parseConfigText("streamable-http:\n  port: ${NAME}\n", "v.yaml", envFromObject({ NAME: "web" }))
  );
  assert.match(e.message, /^v\.yaml:2: streamable-http\.port: expected a number, got the string "web"/);
});

Deno.test("errors: unknown key names file, key path, line and the keys expected", () => {
  const e = configError(() => parseConfigText("server:\n  type: stdio\n  tyype: sse\n", "bad.yaml", noEnv));
  assert.equal(e.location.path, "server.tyype");
  assert.equal(e.location.line, 3);
  assert.match(e.message, /^bad\.yaml:3: server\.tyype: unknown key 'tyype'; expected one of: type, auth/);
});

Deno.test("errors: unknown keys in every section, including nested server entries", () => {
  const cases: [string, string, number][] = [
    ["streamable-http:\n  port: 1\n  jsonresponse: true\n", "streamable-http.jsonresponse", 3],
    ["sse:\n  bogus: 1\n", "sse.bogus", 2],
    ["logging:\n  lvl: INFO\n", "logging.lvl", 2],
    ["tools:\n  timout: 3\n", "tools.timout", 2],
    ["sessions:\n  ttl: 3\n", "sessions.ttl", 2],
    ["session_tools:\n  tools:\n    no_such_tool: {enabled: true}\n", "session_tools.tools.no_such_tool", 3],
    ["artifacts:\n  provider: s3\n", "artifacts.provider", 2],
    ["proxy:\n  enable: true\n", "proxy.enable", 2],
    ["mcp_servers:\n  a:\n    command: x\n    argz: []\n", "mcp_servers.a.argz", 4],
    ["host:\n  name: x\nsurprise: 1\n", "surprise", 3],
  ];
  for (const [yaml, path, line] of cases) {
    const e = configError(() => parseConfigText(yaml, "c.yaml", noEnv));
    assert.equal(e.location.path, path, yaml);
    assert.equal(e.location.line, line, yaml);
    assert.match(e.message, /unknown key/);
  }
});

Deno.test("errors: wrong values say what was expected and what was found", () => {
  let e = configError(() => parseConfigText("server:\n  type: websocket\n", "c.yaml", noEnv));
  assert.equal(
    e.message,
    'c.yaml:2: server.type: expected one of "stdio", "sse", "streamable-http", got the string "websocket"',
  );
  e = configError(() => parseConfigText("sse:\n  port: 'eighty'\n", "c.yaml", noEnv));
  assert.match(e.message, /^c\.yaml:2: sse\.port: expected a number, got the string "eighty"/);
  e = configError(() => parseConfigText("sse:\n  port: 70000\n", "c.yaml", noEnv));
  assert.match(e.message, /^c\.yaml:2: sse\.port: expected a value <= 65535/);
  e = configError(() => parseConfigText("streamable-http:\n  mcp_path: mcp\n", "c.yaml", noEnv));
  assert.equal(
    e.message,
    'c.yaml:2: streamable-http.mcp_path: expected a string starting with "/", got the string "mcp"',
  );
  e = configError(() => parseConfigText("sse:\n  max_body_bytes: 0\n", "c.yaml", noEnv));
  assert.match(e.message, /^c\.yaml:2: sse\.max_body_bytes: expected a value > 0, got number 0/);
  e = configError(() => parseConfigText("server: stdio\n", "c.yaml", noEnv));
  assert.match(e.message, /^c\.yaml:1: server: expected a mapping, got the string "stdio"/);
  e = configError(() => parseConfigText("tools:\n  modules_to_import: a.ts\n", "c.yaml", noEnv));
  assert.match(e.message, /tools\.modules_to_import: expected a list/);
});

Deno.test("errors: server.auth api_key is rejected (it authenticated nothing in the reference)", () => {
  const e = configError(() => parseConfigText("server:\n  type: sse\n  auth: api_key\n", "c.yaml", noEnv));
  assert.equal(e.location.path, "server.auth");
  assert.equal(e.location.line, 3);
  assert.match(e.message, /expected one of .*"bearer".*got the string "api_key"/);
});

Deno.test("errors: invalid YAML reports the line", () => {
  let e = configError(() => parseConfigText("server:\n  type: [stdio\nhost: {}\n", "y.yaml", noEnv));
  assert.match(e.message, /^y\.yaml:\d+: invalid YAML/);
  e = configError(() => parseConfigText("- a\n- b\n", "y.yaml", noEnv));
  assert.match(e.message, /expected a mapping of sections/);
});

Deno.test("empty file and null sections mean defaults", () => {
  assert.equal(parseConfigText("", "e.yaml", noEnv).server.type, "stdio");
  assert.equal(parseConfigText("# only a comment\n", "e.yaml", noEnv).sse.port, 8000);
  assert.equal(parseConfigText("server:\n  auth: null\n", "e.yaml", noEnv).server.auth, "none");
});

Deno.test("reference-style keys still load (registry_module, core, auto_discover)", () => {
  const c = parseConfigText(
    "tools:\n  registry_module: chuk_mcp_runtime.common.mcp_tool_decorator\n  registry_attr: TOOLS_REGISTRY\n" +
      "core: {}\nauto_discover: false\n",
    "ref.yaml",
    noEnv,
  );
  assert.equal(c.tools.registry_attr, "TOOLS_REGISTRY");
});
