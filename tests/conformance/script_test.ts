/**
 * The conformance runner's own logic: verdicts from `checks.json`, the baseline format (every
 * entry needs an external reason), and how baseline and verdict combine.
 */

import assert from "node:assert/strict";
import {
  ACTIVE_SCENARIOS,
  judge,
  outcome,
  parseBaseline,
  parseRequirementList,
  PENDING_SCENARIOS,
  type RunRecord,
  scenarioOfResultDir,
  table,
} from "../../scripts/conformance.ts";

const KNOWN = [...ACTIVE_SCENARIOS, ...PENDING_SCENARIOS];

Deno.test("judge: failures and warnings fail a run; info does not; no checks is a failure", () => {
  assert.deepEqual(judge([{ id: "a", status: "SUCCESS" }, { id: "b", status: "INFO" }]), { ok: true });
  const failed = judge([
    { id: "a", status: "SUCCESS" },
    { id: "b", status: "FAILURE", errorMessage: "Expected 3, got 2" },
    { id: "c", status: "WARNING", errorMessage: "no priming event" },
  ]);
  assert.equal(failed.ok, false);
  assert.equal(failed.message, "b FAILURE: Expected 3, got 2; c WARNING: no priming event");
  assert.deepEqual(judge([]), { ok: false, message: "no checks recorded" });
});

Deno.test("parseBaseline: the suite's format, with a reason per entry", () => {
  const baseline = parseBaseline(
    [
      "# header",
      "server:",
      "  - tools-call-sampling # upstream SDK bug #1",
      "  # the suite times out on slow machines",
      "  - ping",
    ].join("\n"),
    "b.yaml",
    KNOWN,
  );
  assert.deepEqual([...baseline], [
    ["tools-call-sampling", "upstream SDK bug #1"],
    ["ping", "the suite times out on slow machines"],
  ]);
  assert.equal(parseBaseline("server: []\n", "b.yaml", KNOWN).size, 0);
  assert.equal(parseBaseline("# nothing\n", "b.yaml", KNOWN).size, 0);
});

Deno.test("parseBaseline: refuses entries without a reason, unknown names and other shapes", () => {
  assert.throws(
    () => parseBaseline("server:\n  - ping\n", "b.yaml", KNOWN),
    /b\.yaml: 'ping' has no reason/,
  );
  assert.throws(
    () => parseBaseline("server:\n  - pong # typo\n", "b.yaml", KNOWN),
    /b\.yaml: unknown scenario 'pong'/,
  );
  assert.throws(() => parseBaseline("server: ping\n", "b.yaml", KNOWN), /must be a list/);
  assert.throws(() => parseBaseline("server: [\n", "b.yaml", KNOWN), /b\.yaml/);
});

Deno.test("the committed baseline parses (and is empty: every active scenario passes)", async () => {
  const file = new URL("../../examples/conformance/expected-failures.yaml", import.meta.url);
  const baseline = parseBaseline(await Deno.readTextFile(file), file.pathname, KNOWN);
  assert.deepEqual([...baseline.keys()], []);
});

Deno.test("outcome: a baseline entry that passes is stale, an unlisted failure is a failure", () => {
  assert.equal(outcome(true, false), "pass");
  assert.equal(outcome(false, false), "fail");
  assert.equal(outcome(false, true), "expected-fail");
  assert.equal(outcome(true, true), "stale");
});

Deno.test("table: one row per scenario, pass counts when repeated", () => {
  const rec = (scenario: string, ok: boolean, run: number): RunRecord => ({
    target: "direct",
    scenario,
    run,
    ok,
    outcome: ok ? "pass" : "fail",
    ms: 1,
    dir: "/x",
  });
  const text = table([
    rec("ping", true, 1),
    rec("ping", true, 2),
    rec("tools-list", false, 1),
    rec("tools-list", true, 2),
  ], [
    "ping",
    "tools-list",
  ], ["direct"]);
  assert.equal(
    text,
    [
      "| scenario   | direct    |",
      "|------------|-----------|",
      "| ping       | PASS 2/2  |",
      "| tools-list | FLAKY 1/2 |",
    ].join("\n"),
  );
});

Deno.test("requirement sets: scored server scenarios and the unscored ones, from `list --requirements`", () => {
  const set = parseRequirementList([
    "Required for 2026-07-28 (69 scenarios, frozen; run at the 2026-07-28 wire):",
    "",
    "Server scenarios (test against a server):",
    "  - server-stateless",
    "  - caching",
    "",
    "Client scenarios (test against a client):",
    "  - tools_call",
    "",
    "Run and reported, but never scored:",
    "  extension (2):",
    "    - auth/dpop [client]",
    "    - tasks-lifecycle [server]",
    "  pending (1):",
    "    - http-header-validation [server]",
  ].join("\n"));
  assert.deepEqual(set, {
    scored: ["server-stateless", "caching"],
    unscored: ["tasks-lifecycle", "http-header-validation"],
  });
  assert.equal(scenarioOfResultDir("server-tasks-mrtr-input-2026-12-04T18-32-11-129Z"), "tasks-mrtr-input");
  assert.equal(scenarioOfResultDir("suite.log"), undefined);
});

Deno.test("the stateless 2025 baseline parses, every entry with its reason", async () => {
  const file = new URL(
    "../../examples/conformance/expected-failures.2025-11-25.stateless.yaml",
    import.meta.url,
  );
  const baseline = parseBaseline(await Deno.readTextFile(file), file.pathname, [
    ...ACTIVE_SCENARIOS,
    ...PENDING_SCENARIOS,
  ]);
  assert.deepEqual([...baseline.keys()].sort(), [
    "elicitation-sep1034-defaults",
    "elicitation-sep1330-enums",
    "logging-set-level",
    "resources-subscribe",
    "resources-unsubscribe",
    "server-sse-multiple-streams",
    "server-sse-polling",
    "tools-call-elicitation",
    "tools-call-sampling",
    "tools-call-with-logging",
  ]);
});
