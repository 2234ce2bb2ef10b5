// Timeouts, run for real: the precedence per-tool > tools.timeout > MCP_TOOL_TIMEOUT >
// TOOL_TIMEOUT (> 60 s, see tests/config), the error text, and ctx.signal being aborted.
import assert from "node:assert/strict";
import { connectStdio, firstText, FIXTURES, tempConfig } from "../helpers.ts";

async function timeoutMessages(toolsTimeout: string, env: Record<string, string>) {
  const { path } = await tempConfig(
    `server: {type: stdio}\ntools:\n  ${toolsTimeout}\n  modules_to_import: ["${FIXTURES}timeouts.ts"]\n`,
  );
  const c = await connectStdio(["--config", path], { env });
  try {
    const own = await c.client.callTool({ name: "sleepy_own", arguments: { ms: 20_000 } });
    const global = await c.client.callTool({ name: "sleepy", arguments: { ms: 20_000 } });
    assert.equal(own.isError, true);
    assert.equal(global.isError, true);
    return [firstText(own), firstText(global)];
  } finally {
    await c.close();
  }
}

Deno.test("timeout precedence: per-tool > tools.timeout > MCP_TOOL_TIMEOUT > TOOL_TIMEOUT", async (t) => {
  await t.step("tools.timeout beats both environment variables; per-tool beats tools.timeout", async () => {
    const [own, global] = await timeoutMessages("timeout: 0.4", {
      MCP_TOOL_TIMEOUT: "0.5",
      TOOL_TIMEOUT: "0.6",
    });
    assert.equal(own, "Tool 'sleepy_own' timed out after 0.3s");
    assert.equal(global, "Tool 'sleepy' timed out after 0.4s");
  });
  await t.step("MCP_TOOL_TIMEOUT beats TOOL_TIMEOUT", async () => {
    const [own, global] = await timeoutMessages("timeout: null", {
      MCP_TOOL_TIMEOUT: "0.5",
      TOOL_TIMEOUT: "0.6",
    });
    assert.equal(own, "Tool 'sleepy_own' timed out after 0.3s");
    assert.equal(global, "Tool 'sleepy' timed out after 0.5s");
  });
  await t.step("TOOL_TIMEOUT alone; unparsable MCP_TOOL_TIMEOUT is skipped", async () => {
    const [, global] = await timeoutMessages("timeout: null", {
      MCP_TOOL_TIMEOUT: "soon",
      TOOL_TIMEOUT: "0.6",
    });
    assert.equal(global, "Tool 'sleepy' timed out after 0.6s");
  });
});

Deno.test("tools.timeout: 0 means no timeout; fast calls are unaffected by a timeout", async () => {
  const { path } = await tempConfig(
    `server: {type: stdio}\ntools:\n  timeout: 0\n  modules_to_import: ["${FIXTURES}timeouts.ts"]\n`,
  );
  const c = await connectStdio(["--config", path], { env: { MCP_TOOL_TIMEOUT: "0.05" } });
  try {
    const r = await c.client.callTool({ name: "sleepy", arguments: { ms: 300 } });
    assert.deepEqual(r.content, [{ type: "text", text: "slept 300" }]);
    const fast = await c.client.callTool({ name: "sleepy_own", arguments: { ms: 10 } });
    assert.deepEqual(fast.content, [{ type: "text", text: "slept 10" }]);
  } finally {
    await c.close();
  }
});

Deno.test("a timed-out call aborts ctx.signal with the timeout error; the server keeps serving", async () => {
  const { path } = await tempConfig(
    `server: {type: stdio}\ntools:\n  modules_to_import: ["${FIXTURES}probe.ts"]\n`,
  );
  const c = await connectStdio(["--config", path]);
  try {
    const r = await c.client.callTool({ name: "abortable_fast", arguments: { key: "t1" } });
    assert.deepEqual(r, {
      content: [{ type: "text", text: "Tool 'abortable_fast' timed out after 0.2s" }],
      isError: true,
    });
    const seen = await c.client.callTool({ name: "abort_info", arguments: { key: "t1" } });
    assert.equal(firstText(seen), "ToolTimeoutError: Tool 'abortable_fast' timed out after 0.2s");
    const ok = await c.client.callTool({ name: "abortable_fast", arguments: { key: "t2", ms: 0 } });
    assert.equal(firstText(ok), "finished");
  } finally {
    await c.close();
  }
});
