/**
 * Throughput of write_file + read_file of a 1 MiB text file on each storage provider.
 *
 * Two numbers per provider:
 * - "mcp": the tools called by an SDK client over streamable HTTP on loopback (the real path:
 *   JSON-RPC, argument validation, the store, the provider);
 * - "store": ArtifactStore.write + read directly (the storage part alone).
 *
 * One op = one write of 1 MiB plus one read of it back. Loopback only, bounded loops.
 *
 *   deno run -A scripts/bench_artifacts.ts [--iterations 30]
 *
 * S3 runs when S3_ENDPOINT_URL (+ AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) point at a server,
 * e.g. s3rver as started by .ci/run.
 */

import { parseArgs } from "node:util";
import { runServer, validateConfig } from "../mod.ts";
import { ArtifactStore, createBlobStore, resolveArtifactSettings } from "../src/artifacts/mod.ts";
import { createKeyValueStore } from "../src/sessions/mod.ts";
import { envFromObject } from "../src/config/mod.ts";
import { Client, deferResponses, retainingFetch, StreamableHTTPClientTransport } from "../src/sdk/client.ts";

const { values } = parseArgs({ args: Deno.args, options: { iterations: { type: "string", default: "30" } } });
const N = Math.min(500, Math.max(1, Number(values.iterations) || 30));
const WARMUP = 3;
const MiB = 1024 * 1024;
const content = "x".repeat(MiB - 1) + "\n";

const s3 = Deno.env.get("S3_ENDPOINT_URL");
const cases: { storage: string; session: string; env: Record<string, string> }[] = [
  { storage: "memory", session: "memory", env: {} },
  { storage: "filesystem", session: "memory", env: {} },
  { storage: "sqlite", session: "sqlite", env: {} },
  { storage: "filesystem", session: "sqlite", env: {} },
];
if (s3) {
  cases.push({
    storage: "s3",
    session: "memory",
    env: {
      S3_ENDPOINT_URL: s3,
      AWS_ACCESS_KEY_ID: Deno.env.get("AWS_ACCESS_KEY_ID") ?? "S3RVER",
      AWS_SECRET_ACCESS_KEY: Deno.env.get("AWS_SECRET_ACCESS_KEY") ?? "S3RVER",
      AWS_REGION: Deno.env.get("AWS_REGION") ?? "us-east-1",
      ARTIFACT_BUCKET: `bench-${crypto.randomUUID().slice(0, 8)}`,
    },
  });
} else {
  console.error("S3_ENDPOINT_URL not set: skipping s3");
}

function configFor(storage: string, session: string, root: string) {
  return {
    server: { type: "streamable-http" as const },
    "streamable-http": { port: 0, stateless: false, json_response: true },
    logging: { level: "WARNING" as const },
    artifacts: {
      enabled: true,
      storage_provider: storage as "memory",
      session_provider: session as "memory",
      filesystem_root: root,
      tools: { write_file: { enabled: true }, read_file: { enabled: true }, delete_file: { enabled: true } },
    },
  };
}

async function benchMcp(storage: string, session: string, env: Record<string, string>, root: string) {
  const server = await runServer({
    fallbackConfig: configFor(storage, session, root),
    noSearch: true,
    handleSignals: false,
    banner: false,
    env: envFromObject(env),
  });
  const transport = new StreamableHTTPClientTransport(new URL(server.url!), { fetch: retainingFetch });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  deferResponses(transport);
  // One op: write then read back (timed); the delete that keeps the store small is not timed.
  const op = async () => {
    const t0 = performance.now();
    const w = await client.callTool({ name: "write_file", arguments: { content, filename: "bench.txt" } });
    const text = (w.content as { text: string }[])[0].text;
    const id = text.slice(text.lastIndexOf(" ") + 1);
    const r = await client.callTool({ name: "read_file", arguments: { artifact_id: id } });
    const ms = performance.now() - t0;
    if ((r.content as { text: string }[])[0].text.length !== content.length) throw new Error("short read");
    await client.callTool({ name: "delete_file", arguments: { artifact_id: id } });
    return ms;
  };
  for (let i = 0; i < WARMUP; i++) await op();
  let spent = 0;
  for (let i = 0; i < N; i++) spent += await op();
  await transport.terminateSession().catch(() => {});
  await client.close();
  await server.stop();
  return spent;
}

async function benchStore(storage: string, session: string, env: Record<string, string>, root: string) {
  const config = validateConfig(configFor(storage, session, root), "bench");
  const settings = resolveArtifactSettings(config, envFromObject(env), root);
  const blobs = await createBlobStore(settings);
  await blobs.init();
  const kv = createKeyValueStore(config, envFromObject(env), root);
  const store = new ArtifactStore({ blobs, kv, storageName: storage });
  const data = new TextEncoder().encode(content);
  const caller = { sessionId: "bench" };
  const once = async () => {
    const m = await store.write(caller, { data, filename: "bench.txt", mime: "text/plain" });
    const r = await store.read(caller, m.artifact_id);
    if (r.data.length !== data.length) throw new Error("short read");
    return m.artifact_id;
  };
  for (let i = 0; i < WARMUP; i++) await store.delete(caller, await once());
  let spent = 0;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const id = await once();
    spent += performance.now() - t0;
    await store.delete(caller, id);
  }
  await store.close();
  return spent;
}

console.log(`write_file + read_file of a 1 MiB file, ${N} ops each (after ${WARMUP} warm-up ops)`);
console.log("provider (metadata)          mcp ops/s   mcp ms/op   store ops/s   store ms/op");
for (const c of cases) {
  const root = await Deno.makeTempDir({ prefix: "art-bench-" });
  try {
    const mcp = await benchMcp(c.storage, c.session, c.env, `${root}/mcp`);
    const direct = await benchStore(c.storage, c.session, c.env, `${root}/store`);
    const row = [
      `${c.storage} (${c.session})`.padEnd(28),
      (N / (mcp / 1000)).toFixed(1).padStart(9),
      (mcp / N).toFixed(1).padStart(11),
      (N / (direct / 1000)).toFixed(1).padStart(13),
      (direct / N).toFixed(1).padStart(13),
    ];
    console.log(row.join(" "));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
