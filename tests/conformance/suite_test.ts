/**
 * The official conformance suite through `scripts/conformance.ts`, for the timing-sensitive
 * scenarios (server → client requests, notifications during a call, several streams, DNS
 * rebinding), so a regression shows in `deno task test`; CI runs the whole suite
 * (`deno task conformance`). The suite comes from npm (`deno run npm:...`): the first run on a
 * fresh machine downloads it.
 */

import assert from "node:assert/strict";
import { ROOT } from "../helpers.ts";

const SCRIPT = `${ROOT}scripts/conformance.ts`;

async function runScript(args: string[]): Promise<{ code: number; out: string }> {
  const out = await Deno.makeTempDir({ prefix: "mcp-rt-conformance-" });
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", SCRIPT, "--out", out, "--timeout", "60", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", DENO_TLS_CA_STORE: "system" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("conformance suite: timing-sensitive scenarios pass against the example server", async () => {
  const scenarios = [
    "tools-call-with-progress",
    "tools-call-with-logging",
    "tools-call-sampling",
    "tools-call-elicitation",
    "elicitation-sep1330-enums",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
  ];
  const r = await runScript(scenarios.flatMap((s) => ["--scenario", s]));
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^conformance: 7 passed, 0 failed$/m);
  for (const s of scenarios) assert.match(r.out, new RegExp(`^\\| ${s} +\\| PASS +\\|$`, "m"));
});

Deno.test("conformance suite 0.2.0: the 2026-07-28 requirement set on the default (stateless) face", async () => {
  const r = await runScript(["--requirements", "2026-07-28", "--face", "stateless"]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^2026-07-28\/stateless: scored 37\/37, not scored 13\/13$/m);
  assert.match(r.out, /^conformance: 50 passed, 0 failed$/m);
});

Deno.test("conformance suite: the runner reports a failing scenario and exits non-zero", async () => {
  // The default HTTP mode (stateless) gives no Mcp-Session-Id: the multiple-streams scenario
  // warns, which counts as a failure — the reason the example config is stateful.
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-conformance-cfg-" });
  try {
    const config = `${dir}/stateless.yaml`;
    await Deno.writeTextFile(
      config,
      [
        `server: { type: "streamable-http" }`,
        `streamable-http: { host: "127.0.0.1", port: 0, stateless: true }`,
        `mcp_servers:`,
        `  conformance:`,
        `    location: ${JSON.stringify(`${ROOT}examples/conformance`)}`,
        `    tools: { module: "tools.ts" }`,
        `    prompts: { module: "prompts.ts" }`,
        ``,
      ].join("\n"),
    );
    const r = await runScript(["--config", config, "--scenario", "server-sse-multiple-streams"]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^\| server-sse-multiple-streams \| FAIL +\|$/m);
    assert.match(r.out, /server-sse-multiple-streams-session WARNING/);
    assert.match(r.out, /^conformance: 0 passed, 1 failed$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
