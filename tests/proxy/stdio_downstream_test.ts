// The proxy in front of a real stdio MCP server (tests/fixtures/upstream_server.ts, built on the
// SDK's McpServer), with a stdio downstream, driven by the SDK client: everything MCP defines
// must cross it unchanged.
import assert from "node:assert/strict";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "../../src/sdk/types.ts";
import { connectStdio, firstText, newClient } from "../helpers.ts";
import { FIXTURE_ARGS } from "./_helpers.ts";
import { DENO } from "../helpers.ts";

const PROXY_ARGS = ["proxy", "--stdio", "fx", "--command", DENO, "--", ...FIXTURE_ARGS];

Deno.test("proxy over stdio: every MCP feature crosses the proxy", async (t) => {
  const client = newClient();
  const c = await connectStdio(PROXY_ARGS, { client });
  try {
    await t.step("tools are listed namespaced, with schemas, annotations and _meta untouched", async () => {
      const { tools } = await client.listTools();
      const names = tools.map((x) => x.name);
      assert.ok(names.includes("proxy.fx.echo"), names.join(","));
      assert.ok(!names.includes("echo"), "no root aliases by default");
      const structured = tools.find((x) => x.name === "proxy.fx.structured")!;
      assert.deepEqual(structured.outputSchema?.required, ["n", "square"]);
      assert.deepEqual(structured.annotations, { idempotentHint: true });
      assert.deepEqual(structured._meta, { "fixture/extra": "kept" });
      assert.deepEqual(tools.find((x) => x.name === "proxy.fx.echo")!.inputSchema.required, ["text"]);
    });

    await t.step("calls pass results through: content, structuredContent, _meta", async () => {
      assert.equal(
        firstText(await client.callTool({ name: "proxy.fx.echo", arguments: { text: "hi" } })),
        "hi",
      );
      const r = await client.callTool({ name: "proxy.fx.structured", arguments: { n: 4 } });
      assert.deepEqual(r.structuredContent, { n: 4, square: 16 });
      assert.deepEqual(r._meta, { "fixture/result": true });
    });

    await t.step("upstream validation errors come back as tool errors", async () => {
      const r = await client.callTool({ name: "proxy.fx.add", arguments: { a: 1, b: "x" } });
      assert.equal(r.isError, true);
      assert.match(firstText(r), /b/);
    });

    await t.step("unknown tool is a protocol error", async () => {
      await assert.rejects(client.callTool({ name: "proxy.fx.nope", arguments: {} }), /Unknown tool/);
    });

    await t.step("progress: every notification, including the last, in 20 calls", async () => {
      for (let i = 0; i < 20; i++) {
        const seen: number[] = [];
        const r = await client.callTool({ name: "proxy.fx.progress", arguments: { steps: 5 } }, undefined, {
          onprogress: (p) => seen.push(p.progress),
        });
        assert.equal(firstText(r), "done 5");
        assert.deepEqual(seen, [1, 2, 3, 4, 5], `call ${i}`);
      }
    });

    await t.step("sampling from the upstream reaches this client and its answer goes back", async () => {
      client.setRequestHandler(CreateMessageRequestSchema, (req) => ({
        role: "assistant",
        model: "test-model",
        content: { type: "text", text: `echo:${(req.params.messages[0].content as { text: string }).text}` },
      }));
      const r = await client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "ping" } });
      assert.equal(firstText(r), "sampled: echo:ping");
    });

    await t.step("elicitation from the upstream reaches this client", async () => {
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { ok: true } }));
      const r = await client.callTool({ name: "proxy.fx.confirm", arguments: {} });
      assert.equal(firstText(r), 'elicited: accept {"ok":true}');
    });

    await t.step("log messages of a call reach its caller", async () => {
      const logged = new Promise<unknown>((resolve) =>
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params))
      );
      await client.setLoggingLevel("debug");
      await client.callTool({ name: "proxy.fx.log", arguments: { message: "careful" } });
      assert.deepEqual(await logged, { level: "warning", data: "careful", logger: "fx" });
    });

    await t.step("cancellation is forwarded upstream", async () => {
      const ac = new AbortController();
      // The upstream reports progress 0 once the call runs: cancel on that event.
      const call = client.callTool({ name: "proxy.fx.slow", arguments: { ms: 30_000 } }, undefined, {
        signal: ac.signal,
        onprogress: () => ac.abort(),
      });
      await assert.rejects(call);
      const stats = JSON.parse(firstText(await client.callTool({ name: "proxy.fx.stats", arguments: {} })));
      assert.equal(stats.cancelled, 1);
    });

    await t.step("resources, templates, subscriptions and updates", async () => {
      const { resources } = await client.listResources();
      assert.deepEqual(resources.map((r) => r.uri), ["fixture://static"]);
      const read = await client.readResource({ uri: "fixture://static" });
      assert.deepEqual(read.contents, [{
        uri: "fixture://static",
        mimeType: "text/plain",
        text: "static from fixture",
      }]);
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((r) => r.uriTemplate), ["fixture://items/{id}"]);
      const item = await client.readResource({ uri: "fixture://items/7" });
      assert.equal((item.contents[0] as { text: string }).text, '{"id":"7"}');
      const completion = await client.complete({
        ref: { type: "ref/resource", uri: "fixture://items/{id}" },
        argument: { name: "id", value: "1" },
      });
      assert.deepEqual(completion.completion.values, ["1", "10"]);

      const updated = new Promise<string>((resolve) =>
        client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri))
      );
      await client.subscribeResource({ uri: "fixture://static" });
      await client.callTool({ name: "proxy.fx.touch", arguments: { uri: "fixture://static" } });
      assert.equal(await updated, "fixture://static");
      await client.unsubscribeResource({ uri: "fixture://static" });
    });

    await t.step("prompts are namespaced like tools", async () => {
      const { prompts } = await client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ["proxy.fx.greet"]);
      const p = await client.getPrompt({ name: "proxy.fx.greet", arguments: { name: "Ada" } });
      assert.deepEqual(p.messages[0].content, { type: "text", text: "Say hello to Ada" });
    });

    await t.step("list_changed from the upstream refreshes the list and reaches the client", async () => {
      const changed = new Promise<void>((resolve) =>
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())
      );
      await client.callTool({ name: "proxy.fx.add_tool", arguments: { name: "fresh" } });
      await changed;
      const { tools } = await client.listTools();
      assert.ok(tools.some((x) => x.name === "proxy.fx.fresh"));
      assert.equal(firstText(await client.callTool({ name: "proxy.fx.fresh", arguments: {} })), "I am fresh");
    });
  } finally {
    await c.close();
  }
});

Deno.test("proxy: the README quick start command line works as written", async () => {
  // `uvx mcp-server-time` cannot be fetched here (no PyPI), so a stand-in `uvx` on PATH runs the
  // fixture with the argv it was given; the fixture's `argv` tool reports it back.
  const bin = await Deno.makeTempDir({ prefix: "fake-uvx-" });
  await Deno.writeTextFile(
    `${bin}/uvx`,
    `#!/bin/sh\nexec "${DENO}" ${FIXTURE_ARGS.map((a) => `"${a}"`).join(" ")} "$@"\n`,
  );
  await Deno.chmod(`${bin}/uvx`, 0o755);
  const c = await connectStdio(
    [
      "proxy",
      "--stdio",
      "time",
      "--command",
      "uvx",
      "--",
      "mcp-server-time",
      "--local-timezone",
      "America/New_York",
    ],
    { env: { PATH: `${bin}:${Deno.env.get("PATH")}` } },
  );
  try {
    const argv = JSON.parse(firstText(await c.client.callTool({ name: "proxy.time.argv", arguments: {} })));
    assert.deepEqual(argv, ["mcp-server-time", "--local-timezone", "America/New_York"]);
  } finally {
    await c.close();
    await Deno.remove(bin, { recursive: true });
  }
});
