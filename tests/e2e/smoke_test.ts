import assert from "node:assert/strict";
import { CreateMessageRequestSchema } from "../../src/sdk/types.ts";
import { connectHttp, connectStdio, firstText, FIXTURES, ROOT, startCli, tempConfig } from "../helpers.ts";

Deno.test("stdio: tools, progress, timeout, sampling", async () => {
  const { path } = await tempConfig(
    `server: {type: stdio}\ntools:\n  modules_to_import: ["${FIXTURES}tools.ts", "${ROOT}examples/tools.ts"]\n`,
  );
  const c = await connectStdio(["--config", path]);
  try {
    const tools = await c.client.listTools();
    assert.ok(tools.tools.some((t) => t.name === "slow"));
    const progress: number[] = [];
    const r = await c.client.callTool({ name: "count_to", arguments: { n: 4, delay_ms: 0 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.equal(firstText(r), "Counted to 4");
    assert.deepEqual(progress, [1, 2, 3, 4]);
    const t = await c.client.callTool({ name: "slow", arguments: { ms: 3000 } });
    assert.equal(t.isError, true);
    assert.equal(firstText(t), "Tool 'slow' timed out after 1.0s");
    c.client.setRequestHandler(CreateMessageRequestSchema, () => ({
      role: "assistant",
      content: { type: "text", text: "42" },
      model: "test",
    }));
    const s = await c.client.callTool({ name: "ask_model", arguments: { prompt: "?" } });
    assert.equal(firstText(s), "model said: 42");
  } finally {
    await c.close();
  }
});

Deno.test("http: stateful session with progress", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\ntools:\n  modules_to_import: ["${ROOT}examples/tools.ts"]\n`,
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const c = await connectHttp(url);
    const progress: number[] = [];
    const r = await c.client.callTool({ name: "count_to", arguments: { n: 3, delay_ms: 0 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.equal(firstText(r), "Counted to 3");
    assert.deepEqual(progress, [1, 2, 3]);
    await c.close();
  } finally {
    const st = await proc.stop();
    assert.equal(st.code, 0, proc.stderr());
  }
});
