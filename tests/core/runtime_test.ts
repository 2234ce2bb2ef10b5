// The runtime embedded in a program (runServer): registry changes reach live clients as
// list_changed notifications, and a failed start stops what already started.
import assert from "node:assert/strict";
import {
  collectDefinitions,
  defineTool,
  type PluginHost,
  runServer,
  RuntimeError,
  type RuntimePlugin,
} from "../../mod.ts";
import { ToolListChangedNotificationSchema } from "../../src/sdk/types.ts";
import { connectSse, nextEvent, runCliOnce, tempConfig } from "../helpers.ts";

const quiet = { logging: { level: "ERROR" as const } };

Deno.test("registry changes after start reach connected clients (tools/list_changed)", async () => {
  let runtime: PluginHost | undefined;
  const capture: RuntimePlugin = {
    name: "capture",
    start: (r) => {
      runtime = r;
      return Promise.resolve();
    },
  };
  const hello = defineTool({ name: "hello", inputSchema: { type: "object" }, handler: () => "hi" });
  const server = await runServer({
    fallbackConfig: { ...quiet, server: { type: "sse" }, sse: { port: 0 } },
    noSearch: true,
    handleSignals: false,
    banner: false,
    plugins: [capture],
    definitions: [{ source: "inline", definitions: collectDefinitions({ hello }) }],
  });
  const c = await connectSse(server.url!);
  try {
    assert.deepEqual((await c.client.listTools()).tools.map((t) => t.name), ["hello"]);
    const changed = nextEvent((r) =>
      c.client.setNotificationHandler(ToolListChangedNotificationSchema, () => r(undefined))
    );
    runtime!.registry.tools.add({
      tool: { name: "late", inputSchema: { type: "object" } },
      source: "test",
      call: () => Promise.resolve({ content: [{ type: "text", text: "late" }] }),
    });
    await changed;
    assert.deepEqual((await c.client.listTools()).tools.map((t) => t.name), ["hello", "late"]);
    assert.deepEqual((await c.client.callTool({ name: "late", arguments: {} })).content, [{
      type: "text",
      text: "late",
    }]);
  } finally {
    await c.close();
    await server.stop();
    await server.done;
  }
});

Deno.test("a plugin that fails to start stops the plugins started before it", async () => {
  const events: string[] = [];
  const first: RuntimePlugin = {
    name: "first",
    start: () => (events.push("first started"), Promise.resolve()),
    stop: () => (events.push("first stopped"), Promise.resolve()),
  };
  const broken: RuntimePlugin = {
    name: "broken",
    start: () => Promise.reject(new RuntimeError("no upstream")),
  };
  await assert.rejects(
    runServer({
      fallbackConfig: { ...quiet, server: { type: "sse" }, sse: { port: 0 } },
      noSearch: true,
      handleSignals: false,
      banner: false,
      plugins: [first, broken],
    }),
    /no upstream/,
  );
  assert.deepEqual(events, ["first started", "first stopped"]);
});

Deno.test("a port already in use: clear error, plugins stopped; the CLI exits 1", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const events: string[] = [];
    const plugin: RuntimePlugin = {
      name: "p",
      start: () => (events.push("started"), Promise.resolve()),
      stop: () => (events.push("stopped"), Promise.resolve()),
    };
    await assert.rejects(
      runServer({
        fallbackConfig: { ...quiet, server: { type: "streamable-http" }, "streamable-http": { port } },
        noSearch: true,
        handleSignals: false,
        banner: false,
        plugins: [plugin],
      }),
      (e: Error) => {
        assert.ok(e instanceof RuntimeError);
        assert.equal(
          e.message,
          `cannot listen on 127.0.0.1:${port}: address already in use (pick another with --port)`,
        );
        return true;
      },
    );
    assert.deepEqual(events, ["started", "stopped"]);
    const { path } = await tempConfig(`server: {type: sse}\nsse: {port: ${port}}\n`);
    const r = await runCliOnce(["--config", path]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: cannot listen on 127.0.0.1:${port}: address already in use (pick another with --port)\n`,
    );
  } finally {
    taken.close();
  }
});
