// Filter and rename per upstream (mcp_servers.<name>.include_*/exclude_*/tool_overrides) on the
// official npm servers behind the proxy, over stdio and streamable HTTP, with the SDK client:
// what is filtered out is not listed and answers like something that never existed.
import assert from "node:assert/strict";
import type { Client } from "../../src/sdk/client.ts";
import { connectHttp, connectStdio, firstText, startCli, tempConfig } from "../helpers.ts";
import { npmServerPath } from "./_helpers.ts";

async function config(dir?: string): Promise<{ dir: string; path: string }> {
  const everything = await npmServerPath("everything");
  const memory = await npmServerPath("memory");
  const mem = dir ?? await Deno.makeTempDir({ prefix: "shape-mem-" });
  const servers = {
    everything: {
      type: "stdio",
      command: "node",
      args: [everything, "stdio"],
      include_tools: [
        "echo",
        "get-sum",
        "get-env",
        "trigger-long-running-operation",
        "trigger-sampling-request",
      ],
      exclude_tools: ["get-env", "*-sampling-*"],
      include_prompts: ["simple-prompt", "args-prompt"],
      exclude_resources: ["demo://resource/static/document/features.md", "demo://resource/dynamic/blob/*"],
      tool_overrides: {
        echo: { name: "say", description: "Say a message back" },
        "get-sum": { arguments: { b: { default: 10, hide: true } } },
      },
    },
    memory: {
      type: "stdio",
      command: "node",
      args: [memory],
      env: { MEMORY_FILE_PATH: `${mem}/memory.jsonl` },
      exclude_tools: ["delete_*"],
    },
  };
  return await tempConfig(
    `server: {type: stdio}\nlogging: {level: WARNING}\nproxy: {enabled: true}\nmcp_servers: ${
      JSON.stringify(servers)
    }\n`,
  );
}

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const { code, message } = e as { code: number; message: string };
    return { code, message };
  }
  throw new Error("did not fail");
}

/** Everything one client should see (and not see) of the shaped upstreams. */
async function checkShaped(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [
    "proxy.everything.get-sum",
    "proxy.everything.say",
    "proxy.everything.trigger-long-running-operation",
    "proxy.memory.add_observations",
    "proxy.memory.create_entities",
    "proxy.memory.create_relations",
    "proxy.memory.open_nodes",
    "proxy.memory.read_graph",
    "proxy.memory.search_nodes",
  ]);
  // Renamed before namespacing; the rest of the upstream's definition passes through.
  const say = tools.find((t) => t.name === "proxy.everything.say")!;
  assert.equal(say.description, "Say a message back");
  assert.equal(say.title, "Echo Tool");
  assert.equal(
    firstText(await client.callTool({ name: "proxy.everything.say", arguments: { message: "hi" } })),
    "Echo: hi",
  );
  // The upstream's own name, a filtered tool and a tool that never existed all fail alike.
  const missing = await failure(client.callTool({ name: "proxy.everything.no-such-tool", arguments: {} }));
  for (const name of ["proxy.everything.echo", "proxy.everything.get-env", "proxy.memory.delete_entities"]) {
    const f = await failure(client.callTool({ name, arguments: {} }));
    assert.deepEqual(f, {
      code: missing.code,
      message: missing.message.replace("proxy.everything.no-such-tool", name),
    });
  }
  // A hidden argument is gone from the schema and always takes its default.
  const sum = tools.find((t) => t.name === "proxy.everything.get-sum")!;
  assert.deepEqual(Object.keys(sum.inputSchema.properties ?? {}), ["a"]);
  assert.deepEqual(sum.inputSchema.required, ["a"]);
  assert.match(
    firstText(await client.callTool({ name: "proxy.everything.get-sum", arguments: { a: 5 } })),
    /5 and 10 is 15/,
  );
  assert.match(
    firstText(await client.callTool({ name: "proxy.everything.get-sum", arguments: { a: 5, b: 1 } })),
    /5 and 10 is 15/,
  );

  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name).sort(), [
    "proxy.everything.args-prompt",
    "proxy.everything.simple-prompt",
  ]);
  const noPrompt = await failure(client.getPrompt({ name: "proxy.everything.completable-prompt" }));
  const nowhere = await failure(client.getPrompt({ name: "proxy.everything.nowhere" }));
  assert.equal(noPrompt.code, nowhere.code);

  const { resources } = await client.listResources();
  const uris = resources.map((r) => r.uri);
  assert.ok(uris.includes("demo://resource/static/document/architecture.md"), uris.join(","));
  assert.ok(!uris.includes("demo://resource/static/document/features.md"));
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), [
    "demo://resource/dynamic/text/{resourceId}",
  ]);
  const read = await client.readResource({ uri: "demo://resource/dynamic/text/1" });
  assert.equal(read.contents[0].uri, "demo://resource/dynamic/text/1");
  const unknown = await failure(client.readResource({ uri: "demo://resource/static/document/nothing.md" }));
  for (const uri of ["demo://resource/static/document/features.md", "demo://resource/dynamic/blob/1"]) {
    const f = await failure(client.readResource({ uri }));
    assert.deepEqual(f, {
      code: unknown.code,
      message: unknown.message.replace("demo://resource/static/document/nothing.md", uri),
    });
  }
}

Deno.test("proxy shape (stdio): filters, renames and hidden arguments on server-everything and server-memory", async () => {
  const { dir, path } = await config();
  const c = await connectStdio(["--config", path]);
  try {
    await checkShaped(c.client);
  } finally {
    await c.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proxy shape (streamable HTTP): the same surface for an HTTP client", async () => {
  const { dir, path } = await config();
  const proc = startCli(["--config", path, "--transport", "streamable-http", "--port", "0"]);
  try {
    const c = await connectHttp(await proc.ready);
    try {
      await checkShaped(c.client);
    } finally {
      await c.close();
    }
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
