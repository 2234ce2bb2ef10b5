// Reference (PyYAML + pydantic) leniency: keys given twice keep the last with a warning naming
// both lines; YAML 1.1 booleans and quoted numbers where the schema wants a boolean or a number.
import assert from "node:assert/strict";
import { ConfigError } from "../../mod.ts";
import { envFromObject, loadConfig, parseConfigDocument, parseConfigText } from "../../src/config/mod.ts";
import { tempConfig } from "../helpers.ts";

const noEnv = envFromObject({});

Deno.test("keys given twice: the last wins (as PyYAML), and the warning names both lines", () => {
  const yaml = [
    "host:", //                      1
    "  name: first", //              2
    "mcp_servers:", //               3
    "  local_tools:", //             4
    "    location: ./my_tools", //   5
    "proxy:", //                     6
    "  enabled: true", //            7
    "mcp_servers:", //               8
    "  time:", //                    9
    "    command: uvx", //          10
    "host:", //                     11
    "  name: second", //            12
    "  name: third", //             13
  ].join("\n");
  const { config, warnings } = parseConfigDocument(yaml, "combined.yaml", noEnv);
  assert.deepEqual(Object.keys(config.mcp_servers), ["time"]);
  assert.equal(config.host.name, "third");
  const byPath = Object.fromEntries(warnings.map((w) => [w.path, w]));
  assert.deepEqual(Object.keys(byPath).sort(), ["host", "host.name", "mcp_servers"]);
  assert.equal(byPath.mcp_servers.line, 8);
  assert.match(
    byPath.mcp_servers.message,
    /^combined\.yaml:8: mcp_servers: also given at line 3; the later value is used.*line 3's \(local_tools\) is ignored/,
  );
  assert.equal(byPath["host.name"].line, 13);
  assert.match(byPath["host.name"].message, /also given at line 12/);
  // parseConfigText hands the same warnings to a callback.
  const seen: string[] = [];
  parseConfigText(yaml, "combined.yaml", noEnv, (w) => seen.push(w.path ?? ""));
  assert.equal(seen.length, 3);
});

Deno.test("keys given twice: errors in the kept value still point at its own line", () => {
  const yaml = "sse:\n  port: 1\nsse:\n  port: eighty\n";
  assert.throws(
    () => parseConfigText(yaml, "c.yaml", noEnv),
    (e) => e instanceof ConfigError && /^c\.yaml:4: sse\.port: expected a number/.test(e.message),
  );
});

Deno.test("YAML 1.1 booleans and pydantic-style values where a boolean is expected", () => {
  const yaml = [
    "streamable-http:",
    "  json_response: yes",
    "  stateless: Off",
    "  access_log: 'on'",
    "proxy:",
    "  enabled: Y",
    "  keep_root_aliases: 0",
    '  openai_compatible: "true"',
    "artifacts:",
    "  enabled: NO",
    "  tools:",
    "    write_file: {enabled: yes}",
    "session_tools:",
    "  enabled: 1",
  ].join("\n");
  const c = parseConfigText(yaml, "c.yaml", noEnv);
  const h = c["streamable-http"];
  assert.deepEqual([h.json_response, h.stateless, h.access_log], [true, false, true]);
  assert.deepEqual([c.proxy.enabled, c.proxy.keep_root_aliases, c.proxy.openai_compatible], [
    true,
    false,
    true,
  ]);
  assert.equal(c.artifacts.enabled, false);
  assert.equal(c.artifacts.tools.write_file?.enabled, true);
  assert.equal(c.session_tools.enabled, true);
  // A word that is no boolean stays an error naming the key.
  assert.throws(
    () => parseConfigText("proxy:\n  enabled: maybe\n", "c.yaml", noEnv),
    (e) =>
      e instanceof ConfigError &&
      /^c\.yaml:2: proxy\.enabled: expected a boolean, got the string "maybe"/.test(e.message),
  );
  // Where a string is expected, `yes` stays the string it is.
  assert.equal(parseConfigText("host:\n  name: yes\n", "c.yaml", noEnv).host.name, "yes");
});

Deno.test('quoted numbers where a number is expected (port: "8000")', () => {
  const c = parseConfigText(
    [
      "sse:",
      '  port: "8000"',
      "streamable-http:",
      "  port: ' 3001 '",
      "  session_idle_timeout: '2.5'",
      "tools:",
      '  timeout: "60"',
      "sessions:",
      "  default_ttl_hours: '12'",
    ].join("\n"),
    "c.yaml",
    noEnv,
  );
  assert.equal(c.sse.port, 8000);
  assert.equal(c["streamable-http"].port, 3001);
  assert.equal(c["streamable-http"].session_idle_timeout, 2.5);
  assert.equal(c.tools.timeout, 60);
  assert.equal(c.sessions.default_ttl_hours, 12);
  // Still validated as numbers: an out-of-range or non-integer port is an error.
  assert.throws(
    () => parseConfigText("sse:\n  port: '70000'\n", "c.yaml", noEnv),
    (e) => e instanceof ConfigError && /sse\.port: expected a value <= 65535/.test(e.message),
  );
  assert.throws(
    () => parseConfigText("sse:\n  port: '80.5'\n", "c.yaml", noEnv),
    (e) => e instanceof ConfigError && /sse\.port/.test(e.message),
  );
  // Where a string is expected a number is not turned into one silently: args stay strings.
  assert.equal(
    parseConfigText("sessions:\n  sandbox_id: '123'\n", "c.yaml", noEnv).sessions.sandbox_id,
    "123",
  );
});

Deno.test("server.type stdio with auth: bearer loads, with a warning at server.auth's line", async () => {
  const { path } = await tempConfig('host:\n  name: x\nserver:\n  type: "stdio"\n  auth: "bearer"\n');
  const loaded = await loadConfig({ path, env: noEnv });
  assert.equal(loaded.config.server.auth, "bearer");
  assert.equal(loaded.warnings.length, 1);
  assert.equal(loaded.warnings[0].path, "server.auth");
  assert.equal(loaded.warnings[0].line, 5);
  assert.match(
    loaded.warnings[0].message,
    /server\.auth: 'bearer' applies to the HTTP transports .* stdio .* not authenticated/,
  );
  // --transport streamable-http makes it apply: no warning then.
  const http = await loadConfig({ path, env: noEnv, overrides: { transport: "streamable-http" } });
  assert.deepEqual(http.warnings, []);
});
