/**
 * Proxy-overhead benchmark of issue 7 (`deno task bench`): the same upstream (the SDK's
 * `McpServer` in `tests/fixtures/bench_upstream.mjs`) reached directly, through the SDK's own HTTP
 * serving, through our proxy on every transport and (with `--peers`) through the npm peers; the
 * same client and workload for all, order rotated over rounds. See scripts/bench/README.md.
 *
 * ```sh
 * deno task bench                         # our targets + floor + SDK references, 3 rounds
 * deno task bench --peers                 # + mcp-proxy and supergateway (npm, temp folder)
 * deno task bench --rounds 1 --calls 300 --targets direct-stdio,ours-stdio
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { initClockTicks } from "./proc.ts";
import { defaultPeersDir, ensurePeers } from "./peers.ts";
import { markdown, type RoundRecord, summarise, type Summary } from "./report.ts";
import { ROOT, type Target, type TargetContext, TARGETS, type UpstreamRuntime } from "./targets.ts";
import { type Phase, runWorkload, type WorkloadHooks, type WorkloadOptions } from "./workload.ts";

/** Everything a run needs. */
export interface BenchOptions extends WorkloadOptions {
  rounds: number;
  /** Target names (or groups: floor, sdk, ours, ops, eras, peers). Empty: all but ops (peers only with `peers`). */
  targets: string[];
  peers: boolean;
  peersDir: string;
  upstream: UpstreamRuntime;
  /** Cold starts per target and round (the measured start counts as the first). */
  cold: number;
  /** Cold starts with three upstreams per round (targets that can front several). */
  cold3: number;
  /** Where to write the JSON record (undefined: no file). */
  out?: string;
  /** Write our proxy's V8 CPU profiles here (`deno run --cpu-prof`). */
  profileDir?: string;
  /** Record `perf` samples of our proxy here (all threads, JIT symbols), during `perfPhase`. */
  perfDir?: string;
  perfPhase: Phase;
  /** Progress lines on stderr. */
  verbose: boolean;
  /** What the ops targets switch on, and their trace sampling ratio. */
  ops: { metrics: boolean; tracing: boolean; sampleRatio?: number };
}

/** Defaults of `deno task bench` (the issue's workload). */
export const DEFAULTS: BenchOptions = {
  rounds: 3,
  warmup: 200,
  calls: 2000,
  concurrency: 16,
  concCalls: 20_000,
  concMs: 10_000,
  bigCalls: 20,
  huge: true,
  idleMs: 1000,
  targets: [],
  peers: false,
  peersDir: defaultPeersDir(),
  upstream: "node",
  cold: 2,
  cold3: 2,
  perfPhase: "conc",
  verbose: true,
  ops: { metrics: true, tracing: true },
};

/** What a run produced. */
export interface BenchResult {
  meta: Record<string, unknown>;
  summaries: Summary[];
  records: RoundRecord[];
  markdown: string;
}

function pickTargets(o: BenchOptions): Target[] {
  const wanted = o.targets.length
    ? o.targets
    : ["floor", "sdk", "ours", "eras", ...(o.peers ? ["peers"] : [])];
  const groupOf = (t: Target) => (t.group === "peer" ? "peers" : t.group);
  const chosen = TARGETS.filter((t) => wanted.includes(t.name) || wanted.includes(groupOf(t)));
  const unknown = wanted.filter((w) =>
    !TARGETS.some((t) => t.name === w) && !["floor", "sdk", "ours", "ops", "eras", "peers"].includes(w)
  );
  if (unknown.length) {
    throw new Error(
      `unknown target(s): ${unknown.join(", ")}; known: ${TARGETS.map((t) => t.name).join(", ")}`,
    );
  }
  if (chosen.length === 0) throw new Error("no target selected");
  return chosen;
}

async function version(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim().split("\n")[0];
  } catch {
    return "?";
  }
}

function loadAvg(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

/** Attach `perf record` to the proxy (every thread) for one measured phase. */
function perfHooks(file: string, phase: Phase): WorkloadHooks {
  let perf: Deno.ChildProcess | undefined;
  return {
    async phaseStart(p, s) {
      if (p !== phase || s.proxyPid === undefined) return;
      perf = new Deno.Command("perf", {
        args: ["record", "-F", "999", "-g", "-p", String(s.proxyPid), "-o", file],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      // perf says nothing when it is ready: give it a moment to attach to every thread.
      await new Promise((r) => setTimeout(r, 300));
    },
    async phaseEnd(p) {
      if (p !== phase || !perf) return;
      perf.kill("SIGINT");
      const out = await perf.output();
      try {
        Deno.statSync(file);
      } catch {
        console.error(`perf record wrote nothing: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
      }
      perf = undefined;
    },
  };
}

/** An OTLP/HTTP endpoint that accepts everything (the ops targets' exporter needs somewhere to send). */
function otlpSink(): { url: string; requests(): number; close(): Promise<void> } {
  let n = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.body?.cancel();
    n++;
    return new Response(null, { status: 200 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, requests: () => n, close: () => server.shutdown() };
}

/** Run the benchmark. */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const log = (s: string) => o.verbose && console.error(s);
  const targets = pickTargets(o);
  const clk = await initClockTicks();
  let peerVersions: Record<string, string> | undefined;
  const needPeers = targets.some((t) => t.group === "peer");
  if (needPeers) peerVersions = await ensurePeers(o.peersDir);
  if (o.profileDir) Deno.mkdirSync(o.profileDir, { recursive: true });
  if (o.perfDir) Deno.mkdirSync(o.perfDir, { recursive: true });
  const ctx: TargetContext = {
    upstream: o.upstream,
    peersDir: needPeers ? o.peersDir : undefined,
    oursDenoFlags: [
      ...(o.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${o.profileDir}`] : []),
      // JIT symbol map in /tmp/perf-<pid>.map, so perf can name JS functions.
      ...(o.perfDir ? ["--v8-flags=--perf-basic-prof"] : []),
    ],
    startTimeoutMs: 30_000,
    ops: o.ops,
  };
  // The ops targets export spans: a sink that takes them (and counts, so the report can say so).
  const sink = targets.some((t) => t.group === "ops") ? otlpSink() : undefined;
  if (sink) ctx.otlpEndpoint = sink.url;
  const started = new Date();
  const meta: Record<string, unknown> = {
    date: started.toISOString(),
    commit: await version("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]),
    deno: Deno.version,
    node: await version("node", ["--version"]),
    upstream: o.upstream,
    peers: peerVersions,
    cpus: navigator.hardwareConcurrency,
    clkTck: clk,
    loadBefore: loadAvg(),
    options: { ...o, out: undefined },
  };

  const records: RoundRecord[] = [];
  const shift = Math.ceil(targets.length / o.rounds);
  for (let round = 0; round < o.rounds; round++) {
    const k = (round * shift) % targets.length;
    const order = [...targets.slice(k), ...targets.slice(0, k)];
    log(`bench: round ${round + 1}/${o.rounds}: ${order.map((t) => t.name).join(", ")}`);
    for (const [position, t] of order.entries()) {
      const rec: RoundRecord = { round, position, target: t.name, ok: false, cold: [], cold3: [] };
      records.push(rec);
      const t0 = performance.now();
      try {
        const s = await t.start(ctx, 1);
        rec.cold.push(s.coldMs);
        try {
          const hooks = o.perfDir && t.group === "ours"
            ? perfHooks(`${o.perfDir}/${t.name}-${o.perfPhase}-r${round + 1}.perf.data`, o.perfPhase)
            : {};
          rec.workload = await runWorkload(s, o, hooks);
          rec.ok = true;
        } catch (e) {
          throw new Error(`${e instanceof Error ? e.message : e}\n${s.stderr()}`);
        } finally {
          await s.close();
        }
        for (let i = 1; i < o.cold; i++) {
          const c = await t.start(ctx, 1);
          rec.cold.push(c.coldMs);
          await c.close();
        }
        for (let i = 0; t.multi && i < o.cold3; i++) {
          const c = await t.start(ctx, 3);
          rec.cold3.push(c.coldMs);
          await c.close();
        }
      } catch (e) {
        rec.ok = false;
        rec.error = e instanceof Error ? e.message : String(e);
        log(`bench:   ${t.name} FAILED: ${rec.error.split("\n")[0]}`);
      }
      const w = rec.workload;
      if (w) {
        log(
          `bench:   ${t.name.padEnd(20)} p50 ${w.p50.toFixed(3)} ms  c16 ${
            w.conc.callsPerSec.toFixed(0)
          }/s  ` +
            `1MiB ${w.big?.p50.toFixed(1) ?? "-"} ms  cold ${
              rec.cold.map((c) => c.toFixed(0)).join("/")
            } ms  ` +
            `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  }
  if (sink) {
    meta.otlpRequests = sink.requests();
    await sink.close();
  }
  meta.loadAfter = loadAvg();
  meta.seconds = (Date.now() - started.getTime()) / 1000;

  const summaries = targets.map((t) =>
    summarise(
      { target: t.name, group: t.group, wire: t.wire, about: t.about },
      records.filter((r) => r.target === t.name),
    )
  );
  const header =
    `Proxy benchmark — ${meta.date}, commit ${meta.commit}, deno ${Deno.version.deno}, node ${meta.node}, ` +
    `upstream on ${o.upstream}, ${meta.cpus} CPUs, load ${meta.loadBefore} → ${meta.loadAfter}, ` +
    `${o.rounds} round(s), ${o.calls} sequential calls after ${o.warmup} warm-up, c${o.concurrency} ≤ ${o.concCalls} calls/` +
    `${o.concMs / 1000} s, ${o.bigCalls} × 1 MiB` +
    (peerVersions ? `, peers ${Object.entries(peerVersions).map(([n, v]) => `${n}@${v}`).join(" ")}` : "");
  const md = markdown(summaries, header);
  const result: BenchResult = { meta, summaries, records, markdown: md };
  if (o.out) {
    Deno.mkdirSync(o.out.slice(0, o.out.lastIndexOf("/")) || ".", { recursive: true });
    const json = {
      meta,
      summaries,
      markdown: md,
      // Per-round figures; the raw latencies are summarised (p50/p99/mean) to keep the file small.
      records: records.map((r) => ({
        ...r,
        workload: r.workload && { ...r.workload, latencies: undefined, samples: r.workload.latencies.length },
      })),
    };
    Deno.writeTextFileSync(o.out, JSON.stringify(json, null, 2) + "\n");
  }
  return result;
}

const USAGE = `deno task bench [options]

  --rounds N          rounds, target order rotated each round (default 3)
  --calls N           timed sequential echo calls per round (default 2000)
  --warmup N          untimed calls first (default 200)
  --concurrency N     concurrent callers on one session (default 16)
  --conc-calls N      bound on calls in the concurrent phase (default 20000)
  --conc-seconds S    bound on its duration (default 10)
  --big-calls N       timed 1 MiB echoes (default 20; 0 skips)
  --no-huge           skip the 7 MiB echo
  --cold N            cold starts (1 upstream) per target and round (default 2)
  --cold3 N           cold starts with 3 upstreams per round, our targets (default 2)
  --idle-ms MS        quiet time before the idle RSS reading (default 1000)
  --targets A,B       names or groups: floor, sdk, ours, ops, eras, peers (default: all but ops and peers);
                      ops = ours-stdio-ops, ours-http-ops: metrics + tracing on, compared with their base
  --ops PARTS         what the ops targets switch on: metrics,tracing (default both); none: an A/A run
  --ops-sample R      their trace sampling ratio (OTEL_TRACES_SAMPLER=parentbased_traceidratio; default: all)
  --peers             add mcp-proxy and supergateway (npm install into --peers-dir)
  --peers-dir DIR     default $TMPDIR/chuk-mcp-bench-peers
  --upstream R        node | deno: runtime of the upstream fixture and SDK server (default node)
  --profile DIR       run our proxy with deno --cpu-prof, profiles into DIR
  --perf DIR          perf record our proxy (all threads, JIT symbols) during one phase, into DIR
  --perf-phase P      conc (default: the c16 phase, what CPU/1k measures) | seq | big (1 MiB echoes)
  --out FILE          JSON record (default .tmp/bench/bench-<date>.json; "-" for none)
  --quiet             no progress lines
  --report FILE       print the report of an earlier run's JSON record again (runs nothing)
`;

/** Parse `deno task bench` arguments. */
export function parseBenchArgs(args: string[]): BenchOptions & { help: boolean; report?: string } {
  const { values } = parseArgs({
    args,
    options: {
      rounds: { type: "string" },
      calls: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      "conc-calls": { type: "string" },
      "conc-seconds": { type: "string" },
      "big-calls": { type: "string" },
      "no-huge": { type: "boolean" },
      cold: { type: "string" },
      cold3: { type: "string" },
      "idle-ms": { type: "string" },
      targets: { type: "string" },
      peers: { type: "boolean" },
      "peers-dir": { type: "string" },
      upstream: { type: "string" },
      profile: { type: "string" },
      perf: { type: "string" },
      "perf-phase": { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean" },
      report: { type: "string" },
      ops: { type: "string" },
      "ops-sample": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const num = (v: string | undefined, d: number, name: string, min = 0) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number ≥ ${min}, got '${v}'`);
    return n;
  };
  const upstream = values.upstream ?? DEFAULTS.upstream;
  if (upstream !== "node" && upstream !== "deno") {
    throw new Error(`--upstream: node or deno, got '${upstream}'`);
  }
  const perfPhase = values["perf-phase"] ?? DEFAULTS.perfPhase;
  if (perfPhase !== "seq" && perfPhase !== "conc" && perfPhase !== "big") {
    throw new Error(`--perf-phase: seq, conc or big, got '${perfPhase}'`);
  }
  // `none`: the ops targets are their base targets again (an A/A run: the noise floor of the Δ).
  const parts = values.ops === "none"
    ? []
    : (values.ops ?? "metrics,tracing").split(",").map((x) => x.trim());
  if (parts.some((x) => x !== "metrics" && x !== "tracing")) {
    throw new Error(`--ops: metrics, tracing, both or none, got '${values.ops}'`);
  }
  const sample = values["ops-sample"] === undefined ? undefined : num(values["ops-sample"], 1, "ops-sample");
  if (sample !== undefined && sample > 1) throw new Error(`--ops-sample: a ratio from 0 to 1, got ${sample}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    help: !!values.help,
    report: values.report,
    rounds: num(values.rounds, DEFAULTS.rounds, "rounds", 1),
    calls: num(values.calls, DEFAULTS.calls, "calls", 1),
    warmup: num(values.warmup, DEFAULTS.warmup, "warmup"),
    concurrency: num(values.concurrency, DEFAULTS.concurrency, "concurrency", 1),
    concCalls: num(values["conc-calls"], DEFAULTS.concCalls, "conc-calls", 1),
    concMs: num(values["conc-seconds"], DEFAULTS.concMs / 1000, "conc-seconds") * 1000,
    bigCalls: num(values["big-calls"], DEFAULTS.bigCalls, "big-calls"),
    huge: !values["no-huge"],
    cold: num(values.cold, DEFAULTS.cold, "cold", 1),
    cold3: num(values.cold3, DEFAULTS.cold3, "cold3"),
    idleMs: num(values["idle-ms"], DEFAULTS.idleMs, "idle-ms"),
    targets: values.targets ? values.targets.split(",").map((s) => s.trim()).filter(Boolean) : [],
    peers: !!values.peers,
    peersDir: values["peers-dir"] ?? DEFAULTS.peersDir,
    upstream,
    profileDir: values.profile,
    perfDir: values.perf,
    perfPhase: perfPhase as Phase,
    out: values.out === "-" ? undefined : values.out ?? `${ROOT}.tmp/bench/bench-${stamp}.json`,
    verbose: !values.quiet,
    ops: { metrics: parts.includes("metrics"), tracing: parts.includes("tracing"), sampleRatio: sample },
  };
}

if (import.meta.main) {
  let options;
  try {
    options = parseBenchArgs(Deno.args);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}\n\n${USAGE}`);
    Deno.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  if (options.report) {
    const old = JSON.parse(Deno.readTextFileSync(options.report));
    const header = (old.markdown as string).split("\n")[0];
    console.log(markdown(old.summaries, header));
    Deno.exit(0);
  }
  const result = await runBench(options);
  console.log(result.markdown);
  if (options.out) console.error(`bench: JSON written to ${options.out}`);
  const failed = result.records.some((r) => !r.ok);
  Deno.exit(failed ? 1 : 0);
}
