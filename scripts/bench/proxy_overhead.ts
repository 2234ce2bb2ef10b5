/**
 * Proxy overhead, quick form (issue 3's closing figure): the same stdio upstream called directly
 * by the SDK client, and through `cli.ts proxy` over stdio. Sequential `echo` latency (p50/p99)
 * and calls/s with 16 concurrent callers. Loopback only, bounded loops.
 *
 *   deno run -A scripts/bench/proxy_overhead.ts [--calls 2000] [--warmup 200]
 */

import { parseArgs } from "node:util";
import { Client, deferResponses } from "../../src/sdk/client.ts";
import { StdioClientTransport } from "../../src/sdk/client_stdio.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { calls: { type: "string", default: "2000" }, warmup: { type: "string", default: "200" } },
});
const CALLS = Number(values.calls);
const WARMUP = Number(values.warmup);
const ROOT = new URL("../../", import.meta.url).pathname;
const DENO = Deno.execPath();
const FIXTURE = [
  "run",
  "-A",
  "--quiet",
  "--config",
  `${ROOT}deno.json`,
  `${ROOT}tests/fixtures/upstream_server.ts`,
];

interface Target {
  name: string;
  command: string;
  args: string[];
  tool: string;
}

const targets: Target[] = [
  { name: "direct-stdio", command: DENO, args: FIXTURE, tool: "echo" },
  {
    name: "proxy-stdio",
    command: DENO,
    args: [
      "run",
      "-A",
      "--quiet",
      `${ROOT}cli.ts`,
      "proxy",
      "--stdio",
      "fx",
      "--command",
      DENO,
      "--",
      ...FIXTURE,
    ],
    tool: "proxy.fx.echo",
  },
];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(t: Target) {
  const transport = new StdioClientTransport({
    command: t.command,
    args: t.args,
    cwd: ROOT,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", NO_COLOR: "1" },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  deferResponses(transport);
  const call = async () => {
    const r = await client.callTool({ name: t.tool, arguments: { text: "hello" } });
    const text = (r.content as { text: string }[])[0].text;
    if (text !== "hello") throw new Error(`bad answer from ${t.name}: ${text}`);
  };
  for (let i = 0; i < WARMUP; i++) await call();
  const lat: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const s = performance.now();
    await call();
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  // 16 concurrent callers, bounded by 20 000 calls or 10 s
  let done = 0;
  const start = performance.now();
  const deadline = start + 10_000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (done < 20_000 && performance.now() < deadline) {
      done++;
      await call();
    }
  }));
  const rps = done / ((performance.now() - start) / 1000);
  await client.close();
  return { p50: pct(lat, 50), p99: pct(lat, 99), rps };
}

const rows: string[] = [];
for (const t of targets) {
  const r = await measure(t);
  rows.push(`| ${t.name} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${Math.round(r.rps)} |`);
}
console.log(`sequential calls: ${CALLS} after ${WARMUP} warm-up; concurrency 16 (≤20000 calls or 10 s)\n`);
console.log("| target | p50 ms | p99 ms | calls/s @c16 |\n|---|---|---|---|\n" + rows.join("\n"));
