// Tool search end to end: search_tools beside the full list (stdio), and the lazy listing
// (search_tools + call_tool only) over streamable HTTP with real JWTs, access rules and a view
// applying inside both. Upstreams: server-everything and server-memory.
import assert from "node:assert/strict";
import type { Client } from "../../src/sdk/client.ts";
import { connectHttp, connectStdio, firstText, startCli, tempConfig } from "../helpers.ts";
import { bearer, SECRET, sign } from "../auth/tokens.ts";
import { npmServerPath } from "../proxy/_helpers.ts";

async function config(head: string): Promise<{ dir: string; path: string }> {
  const mem = await Deno.makeTempDir({ prefix: "search-mem-" });
  const servers = {
    everything: { type: "stdio", command: "node", args: [await npmServerPath("everything"), "stdio"] },
    memory: {
      type: "stdio",
      command: "node",
      args: [await npmServerPath("memory")],
      env: { MEMORY_FILE_PATH: `${mem}/memory.jsonl` },
    },
  };
  return await tempConfig(
    `${head}\nlogging: {level: WARNING}\nproxy: {enabled: true}\nmcp_servers: ${JSON.stringify(servers)}\n`,
  );
}

interface Found {
  name: string;
  description?: string;
  inputSchema: { properties?: Record<string, unknown> };
}

async function search(client: Client, query: string, limit?: number): Promise<Found[]> {
  const r = await client.callTool({
    name: "search_tools",
    arguments: { query, ...(limit ? { limit } : {}) },
  });
  assert.ok(!r.isError, JSON.stringify(r));
  const tools = (r.structuredContent as { tools: Found[] }).tools;
  assert.deepEqual(JSON.parse(firstText(r)), { tools }, "the text content carries the same list");
  return tools;
}

Deno.test("search (stdio): search_tools is listed beside every tool and ranks real upstream tools", async () => {
  const { dir, path } = await config("server: {type: stdio}\ntools: {search: {enabled: true}}");
  const c = await connectStdio(["--config", path]);
  try {
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes("search_tools") && names.includes("proxy.memory.read_graph"));
    assert.ok(!names.includes("call_tool"));
    const graph = await search(c.client, "read the whole knowledge graph", 3);
    assert.equal(graph[0].name, "proxy.memory.read_graph");
    assert.equal(graph.length, 3);
    const sum = await search(c.client, "sum of two numbers", 1);
    assert.equal(sum[0].name, "proxy.everything.get-sum");
    assert.deepEqual(Object.keys(sum[0].inputSchema.properties ?? {}), ["a", "b"]);
    assert.equal(sum[0].description, "Returns the sum of two numbers");
  } finally {
    await c.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("search (streamable HTTP, lazy): two tools listed; call_tool reaches the rest; rules and views apply inside", async () => {
  const head = [
    "server: {type: streamable-http, auth: bearer}",
    "streamable-http: {port: 0}",
    "tools: {search: {enabled: true, lazy: true}}",
    `access: {rules: [{tools: ["proxy.memory.*"], claims: {role: [editor]}}]}`,
    `views: {math: {tools: ["proxy.everything.get-sum", "proxy.everything.echo"]}}`,
  ].join("\n");
  const { dir, path } = await config(head);
  const proc = startCli(["--config", path], { env: { JWT_SECRET_KEY: SECRET } });
  try {
    const url = await proc.ready;
    const editor = await connectHttp(url, { headers: bearer(await sign({ sub: "eve", role: "editor" })) });
    const viewer = await connectHttp(url, { headers: bearer(await sign({ sub: "vic", role: "viewer" })) });
    const math = await connectHttp(`${url}/math`, {
      headers: bearer(await sign({ sub: "eve", role: "editor" })),
    });
    try {
      for (const c of [editor, viewer, math]) {
        assert.deepEqual((await c.client.listTools()).tools.map((t) => t.name), [
          "search_tools",
          "call_tool",
        ]);
      }
      // The editor finds and uses memory tools through the two.
      const found = await search(editor.client, "create entities in the knowledge graph", 3);
      assert.equal(found[0].name, "proxy.memory.create_entities");
      const created = await editor.client.callTool({
        name: "call_tool",
        arguments: {
          name: "proxy.memory.create_entities",
          arguments: {
            entities: [{ name: "Ada", entityType: "person", observations: ["first programmer"] }],
          },
        },
      });
      assert.ok(!created.isError, JSON.stringify(created));
      const graph = await editor.client.callTool({
        name: "call_tool",
        arguments: { name: "proxy.memory.read_graph", arguments: {} },
      });
      assert.match(firstText(graph), /Ada/);
      // A visible tool can still be called by its own name.
      const echo = await editor.client.callTool({
        name: "proxy.everything.echo",
        arguments: { message: "x" },
      });
      assert.equal(firstText(echo), "Echo: x");

      // The viewer never finds them, and calling one through call_tool is an unknown tool.
      const hidden = await search(viewer.client, "create entities in the knowledge graph", 10);
      assert.ok(
        hidden.every((t) => !t.name.startsWith("proxy.memory.")),
        hidden.map((t) => t.name).join(","),
      );
      const refused = await viewer.client.callTool({
        name: "call_tool",
        arguments: { name: "proxy.memory.read_graph", arguments: {} },
      });
      const missing = await viewer.client.callTool({
        name: "call_tool",
        arguments: { name: "proxy.memory.no_such_tool", arguments: {} },
      });
      assert.equal(refused.isError, true);
      assert.equal(firstText(refused), firstText(missing).replace("no_such_tool", "read_graph"));
      await proc.waitForStderr(/denied tool 'proxy\.memory\.read_graph' to user 'vic': access\.rules\[0\]/);

      // In a view, search finds only the view's tools.
      assert.deepEqual(
        (await search(math.client, "numbers knowledge graph echo", 10)).map((t) => t.name).sort(),
        [
          "proxy.everything.echo",
          "proxy.everything.get-sum",
        ],
      );
      const outside = await math.client.callTool({
        name: "call_tool",
        arguments: { name: "proxy.memory.read_graph", arguments: {} },
      });
      assert.equal(outside.isError, true);
    } finally {
      await Promise.all([editor, viewer, math].map((c) => c.close()));
    }
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
