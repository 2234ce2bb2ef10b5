/**
 * Keeps the benchmark harness (scripts/bench/) from rotting: runs it with tiny counts on a stdio
 * and an HTTP target plus the floor, and checks that every figure it reports was measured. Speed
 * is not asserted here (that is what `deno task bench` is for).
 */

import assert from "node:assert/strict";
import { DEFAULTS, runBench } from "../../scripts/bench/main.ts";
import { goals } from "../../scripts/bench/report.ts";

Deno.test("bench harness: tiny run over direct-stdio, ours-stdio and ours-http-stateless", async () => {
  const result = await runBench({
    ...DEFAULTS,
    rounds: 2,
    warmup: 5,
    calls: 30,
    concCalls: 100,
    concMs: 1000,
    bigCalls: 1,
    // The 7 MiB echo takes seconds over stdio; `deno task bench` covers it.
    huge: false,
    cold: 1,
    cold3: 1,
    idleMs: 0,
    targets: ["direct-stdio", "ours-stdio", "ours-http-stateless"],
    out: undefined,
    verbose: false,
  });
  for (const r of result.records) assert.ok(r.ok, `${r.target} round ${r.round}: ${r.error}`);
  // Rotated order: round 2 does not start with the same target as round 1.
  const first = (round: number) => result.records.find((r) => r.round === round && r.position === 0)?.target;
  assert.notEqual(first(0), first(1));
  const by = new Map(result.summaries.map((s) => [s.target, s]));
  for (const name of ["direct-stdio", "ours-stdio", "ours-http-stateless"]) {
    const s = by.get(name)!;
    assert.ok(s.p50! > 0 && s.p99! >= s.p50!, `${name} latency`);
    assert.equal(s.p50ByRound.length, 2);
    assert.ok(s.callsPerSec! > 0, `${name} calls/s`);
    assert.ok(s.upstreamCpu1k! >= 0, `${name} upstream CPU`);
    assert.ok(s.big! > 0, `${name} 1 MiB echo`);
    assert.ok(s.rssIdle! > 10 && s.rssAfter! > 10, `${name} RSS`);
    assert.ok(s.cold! > 0, `${name} cold start`);
  }
  assert.equal(by.get("direct-stdio")!.proxyCpu1k, undefined, "the floor has no proxy process");
  assert.ok(by.get("ours-stdio")!.proxyCpu1k! > 0);
  assert.ok(by.get("ours-stdio")!.cold3! > 0, "cold start with three upstreams");
  const g = goals(result.summaries);
  assert.ok(g.some((x) => x.goal === "stdio p50 vs direct" && x.met !== undefined));
  assert.match(result.markdown, /\| ours-http-stateless \|/);
});

Deno.test("bench harness: the ops target (metrics + tracing on) exports spans and gets its overhead row", async () => {
  const result = await runBench({
    ...DEFAULTS,
    rounds: 1,
    warmup: 5,
    calls: 30,
    concCalls: 100,
    concMs: 1000,
    bigCalls: 0,
    huge: false,
    cold: 1,
    cold3: 0,
    idleMs: 0,
    targets: ["ours-stdio", "ours-stdio-ops"],
    out: undefined,
    verbose: false,
  });
  for (const r of result.records) assert.ok(r.ok, `${r.target}: ${r.error}`);
  assert.ok((result.meta.otlpRequests as number) > 0, "the proxy exported spans to the harness's sink");
  assert.match(result.markdown, /\| ours-stdio-ops \| ours-stdio \| [\d.]+ → [\d.]+ \| -?[\d.]+ % \|/);
});
