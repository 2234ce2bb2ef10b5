/**
 * Issue 17's closing numbers (`deno task scale-bench`): throughput of one instance vs three behind
 * the same HAProxy (examples/deploy/haproxy.cfg; for "one", its three servers point at the same
 * instance), with SDK v1 clients in stateful sessions calling `greet`; and the Redis commands a
 * call costs with `streamable-http.fleet` on and off (a Redis of its own, `INFO commandstats`).
 *
 * ```sh
 * deno task scale-bench                        # 8 clients, 10 s per run
 * deno task scale-bench --clients 16 --seconds 20
 * ```
 *
 * Needs haproxy and redis-server on PATH; S3 is not touched (S3_ENDPOINT_URL may point anywhere).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect2025, DEPLOY_CONFIG, startFleet, type Traced } from "../tests/fleet/harness.ts";
import { OwnRedis, uniqueNamespace } from "../tests/services.ts";
import { Redis } from "ioredis";
import { cpuMsOf, initClockTicks } from "./bench/proc.ts";

const args = parseArgs({
  options: {
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
  },
});
const CLIENTS = Number(args.values.clients);
const SECONDS = Number(args.values.seconds);
const ROUNDS = Number(args.values.rounds);

/** Total calls of every Redis command so far. */
async function commandCounts(url: string): Promise<Map<string, number>> {
  const r = new Redis(url);
  const info = await r.info("commandstats");
  r.disconnect();
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1], Number(m[2]));
  return out;
}

function delta(a: Map<string, number>, b: Map<string, number>, per: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of b) {
    const d = (v - (a.get(k) ?? 0)) / per;
    if (d > 0.001 && k !== "info") out[k] = Math.round(d * 100) / 100;
  }
  return out;
}

async function run(label: string, count: number, config: string, redis: OwnRedis) {
  const ns = uniqueNamespace();
  const fleet = await startFleet({
    count,
    sameBackend: count === 1,
    config,
    env: {
      ...ns.env,
      REDIS_URL: redis.url,
      S3_ENDPOINT_URL: Deno.env.get("S3_ENDPOINT_URL") ?? "http://127.0.0.1:4569",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
      ARTIFACT_BUCKET: "scale-bench",
      REQUEST_STATE_KEY: "scale-bench-request-state-key",
    },
  });
  const clients: Traced[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect2025(fleet, `u${i}`));
    // Redis commands per call: one client, sequential calls, nothing else running.
    const N = 200;
    const before = await commandCounts(redis.url);
    for (let i = 0; i < N; i++) await clients[0].client.callTool({ name: "greet", arguments: { name: "x" } });
    const perCall = delta(before, await commandCounts(redis.url), N);
    // Throughput: every client calls as fast as it can.
    let calls = 0;
    let failed = 0;
    let on = true;
    const warm = Date.now() + 1000;
    let start = 0;
    const pids = fleet.instances.map((i) => i.proc!.child.pid);
    let cpuStart = 0;
    const loops = clients.map(async (c) => {
      while (on) {
        try {
          await c.client.callTool({ name: "greet", arguments: { name: "y" } });
          if (start) calls++;
        } catch {
          failed++;
        }
        if (!start && Date.now() >= warm) {
          start = Date.now();
          cpuStart = cpuMsOf(pids);
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1000 + SECONDS * 1000));
    const elapsed = (Date.now() - start) / 1000;
    const cpu = cpuMsOf(pids) - cpuStart;
    on = false;
    await Promise.all(loops);
    const rate = Math.round(calls / elapsed);
    console.log(
      `${label}: ${rate} calls/s (${calls} calls in ${
        elapsed.toFixed(1)
      } s, ${CLIENTS} clients, ${failed} failed); ` +
        `instances' CPU ${(cpu / calls).toFixed(2)} ms/call; redis commands per call: ${
          JSON.stringify(perCall)
        }`,
    );
    return rate;
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    await fleet.stop();
  }
}

const redis = new OwnRedis();
await redis.start();
const tmp = await Deno.makeTempDir();
try {
  // The same deployment without the fleet (sessions in Redis as before, streams in memory): what
  // the fleet adds per call.
  const base = (await Deno.readTextFile(DEPLOY_CONFIG))
    .replace("fleet: true", "fleet: false")
    .replace(
      `modules_to_import: ["tools.ts"]`,
      `modules_to_import: ["${Deno.cwd()}/examples/deploy/tools.ts"]`,
    );
  const baseConfig = `${tmp}/config.no-fleet.yaml`;
  await Deno.writeTextFile(baseConfig, base);
  await initClockTicks();
  console.log(`cores: ${navigator.hardwareConcurrency}, load average: ${Deno.loadavg().join(" ")}`);
  // Rounds alternate the setups, so a change in the machine's load hits them alike.
  const rates: Record<string, number[]> = { base: [], one: [], three: [] };
  for (let r = 0; r < ROUNDS; r++) {
    rates.base.push(await run("no fleet, 1 instance ", 1, baseConfig, redis));
    rates.one.push(await run("fleet,    1 instance ", 1, DEPLOY_CONFIG, redis));
    rates.three.push(await run("fleet,    3 instances", 3, DEPLOY_CONFIG, redis));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `median calls/s: no fleet ${median(rates.base)}, fleet 1 instance ${median(rates.one)}, ` +
      `fleet 3 instances ${median(rates.three)} (3 vs 1: ×${
        (median(rates.three) / median(rates.one)).toFixed(2)
      })`,
  );
} finally {
  await redis.stop();
  await Deno.remove(tmp, { recursive: true });
}
