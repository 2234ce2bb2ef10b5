/**
 * `deno task compile`: single-file binaries with `deno compile`.
 *
 * Builds `chuk-mcp-server` (the `cli.ts` program) and `chuk-mcp-proxy` (`proxy_main.ts`: the same
 * program started in proxy mode) for Linux x64/arm64, macOS x64/arm64 and Windows x64.
 *
 * - Without `--permissions-from`, binaries get `-A` (like `deno run -A`: any config works).
 * - With `--permissions-from config.yaml`, they get exactly the least-privilege flags that config
 *   needs (as `cli.ts permissions` prints them), and the config's tool/resource/prompt modules are
 *   baked in: a generated entry imports them statically and registers them with `bakeModules`,
 *   because a compiled binary cannot import files that were not part of its build
 *   (denoland/deno#18327). At run time the binary serves a configured module from the baked copy
 *   when its path relative to the config file matches; other modules fail with a clear message.
 *   Paths in the baked flags are relative to the directory you build in: run the binary from there.
 * - Nothing in our own code is loaded at run time outside the static graph (the embedded
 *   examples are static imports), so `--include` is only used for the baked modules and for what
 *   you pass with `--include`.
 *
 * `deno compile` downloads a runtime (`denort`) per target from dl.deno.land; where that is not
 * reachable, set `DENORT_BIN` to a denort executable for the host target.
 *
 * ```sh
 * deno task compile                                   # all targets, -A
 * deno task compile --host                            # this machine only: dist/chuk-mcp-server
 * deno task compile --host --permissions-from deploy/config.yaml
 * deno task compile --dry-run                         # print the deno compile commands
 * ```
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/load.ts";
import { permissionFlags } from "../src/permissions/flags.ts";
import { displayPath } from "../src/permissions/plan.ts";
import { requiredPermissions } from "../src/app/permissions.ts";
import { DENO_PATH_ENV } from "../src/proxy/sandbox.ts";
import { configuredModules, moduleCandidates } from "../src/tools/loader.ts";

/** Target triples `deno compile --target` accepts, with the file suffix of their executables. */
export const TARGETS: Readonly<Record<string, { os: string; arch: string; suffix: string }>> = {
  "x86_64-unknown-linux-gnu": { os: "linux", arch: "x64", suffix: "" },
  "aarch64-unknown-linux-gnu": { os: "linux", arch: "arm64", suffix: "" },
  "x86_64-apple-darwin": { os: "macos", arch: "x64", suffix: "" },
  "aarch64-apple-darwin": { os: "macos", arch: "arm64", suffix: "" },
  "x86_64-pc-windows-msvc": { os: "windows", arch: "x64", suffix: ".exe" },
};

/** The binaries: name, entry file, and the CLI command they start in. */
export const BINARIES: readonly { name: string; entry: string; command: string[] }[] = [
  { name: "chuk-mcp-server", entry: "cli.ts", command: [] },
  { name: "chuk-mcp-proxy", entry: "proxy_main.ts", command: ["proxy"] },
];

/** Repository root. */
export const ROOT: string = resolvePath(new URL("..", import.meta.url).pathname);

/** What to build. */
export interface CompileOptions {
  /** Target triples; default all of {@linkcode TARGETS}. */
  targets: string[];
  /** Binary names; default both. */
  binaries: string[];
  /** Output folder. */
  outDir: string;
  /** Bake this config's least-privilege flags and modules in. */
  permissionsFrom?: string;
  /** Extra files/folders to embed. */
  includes: string[];
  /** Print the plan only. */
  dryRun: boolean;
  /** Directory the build runs in (paths in baked flags are relative to it); default the cwd. */
  cwd: string;
}

/** One `deno compile` run. */
export interface CompileStep {
  binary: string;
  target: string;
  /** Output file. */
  output: string;
  /** Entry module (a generated file when modules are baked in). */
  entry: string;
  /** `deno` arguments (starting with `compile`). */
  args: string[];
}

/** The whole build: steps, files to generate first, and what is baked in. */
export interface CompilePlan {
  steps: CompileStep[];
  /** Generated entry files: path → text. */
  generated: Record<string, string>;
  /** Permission flags given to every binary. */
  permissionFlags: string[];
  /** `--include` values. */
  includes: string[];
  /** Baked modules: key (relative to the config's directory) → absolute file. */
  baked: Record<string, string>;
}

/** Usage text. */
export const USAGE = `Usage: deno task compile [options]

  --target T              target triple (repeatable); default all: ${Object.keys(TARGETS).join(", ")}
  --host                  only this machine's target
  --binary NAME           chuk-mcp-server | chuk-mcp-proxy (repeatable); default both
  --permissions-from F    bake the least-privilege flags of config F (and its tool modules) in; default -A
  --include PATH          extra file or folder to embed (repeatable)
  --out DIR               output folder (default: dist)
  --dry-run               print the deno compile commands, build nothing
  -h, --help              this help

One target: dist/chuk-mcp-server[.exe]; several: dist/chuk-mcp-server-<target>[.exe].
Offline (no dl.deno.land): set DENORT_BIN to a denort for the host target.
`;

/** The target triple of this machine. */
export function hostTarget(): string {
  return Deno.build.target;
}

/** Parse the script's arguments. Throws on unknown flags or targets. */
export function parseCompileArgs(
  argv: string[],
  cwd: string = Deno.cwd(),
): CompileOptions & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string", multiple: true },
      host: { type: "boolean" },
      binary: { type: "string", multiple: true },
      "permissions-from": { type: "string" },
      include: { type: "string", multiple: true },
      out: { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  const targets = values.host ? [hostTarget()] : values.target ?? Object.keys(TARGETS);
  for (const t of targets) {
    if (!(t in TARGETS)) {
      throw new Error(`unknown target '${t}'; expected one of ${Object.keys(TARGETS).join(", ")}`);
    }
  }
  const binaries = values.binary ?? BINARIES.map((b) => b.name);
  for (const b of binaries) {
    if (!BINARIES.some((x) => x.name === b)) throw new Error(`unknown binary '${b}'`);
  }
  return {
    targets,
    binaries,
    outDir: resolvePath(cwd, values.out ?? "dist"),
    permissionsFrom: values["permissions-from"],
    includes: (values.include ?? []).map((p) => resolvePath(cwd, p)),
    dryRun: values["dry-run"] ?? false,
    cwd,
    help: values.help ?? false,
  };
}

function firstExisting(paths: string[]): string {
  for (const p of paths) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // next
    }
  }
  throw new Error(`module not found (tried ${paths.join(", ")})`);
}

/** The generated entry: import the baked modules statically, register them, run the CLI. */
function generatedEntry(command: string[], baked: Record<string, string>): string {
  const url = (p: string) => JSON.stringify(pathToFileURL(p).href);
  const lines = [
    "// Generated by scripts/compile.ts: the config's modules, baked into the binary.",
    `import { runCli } from ${url(`${ROOT}/src/cli/main.ts`)};`,
    `import { bakeModules } from ${url(`${ROOT}/src/tools/loader.ts`)};`,
  ];
  const keys = Object.keys(baked);
  keys.forEach((_, i) => lines.push(`import * as m${i} from ${url(baked[keys[i]])};`));
  lines.push(`bakeModules({ ${keys.map((k, i) => `${JSON.stringify(k)}: m${i}`).join(", ")} });`);
  const argv = [...command.map((c) => JSON.stringify(c)), "...Deno.args"].join(", ");
  lines.push(`runCli([${argv}]).then((code) => Deno.exit(code));`);
  return lines.join("\n") + "\n";
}

/**
 * Plan the build (pure apart from reading the config and checking module files exist).
 *
 * @example
 * ```ts
 * const plan = await compilePlan(parseCompileArgs(["--host", "--dry-run"]));
 * console.log(plan.steps.map((s) => s.output));
 * ```
 */
export async function compilePlan(options: CompileOptions): Promise<CompilePlan> {
  let flags = ["-A"];
  const baked: Record<string, string> = {};
  if (options.permissionsFrom) {
    const loaded = await loadConfig({ path: options.permissionsFrom, cwd: options.cwd });
    for (const m of configuredModules(loaded.config, loaded.baseDir)) {
      const file = firstExisting(moduleCandidates(m.spec, m.dir));
      baked[displayPath(file, loaded.baseDir).split("\\").join("/")] = file;
    }
    // The binary is not the deno CLI: sandboxed children run `deno` from PATH (or $CHUK_MCP_DENO_PATH).
    const required = requiredPermissions(loaded.config, {
      configFile: loaded.file,
      configPath: options.permissionsFrom,
      baseDir: loaded.baseDir,
      cwd: options.cwd,
      modulesBaked: true,
      denoPath: Deno.env.get(DENO_PATH_ENV) ?? "deno",
    });
    flags = permissionFlags(required, { relativeTo: options.cwd });
  }
  const includes = [...Object.values(baked), ...options.includes];
  const excludes = crashingNpmFiles();
  const generated: Record<string, string> = {};
  const steps: CompileStep[] = [];
  const several = options.targets.length > 1;
  for (const b of BINARIES.filter((b) => options.binaries.includes(b.name))) {
    let entry = `${ROOT}/${b.entry}`;
    if (Object.keys(baked).length) {
      entry = `${options.outDir}/.build/${b.name}.entry.ts`;
      generated[entry] = generatedEntry(b.command, baked);
    }
    for (const target of options.targets) {
      const output = `${options.outDir}/${b.name}${several ? `-${target}` : ""}${TARGETS[target].suffix}`;
      steps.push({
        binary: b.name,
        target,
        output,
        entry,
        args: [
          "compile",
          "--config",
          `${ROOT}/deno.json`,
          "--output",
          output,
          "--target",
          target,
          ...includes.flatMap((i) => ["--include", i]),
          ...excludes.flatMap((x) => ["--exclude", x]),
          ...flags,
          entry,
        ],
      });
    }
  }
  return { steps, generated, permissionFlags: flags, includes, baked };
}

/**
 * Files of installed npm packages that `deno compile` cannot embed, to leave out. Deno 2.9.6
 * overflows its stack on bintrees' test data (a prom-client dependency, via tdigest): the whole
 * `node_modules` folder is embedded, used or not. Nothing at run time reads these folders.
 */
function crashingNpmFiles(): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(`${ROOT}/node_modules/.deno`)) {
      if (!e.name.startsWith("bintrees@")) continue;
      const test = `${ROOT}/node_modules/.deno/${e.name}/node_modules/bintrees/test`;
      if (isDir(test)) out.push(test);
    }
  } catch {
    // no node_modules folder (yet): nothing to leave out
  }
  return out;
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCompileArgs(argv);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const plan = await compilePlan(options);
  if (Object.keys(plan.baked).length) {
    console.error(`baked-in modules: ${Object.keys(plan.baked).join(", ")}`);
  }
  console.error(`permissions: ${plan.permissionFlags.join(" ")}`);
  if (options.dryRun) {
    for (const s of plan.steps) console.log(["deno", ...s.args].join(" "));
    return 0;
  }
  await Deno.mkdir(options.outDir, { recursive: true });
  for (const [path, text] of Object.entries(plan.generated)) {
    await Deno.mkdir(resolvePath(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  for (const s of plan.steps) {
    console.error(`\n== ${s.binary} for ${s.target}`);
    const out = await new Deno.Command(Deno.execPath(), { args: s.args, cwd: ROOT, stderr: "piped" })
      .output();
    const err = new TextDecoder().decode(out.stderr);
    await Deno.stderr.write(out.stderr);
    if (!out.success) {
      if (/dl\.deno\.land|denort/i.test(err)) {
        console.error(
          "deno compile needs a denort runtime for this target from dl.deno.land; without network,\n" +
            "set DENORT_BIN to a denort executable for the host target (build with --host).",
        );
      }
      return out.code || 1;
    }
  }
  console.error("\nbuilt:");
  for (const s of plan.steps) {
    console.error(`  ${displayPath(s.output, options.cwd)} (${(await Deno.stat(s.output)).size} bytes)`);
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
