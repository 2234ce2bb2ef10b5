// Views: each views.<name> is its own MCP endpoint (<mcp_path>/<name>, <sse_path>/<name>, or
// stdio with --view) serving only its subset of the tools, prompts and resources, with the access
// rules still applied inside. Real upstreams (server-everything, server-memory), real JWTs, SDK clients.
import assert from "node:assert/strict";
import type { Client } from "../../src/sdk/client.ts";
import {
  type Connected,
  connectHttp,
  connectSse,
  connectStdio,
  postJson,
  runCliOnce,
  startCli,
  tempConfig,
} from "../helpers.ts";
import { bearer, SECRET, sign } from "../auth/tokens.ts";
import { npmServerPath } from "../proxy/_helpers.ts";

async function config(server: string): Promise<{ dir: string; path: string }> {
  const mem = await Deno.makeTempDir({ prefix: "views-mem-" });
  const servers = {
    everything: { type: "stdio", command: "node", args: [await npmServerPath("everything"), "stdio"] },
    memory: {
      type: "stdio",
      command: "node",
      args: [await npmServerPath("memory")],
      env: { MEMORY_FILE_PATH: `${mem}/memory.jsonl` },
    },
  };
  const views = {
    math: { tools: ["proxy.everything.get-sum", "proxy.everything.echo"], description: "Arithmetic only" },
    memory: { tools: ["proxy.memory.*"] },
    docs: { resources: ["demo://resource/static/*"], prompts: ["proxy.everything.simple-prompt"] },
  };
  const access = { rules: [{ tools: ["proxy.memory.create_*"], claims: { role: ["editor"] } }] };
  return await tempConfig(
    `server: ${server}\nstreamable-http: {port: 0}\nsse: {port: 0}\nlogging: {level: WARNING}\n` +
      `proxy: {enabled: true}\nmcp_servers: ${JSON.stringify(servers)}\nviews: ${JSON.stringify(views)}\n` +
      `access: ${JSON.stringify(access)}\n`,
  );
}

const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort();

async function checkViews(
  base: string,
  connect: (url: string, headers: Record<string, string>) => Promise<Connected>,
) {
  const editor = bearer(await sign({ sub: "eve", role: "editor" }));
  const viewer = bearer(await sign({ sub: "vic", role: "viewer" }));
  const math = await connect(`${base}/math`, viewer);
  const memEditor = await connect(`${base}/memory`, editor);
  const memViewer = await connect(`${base}/memory`, viewer);
  const docs = await connect(`${base}/docs`, viewer);
  const full = await connect(base, viewer);
  try {
    assert.deepEqual(await names(math.client), ["proxy.everything.echo", "proxy.everything.get-sum"]);
    assert.equal(math.client.getInstructions(), "Arithmetic only");
    const sum = await math.client.callTool({ name: "proxy.everything.get-sum", arguments: { a: 2, b: 3 } });
    assert.match(JSON.stringify(sum.content), /2 and 3 is 5/);
    // Outside the view: exactly like a tool that does not exist.
    await assert.rejects(
      math.client.callTool({ name: "proxy.memory.read_graph", arguments: {} }),
      /Unknown tool: proxy\.memory\.read_graph/,
    );
    assert.deepEqual((await math.client.listPrompts()).prompts, []);
    assert.deepEqual((await math.client.listResources()).resources, []);

    // Access rules still apply inside a view.
    assert.equal((await names(memEditor.client)).length, 9);
    assert.deepEqual(await names(memViewer.client), [
      "proxy.memory.add_observations",
      "proxy.memory.delete_entities",
      "proxy.memory.delete_observations",
      "proxy.memory.delete_relations",
      "proxy.memory.open_nodes",
      "proxy.memory.read_graph",
      "proxy.memory.search_nodes",
    ]);

    assert.deepEqual(await names(docs.client), []);
    assert.deepEqual((await docs.client.listPrompts()).prompts.map((p) => p.name), [
      "proxy.everything.simple-prompt",
    ]);
    const uris = (await docs.client.listResources()).resources.map((r) => r.uri);
    assert.ok(uris.length > 0 && uris.every((u) => u.startsWith("demo://resource/static/")), uris.join(","));
    assert.deepEqual((await docs.client.listResourceTemplates()).resourceTemplates, []);

    // The main endpoint is the full surface (minus what the rules refuse).
    const all = await names(full.client);
    assert.ok(all.includes("proxy.everything.echo") && all.includes("proxy.memory.read_graph"));
    assert.ok(!all.includes("proxy.memory.create_entities"));
  } finally {
    await Promise.all([math, memEditor, memViewer, docs, full].map((c) => c.close()));
  }
}

for (
  const [label, server, extra, connect, suffix] of [
    ["stateless streamable HTTP", "{type: streamable-http, auth: bearer}", "", connectHttp, ""],
    [
      "stateful streamable HTTP",
      "{type: streamable-http, auth: bearer}",
      "streamable-http: {port: 0, stateless: false}\n",
      connectHttp,
      "",
    ],
    ["SSE", "{type: sse, auth: bearer}", "", connectSse, ""],
  ] as const
) {
  Deno.test(`views (${label}): each view is an endpoint with its subset; rules apply inside`, async () => {
    const { dir, path } = await config(server);
    if (extra) {
      await Deno.writeTextFile(
        path,
        (await Deno.readTextFile(path)).replace("streamable-http: {port: 0}\n", extra),
      );
    }
    const proc = startCli(["--config", path], { env: { JWT_SECRET_KEY: SECRET } });
    try {
      const url = await proc.ready;
      await checkViews(url + suffix, (u, headers) => connect(u, { headers }));
      if (label !== "SSE") {
        // A view that is not configured is not an endpoint.
        const token = bearer(await sign({ sub: "vic" }));
        const res = await postJson(`${url}/nope`, { jsonrpc: "2.0", id: 1, method: "tools/list" }, token);
        assert.equal(res.status, 404);
      }
      assert.match(proc.stderr(), /views: +http:\/\/127\.0\.0\.1:\d+\/(mcp|sse)\/math /);
    } finally {
      await proc.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("views (stdio): --view serves one view; an unknown view is a usage error (exit 2)", async () => {
  const { dir, path } = await config("{type: stdio}");
  try {
    const c = await connectStdio(["--config", path, "--view", "math"]);
    try {
      assert.deepEqual(await names(c.client), ["proxy.everything.echo", "proxy.everything.get-sum"]);
      assert.equal(c.client.getInstructions(), "Arithmetic only");
    } finally {
      await c.close();
    }
    const bad = await runCliOnce(["--config", path, "--view", "nope"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--view: unknown view 'nope' \(views: math, memory, docs\)/);
    const http = await runCliOnce([
      "--config",
      path,
      "--view",
      "math",
      "--transport",
      "streamable-http",
      "--port",
      "0",
    ]);
    assert.equal(http.code, 2, http.stderr);
    assert.match(http.stderr, /--view is for stdio/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
