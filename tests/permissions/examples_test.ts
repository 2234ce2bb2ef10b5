// Least privilege, proven on real runs for every example config (and the embedded default):
// (1) the flags `cli.ts permissions` prints are enough: the server starts with exactly those and
//     answers a tools/call over its transport;
// (2) an audited `-A` run (DENO_AUDIT_PERMISSIONS) touches nothing the planner left out;
// (3) with one of the flags missing, startup stops with exit code 2 naming the flag — no
//     NotCapable stack trace.
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { requiredPermissions } from "../../src/app/permissions.ts";
import type { PermissionsReport } from "../../src/cli/permissions.ts";
import {
  CLI,
  type Connected,
  connectHttp,
  connectSse,
  connectStdio,
  firstText,
  ROOT,
  runCliOnce,
  startCli,
} from "../helpers.ts";
import { readAudit, uncovered } from "./audit.ts";

/** Every examples/config.<kind>.yaml. */
const EXAMPLES: string[] = [...Deno.readDirSync(new URL("../../examples/", import.meta.url))]
  .map((e) => /^config\.(.+)\.yaml$/.exec(e.name)?.[1])
  .filter((k): k is string => k !== undefined)
  .sort();

/** The transport an example config serves on (`kind` is what callAdd expects). */
const TRANSPORT: Record<string, string> = Object.fromEntries(
  await Promise.all(EXAMPLES.map(async (k) => {
    const { config } = await loadConfig({ path: `${ROOT}examples/config.${k}.yaml`, cwd: ROOT });
    return [k, config.server.type];
  })),
);

/** `--port 0` for HTTP transports so parallel runs never collide. */
function argsFor(kind: string): string[] {
  const args = ["--config", `examples/config.${kind}.yaml`];
  return TRANSPORT[kind] === "stdio" ? args : [...args, "--port", "0"];
}

async function printedReport(args: string[], cwd = ROOT): Promise<PermissionsReport> {
  const r = await runCliOnce(["permissions", ...args, "--format", "json"], { cwd, entry: CLI });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Start the CLI with `runFlags`, connect over the config's transport, call `add`, stop. */
async function callAdd(
  example: string,
  args: string[],
  runFlags: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
) {
  const kind = TRANSPORT[example] ?? example;
  let c: Connected & { stderr?(): string };
  let stop = () => Promise.resolve(0);
  let stderr = () => "";
  if (kind === "stdio") {
    const s = await connectStdio(args, { runFlags, env, cwd, entry: CLI });
    c = s;
    stderr = s.stderr;
  } else {
    const proc = startCli(args, { runFlags, env, cwd, entry: CLI });
    stderr = proc.stderr;
    stop = async () => (await proc.stop()).code;
    let url: string;
    try {
      url = await proc.ready;
    } catch (e) {
      await proc.stop();
      throw e;
    }
    c = kind === "sse" ? await connectSse(url) : await connectHttp(url);
  }
  try {
    const r = await c.client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    assert.equal(firstText(r), '{"sum":5}');
  } finally {
    await c.close();
  }
  const code = await stop();
  return { code, stderr: stderr() };
}

for (const kind of EXAMPLES) {
  Deno.test(`permissions (${kind} example): the printed flags are enough for a tools/call`, async () => {
    const report = await printedReport(argsFor(kind));
    assert.ok(!report.flags.some((f) => f === "-A" || f === "--allow-all"));
    assert.ok(report.flags.includes("--no-prompt"));
    assert.ok(!report.flags.some((f) => f.startsWith("--allow-write")), "no write access for these examples");
    const { code, stderr } = await callAdd(kind, argsFor(kind), ["run", "--quiet", ...report.flags]);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /NotCapable|PermissionDenied/);
  });

  Deno.test(`permissions (${kind} example): an audited -A run needs nothing more`, async () => {
    const auditFile = await Deno.makeTempFile({ suffix: ".jsonl" });
    try {
      const { code, stderr } = await callAdd(kind, argsFor(kind), ["run", "-A", "--quiet"], {
        DENO_AUDIT_PERMISSIONS: auditFile,
      });
      assert.equal(code, 0, stderr);
      const entries = await readAudit(auditFile);
      assert.ok(entries.length > 0, "the audit recorded the run");
      const path = `${ROOT}examples/config.${kind}.yaml`;
      const loaded = await loadConfig({
        path,
        overrides: TRANSPORT[kind] === "stdio" ? {} : { port: 0 },
        cwd: ROOT,
      });
      const required = requiredPermissions(loaded.config, {
        configFile: loaded.file,
        configPath: path,
        baseDir: loaded.baseDir,
        cwd: ROOT,
      });
      assert.deepEqual(uncovered(entries, required, ROOT), []);
      // And the planner's list is not padded: every env grant but the overrides nobody set was read.
      const audited = new Set(entries.filter((e) => e.permission === "env").map((e) => e.value));
      for (const g of required.grants.filter((g) => g.kind === "env")) {
        assert.ok(audited.has(g.value), `granted env ${g.value} (${g.reason}) was never read`);
      }
    } finally {
      await Deno.remove(auditFile).catch(() => {});
    }
  });

  Deno.test(`permissions (${kind} example): a missing flag exits 2 and names it`, async () => {
    const report = await printedReport(argsFor(kind));
    for (const drop of report.flags.filter((f) => f.startsWith("--allow-"))) {
      const kindOf = drop.slice(0, drop.indexOf("="));
      const flags = report.flags.filter((f) => f !== drop);
      const r = await runCliOnce(argsFor(kind), { runFlags: ["run", "--quiet", ...flags], entry: CLI });
      assert.equal(r.code, 2, `without ${drop}: ${r.stderr}`);
      assert.match(r.stderr, /missing Deno permissions/);
      assert.ok(r.stderr.includes(`${kindOf}=`), `names ${kindOf}: ${r.stderr}`);
      assert.ok(r.stderr.includes("cli.ts permissions --config"), r.stderr);
      assert.doesNotMatch(r.stderr, /NotCapable|\n\s+at /, "no stack trace");
    }
  });
}

Deno.test("permissions (embedded default): printed flags work in an empty folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-perm-" });
  try {
    const report = await printedReport(["--port", "0"], dir);
    assert.equal(report.config, null);
    assert.ok(report.flags.includes("--allow-read=config.yaml,config.yml"), report.flags.join(" "));
    const { code, stderr } = await callAdd(
      "http",
      ["--port", "0"],
      ["run", "--quiet", ...report.flags],
      {},
      dir,
    );
    assert.equal(code, 0, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("permissions: --format flags and text agree with json", async () => {
  const args = argsFor("http");
  const json = await printedReport(args);
  const flags = await runCliOnce(["permissions", ...args, "--format", "flags"], { entry: CLI });
  assert.equal(flags.stdout.trim(), json.flags.join(" "));
  const text = await runCliOnce(["permissions", ...args], { entry: CLI });
  assert.ok(text.stdout.includes(json.commandLine), text.stdout);
  for (const g of json.grants) assert.ok(text.stdout.includes(`${g.value}: ${g.reason}`), g.value);
  const bad = await runCliOnce(["permissions", "--format", "yaml"], { entry: CLI });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format: expected text, json or flags/);
});

Deno.test("permissions: the manual (docs/deployment.md) shows exactly what the command prints for each example", async () => {
  const manual = await Deno.readTextFile(`${ROOT}docs/deployment.md`);
  for (const kind of EXAMPLES) {
    const report = await printedReport(["--config", `examples/config.${kind}.yaml`]);
    assert.ok(manual.includes(report.commandLine), `docs/deployment.md lacks:\n${report.commandLine}`);
  }
});

Deno.test("permissions (conformance example): a module's own imports (tools.ts -> assets.ts) are in the printed flags", async () => {
  const args = ["--config", "examples/conformance/config.stdio.yaml"];
  const report = await printedReport(args);
  const read = report.flags.find((f) => f.startsWith("--allow-read="))?.split("=")[1].split(",") ?? [];
  assert.ok(read.includes("examples/conformance/assets.ts"), read.join(","));
  assert.ok(!read.some((f) => f.startsWith("src/")), "the runtime's own code needs no grant");
  const s = await connectStdio(args, {
    runFlags: ["run", "--quiet", ...report.flags],
    cwd: ROOT,
    entry: CLI,
  });
  try {
    const r = await s.client.callTool({ name: "test_image_content", arguments: {} });
    assert.equal((r.content as { type: string }[])[0].type, "image");
  } finally {
    await s.close();
  }
  assert.doesNotMatch(s.stderr(), /NotCapable|PermissionDenied/);
});
