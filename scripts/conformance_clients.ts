/**
 * The client half of `deno task conformance`: the suite's client scenarios (suite
 * {@linkcode CLIENT_SUITE}), per spec revision, against our proxy driven by
 * `scripts/conformance_client.ts`. Each scenario runs on its own (one suite invocation each, so a
 * slow machine does not turn the suite's parallel runs into timeouts), a few at a time
 * ({@linkcode CLIENT_JOBS}); the verdict is the scenario's checks plus the suite's exit code (a
 * client that exits with an error fails the scenarios that do not allow it).
 *
 * Baselines: `examples/conformance/expected-failures.yaml` (`client:`, for 2025-11-25) and
 * `examples/conformance/expected-failures.2026-07-28.yaml` — the naming of the SDK's own.
 *
 * @module
 */

import { runSuite } from "./conformance_suite.ts";
import {
  judge,
  type Outcome,
  outcome,
  parseBaseline,
  type SuiteCheck,
  type Verdict,
} from "./conformance_verdicts.ts";

/** The suite version the client scenario lists are pinned to. */
export const CLIENT_SUITE = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";

/** The spec revisions with client requirement sets. */
export const REVISIONS = ["2025-11-25", "2026-07-28"] as const;
/** A revision. */
export type Revision = typeof REVISIONS[number];

const AUTH_2025 = [
  "auth/metadata-default",
  "auth/metadata-var1",
  "auth/metadata-var2",
  "auth/metadata-var3",
  "auth/basic-cimd",
  "auth/scope-from-www-authenticate",
  "auth/scope-from-scopes-supported",
  "auth/scope-omitted-when-undefined",
  "auth/scope-step-up",
  "auth/scope-retry-limit",
  "auth/token-endpoint-auth-basic",
  "auth/token-endpoint-auth-post",
  "auth/token-endpoint-auth-none",
  "auth/pre-registration",
];

/** The required client scenarios of each revision (`list --requirements <rev>`), in the suite's order. */
export const CLIENT_SCENARIOS: Readonly<Record<Revision, readonly string[]>> = {
  "2025-11-25": [
    "initialize",
    "tools_call",
    "elicitation-sep1034-client-defaults",
    "sse-retry",
    ...AUTH_2025,
  ],
  "2026-07-28": [
    "tools_call",
    "request-metadata",
    ...AUTH_2025,
    "auth/resource-mismatch",
    "auth/offline-access-scope",
    "auth/offline-access-not-supported",
    "auth/authorization-server-migration",
    "auth/iss-supported",
    "auth/iss-not-advertised",
    "auth/iss-supported-missing",
    "auth/iss-wrong-issuer",
    "auth/iss-unexpected",
    "auth/iss-normalized",
    "auth/metadata-issuer-mismatch",
    "sep-2322-client-request-state",
    "http-standard-headers",
    "http-custom-headers",
    "http-invalid-tool-headers",
    "json-schema-ref-no-deref",
  ],
};

const ROOT = new URL("..", import.meta.url).pathname;
const ADAPTER = `deno run -A --quiet ${ROOT}scripts/conformance_client.ts`;

/** The baseline file of a revision's client scenarios. */
export function baselineFile(revision: Revision): string {
  return revision === "2025-11-25"
    ? `${ROOT}examples/conformance/expected-failures.yaml`
    : `${ROOT}examples/conformance/expected-failures.${revision}.yaml`;
}

/** One client scenario run. */
export interface ClientRecord {
  revision: Revision;
  scenario: string;
  ok: boolean;
  outcome: Outcome;
  message?: string;
  ms: number;
  dir: string;
}

function run(args: string[], cwd: string, timeoutMs: number) {
  return runSuite(CLIENT_SUITE, args, cwd, timeoutMs);
}

/** The client scenarios the suite requires for `revision` (`list --requirements`). */
export async function listClientScenarios(revision: Revision, cwd: string): Promise<string[]> {
  const r = await run(["list", "--requirements", revision], cwd, 300_000);
  if (r.code !== 0) throw new Error(`cannot run ${CLIENT_SUITE} list (exit ${r.code}):\n${r.out}`);
  const section = r.out.split(/Client scenarios[^\n]*\n/)[1]?.split(/\n\s*\n/)[0] ?? "";
  return [...section.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

async function readChecks(dir: string): Promise<SuiteCheck[] | undefined> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      const found = await readChecks(`${dir}/${entry.name}`);
      if (found) return found;
    } else if (entry.name === "checks.json") {
      try {
        return JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Run one client scenario at one revision. */
export async function runClientScenario(
  scenario: string,
  revision: Revision,
  dir: string,
  timeoutMs: number,
): Promise<Verdict & { ms: number }> {
  await Deno.mkdir(dir, { recursive: true });
  const started = performance.now();
  const r = await run(
    [
      "client",
      "--command",
      ADAPTER,
      "--scenario",
      scenario,
      "--spec-version",
      revision,
      "--timeout",
      String(timeoutMs),
      "-o",
      dir,
    ],
    dir,
    timeoutMs + 60_000,
  );
  const ms = Math.round(performance.now() - started);
  await Deno.writeTextFile(`${dir}/suite.log`, r.out);
  if (r.timedOut) return { ok: false, message: "the suite did not finish", ms };
  const checks = await readChecks(dir);
  if (!checks) {
    return { ok: false, message: `no checks.json (suite exit ${r.code}); see ${dir}/suite.log`, ms };
  }
  const verdict = judge(checks);
  if (verdict.ok && r.code !== 0) {
    const why = /Client timed out[^\n]*/.exec(r.out)?.[0] ?? /Client exited with code \d+/.exec(r.out)?.[0] ??
      `suite exit ${r.code}`;
    return { ok: false, message: why, ms };
  }
  return { ...verdict, ms };
}

/** How many client scenarios run at once by default (each is three processes, mostly waiting). */
export const CLIENT_JOBS = 3;

/**
 * Run the client scenarios of `revisions` (or only `only`), `jobs` at a time (each scenario its
 * own suite run, so runs never share a port or a proxy); print each as it ends.
 */
export async function runClientSuites(options: {
  revisions: Revision[];
  only?: string[];
  out: string;
  timeoutMs: number;
  jobs?: number;
}): Promise<{ records: ClientRecord[]; scenarios: Map<Revision, string[]> }> {
  const scenarios = new Map<Revision, string[]>();
  const tasks: { revision: Revision; scenario: string; baseline: Map<string, string>; file: string }[] = [];
  for (const revision of options.revisions) {
    const pinned = CLIENT_SCENARIOS[revision];
    const listed = await listClientScenarios(revision, options.out);
    const added = listed.filter((s) => !pinned.includes(s));
    const gone = pinned.filter((s) => !listed.includes(s));
    if (added.length || gone.length) {
      throw new Error(
        `${CLIENT_SUITE} requires other client scenarios for ${revision} than this script knows (new: ${
          added.join(", ") || "none"
        }; missing: ${gone.join(", ") || "none"}); update scripts/conformance_clients.ts`,
      );
    }
    const file = baselineFile(revision);
    const baseline = parseBaseline(await Deno.readTextFile(file), file, pinned, "client");
    const chosen = options.only ? pinned.filter((s) => options.only!.includes(s)) : [...pinned];
    scenarios.set(revision, chosen);
    for (const scenario of chosen) tasks.push({ revision, scenario, baseline, file });
  }
  const records: (ClientRecord | undefined)[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      const { revision, scenario, baseline, file } = tasks[i];
      const dir = `${options.out}/client-${revision}/${scenario.replace(/\//g, "_")}`;
      const v = await runClientScenario(scenario, revision, dir, options.timeoutMs);
      const rec: ClientRecord = {
        revision,
        scenario,
        ok: v.ok,
        outcome: outcome(v.ok, baseline.has(scenario)),
        message: v.ok ? undefined : v.message,
        ms: v.ms,
        dir,
      };
      if (rec.outcome === "expected-fail") rec.message = `${v.message} [baseline: ${baseline.get(scenario)}]`;
      if (rec.outcome === "stale") rec.message = `passes but ${file} lists it; remove it`;
      records[i] = rec;
      const mark = rec.outcome === "pass" ? "ok  " : rec.outcome === "expected-fail" ? "xfail" : "FAIL";
      console.log(
        `[client ${revision}] ${mark} ${scenario} (${v.ms} ms)${rec.message ? `: ${rec.message}` : ""}`,
      );
    }
  };
  const jobs = Math.max(1, Math.min(options.jobs ?? CLIENT_JOBS, tasks.length));
  await Promise.all(Array.from({ length: jobs }, worker));
  return { records: records.filter((r): r is ClientRecord => r !== undefined), scenarios };
}

/** The client scenario × revision table. */
export function clientTable(records: ClientRecord[]): string {
  const names = [...new Set(records.map((r) => r.scenario))];
  const revs = REVISIONS.filter((rev) => records.some((r) => r.revision === rev));
  const word = (r: ClientRecord | undefined) =>
    !r
      ? "-"
      : r.outcome === "pass"
      ? "PASS"
      : r.outcome === "expected-fail"
      ? "XFAIL"
      : r.outcome === "stale"
      ? "STALE"
      : "FAIL";
  const rows = names.map((
    n,
  ) => [n, ...revs.map((rev) => word(records.find((r) => r.scenario === n && r.revision === rev)))]);
  const header = ["client scenario", ...revs];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}
