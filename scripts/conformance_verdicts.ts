/**
 * Verdicts on the official suite's runs and the expected-failures baseline: pure functions shared by
 * scripts/conformance.ts (server scenarios) and scripts/conformance_clients.ts (client scenarios).
 *
 * @module
 */

import { isScalar, isSeq, parseDocument } from "yaml";

/** One check as the suite writes it to `checks.json`. */
export interface SuiteCheck {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED" | string;
  errorMessage?: string;
}

/** The verdict on one scenario run. */
export interface Verdict {
  ok: boolean;
  /** Why it failed: the failing checks' ids and messages. */
  message?: string;
}

/**
 * Judge one scenario run from its checks. Like the suite's own baseline evaluation, a WARNING
 * counts as a failure; a run with no checks is a failure too (the scenario never ran).
 */
export function judge(checks: SuiteCheck[]): Verdict {
  if (checks.length === 0) return { ok: false, message: "no checks recorded" };
  const bad = checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
  if (bad.length === 0) return { ok: true };
  const message = bad.map((c) => `${c.id} ${c.status}${c.errorMessage ? `: ${c.errorMessage}` : ""}`)
    .join("; ");
  return { ok: false, message };
}

/** Scenarios expected to fail, each with the (external) reason written next to it. */
export type Baseline = Map<string, string>;

/**
 * Parse an expected-failures file. The format is the suite's own (`server:` list of scenario
 * names, so the file also works with the suite's `--expected-failures`), plus one rule: every
 * entry carries its reason as a comment, on its line or the line above. An entry without a reason,
 * or naming no known scenario, is an error.
 *
 * ```yaml
 * server:
 *   - some-scenario # upstream SDK bug modelcontextprotocol/typescript-sdk#1234
 * ```
 */
export function parseBaseline(
  text: string,
  file: string,
  known: readonly string[],
  section: "server" | "client" = "server",
): Baseline {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  const out: Baseline = new Map();
  if (doc.contents === null) return out;
  const list = doc.get(section, true);
  if (list === undefined || list === null) return out;
  if (!isSeq(list)) throw new Error(`${file}: '${section}' must be a list of scenario names`);
  for (const item of list.items) {
    if (!isScalar(item) || typeof item.value !== "string") {
      throw new Error(`${file}: '${section}' entries must be scenario names`);
    }
    const name = item.value;
    if (!known.includes(name)) throw new Error(`${file}: unknown scenario '${name}'`);
    const reason = (item.comment ?? item.commentBefore ?? "").trim();
    if (!reason) {
      throw new Error(`${file}: '${name}' has no reason; write why it fails (outside our code) as a comment`);
    }
    out.set(name, reason);
  }
  return out;
}

/** Outcome of one run against the baseline. */
export type Outcome = "pass" | "fail" | "expected-fail" | "stale";

/** Classify a run: an unexpected failure and a stale baseline entry both fail the script. */
export function outcome(ok: boolean, expected: boolean): Outcome {
  if (ok) return expected ? "stale" : "pass";
  return expected ? "expected-fail" : "fail";
}
