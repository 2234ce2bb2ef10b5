// `deno task compile` (scripts/compile.ts). denort cannot be downloaded here, so: the plan (flags,
// targets, includes, generated entries) is unit-tested; the baked-module mechanism is proven by
// running the generated entry with `deno run` and exactly the baked permission flags; `deno
// compile` is shown to accept the planned command (with DENORT_BIN = the deno CLI, whose output
// binary ignores its payload, so nothing is claimed about that binary); and the binary smoke test
// runs only when DENORT_BIN names a real denort.
import assert from "node:assert/strict";
import { BINARIES, compilePlan, hostTarget, parseCompileArgs, TARGETS } from "../../scripts/compile.ts";
import { VERSION } from "../../src/version.ts";
import { Client, deferResponses } from "../../src/sdk/client.ts";
import { StdioClientTransport } from "../../src/sdk/client_stdio.ts";
import { COMMANDS } from "../../src/cli/main.ts";
import { childEnv, DENO, firstText, ROOT, runCliOnce, tempConfig } from "../helpers.ts";

const TOOL_MODULE = `export const shout = {
  name: "shout",
  description: "Upper-cases its input",
  inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  handler: ({ text }) => String(text).toUpperCase(),
};
`;

Deno.test("compile plan: all five targets and both binaries by default, -A", async () => {
  const options = parseCompileArgs(["--dry-run"], ROOT);
  assert.deepEqual(options.targets, Object.keys(TARGETS));
  assert.deepEqual(Object.keys(TARGETS).sort(), [
    "aarch64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "x86_64-unknown-linux-gnu",
  ]);
  const plan = await compilePlan(options);
  assert.equal(plan.steps.length, 10);
  assert.deepEqual(plan.permissionFlags, ["-A"]);
  assert.deepEqual(plan.includes, []);
  const win = plan.steps.find((s) => s.binary === "chuk-mcp-proxy" && s.target === "x86_64-pc-windows-msvc")!;
  assert.equal(win.output, `${ROOT}dist/chuk-mcp-proxy-x86_64-pc-windows-msvc.exe`);
  assert.equal(win.entry, `${ROOT}proxy_main.ts`);
  assert.deepEqual(win.args.slice(0, 7), [
    "compile",
    "--config",
    `${ROOT}deno.json`,
    "--output",
    win.output,
    "--target",
    "x86_64-pc-windows-msvc",
  ]);
  assert.deepEqual(win.args.slice(-2), ["-A", `${ROOT}proxy_main.ts`]);
  const server = plan.steps.find((s) => s.binary === "chuk-mcp-server")!;
  assert.equal(server.entry, `${ROOT}cli.ts`);
  assert.deepEqual(BINARIES.map((b) => b.command), [[], ["proxy"]]);
});

Deno.test("compile plan: one target gives plain names; bad input is refused", async () => {
  const plan = await compilePlan(parseCompileArgs(["--host", "--out", "out"], "/work"));
  assert.deepEqual(plan.steps.map((s) => s.output), [
    `/work/out/chuk-mcp-server${TARGETS[hostTarget()].suffix}`,
    `/work/out/chuk-mcp-proxy${TARGETS[hostTarget()].suffix}`,
  ]);
  assert.throws(() => parseCompileArgs(["--target", "riscv64-linux"]), /unknown target 'riscv64-linux'/);
  assert.throws(() => parseCompileArgs(["--binary", "other"]), /unknown binary/);
  assert.throws(() => parseCompileArgs(["--bogus"]), /bogus/);
});

Deno.test("compile plan: --permissions-from bakes the config's flags and modules in", async () => {
  const { dir } = await tempConfig(
    "server: {type: streamable-http}\nstreamable-http: {port: 0}\ntools: {modules_to_import: [lib/shout.js]}\n",
    { "lib/shout.js": TOOL_MODULE },
  );
  try {
    const plan = await compilePlan(
      parseCompileArgs(["--host", "--permissions-from", "config.yaml", "--include", "assets"], dir),
    );
    assert.deepEqual(plan.baked, { "lib/shout.js": `${dir}/lib/shout.js` });
    assert.deepEqual(plan.includes, [`${dir}/lib/shout.js`, `${dir}/assets`]);
    // The same flags `cli.ts permissions` prints, minus read access to the (baked) modules.
    const printed = await runCliOnce(["permissions", "--config", "config.yaml", "--format", "json"], {
      cwd: dir,
      entry: `${ROOT}cli.ts`,
    });
    const report = JSON.parse(printed.stdout);
    const withoutModule = report.flags.map((f: string) =>
      f === "--allow-read=config.yaml,lib/shout.js" ? "--allow-read=config.yaml" : f
    );
    assert.deepEqual(plan.permissionFlags, withoutModule);
    for (const step of plan.steps) {
      assert.equal(step.entry, `${dir}/dist/.build/${step.binary}.entry.ts`);
      assert.deepEqual(step.args.slice(-plan.permissionFlags.length - 1, -1), plan.permissionFlags);
      assert.ok(step.args.includes("--include"));
      const text = plan.generated[step.entry];
      assert.match(text, /import \* as m0 from "file:\/\/.*\/lib\/shout\.js";/);
      assert.match(text, /bakeModules\(\{ "lib\/shout\.js": m0 \}\);/);
      assert.match(
        text,
        step.binary === "chuk-mcp-proxy"
          ? /runCli\(\["proxy", \.\.\.Deno\.args\]\)/
          : /runCli\(\[\.\.\.Deno\.args\]\)/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("baked modules: the generated entry serves a config's tool with the module gone from disk, under exactly the baked flags", async () => {
  const build = await tempConfig("server: {type: stdio}\ntools: {modules_to_import: [lib/shout.js]}\n", {
    "lib/shout.js": TOOL_MODULE,
  });
  const run = await Deno.makeTempDir({ prefix: "mcp-rt-baked-" });
  try {
    const plan = await compilePlan(
      parseCompileArgs(
        ["--host", "--binary", "chuk-mcp-server", "--permissions-from", "config.yaml"],
        build.dir,
      ),
    );
    const [step] = plan.steps;
    await Deno.mkdir(`${build.dir}/dist/.build`, { recursive: true });
    await Deno.writeTextFile(step.entry, plan.generated[step.entry]);
    // The deployment folder has the config but not the module.
    await Deno.copyFile(build.path, `${run}/config.yaml`);
    const transport = new StdioClientTransport({
      command: DENO,
      // deno.json given explicitly, as compile.ts does (the generated entry lives outside the repo here).
      args: [
        "run",
        "--quiet",
        "--config",
        `${ROOT}deno.json`,
        ...plan.permissionFlags,
        step.entry,
        "--config",
        "config.yaml",
      ],
      cwd: run,
      env: childEnv(),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    const client = new Client({ name: "baked", version: "1.0.0" });
    try {
      await client.connect(transport);
      deferResponses(transport);
      const r = await client.callTool({ name: "shout", arguments: { text: "baked" } });
      assert.equal(firstText(r), "BAKED");
    } finally {
      await client.close();
    }
    assert.doesNotMatch(stderr, /NotCapable/);
  } finally {
    await Deno.remove(build.dir, { recursive: true });
    await Deno.remove(run, { recursive: true });
  }
});

Deno.test("deno compile accepts the planned command and embeds the baked modules (payload not run)", async () => {
  const { dir } = await tempConfig("server: {type: stdio}\ntools: {modules_to_import: [lib/shout.js]}\n", {
    "lib/shout.js": TOOL_MODULE,
  });
  try {
    const plan = await compilePlan(
      parseCompileArgs(["--host", "--binary", "chuk-mcp-server", "--permissions-from", "config.yaml"], dir),
    );
    const [step] = plan.steps;
    await Deno.mkdir(`${dir}/dist/.build`, { recursive: true });
    await Deno.writeTextFile(step.entry, plan.generated[step.entry]);
    // DENORT_BIN = the deno CLI: compile completes offline, but the result is plain deno (deno-notes §6).
    const out = await new Deno.Command(DENO, {
      args: step.args,
      cwd: ROOT,
      env: { ...childEnv(), DENORT_BIN: DENO },
      clearEnv: true,
      stdin: "null",
    }).output();
    const log = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, log);
    assert.match(log, /Embedded Files/);
    assert.match(log, /dist\/\.build/, "the generated entry");
    assert.match(log, /lib\//, "the baked module's folder");
    assert.ok((await Deno.stat(step.output)).size > 10_000_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- The real binary: only with a real denort for this machine.
const DENORT = Deno.env.get("DENORT_BIN");
const SKIP_REASON = !DENORT
  ? "DENORT_BIN is not set: deno compile cannot download denort here (dl.deno.land is unreachable); " +
    "set DENORT_BIN to a denort executable for this platform to run it"
  : undefined;
// Registered only where it can run (this machine cannot fetch a denort), so the suite's count of
// ignored tests stays the count of tests whose service is missing; the line it prints says why.
if (SKIP_REASON) console.log(`binary smoke test skipped: ${SKIP_REASON}`);

if (!SKIP_REASON) {
  Deno.test({
    name: "binary smoke test: compiled chuk-mcp-server answers --version and a tools/call (needs DENORT_BIN)",
    async fn(t) {
      const out = await Deno.makeTempDir({ prefix: "mcp-rt-bin-" });
      try {
        const build = await new Deno.Command(DENO, {
          args: ["run", "-A", `${ROOT}scripts/compile.ts`, "--host", "--out", out],
          cwd: ROOT,
          stdin: "null",
        }).output();
        assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
        const bin = `${out}/chuk-mcp-server${TARGETS[hostTarget()].suffix}`;
        const version = new TextDecoder().decode(
          (await new Deno.Command(bin, { args: ["--version"] }).output()).stdout,
        );
        if (version.startsWith("deno ")) {
          console.log(
            "binary smoke test skipped: DENORT_BIN is the deno CLI, not denort (its binaries ignore their payload)",
          );
          return;
        }
        assert.equal(version.trim(), VERSION);
        await t.step("stdio tools/call on the embedded examples, in an empty folder", async () => {
          const empty = await Deno.makeTempDir();
          const transport = new StdioClientTransport({
            command: bin,
            args: ["--transport", "stdio"],
            cwd: empty,
            env: childEnv(),
            stderr: "pipe",
          });
          const client = new Client({ name: "bin", version: "1.0.0" });
          try {
            await client.connect(transport);
            deferResponses(transport);
            assert.equal(
              firstText(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } })),
              '{"sum":3}',
            );
          } finally {
            await client.close();
            await Deno.remove(empty, { recursive: true });
          }
        });
        if ("proxy" in COMMANDS) {
          await t.step("the proxy binary starts in proxy mode", async () => {
            const help = await new Deno.Command(`${out}/chuk-mcp-proxy${TARGETS[hostTarget()].suffix}`, {
              args: ["--help"],
            }).output();
            assert.match(new TextDecoder().decode(help.stdout), /proxy/);
          });
        }
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    },
  });
}

Deno.test("release workflow builds every target and attaches binaries and the bundle", async () => {
  const { parse } = await import("yaml");
  const wf = parse(await Deno.readTextFile(`${ROOT}.github/workflows/release.yml`));
  const steps: { run?: string; uses?: string; with?: { files?: string } }[] = wf.jobs.build.steps;
  const runs = steps.map((s) => s.run ?? "").join("\n");
  assert.match(runs, /^deno task compile$/m, "all targets: no --host/--target");
  assert.match(runs, /^deno task bundle$/m);
  const files = steps.find((s) => s.uses?.startsWith("softprops/action-gh-release"))?.with?.files ?? "";
  for (const f of ["dist/chuk-mcp-server-*", "dist/chuk-mcp-proxy-*", "dist/chuk-mcp-runtime.js"]) {
    assert.ok(files.includes(f), f);
  }
  assert.deepEqual(wf.on.push.tags, ["v*"]);
});
