// The command line, run for real: help, version, usage errors, configuration errors (exit 2,
// one message naming file, key path, line and what was expected), log-level precedence, `.env`.
import assert from "node:assert/strict";
import { VERSION } from "../../mod.ts";
import { parseServerFlags, UsageError } from "../../cli.ts";
import { connectStdio, FIXTURES, jsonText, ROOT, runCliOnce, tempConfig } from "../helpers.ts";

Deno.test("--help and -h print usage on stdout and exit 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const r = await runCliOnce([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^chuk-mcp-runtime /);
    assert.match(r.stdout, /--config FILE/);
    assert.match(r.stdout, /--transport T/);
    assert.equal(r.stderr, "");
  }
});

Deno.test("--version and -V print the version and exit 0", async () => {
  for (const flag of ["--version", "-V"]) {
    const r = await runCliOnce([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${VERSION}\n`);
  }
});

Deno.test("usage errors: message plus usage on stderr, exit 2, nothing on stdout", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--port", "http"], /--port: expected an integer 0-65535, got 'http'/],
    [["--port", "70000"], /--port: expected an integer/],
    [
      ["--transport", "websocket"],
      /--transport: expected one of stdio, sse, streamable-http, got 'websocket'/,
    ],
    [["--log-level", "loud"], /--log-level: expected DEBUG, INFO, WARNING, ERROR or CRITICAL/],
    [["a.yaml", "b.yaml"], /unexpected arguments: b\.yaml/],
    [["--config", "a.yaml", "b.yaml"], /give the config file once/],
  ];
  for (const [args, message] of cases) {
    const r = await runCliOnce(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage:/);
    assert.equal(r.stdout, "");
  }
});

Deno.test("config errors exit 2 with one line naming file, line, key path and what was expected", async () => {
  const { path } = await tempConfig("server:\n  type: stdio\nsse:\n  port: 8000\n  hots: 0.0.0.0\n");
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `error: invalid configuration: ${path}:5: sse.hots: unknown key 'hots'; expected one of: host, port, ` +
      "sse_path, message_path, max_queue_bytes, health_path, log_level, access_log, max_body_bytes, body_timeout, allowed_hosts, allowed_origins, " +
      "max_sessions, max_sessions_per_user, drain_seconds\n",
  );
  assert.equal(r.stdout, "");
});

Deno.test("a missing --config file is an error, not a silent default", async () => {
  const r = await runCliOnce(["--config", "/definitely/not/here.yaml"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/definitely\/not\/here\.yaml: config file not found \(given by --config\)/);
  const p = await runCliOnce(["/definitely/not/here.yaml"]);
  assert.equal(p.code, 2, "a positional config path is checked the same way");
});

Deno.test("server.auth: api_key is refused at startup", async () => {
  const { path } = await tempConfig("server:\n  type: streamable-http\n  auth: api_key\n");
  const r = await runCliOnce(["-c", path]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${path}:3: server\\.auth: expected one of .*got the string "api_key"`));
});

Deno.test("an unset ${VAR} in the config is a config error naming the key", async () => {
  const { path } = await tempConfig("host:\n  name: ${CHUK_TEST_UNSET_VARIABLE}\n");
  const r = await runCliOnce(["-c", path]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /:2: host\.name: environment variable CHUK_TEST_UNSET_VARIABLE is not set/);
});

Deno.test("a YAML alias bomb is a config error (exit 2), not a crash", async () => {
  // Nine levels of nine aliases each: a billion-leaf expansion from a few hundred bytes.
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
  }
  const { path } = await tempConfig(`core:\n${levels.map((l) => `  ${l}`).join("\n")}\n`);
  const r = await runCliOnce(["-c", path]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`^error: invalid configuration: ${path}: invalid YAML: too many aliases`),
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

Deno.test("CHUK_MCP_CONFIG_PATH is used when no --config is given", async () => {
  const { path } = await tempConfig("server:\n  type: stdio\n  auth: api_key\n");
  const r = await runCliOnce([], { env: { CHUK_MCP_CONFIG_PATH: path } });
  assert.equal(r.code, 2, "the (broken) file named by the variable was read");
  assert.match(r.stderr, /server\.auth/);
});

// stdin is /dev/null in runCliOnce: a stdio server starts, sees end of input and exits 0, so the
// whole stderr of a start can be inspected.
Deno.test("log level: CLI flag > CHUK_MCP_LOG_LEVEL > logging.level", async () => {
  const { path } = await tempConfig("server: {type: stdio}\nlogging: {level: WARNING}\n");
  const fileOnly = await runCliOnce(["-c", path]);
  assert.equal(fileOnly.code, 0, fileOnly.stderr);
  assert.doesNotMatch(fileOnly.stderr, /INFO/);

  const env = await runCliOnce(["-c", path], { env: { CHUK_MCP_LOG_LEVEL: "debug" } });
  assert.equal(env.code, 0, env.stderr);
  assert.match(env.stderr, /DEBUG runtime: ready: 0 tool\(s\)/);
  assert.match(env.stderr, /INFO server: MCP server "generic-mcp-server" ready on stdio/);

  const flag = await runCliOnce(["-c", path, "--log-level", "ERROR"], {
    env: { CHUK_MCP_LOG_LEVEL: "debug" },
  });
  assert.equal(flag.code, 0, flag.stderr);
  assert.equal(flag.stderr, "");
  assert.equal(flag.stdout, "", "nothing but protocol on stdout");
});

Deno.test("logging.format accepts the reference's Python-style placeholders", async () => {
  const { path } = await tempConfig(
    "server: {type: stdio}\nlogging:\n  level: INFO\n  format: '[%(levelname)s] %(name)s - %(message)s'\n",
  );
  const r = await runCliOnce(["-c", path]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^\[INFO\] server - MCP server "generic-mcp-server" ready on stdio$/m);
});

Deno.test(".env in the working directory is loaded; variables already set win", async () => {
  const { dir, path } = await tempConfig(
    `host:\n  name: \${DOTENV_NAME}\nserver: {type: stdio}\ntools:\n  modules_to_import: ["${FIXTURES}probe.ts"]\n`,
    { ".env": "DOTENV_NAME=named-by-dotenv\nMCP_SANDBOX_ID=sandbox-from-dotenv\n" },
  );
  const fromFile = await connectStdio(["--config", path], { cwd: dir });
  try {
    assert.equal(fromFile.client.getServerVersion()?.name, "named-by-dotenv");
    const ctx = jsonText(await fromFile.client.callTool({ name: "context", arguments: {} }));
    assert.equal(ctx.sandbox_id, "sandbox-from-dotenv");
  } finally {
    await fromFile.close();
  }
  const preset = await connectStdio(["--config", path], {
    cwd: dir,
    env: { MCP_SANDBOX_ID: "sandbox-from-env" },
  });
  try {
    const ctx = jsonText(await preset.client.callTool({ name: "context", arguments: {} }));
    assert.equal(ctx.sandbox_id, "sandbox-from-env");
  } finally {
    await preset.close();
  }
});

Deno.test("sandbox id reaches tools: sessions.sandbox_id beats the environment", async () => {
  const { path } = await tempConfig(
    `server: {type: stdio}\nsessions: {sandbox_id: from-config}\ntools:\n  modules_to_import: ["${FIXTURES}probe.ts"]\n`,
  );
  const c = await connectStdio(["--config", path], { env: { MCP_SANDBOX_ID: "m", POD_NAME: "p" } });
  try {
    assert.equal(
      jsonText(await c.client.callTool({ name: "context", arguments: {} })).sandbox_id,
      "from-config",
    );
  } finally {
    await c.close();
  }
});

Deno.test("`deno run -A mod.ts --config x.yaml` starts the server (mod.ts as main module)", async () => {
  const { path } = await tempConfig(
    `host: {name: via-mod}\nserver: {type: stdio}\ntools:\n  modules_to_import: ["${ROOT}examples/tools.ts"]\n`,
  );
  const c = await connectStdio(["--config", path], { entry: `${ROOT}mod.ts` });
  try {
    assert.equal(c.client.getServerVersion()?.name, "via-mod");
    const r = await c.client.callTool({ name: "greet", arguments: { name: "mod" } });
    assert.deepEqual(r.content, [{ type: "text", text: "Hello, mod!" }]);
  } finally {
    await c.close();
  }
  const help = await runCliOnce(["--version"], { entry: `${ROOT}mod.ts` });
  assert.equal(help.code, 0);
  assert.equal(help.stdout, `${VERSION}\n`);
});

Deno.test("--port takes decimal digits only (an empty value is not port 0)", () => {
  for (const port of ["", " ", "1e3", "0x50", "80.0", "-0"]) {
    assert.throws(() => parseServerFlags({ port }), UsageError, `--port '${port}'`);
  }
  assert.deepEqual(parseServerFlags({ port: "0" }), { port: 0 });
  assert.deepEqual(parseServerFlags({ port: "8080" }), { port: 8080 });
});

Deno.test("spawned over pipes with no config and no --transport (as an MCP client does): serves stdio", async () => {
  const empty = await Deno.makeTempDir({ prefix: "no-config-" });
  const c = await connectStdio([], { cwd: empty });
  try {
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("greet"), names.join(","));
    assert.match(c.stderr(), /stdin\/stdout are pipes .* serving the embedded default over stdio/);
  } finally {
    await c.close();
  }
  // With --transport, or a config file, pipes change nothing: what was asked for is served.
  const { startCli } = await import("../helpers.ts");
  const http = startCli(["--transport", "streamable-http", "--port", "0"], { cwd: empty, stdin: true });
  try {
    assert.match(await http.ready, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  } finally {
    await http.stop();
  }
});
