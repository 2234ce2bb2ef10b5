/**
 * What tool search saves: the size in bytes of the `tools/list` answer for server-everything,
 * server-memory and server-filesystem behind the proxy, with the plain listing and with
 * `tools.search: {enabled: true, lazy: true}`, and the top-3 `search_tools` hits for a few
 * realistic queries. Each figure is measured on the wire (the body of a stateless streamable-HTTP
 * POST answered as JSON).
 *
 * ```sh
 * deno task surface                      # the table (markdown)
 * deno task surface --json
 * deno task surface --query "find files by name"   # your own queries (repeatable)
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startCli, tempConfig } from "../tests/helpers.ts";
import { npmServerPath } from "../tests/proxy/_helpers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { json: { type: "boolean", default: false }, query: { type: "string", multiple: true } },
});

const QUERIES = values.query?.length ? values.query : [
  "read the contents of a text file",
  "find files matching a name pattern",
  "store a fact about a person in the knowledge graph",
  "add two numbers",
  "long running operation with progress updates",
];

async function serverConfig(search: string): Promise<{ dir: string; path: string }> {
  const root = await Deno.makeTempDir({ prefix: "surface-" });
  const servers = {
    everything: { type: "stdio", command: "node", args: [await npmServerPath("everything"), "stdio"] },
    memory: {
      type: "stdio",
      command: "node",
      args: [await npmServerPath("memory")],
      env: { MEMORY_FILE_PATH: `${root}/memory.jsonl` },
    },
    filesystem: { type: "stdio", command: "node", args: [await npmServerPath("filesystem"), root] },
  };
  return await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\nlogging: {level: WARNING}\n` +
      `proxy: {enabled: true}\nmcp_servers: ${JSON.stringify(servers)}\ntools: {search: ${search}}\n`,
  );
}

async function post(url: string, method: string, params: unknown): Promise<{ bytes: number; body: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const raw = new Uint8Array(await res.arrayBuffer());
  if (!res.headers.get("content-type")?.startsWith("application/json")) {
    throw new Error(`expected a JSON answer, got ${res.headers.get("content-type")}`);
  }
  return { bytes: raw.byteLength, body: JSON.parse(new TextDecoder().decode(raw)) };
}

async function measure(search: string) {
  const { dir, path } = await serverConfig(search);
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const list = await post(url, "tools/list", {});
    const tools = (list.body as { result: { tools: { name: string }[] } }).result.tools;
    const hits: Record<string, string[]> = {};
    if (tools.some((t) => t.name === "search_tools")) {
      for (const query of QUERIES) {
        const r = await post(url, "tools/call", { name: "search_tools", arguments: { query, limit: 3 } });
        const found = (r.body as { result: { structuredContent: { tools: { name: string }[] } } }).result;
        hits[query] = found.structuredContent.tools.map((t) => t.name);
      }
    }
    return { bytes: list.bytes, tools: tools.length, hits };
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const plain = await measure("{enabled: false}");
const lazy = await measure("{enabled: true, lazy: true}");
const report = {
  servers: ["server-everything", "server-memory", "server-filesystem"],
  plain: { bytes: plain.bytes, tools: plain.tools },
  lazy: { bytes: lazy.bytes, tools: lazy.tools },
  hits: lazy.hits,
};
if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(
    `tools/list answer (server-everything + server-memory + server-filesystem behind the proxy):\n`,
  );
  console.log(`| listing | tools | bytes |\n| --- | ---: | ---: |`);
  console.log(`| plain | ${plain.tools} | ${plain.bytes} |`);
  console.log(`| lazy (search_tools + call_tool) | ${lazy.tools} | ${lazy.bytes} |`);
  console.log(`\nsearch_tools, top 3 (limit: 3):\n`);
  console.log(`| query | 1 | 2 | 3 |\n| --- | --- | --- | --- |`);
  for (const [q, names] of Object.entries(lazy.hits)) {
    console.log(`| ${q} | ${[0, 1, 2].map((i) => names[i] ? `\`${names[i]}\`` : "—").join(" | ")} |`);
  }
}
