// The official npm MCP servers behind the proxy, over stdio, with a stdio downstream.
import assert from "node:assert/strict";
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  ToolListChangedNotificationSchema,
} from "../../src/sdk/types.ts";
import { connectStdio, firstText, newClient } from "../helpers.ts";
import { npmServerPath } from "./_helpers.ts";

Deno.test("server-everything (stdio): capability-gated tools, progress, sampling, resources", async () => {
  const entry = await npmServerPath("everything");
  const client = newClient();
  let rootsAsked: () => void = () => {};
  client.setRequestHandler(ListRootsRequestSchema, () => {
    rootsAsked();
    return { roots: [{ uri: "file:///work/project", name: "project" }] };
  });
  const listChanged = new Promise<void>((resolve) =>
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())
  );
  const c = await connectStdio(["proxy", "--stdio", "ev", "--command", "node", "--", entry, "stdio"], {
    client,
  });
  try {
    let names = (await client.listTools()).tools.map((t) => t.name);
    if (!names.includes("proxy.ev.trigger-sampling-request")) {
      // server-everything registers these after `initialized`, then says list_changed.
      await listChanged;
      names = (await client.listTools()).tools.map((t) => t.name);
    }
    // Registered only for clients that declare sampling/elicitation: the proxy declares them.
    assert.ok(names.includes("proxy.ev.trigger-sampling-request"), names.join(","));
    assert.ok(names.includes("proxy.ev.trigger-elicitation-request"), names.join(","));

    const seen: number[] = [];
    const long = await client.callTool(
      { name: "proxy.ev.trigger-long-running-operation", arguments: { duration: 0.2, steps: 4 } },
      undefined,
      { onprogress: (p) => seen.push(p.progress) },
    );
    assert.ok(!long.isError, JSON.stringify(long));
    assert.deepEqual(seen, [1, 2, 3, 4]);

    client.setRequestHandler(CreateMessageRequestSchema, async () => {
      // A shared upstream's roots/list reaches a client only while one of its calls is in flight
      // (this sampling request's call is): say the roots changed and answer the request it brings.
      // (server-everything asks once on its own 350 ms after connecting; that one may come
      // between calls and get no roots.)
      const asked = new Promise<void>((resolve) => (rootsAsked = resolve));
      await client.sendRootsListChanged();
      await asked;
      return { role: "assistant", model: "stub", content: { type: "text", text: "forty-two" } };
    });
    const sampled = await client.callTool({
      name: "proxy.ev.trigger-sampling-request",
      arguments: { prompt: "?" },
    });
    assert.match(JSON.stringify(sampled.content), /forty-two/);

    // roots/list from the upstream is answered by this (the only) client.
    const roots = await client.callTool({ name: "proxy.ev.get-roots-list", arguments: {} });
    assert.match(firstText(roots), /file:\/\/\/work\/project/);

    const { resources } = await client.listResources();
    assert.ok(resources.length > 0);
    const read = await client.readResource({ uri: resources[0].uri });
    assert.equal(read.contents[0].uri, resources[0].uri);
  } finally {
    await c.close();
  }
});

Deno.test("server-memory (stdio): state kept in the env-configured file across calls", async () => {
  const entry = await npmServerPath("memory");
  const dir = await Deno.makeTempDir({ prefix: "mem-" });
  const c = await connectStdio([
    "proxy",
    "--stdio",
    "memory",
    "--command",
    "node",
    "--env",
    `MEMORY_FILE_PATH=${dir}/memory.jsonl`,
    "--",
    entry,
  ]);
  try {
    await c.client.callTool({
      name: "proxy.memory.create_entities",
      arguments: { entities: [{ name: "Ada", entityType: "person", observations: ["wrote programs"] }] },
    });
    const graph = await c.client.callTool({ name: "proxy.memory.read_graph", arguments: {} });
    assert.match(firstText(graph), /Ada/);
    assert.match(await Deno.readTextFile(`${dir}/memory.jsonl`), /Ada/);
  } finally {
    await c.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server-filesystem (stdio): the allowed folder is readable, a sibling is not", async () => {
  const entry = await npmServerPath("filesystem");
  const root = await Deno.makeTempDir({ prefix: "fs-" });
  await Deno.mkdir(`${root}/allowed`);
  await Deno.mkdir(`${root}/secret`);
  await Deno.writeTextFile(`${root}/allowed/note.txt`, "visible");
  await Deno.writeTextFile(`${root}/secret/key.txt`, "hidden");
  const c = await connectStdio([
    "proxy",
    "--stdio",
    "fs",
    "--command",
    "node",
    "--",
    entry,
    `${root}/allowed`,
  ]);
  try {
    const ok = await c.client.callTool({
      name: "proxy.fs.read_text_file",
      arguments: { path: `${root}/allowed/note.txt` },
    });
    assert.equal(firstText(ok), "visible");
    const denied = await c.client.callTool({
      name: "proxy.fs.read_text_file",
      arguments: { path: `${root}/secret/key.txt` },
    });
    assert.equal(denied.isError, true);
    assert.doesNotMatch(firstText(denied), /hidden/);
  } finally {
    await c.close();
    await Deno.remove(root, { recursive: true });
  }
});
