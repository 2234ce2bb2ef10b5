import assert from "node:assert/strict";
import { ConfigError, pluginsFor, Runtime, validateConfig } from "../../mod.ts";
import { enabledSessionTools } from "../../src/session_tools/plugin.ts";
import { parseConfigText, processEnv } from "../../src/config/mod.ts";
import { runCliOnce, tempConfig } from "../helpers.ts";

Deno.test("session tools config: unknown tool names are errors that name the key and the line", () => {
  const yaml =
    "session_tools:\n  enabled: true\n  tools:\n    get_current_session: {enabled: true}\n    list_all_sessions: {enabled: true}\n";
  assert.throws(
    () => parseConfigText(yaml, "config.yaml"),
    (e) =>
      e instanceof ConfigError &&
      e.message.startsWith(
        "config.yaml:5: session_tools.tools.list_all_sessions: unknown key 'list_all_sessions'",
      ) &&
      /expected one of: get_current_session, set_session, clear_session, list_sessions, get_session_info, create_session/
        .test(e.message),
  );
});

Deno.test("session tools config: off by default, and both switches are needed", async () => {
  assert.deepEqual(enabledSessionTools(validateConfig({}, "x")), []);
  const onlyTool = validateConfig({ session_tools: { tools: { list_sessions: { enabled: true } } } }, "x");
  assert.deepEqual(enabledSessionTools(onlyTool), []);
  const onlyMaster = validateConfig({ session_tools: { enabled: true } }, "x");
  assert.deepEqual(enabledSessionTools(onlyMaster), []);
  const both = validateConfig({
    session_tools: {
      enabled: true,
      tools: {
        list_sessions: { enabled: true },
        create_session: { enabled: true, description: "Start a new workspace" },
        set_session: { enabled: false },
      },
    },
  }, "x");
  assert.deepEqual(enabledSessionTools(both), ["list_sessions", "create_session"]);
  const runtime = new Runtime({ config: both, plugins: pluginsFor(both, processEnv) });
  await runtime.start();
  try {
    const names = runtime.registry.listTools().map((t) => t.name).sort();
    assert.deepEqual(names, ["create_session", "list_sessions"]);
    assert.equal(runtime.registry.tools.get("create_session")?.tool.description, "Start a new workspace");
  } finally {
    await runtime.stop();
  }
});

Deno.test("session tools config: the CLI refuses an unknown tool name with exit code 2", async () => {
  const { path } = await tempConfig("session_tools:\n  tools:\n    nuke_sessions: {enabled: true}\n");
  const r = await runCliOnce(["--config", path, "--transport", "stdio"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /session_tools\.tools\.nuke_sessions: unknown key 'nuke_sessions'/);
});
