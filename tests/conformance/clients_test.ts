/**
 * The client half of the conformance runner and the driver the suite spawns: the pinned scenario
 * lists, the baselines (every entry known, with its reason), and what the driver asks of the proxy.
 */

import assert from "node:assert/strict";
import { parseBaseline } from "../../scripts/conformance.ts";
import { baselineFile, CLIENT_SCENARIOS, clientTable, REVISIONS } from "../../scripts/conformance_clients.ts";
import { CIMD_URL, planFor, proxyConfig } from "../../scripts/conformance_client.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { parse } from "yaml";

Deno.test("client baselines: each revision's file parses, names known scenarios, with reasons", async () => {
  for (const revision of REVISIONS) {
    const file = baselineFile(revision);
    const baseline = parseBaseline(await Deno.readTextFile(file), file, CLIENT_SCENARIOS[revision], "client");
    for (const [name, reason] of baseline) {
      assert.ok(CLIENT_SCENARIOS[revision].includes(name));
      assert.ok(reason.length > 10, `${name}: ${reason}`);
    }
    // At 2025-11-25 every required client scenario passes: nothing is excused.
    if (revision === "2025-11-25") assert.equal(baseline.size, 0);
  }
  // The 14 auth scenarios of 2025-11-25 are all required at 2026-07-28 too.
  const auth2025 = CLIENT_SCENARIOS["2025-11-25"].filter((s) => s.startsWith("auth/"));
  assert.equal(auth2025.length, 14);
  for (const s of auth2025) assert.ok(CLIENT_SCENARIOS["2026-07-28"].includes(s));
});

Deno.test("driver: the proxy it starts logs in as each auth scenario needs, with a valid configuration", () => {
  const login = planFor("auth/basic-cimd", {});
  assert.equal(login.oauth?.client_metadata_url, CIMD_URL);
  assert.deepEqual(login.calls, [{ name: "test-tool", arguments: {} }]);
  const pre = planFor("auth/pre-registration", { client_id: "id", client_secret: "secret" });
  assert.equal(pre.oauth?.client_id, "id");
  assert.equal(pre.oauth?.client_metadata_url, undefined);
  assert.equal(planFor("tools_call", {}).oauth, undefined);
  for (const scenario of [...CLIENT_SCENARIOS["2026-07-28"], "auth/client-credentials-jwt"]) {
    const yaml = proxyConfig(
      "http://localhost:1234/mcp",
      planFor(scenario, { client_id: "c", private_key_pem: "k" }),
    );
    const config = validateConfig(parse(yaml), scenario);
    assert.equal(config.server.type, "stdio");
    assert.equal(config.mcp_servers.conformance.url, "http://localhost:1234/mcp");
  }
});

Deno.test("client table: scenario × revision", () => {
  const t = clientTable([
    { revision: "2025-11-25", scenario: "auth/x", ok: true, outcome: "pass", ms: 1, dir: "" },
    { revision: "2026-07-28", scenario: "auth/x", ok: false, outcome: "expected-fail", ms: 1, dir: "" },
  ]);
  assert.match(t, /\| auth\/x\s+\| PASS\s+\| XFAIL\s+\|/);
});
