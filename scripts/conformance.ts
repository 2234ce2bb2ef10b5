/**
 * `deno task conformance`: run the official MCP conformance suite
 * (`@modelcontextprotocol/conformance`, server scenarios) against our runtime. Two versions of the
 * suite run:
 *
 * - **0.1.16** (the 2025 wire), scenario by scenario, on targets: `direct` (the example server
 *   `examples/conformance/` over streamable HTTP, stateful), `proxy` (our proxy in front of it as
 *   a stdio upstream, with root aliases so names resolve unchanged) and `proxy-http` (the same
 *   with a streamable-HTTP upstream).
 * - **0.2.0-alpha.12**, by requirement set (`--requirements 2025-11-25` / `2026-07-28`: the
 *   scored scenarios of the revision and the unscored extras it runs — pending scenarios, the
 *   tasks extension), on two faces: `stateless` (the default settings) and `stateful`, and on the
 *   same targets — the example server itself, or our proxy with that face in front of it (which
 *   it speaks 2026-07-28 to, so both directions of the proxy's era bridge are exercised). Each run
 *   is one suite invocation; verdicts come from each scenario's `checks.json`.
 *
 * It prints a table per suite, a line per requirement run (`scored 37/37, not scored 13/13`) and
 * `conformance: N passed, N failed`, and exits non-zero on any failure its baseline does not name
 * — or on a baseline entry that now passes (baselines only shrink).
 *
 * ```sh
 * deno task conformance                          # everything, directly (no proxy targets)
 * deno task conformance --target all             # + the proxy targets (CI)
 * deno task conformance --requirements 2026-07-28 --face stateless
 * deno task conformance --requirements 2026-07-28 --target proxy-http   # through the proxy
 * deno task conformance --scenario tools-call-sampling --repeat 20   # 0.1.16 only
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client, deferResponses, retainingFetch, StreamableHTTPClientTransport } from "../src/sdk/client.ts";

/** The suite, pinned: scenario lists below are for this version. */
export const SUITE = "npm:@modelcontextprotocol/conformance@0.1.16";

/** The suite whose requirement sets cover both protocol eras. */
export const SUITE_NEXT = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";

/** Requirement sets (protocol revisions) of {@linkcode SUITE_NEXT}. */
export const REQUIREMENTS = ["2025-11-25", "2026-07-28"] as const;
/** One of {@linkcode REQUIREMENTS}. */
export type Requirement = typeof REQUIREMENTS[number];

/** The faces of the example server the requirement sets run against. */
export const FACES = ["stateful", "stateless"] as const;
/** One of {@linkcode FACES}. */
export type Face = typeof FACES[number];

/** The active server scenarios of the pinned suite (what `server --suite active` runs), in its order. */
export const ACTIVE_SCENARIOS: readonly string[] = [
  "server-initialize",
  "logging-set-level",
  "ping",
  "completion-complete",
  "tools-list",
  "tools-call-simple-text",
  "tools-call-image",
  "tools-call-audio",
  "tools-call-embedded-resource",
  "tools-call-mixed-content",
  "tools-call-with-logging",
  "tools-call-error",
  "tools-call-with-progress",
  "tools-call-sampling",
  "tools-call-elicitation",
  "elicitation-sep1034-defaults",
  "server-sse-multiple-streams",
  "elicitation-sep1330-enums",
  "resources-list",
  "resources-read-text",
  "resources-read-binary",
  "resources-templates-read",
  "resources-subscribe",
  "resources-unsubscribe",
  "prompts-list",
  "prompts-get-simple",
  "prompts-get-with-args",
  "prompts-get-embedded-resource",
  "prompts-get-with-image",
  "dns-rebinding-protection",
];

/** Server scenarios the pinned suite marks pending (run with `--suite all` or `--suite pending`). */
export const PENDING_SCENARIOS: readonly string[] = ["json-schema-2020-12", "server-sse-polling"];

/** Names the front must list before scenarios run (catches a proxy that renames or drops them). */
const EXPECTED_TOOLS = ["test_simple_text", "test_sampling", "test_elicitation", "test_tool_with_progress"];
const EXPECTED_PROMPTS = ["test_simple_prompt", "test_prompt_with_arguments"];

const ROOT = new URL("..", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;
const EXAMPLE_HTTP_CONFIG = `${ROOT}examples/conformance/config.yaml`;
const EXAMPLE_STATELESS_CONFIG = `${ROOT}examples/conformance/config.stateless.yaml`;
const EXAMPLE_STDIO_CONFIG = `${ROOT}examples/conformance/config.stdio.yaml`;
const DEFAULT_BASELINE = `${ROOT}examples/conformance/expected-failures.yaml`;
const DENO = Deno.execPath();

/** The known targets. */
export const TARGETS = ["direct", "proxy", "proxy-http"] as const;
/** A target name. */
export type TargetName = typeof TARGETS[number];

// Verdicts and the baseline live in conformance_verdicts.ts (pure; shared with the client runs).
export {
  type Baseline,
  judge,
  type Outcome,
  outcome,
  parseBaseline,
  type SuiteCheck,
  type Verdict,
} from "./conformance_verdicts.ts";
import { childEnv, runSuite } from "./conformance_suite.ts";
import {
  type Baseline,
  judge,
  type Outcome,
  outcome,
  parseBaseline,
  type SuiteCheck,
  type Verdict,
} from "./conformance_verdicts.ts";

// ---------------------------------------------------------------------------------------------
// Fronts (what the suite talks to)

/** A running front: the URL the suite tests, and how to stop it. */
interface Front {
  url: string;
  stop(): Promise<void>;
}

/** Start the CLI with `config` and wait for its ready banner (`ready: <type> at <url>`). */
async function startCli(config: string, logFile: string, readyMs = 60_000): Promise<Front> {
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", "--quiet", CLI, "--config", config, "--port", "0"],
    cwd: ROOT,
    env: childEnv(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = await Deno.open(logFile, { write: true, create: true, truncate: true });
  let seen = "";
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((r) => (resolveUrl = r));
  const decoder = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stderr) {
      await log.write(chunk);
      if (seen.length < 65536) {
        seen += decoder.decode(chunk, { stream: true });
        const m = /ready: \S+ at (http:\/\/\S+)/.exec(seen);
        if (m) resolveUrl(m[1]);
      }
    }
  })();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 15_000);
      await child.status;
      clearTimeout(timer);
      await pump.catch(() => {});
      log.close();
    })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const notReady = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`not ready after ${readyMs} ms`)), readyMs);
  });
  const first = await Promise.race([
    url,
    child.status.then((s) => new Error(`exited with code ${s.code} before it was ready`)),
    notReady,
  ]);
  clearTimeout(timer);
  if (first instanceof Error) {
    await stop();
    throw new Error(`${config}: ${first.message}; see ${logFile}`);
  }
  return { url: first, stop };
}

function upstreamEnv(): Record<string, string> {
  const env: Record<string, string> = {
    DENO_TLS_CA_STORE: "system",
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
  };
  const dir = Deno.env.get("DENO_DIR");
  if (dir) env.DENO_DIR = dir;
  return env;
}

/**
 * Config of the proxy front: our proxy on streamable HTTP, the example server as its upstream.
 * The front is stateful with SSE answers (the 0.1.16 runs), or has the face of a requirement run.
 */
function proxyConfig(upstream: { stdio: true } | { url: string }, face: Face = "stateful"): string {
  const server = "stdio" in upstream
    ? [
      `    type: "stdio"`,
      `    command: ${JSON.stringify(DENO)}`,
      `    args: ${JSON.stringify(["run", "-A", "--quiet", CLI, "--config", EXAMPLE_STDIO_CONFIG])}`,
      // A stdio child gets a scrubbed environment: give it what a Deno needs to find its cache.
      `    env: ${JSON.stringify(upstreamEnv())}`,
    ]
    : [`    type: "streamable-http"`, `    url: ${JSON.stringify(upstream.url)}`];
  return [
    `# Written by scripts/conformance.ts: the proxy in front of examples/conformance.`,
    `host: { name: "chuk-conformance-proxy" }`,
    `server: { type: "streamable-http" }`,
    // Same HTTP face as the direct server: stateful, SSE answers (see examples/conformance/config.yaml),
    // or the default settings (stateless, JSON answers: config.stateless.yaml).
    face === "stateful"
      ? `streamable-http: { host: "127.0.0.1", port: 0, stateless: false, json_response: false }`
      : `streamable-http: { host: "127.0.0.1", port: 0 }`,
    `proxy: { enabled: true, namespace: "proxy", keep_root_aliases: true }`,
    `mcp_servers:`,
    `  conformance:`,
    ...server,
    ``,
  ].join("\n");
}

/**
 * Start a target's front(s); `config` is the example server's streamable-HTTP config (direct: the
 * front; proxy-http: the upstream), `face` the proxy's own face (default: stateful).
 */
async function startTarget(target: TargetName, dir: string, config: string, face?: Face): Promise<Front> {
  if (target === "direct") return await startCli(config, `${dir}/server.log`);
  const fronts: Front[] = [];
  try {
    let upstream: { stdio: true } | { url: string } = { stdio: true };
    if (target === "proxy-http") {
      const example = await startCli(config, `${dir}/upstream.log`);
      fronts.push(example);
      upstream = { url: example.url };
    }
    const file = `${dir}/proxy.yaml`;
    await Deno.writeTextFile(file, proxyConfig(upstream, face));
    fronts.unshift(await startCli(file, `${dir}/proxy.log`));
  } catch (e) {
    for (const f of fronts) await f.stop();
    throw e;
  }
  return {
    url: fronts[0].url,
    async stop() {
      for (const f of fronts) await f.stop();
    },
  };
}

/** Check that the front lists the names the scenarios call, so a naming problem fails loudly once. */
async function preflight(url: string): Promise<void> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: retainingFetch });
  const client = new Client({ name: "conformance-preflight", version: "1.0.0" });
  await client.connect(transport);
  deferResponses(transport);
  try {
    const tools = new Set((await client.listTools()).tools.map((t) => t.name));
    const prompts = new Set((await client.listPrompts()).prompts.map((p) => p.name));
    const missing = [
      ...EXPECTED_TOOLS.filter((n) => !tools.has(n)).map((n) => `tool ${n}`),
      ...EXPECTED_PROMPTS.filter((n) => !prompts.has(n)).map((n) => `prompt ${n}`),
    ];
    if (missing.length) {
      throw new Error(
        `${url} does not list ${missing.join(", ")} (it lists tools: ${[...tools].join(", ") || "none"})`,
      );
    }
  } finally {
    await transport.terminateSession().catch(() => {});
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Running the suite

/** Run the suite once with `args`; returns exit code and output (killed after `timeoutMs`). */
function suite(
  args: string[],
  cwd: string,
  timeoutMs: number,
  pkg: string = SUITE,
): Promise<{ code: number; out: string; timedOut: boolean }> {
  return runSuite(pkg, args, cwd, timeoutMs);
}

/** The suite's server scenario names (`list --server`). Also fetches the suite on a fresh machine. */
async function listScenarios(cwd: string): Promise<string[]> {
  const r = await suite(["list", "--server"], cwd, 300_000);
  if (r.code !== 0) throw new Error(`cannot run ${SUITE} list (exit ${r.code}):\n${r.out}`);
  return [...r.out.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

/** One scenario run. */
export interface RunRecord {
  /** The target (0.1.16) or the requirement run (`2026-07-28/stateless`). */
  target: string;
  scenario: string;
  run: number;
  ok: boolean;
  outcome: Outcome;
  message?: string;
  ms: number;
  dir: string;
}

async function readChecks(dir: string): Promise<SuiteCheck[] | undefined> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory) continue;
    try {
      return JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}/checks.json`));
    } catch {
      // not this one
    }
  }
  return undefined;
}

async function runScenario(
  url: string,
  scenario: string,
  dir: string,
  timeoutMs: number,
): Promise<Verdict & { ms: number }> {
  await Deno.mkdir(dir, { recursive: true });
  const started = performance.now();
  const r = await suite(["server", "--url", url, "--scenario", scenario, "-o", dir], dir, timeoutMs);
  const ms = Math.round(performance.now() - started);
  await Deno.writeTextFile(`${dir}/suite.log`, r.out);
  if (r.timedOut) return { ok: false, message: `timed out after ${timeoutMs / 1000}s`, ms };
  const checks = await readChecks(dir);
  if (!checks) {
    return { ok: false, message: `no checks.json (suite exit ${r.code}); see ${dir}/suite.log`, ms };
  }
  return { ...judge(checks), ms };
}

// ---------------------------------------------------------------------------------------------
// Report

function cell(records: RunRecord[]): string {
  if (records.length === 0) return "-";
  const passed = records.filter((r) => r.ok).length;
  const expected = records.some((r) => r.outcome === "expected-fail" || r.outcome === "stale");
  let word = passed === records.length ? "PASS" : passed === 0 ? "FAIL" : "FLAKY";
  if (expected) word = passed === 0 ? "XFAIL" : "STALE";
  return records.length === 1 ? word : `${word} ${passed}/${records.length}`;
}

/** The scenario × target table. */
export function table(records: RunRecord[], scenarios: string[], targets: readonly string[]): string {
  const header = ["scenario", ...targets];
  const rows = scenarios.map((s) => [
    s,
    ...targets.map((t) => cell(records.filter((r) => r.scenario === s && r.target === t))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------
// The requirement runs (0.2.0): one suite invocation per (revision, face)

/** What a requirement set runs: the scored server scenarios and the unscored ones. */
export interface RequirementSet {
  scored: string[];
  unscored: string[];
}

/** Parse `list --requirements <rev>`: its server scenarios, and those it runs without scoring. */
export function parseRequirementList(text: string): RequirementSet {
  const scored: string[] = [];
  const unscored: string[] = [];
  let section: "server" | "client" | "unscored" | undefined;
  for (const line of text.split("\n")) {
    if (/^Server scenarios/.test(line)) section = "server";
    else if (/^Client scenarios/.test(line)) section = "client";
    else if (/never scored/.test(line)) section = "unscored";
    const m = /^\s+- (\S+)(?: \[(server|client)\])?\s*$/.exec(line);
    if (!m) continue;
    if (section === "server") scored.push(m[1]);
    else if (section === "unscored" && m[2] === "server") unscored.push(m[1]);
  }
  return { scored, unscored };
}

/** The scenario a result directory of the suite holds (`server-<scenario>-<timestamp>`). */
export function scenarioOfResultDir(name: string): string | undefined {
  return /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(name)?.[1];
}

/**
 * A requirement run's label: `2026-07-28/stateless` (the example server), or with the proxy
 * target in front of it: `2026-07-28/stateless/proxy-http`.
 */
export function runLabel(requirement: Requirement, face: Face, target: TargetName = "direct"): string {
  return target === "direct" ? `${requirement}/${face}` : `${requirement}/${face}/${target}`;
}

/** The baseline of a requirement run, if it has one (the proxy targets share one). */
function runBaselineFile(requirement: Requirement, face: Face, target: TargetName): string {
  const proxied = target === "direct" ? "" : ".proxy";
  return `${ROOT}examples/conformance/expected-failures.${requirement}.${face}${proxied}.yaml`;
}

async function requirementSet(requirement: Requirement, cwd: string): Promise<RequirementSet> {
  const r = await suite(["list", "--requirements", requirement], cwd, 300_000, SUITE_NEXT);
  if (r.code !== 0) throw new Error(`cannot run ${SUITE_NEXT} list (exit ${r.code}):\n${r.out}`);
  const set = parseRequirementList(r.out);
  if (set.scored.length === 0) {
    throw new Error(`${SUITE_NEXT} list --requirements ${requirement}: no server scenarios`);
  }
  return set;
}

/** Run one requirement set against `url`; one record per scenario it ran. */
async function runRequirements(
  requirement: Requirement,
  face: Face,
  target: TargetName,
  url: string,
  dir: string,
  set: RequirementSet,
  timeoutMs: number,
): Promise<RunRecord[]> {
  const label = runLabel(requirement, face, target);
  const known = [...set.scored, ...set.unscored];
  let baseline: Baseline = new Map();
  try {
    baseline = parseBaseline(
      await Deno.readTextFile(runBaselineFile(requirement, face, target)),
      runBaselineFile(requirement, face, target),
      known,
    );
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const started = performance.now();
  const r = await suite(
    ["server", "--url", url, "--requirements", requirement, "-o", dir],
    dir,
    timeoutMs,
    SUITE_NEXT,
  );
  const ms = Math.round(performance.now() - started);
  await Deno.writeTextFile(`${dir}/suite.log`, r.out);
  const found = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    const scenario = entry.isDirectory ? scenarioOfResultDir(entry.name) : undefined;
    if (scenario) found.set(scenario, `${dir}/${entry.name}`);
  }
  return known.map((scenario) => {
    const at = found.get(scenario);
    let verdict: Verdict = {
      ok: false,
      message: r.timedOut ? `timed out after ${timeoutMs / 1000}s` : "not run",
    };
    if (at) {
      try {
        verdict = judge(JSON.parse(Deno.readTextFileSync(`${at}/checks.json`)));
      } catch {
        verdict = { ok: false, message: `no checks.json in ${at}` };
      }
    }
    return {
      target: label,
      scenario,
      run: 1,
      ok: verdict.ok,
      outcome: outcome(verdict.ok, baseline.has(scenario)),
      message: verdict.ok
        ? undefined
        : `${verdict.message}${baseline.has(scenario) ? ` (baseline: ${baseline.get(scenario)})` : ""}`,
      ms,
      dir: at ?? dir,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Main

const USAGE = `Run the MCP conformance suite against the runtime: ${SUITE} scenario by scenario, and
${SUITE_NEXT} by requirement set (both protocol eras).

Usage: deno task conformance [options]

  --target T               direct | proxy | proxy-http | all | none (repeatable; default: direct): the
                           example server, or the proxy in front of it (stdio / HTTP upstream)
  --client REV             client scenarios of this revision (2025-11-25 | 2026-07-28 | all | none;
                           repeatable; default: all): our proxy as the client (suite 0.2.0-alpha.12,
                           scripts/conformance_client.ts)
  --client-jobs N          client scenarios run at once (default 3)
  --scenario NAME          0.1.16 only, this scenario (repeatable; default: the suite's active set)
  --suite S                0.1.16 scenarios: active | all | pending (default: active)
  --repeat N               run each 0.1.16 scenario N times (flakiness check; default 1)
  --timeout SECONDS        per 0.1.16 scenario run (default 30; the suite's own request timeout is 60)
  --requirements R         0.2.0 requirement set: 2025-11-25 | 2026-07-28 | all (repeatable)
  --face F                 0.2.0 face of the example server: stateless | stateful | all (default: all)
  --expected-failures F    0.1.16 baseline (default: examples/conformance/expected-failures.yaml)
  --config FILE            the example server's stateful HTTP config (default: examples/conformance/config.yaml)
  --out DIR                where results go (default: .tmp/conformance/<time>)
  -h, --help

Without --scenario, --suite, --repeat or --requirements every run happens (0.1.16 on the targets,
0.2.0 on every requirement set and face, the client scenarios); --scenario/--suite/--repeat select
0.1.16 (and the client scenarios named) only, --requirements 0.2.0 only (on the --target targets;
plus clients when --client is given).
Requirement runs read their baseline from examples/conformance/expected-failures.<rev>.<face>.yaml
(.<rev>.<face>.proxy.yaml through the proxy).

Exit code: 0 when every failure is in a baseline and no baseline entry passes; 1 otherwise.`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      target: { type: "string", multiple: true },
      client: { type: "string", multiple: true },
      scenario: { type: "string", multiple: true },
      suite: { type: "string" },
      repeat: { type: "string" },
      timeout: { type: "string", default: "30" },
      requirements: { type: "string", multiple: true },
      face: { type: "string", multiple: true },
      "expected-failures": { type: "string", default: DEFAULT_BASELINE },
      config: { type: "string", default: EXAMPLE_HTTP_CONFIG },
      "client-jobs": { type: "string", default: "3" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const legacyOnly = values.scenario !== undefined || values.suite !== undefined ||
    values.repeat !== undefined;
  const runLegacy = !values.requirements || legacyOnly;
  const runNext = !legacyOnly;
  const named = values.target ?? ["direct"];
  const targets =
    (named.includes("all") ? [...TARGETS] : [...new Set(named)].filter((t) => t !== "none")) as TargetName[];
  for (const t of targets) {
    if (!TARGETS.includes(t)) throw new Error(`--target: expected one of ${TARGETS.join(", ")}, got '${t}'`);
  }
  const clientsModule = await import("./conformance_clients.ts");
  const clientNamed = values.client ?? (values.requirements && !legacyOnly ? ["none"] : ["all"]);
  const revisions =
    (clientNamed.includes("all")
      ? [...clientsModule.REVISIONS]
      : [...new Set(clientNamed)].filter((r) => r !== "none")) as typeof clientsModule.REVISIONS[number][];
  for (const r of revisions) {
    if (!(clientsModule.REVISIONS as readonly string[]).includes(r)) {
      throw new Error(
        `--client: expected one of ${clientsModule.REVISIONS.join(", ")}, all or none, got '${r}'`,
      );
    }
  }
  const clientKnown = new Set(Object.values(clientsModule.CLIENT_SCENARIOS).flat());
  const reqNames = values.requirements ?? ["all"];
  const requirements =
    (reqNames.includes("all") ? [...REQUIREMENTS] : [...new Set(reqNames)]) as Requirement[];
  for (const r of requirements) {
    if (!REQUIREMENTS.includes(r)) {
      throw new Error(`--requirements: expected one of ${REQUIREMENTS.join(", ")}, got '${r}'`);
    }
  }
  const faceNames = values.face ?? ["all"];
  const faces = (faceNames.includes("all") ? [...FACES] : [...new Set(faceNames)]) as Face[];
  for (const f of faces) {
    if (!FACES.includes(f)) throw new Error(`--face: expected stateless, stateful or all, got '${f}'`);
  }
  const repeat = Number(values.repeat ?? "1");
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected a positive integer`);
  if (!(timeoutMs > 0)) throw new Error(`--timeout: expected a positive number of seconds`);
  const known = [...ACTIVE_SCENARIOS, ...PENDING_SCENARIOS];
  const bySuite: Record<string, readonly string[]> = {
    active: ACTIVE_SCENARIOS,
    all: known,
    pending: PENDING_SCENARIOS,
  };
  const suiteName = values.suite ?? "active";
  if (!bySuite[suiteName]) throw new Error(`--suite: expected active, all or pending`);
  const scenarios = values.scenario?.filter((s) => known.includes(s)) ?? [...bySuite[suiteName]];
  for (const s of values.scenario ?? []) {
    if (!known.includes(s) && !clientKnown.has(s)) throw new Error(`unknown scenario '${s}'`);
  }
  const clientOnly = values.scenario?.filter((s) => clientKnown.has(s));
  const baselineFile = values["expected-failures"];
  const baseline = parseBaseline(await Deno.readTextFile(baselineFile), baselineFile, known);

  // Absolute: the suite runs with its result directory as working directory.
  const out = resolve(
    values.out ?? `${ROOT}.tmp/conformance/${new Date().toISOString().replace(/[:.]/g, "-")}`,
  );
  await Deno.mkdir(out, { recursive: true });

  const records: RunRecord[] = [];
  const setupErrors = new Map<string, string>();
  const legacyRecords: RunRecord[] = [];
  if (runLegacy && targets.length && scenarios.length) {
    // The suite's own list must match the pinned one, or this script is out of date.
    const listed = await listScenarios(out);
    const unknown = listed.filter((s) => !known.includes(s));
    const gone = known.filter((s) => !listed.includes(s));
    if (unknown.length || gone.length) {
      throw new Error(
        `${SUITE} lists other server scenarios than this script knows ` +
          `(new: ${unknown.join(", ") || "none"}; missing: ${
            gone.join(", ") || "none"
          }); update scripts/conformance.ts`,
      );
    }
    console.log(
      `${SUITE}: ${scenarios.length} scenario(s) × ${targets.join(", ")} × ${repeat}; results in ${out}`,
    );
    for (const target of targets) {
      const dir = `${out}/${target}`;
      await Deno.mkdir(dir, { recursive: true });
      let front: Front;
      try {
        front = await startTarget(target, dir, resolve(values.config));
        await preflight(front.url).catch(async (e) => {
          await front.stop();
          throw e;
        });
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        console.log(`[${target}] cannot start: ${why}`);
        setupErrors.set(target, why);
        // Every scenario of a target that did not start counts as failed.
        for (let run = 1; run <= repeat; run++) {
          for (const scenario of scenarios) {
            const ok = false;
            legacyRecords.push({
              target,
              scenario,
              run,
              ok,
              outcome: outcome(ok, baseline.has(scenario)),
              message: "target did not start",
              ms: 0,
              dir,
            });
          }
        }
        continue;
      }
      console.log(`[${target}] ${front.url}`);
      const stopOnSignal = () => void front.stop().then(() => Deno.exit(130));
      Deno.addSignalListener("SIGINT", stopOnSignal);
      Deno.addSignalListener("SIGTERM", stopOnSignal);
      try {
        for (let run = 1; run <= repeat; run++) {
          for (const scenario of scenarios) {
            const runDir = `${dir}/${scenario}/${run}`;
            const v = await runScenario(front.url, scenario, runDir, timeoutMs);
            const expected = baseline.has(scenario);
            const rec: RunRecord = {
              target,
              scenario,
              run,
              ok: v.ok,
              outcome: outcome(v.ok, expected),
              message: v.message,
              ms: v.ms,
              dir: runDir,
            };
            legacyRecords.push(rec);
            const mark = rec.outcome === "pass" ? "ok  " : rec.outcome === "expected-fail" ? "xfail" : "FAIL";
            console.log(
              `[${target}] ${mark} ${scenario}${repeat > 1 ? ` #${run}` : ""} (${v.ms} ms)` +
                (v.message ? `: ${v.message}` : ""),
            );
          }
        }
      } finally {
        Deno.removeSignalListener("SIGINT", stopOnSignal);
        Deno.removeSignalListener("SIGTERM", stopOnSignal);
        await front.stop();
      }
    }
    console.log("");
    console.log(`${SUITE}:`);
    console.log(table(legacyRecords, scenarios, targets));
    records.push(...legacyRecords);
  }

  const summaries: string[] = [];
  if (runNext) {
    const sets = new Map<Requirement, RequirementSet>();
    for (const requirement of requirements) sets.set(requirement, await requirementSet(requirement, out));
    const nextRecords: RunRecord[] = [];
    // The proxy targets put the proxy (with the front's face) in front of the example server,
    // which speaks both eras: over stdio, or over streamable HTTP on its default settings.
    const nextTargets: TargetName[] = targets.length ? targets : ["direct"];
    for (const face of faces) {
      for (const target of nextTargets) {
        const dir = `${out}/next-${face}${target === "direct" ? "" : `-${target}`}`;
        await Deno.mkdir(dir, { recursive: true });
        const config = target !== "direct"
          ? EXAMPLE_STATELESS_CONFIG
          : face === "stateful"
          ? resolve(values.config)
          : EXAMPLE_STATELESS_CONFIG;
        let front: Front;
        try {
          front = await startTarget(target, dir, config, face);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          for (const requirement of requirements) {
            const set = sets.get(requirement)!;
            setupErrors.set(runLabel(requirement, face, target), why);
            for (const scenario of [...set.scored, ...set.unscored]) {
              nextRecords.push({
                target: runLabel(requirement, face, target),
                scenario,
                run: 1,
                ok: false,
                outcome: "fail",
                message: "the target did not start",
                ms: 0,
                dir,
              });
            }
          }
          continue;
        }
        const stopOnSignal = () => void front.stop().then(() => Deno.exit(130));
        Deno.addSignalListener("SIGINT", stopOnSignal);
        Deno.addSignalListener("SIGTERM", stopOnSignal);
        try {
          for (const requirement of requirements) {
            const label = runLabel(requirement, face, target);
            const runDir = `${dir}/${requirement}`;
            await Deno.mkdir(runDir, { recursive: true });
            console.log(`[${label}] ${SUITE_NEXT} --requirements ${requirement} against ${front.url}`);
            const set = sets.get(requirement)!;
            const recs = await runRequirements(
              requirement,
              face,
              target,
              front.url,
              runDir,
              set,
              20 * 60_000,
            );
            for (const rec of recs) {
              if (rec.outcome !== "pass") {
                console.log(
                  `[${label}] ${
                    rec.outcome === "expected-fail" ? "xfail" : "FAIL"
                  } ${rec.scenario}: ${rec.message}`,
                );
              }
            }
            nextRecords.push(...recs);
            const scored = recs.filter((r) => set.scored.includes(r.scenario));
            const extra = recs.filter((r) => set.unscored.includes(r.scenario));
            summaries.push(
              `${label}: scored ${scored.filter((r) => r.ok).length}/${scored.length}, ` +
                `not scored ${extra.filter((r) => r.ok).length}/${extra.length}` +
                (recs.some((r) => r.outcome === "expected-fail")
                  ? ` (expected failures: ${
                    recs.filter((r) => r.outcome === "expected-fail").map((r) => r.scenario).join(", ")
                  })`
                  : ""),
            );
          }
        } finally {
          Deno.removeSignalListener("SIGINT", stopOnSignal);
          Deno.removeSignalListener("SIGTERM", stopOnSignal);
          await front.stop();
        }
      }
    }
    const all = [...new Set([...sets.values()].flatMap((s) => [...s.scored, ...s.unscored]))];
    const columns = faces.flatMap((f) =>
      nextTargets.flatMap((t) => requirements.map((r) => runLabel(r, f, t)))
    );
    console.log("");
    console.log(`${SUITE_NEXT} (by requirement set; '-' = not in that set):`);
    console.log(table(nextRecords, all, columns));
    records.push(...nextRecords);
  }

  // Client scenarios: our proxy as the suite's client (one scenario at a time).
  const clientRuns = revisions.length && !(values.scenario && !clientOnly?.length)
    ? await clientsModule.runClientSuites({
      revisions,
      only: values.scenario ? clientOnly : undefined,
      out,
      timeoutMs: Math.max(timeoutMs, 60_000),
      jobs: Number(values["client-jobs"]),
    })
    : { records: [] };
  if (clientRuns.records.length) console.log(`\n${clientsModule.clientTable(clientRuns.records)}`);
  const clientProblems = clientRuns.records.filter((r) => r.outcome === "fail" || r.outcome === "stale");

  const problems = records.filter((r) => r.outcome === "fail" || r.outcome === "stale");
  if (problems.length) {
    console.log("\nProblems:");
    for (const [target, why] of setupErrors) console.log(`  [${target}] did not start: ${why}`);
    for (const r of problems.filter((p) => !setupErrors.has(p.target))) {
      const why = r.outcome === "stale" ? `passes but is in its baseline; remove it` : r.message;
      console.log(`  [${r.target}] ${r.scenario} #${r.run}: ${why} (${r.dir})`);
    }
  }
  if (clientProblems.length) {
    console.log("\nClient problems:");
    for (const r of clientProblems) {
      console.log(`  [client ${r.revision}] ${r.scenario}: ${r.message} (${r.dir})`);
    }
  }
  const expectedFails = records.filter((r) => r.outcome === "expected-fail");
  if (expectedFails.length) {
    console.log("\nExpected failures (baselines):");
    for (const r of expectedFails) console.log(`  [${r.target}] ${r.scenario}: ${r.message}`);
  }
  await Deno.writeTextFile(
    `${out}/summary.json`,
    JSON.stringify(
      {
        suites: [SUITE, SUITE_NEXT],
        records,
        summaries,
        clientSuite: clientsModule.CLIENT_SUITE,
        client: clientRuns.records,
      },
      null,
      2,
    ),
  );
  if (summaries.length) console.log(`\n${summaries.join("\n")}`);
  const passed = records.filter((r) => r.ok).length + clientRuns.records.filter((r) => r.ok).length;
  const total = records.length + clientRuns.records.length;
  console.log(`\nconformance: ${passed} passed, ${total - passed} failed`);
  return problems.length || clientProblems.length ? 1 : 0;
}

if (import.meta.main) {
  main(Deno.args).then(
    (code) => Deno.exit(code),
    (e) => {
      console.error(`error: ${e instanceof Error ? e.message : e}`);
      Deno.exit(2);
    },
  );
}
