/**
 * The workload run against every started target, and what is read from `/proc` around it.
 * Every answer is checked; every loop is bounded by a count and/or a deadline.
 *
 * @module
 */

import type { BenchClient } from "./targets.ts";
import { cpuMs, cpuMsOf, peakRssMiB, rssMiB } from "./proc.ts";
import type { Started } from "./targets.ts";

/** Sizes and bounds of one workload run. */
export interface WorkloadOptions {
  warmup: number;
  calls: number;
  concurrency: number;
  /** Upper bound on calls in the concurrent phase. */
  concCalls: number;
  /** Upper bound on the concurrent phase's duration, in ms. */
  concMs: number;
  /** Timed 1 MiB echoes (after 2 untimed ones); 0 skips the phase. */
  bigCalls: number;
  /** Send one 7 MiB echo (the body-size check). */
  huge: boolean;
  /** Quiet time before the idle RSS reading, in ms. */
  idleMs: number;
}

/** CPU spent by each side during a phase, in ms per 1000 calls. */
export interface CpuPer1k {
  proxy?: number;
  upstream: number;
  client: number;
}

/** What one workload run measured. */
export interface WorkloadResult {
  /** Sorted sequential latencies, ms (kept in memory for pooled percentiles, not written). */
  latencies: number[];
  p50: number;
  p99: number;
  mean: number;
  seqCpu: CpuPer1k;
  conc: { calls: number; seconds: number; callsPerSec: number; cpu: CpuPer1k };
  big?: { p50: number; samples: number[]; error?: string };
  huge?: { ok: boolean; ms?: number; error?: string };
  add: boolean;
  rss: { idle?: number; after?: number; peak?: number; upstreamIdle?: number };
}

/** Percentile of a sorted array (nearest rank). */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const HELLO = "hello";
const MiB = 1 << 20;

function text(result: unknown): string | undefined {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  const first = content?.[0];
  return first?.type === "text" ? first.text : undefined;
}

async function echo(client: BenchClient, tool: string, value: string, timeoutMs = 30_000): Promise<void> {
  const r = await client.callTool({ name: tool, arguments: { text: value } }, { timeout: timeoutMs });
  const t = text(r);
  if (t !== value) {
    const shown = t === undefined ? JSON.stringify(r).slice(0, 200) : `${t.length} chars`;
    throw new Error(`${tool}: wrong answer (${shown}, expected ${value.length} chars)`);
  }
}

/** CPU counters of the proxy, the upstream side and this (client) process, in ms. */
function cpuNow(s: Started): { proxy?: number; upstream: number; client: number } {
  return {
    proxy: s.proxyPid === undefined ? undefined : cpuMs(s.proxyPid),
    upstream: cpuMsOf(s.upstreamPids()),
    client: cpuMs(Deno.pid) ?? 0,
  };
}

function per1k(
  before: ReturnType<typeof cpuNow>,
  after: ReturnType<typeof cpuNow>,
  calls: number,
): CpuPer1k {
  const k = 1000 / calls;
  return {
    proxy: before.proxy === undefined || after.proxy === undefined
      ? undefined
      : (after.proxy - before.proxy) * k,
    upstream: (after.upstream - before.upstream) * k,
    client: (after.client - before.client) * k,
  };
}

/** The process whose RSS the columns show: the proxy, or the tool server when there is none. */
function mainPid(s: Started): number | undefined {
  return s.proxyPid ?? s.upstreamPids()[0];
}

/** A measured phase: the sequential calls, the concurrent ones, or the timed 1 MiB echoes. */
export type Phase = "seq" | "conc" | "big";

/** Called around the measured phases (profilers attach there), outside the timed/CPU windows. */
export interface WorkloadHooks {
  phaseStart?(phase: Phase, s: Started): Promise<void>;
  phaseEnd?(phase: Phase, s: Started): Promise<void>;
}

/** Run the workload on a started target. Throws on the first wrong or failed answer. */
export async function runWorkload(
  s: Started,
  o: WorkloadOptions,
  hooks: WorkloadHooks = {},
): Promise<WorkloadResult> {
  const { client } = s;
  const tool = s.echo[0];
  const pid = mainPid(s);

  // Idle: connected, lists loaded, nothing in flight.
  await new Promise((r) => setTimeout(r, o.idleMs));
  const rss: WorkloadResult["rss"] = {
    idle: pid === undefined ? undefined : rssMiB(pid),
    upstreamIdle: s.proxyPid === undefined ? undefined : s.upstreamPids().reduce(
      (a, p) => a + (rssMiB(p) ?? 0),
      0,
    ),
  };

  const add = await client.callTool({ name: s.add[0], arguments: { a: 2, b: 3 } });
  if (text(add) !== "5") throw new Error(`${s.add[0]}: wrong answer ${JSON.stringify(add).slice(0, 200)}`);

  for (let i = 0; i < o.warmup; i++) await echo(client, tool, HELLO);
  const latencies: number[] = new Array(o.calls);
  await hooks.phaseStart?.("seq", s);
  const seqBefore = cpuNow(s);
  for (let i = 0; i < o.calls; i++) {
    const t0 = performance.now();
    await echo(client, tool, HELLO);
    latencies[i] = performance.now() - t0;
  }
  const seqCpu = per1k(seqBefore, cpuNow(s), o.calls);
  await hooks.phaseEnd?.("seq", s);
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  latencies.sort((a, b) => a - b);

  // Concurrent callers on the one session, bounded by a call count and a deadline.
  let issued = 0;
  let done = 0;
  await hooks.phaseStart?.("conc", s);
  const concBefore = cpuNow(s);
  const t0 = performance.now();
  const deadline = t0 + o.concMs;
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (issued < o.concCalls && performance.now() < deadline) {
      issued++;
      await echo(client, tool, HELLO);
      done++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const concCpu = per1k(concBefore, cpuNow(s), done);
  await hooks.phaseEnd?.("conc", s);

  let big: WorkloadResult["big"];
  if (o.bigCalls > 0) {
    // A peer may refuse 1 MiB bodies (413): record it, it is a result, not a harness failure.
    const payload = "x".repeat(MiB);
    const samples: number[] = [];
    try {
      for (let i = 0; i < 2; i++) await echo(client, tool, payload);
      await hooks.phaseStart?.("big", s);
      for (let i = 0; i < o.bigCalls; i++) {
        const b0 = performance.now();
        await echo(client, tool, payload);
        samples.push(performance.now() - b0);
      }
      await hooks.phaseEnd?.("big", s);
      big = { p50: pct([...samples].sort((a, b) => a - b), 50), samples };
    } catch (e) {
      big = { p50: NaN, samples, error: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    }
  }

  let huge: WorkloadResult["huge"];
  if (o.huge) {
    const h0 = performance.now();
    try {
      await echo(client, tool, "y".repeat(7 * MiB), 60_000);
      huge = { ok: true, ms: performance.now() - h0 };
    } catch (e) {
      huge = { ok: false, error: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    }
  }

  if (pid !== undefined) {
    rss.after = rssMiB(pid);
    rss.peak = peakRssMiB(pid);
  }
  return {
    latencies,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    mean,
    seqCpu,
    conc: { calls: done, seconds, callsPerSec: done / seconds, cpu: concCpu },
    big,
    huge,
    add: true,
    rss,
  };
}
