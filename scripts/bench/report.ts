/**
 * Aggregation over rounds, the Markdown report (main table, ratios to every reference, the issue's
 * goals) and the JSON record.
 *
 * @module
 */

import type { Group, Wire } from "./targets.ts";
import { pct, type WorkloadResult } from "./workload.ts";

/** One target in one round. */
export interface RoundRecord {
  round: number;
  position: number;
  target: string;
  ok: boolean;
  error?: string;
  /** Cold starts with one upstream (the measured start plus extra samples), ms. */
  cold: number[];
  /** Cold starts with three upstreams (targets that front several), ms. */
  cold3: number[];
  workload?: WorkloadResult;
}

/** A target's figures over all rounds. */
export interface Summary {
  target: string;
  group: Group;
  wire: Wire;
  about: string;
  rounds: number;
  failures: string[];
  p50?: number;
  p99?: number;
  p50ByRound: number[];
  /** Proxy CPU per 1000 calls of the concurrent phase, per round (pairs rounds for the ops table). */
  proxyCpu1kByRound: number[];
  callsPerSec?: number;
  proxyCpu1k?: number;
  upstreamCpu1k?: number;
  clientCpu1k?: number;
  seqProxyCpu1k?: number;
  big?: number;
  bigError?: string;
  huge?: "ok" | string;
  rssIdle?: number;
  rssAfter?: number;
  rssPeak?: number;
  cold?: number;
  cold3?: number;
}

function median(xs: (number | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Summarise the rounds of one target. Latency percentiles pool every round's samples. */
export function summarise(
  meta: { target: string; group: Group; wire: Wire; about: string },
  records: RoundRecord[],
): Summary {
  const ok = records.filter((r) => r.ok && r.workload);
  const w = ok.map((r) => r.workload!);
  const pooled = w.flatMap((x) => x.latencies).sort((a, b) => a - b);
  const bigSamples = w.flatMap((x) => x.big?.samples ?? []).sort((a, b) => a - b);
  const bigError = w.find((x) => x.big?.error)?.big?.error;
  const hugeBad = w.find((x) => x.huge && !x.huge.ok)?.huge?.error;
  return {
    ...meta,
    rounds: records.length,
    failures: records.filter((r) => !r.ok).map((r) => `round ${r.round}: ${r.error}`),
    p50: pooled.length ? pct(pooled, 50) : undefined,
    p99: pooled.length ? pct(pooled, 99) : undefined,
    p50ByRound: w.map((x) => x.p50),
    proxyCpu1kByRound: w.map((x) => x.conc.cpu.proxy ?? NaN),
    callsPerSec: median(w.map((x) => x.conc.callsPerSec)),
    proxyCpu1k: median(w.map((x) => x.conc.cpu.proxy)),
    upstreamCpu1k: median(w.map((x) => x.conc.cpu.upstream)),
    clientCpu1k: median(w.map((x) => x.conc.cpu.client)),
    seqProxyCpu1k: median(w.map((x) => x.seqCpu.proxy)),
    big: bigError ? undefined : bigSamples.length ? pct(bigSamples, 50) : undefined,
    bigError,
    huge: w.some((x) => x.huge) ? (hugeBad ?? "ok") : undefined,
    rssIdle: median(w.map((x) => x.rss.idle)),
    rssAfter: median(w.map((x) => x.rss.after)),
    rssPeak: w.reduce<number | undefined>((m, x) => Math.max(m ?? 0, x.rss.peak ?? 0) || m, undefined),
    cold: median(records.flatMap((r) => r.cold)),
    cold3: median(records.flatMap((r) => r.cold3)),
  };
}

function f(x: number | undefined, digits = 2): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(Math.min(digits, 1));
  return x.toFixed(digits);
}

/** A failure in a few words: the HTTP status and/or error name when there is one. */
function shortError(e: string): string {
  const status = /HTTP (\d{3})/.exec(e)?.[1];
  const name = /\b([A-Z]\w*Error)\b/.exec(e)?.[1];
  if (status || name) return `fail (${[status && `HTTP ${status}`, name].filter(Boolean).join(": ")})`;
  return `fail (${e.split("\n")[0].slice(0, 40)})`;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

function r(x: number | undefined): string {
  return x === undefined ? "—" : `${x.toFixed(2)}×`;
}

/** A goal of issue 7, evaluated. */
export interface GoalResult {
  goal: string;
  target: string;
  value: string;
  limit: string;
  met: boolean | undefined;
}

/** Evaluate the issue's goals on the summaries (undefined = not measurable in this run). */
export function goals(s: Summary[]): GoalResult[] {
  const by = new Map(s.map((x) => [x.target, x]));
  const direct = by.get("direct-stdio");
  const out: GoalResult[] = [];
  const add = (goal: string, target: string, value: number | undefined, limit: number, unit: string) =>
    out.push({
      goal,
      target,
      value: value === undefined ? "—" : `${f(value)}${unit}`,
      limit: `≤ ${f(limit)}${unit}`,
      met: value === undefined ? undefined : value <= limit,
    });
  const ours = s.filter((x) => x.group === "ours");
  const oursStdio = by.get("ours-stdio");
  if (oursStdio) add("stdio p50 vs direct", "ours-stdio", ratio(oursStdio.p50, direct?.p50), 2, "×");
  const sdkFor: Record<string, string> = {
    "ours-http": "sdk-http",
    "ours-http-stateless": "sdk-http-stateless",
  };
  for (const o of ours.filter((x) => x.wire === "streamable-http")) {
    add("HTTP p50 vs mcp-proxy", o.target, ratio(o.p50, by.get("mcp-proxy")?.p50), 0.6, "×");
    add(`HTTP p50 vs ${sdkFor[o.target]}`, o.target, ratio(o.p50, by.get(sdkFor[o.target])?.p50), 1.3, "×");
  }
  for (const o of ours.filter((x) => x.wire !== "stdio")) {
    const peers = s.filter((x) => x.group === "peer" && x.wire === o.wire && x.proxyCpu1k !== undefined);
    const best = peers.sort((a, b) => a.proxyCpu1k! - b.proxyCpu1k!)[0];
    add(
      `CPU/1k @c16 vs best ${o.wire} peer${best ? ` (${best.target})` : ""}`,
      o.target,
      ratio(o.proxyCpu1k, best?.proxyCpu1k),
      0.5,
      "×",
    );
  }
  for (const o of ours) add("1 MiB echo p50 vs direct", o.target, ratio(o.big, direct?.big), 2, "×");
  for (const o of ours) {
    out.push({
      goal: "7 MiB echo (under the 8 MiB max_body_bytes)",
      target: o.target,
      value: o.huge === undefined ? "—" : o.huge === "ok" ? "ok" : shortError(o.huge),
      limit: "ok",
      met: o.huge === undefined ? undefined : o.huge === "ok",
    });
  }
  for (const o of ours) add("idle RSS", o.target, o.rssIdle, 70, " MB");
  for (const o of ours) add("cold start, 1 upstream", o.target, o.cold, 450, " ms");
  for (const o of ours) add("cold start, 3 upstreams", o.target, o.cold3, 600, " ms");
  return out;
}

/** The Markdown report. */
export function markdown(s: Summary[], header: string): string {
  const direct = s.find((x) => x.target === "direct-stdio");
  const lines: string[] = [header, ""];
  lines.push(
    "| target | p50 ms | p99 ms | p50 ×direct | calls/s @c16 | proxy CPU ms/1k @c16 | upstream CPU ms/1k @c16 " +
      "| 1 MiB p50 ms | 1 MiB ×direct | 7 MiB | RSS idle MB | RSS after MB | cold 1 ms | cold 3 ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
  );
  for (const x of s) {
    const big = x.bigError ? shortError(x.bigError) : f(x.big, 1);
    const huge = x.huge === undefined ? "—" : x.huge === "ok" ? "ok" : shortError(x.huge);
    const failed = x.failures.length ? ` (${x.failures.length}/${x.rounds} failed)` : "";
    lines.push(
      `| ${x.target}${failed} | ${f(x.p50, 3)} | ${f(x.p99, 2)} | ${r(ratio(x.p50, direct?.p50))} | ` +
        `${f(x.callsPerSec, 0)} | ${f(x.proxyCpu1k, 0)} | ${f(x.upstreamCpu1k, 0)} | ${big} | ` +
        `${r(ratio(x.big, direct?.big))} | ${huge} | ${f(x.rssIdle, 1)} | ${f(x.rssAfter, 1)} | ` +
        `${f(x.cold, 0)} | ${f(x.cold3, 0)} |`,
    );
  }
  const refs = s.filter((x) => x.group === "peer" || x.group === "sdk");
  const ours = s.filter((x) => x.group === "ours");
  if (refs.length && ours.length) {
    lines.push(
      "",
      "Ours relative to each reference: `p50 ratio / proxy CPU per 1k ratio` (below 1 = ours is faster / cheaper; " +
        "the SDK servers have no proxy process, so only latency is compared with them).",
      "",
      `| ours \\ reference | ${refs.map((x) => x.target).join(" | ")} |`,
      `|---|${refs.map(() => "---:").join("|")}|`,
    );
    for (const o of ours) {
      const cells = refs.map((p) => {
        const lat = r(ratio(o.p50, p.p50));
        return p.group === "sdk" ? lat : `${lat} / ${r(ratio(o.proxyCpu1k, p.proxyCpu1k))}`;
      });
      lines.push(`| ${o.target} | ${cells.join(" | ")} |`);
    }
  }
  const ops = s.filter((x) => x.group === "ops");
  if (ops.length) {
    lines.push(
      "",
      "Overhead of metrics + tracing (issue 16, goal ≤ 5 %): each `-ops` target against the same target without " +
        "them. Δ is the median over rounds of the ratio within a round (the two ran back to back), so load that " +
        "changes between rounds cancels out.",
      "",
      "| target | base | p50 ms (base → ops) | p50 Δ | proxy CPU ms/1k @c16 (base → ops) | CPU Δ |",
      "|---|---|---:|---:|---:|---:|",
    );
    const pairedDelta = (a: number[], b: number[]) =>
      median(a.map((x, i) => (b[i] > 0 && Number.isFinite(x) ? x / b[i] - 1 : NaN)));
    const pctOf = (d: number | undefined) => (d === undefined ? "—" : `${(d * 100).toFixed(1)} %`);
    for (const o of ops) {
      const base = s.find((x) => x.target === o.target.replace(/-ops$/, ""));
      lines.push(
        `| ${o.target} | ${base?.target ?? "—"} | ${f(base?.p50, 3)} → ${f(o.p50, 3)} | ` +
          `${pctOf(base && pairedDelta(o.p50ByRound, base.p50ByRound))} | ` +
          `${f(base?.proxyCpu1k, 0)} → ${f(o.proxyCpu1k, 0)} | ` +
          `${pctOf(base && pairedDelta(o.proxyCpu1kByRound, base.proxyCpu1kByRound))} |`,
      );
    }
  }
  const g = goals(s);
  if (g.length) {
    lines.push(
      "",
      "Goals of issue 7:",
      "",
      "| goal | target | value | limit | met |",
      "|---|---|---:|---:|---|",
    );
    for (const x of g) {
      lines.push(
        `| ${x.goal} | ${x.target} | ${x.value} | ${x.limit} | ${
          x.met === undefined ? "n/a" : x.met ? "yes" : "**no**"
        } |`,
      );
    }
  }
  const failures = s.flatMap((x) =>
    x.failures.map((e) => `- ${x.target}: ${e.split("\n")[0].slice(0, 300)}`)
  );
  if (failures.length) lines.push("", "Failures:", "", ...failures);
  return lines.join("\n");
}
