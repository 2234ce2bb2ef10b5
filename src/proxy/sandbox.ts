/**
 * How a stdio upstream (`mcp_servers.<name>` with a `command`) is started: the exact command,
 * arguments, environment and working directory. A pure function — it spawns nothing — so the
 * proxy, the permission planner and the tests all derive the same answer from the same entry.
 *
 * With `deno: true` the server runs under Deno's permission model:
 *
 * ```text
 * <deno> run --no-prompt --ignore-env [--no-config] [--allow-<kind>=<values>]... <spec> <args>...
 * ```
 *
 * with exactly the entry's `permissions` (none by default), so it cannot read files, open
 * connections, spawn processes or read variables it was not granted. Every child, sandboxed or
 * not, gets a scrubbed environment and a fixed working directory.
 *
 * @module
 */

import { isAbsolute, resolve as resolvePath } from "node:path";
import { type EnvSource, processEnv } from "../config/env.ts";
import type { DenoPermissionsConfig, McpServerConfig, RuntimeConfig } from "../config/types.ts";
import { ConfigError } from "../errors.ts";

/** What the proxy needs to spawn one stdio upstream. */
export interface StdioLaunchSpec {
  /** Executable: the entry's command, or the Deno executable when `sandboxed`. */
  command: string;
  /** Arguments (for a sandboxed child: `run`, the flags, the module spec, the entry's args). */
  args: string[];
  /**
   * The child's **complete** environment: spawn with exactly this (`Deno.Command` with
   * `clearEnv: true`). Note that the SDK's `StdioClientTransport` adds its own defaults (HOME,
   * LOGNAME, PATH, SHELL, TERM, USER) on top of what it is given.
   */
  env: Record<string, string>;
  /** Working directory: the entry's `cwd`, else its `location` (relative to the config file), else the config's directory. */
  cwd: string;
  /** Whether the child runs under Deno's permission model (`deno: true`). */
  sandboxed: boolean;
  /** The `--allow-…` flags given to a sandboxed child (empty when none, or when not sandboxed). */
  grants: string[];
  /** Names of the runtime's own environment variables this spec copied (the runtime needs `--allow-env` for them). */
  inheritedEnv: string[];
}

/** Options of {@linkcode stdioLaunchSpec}. */
export interface StdioLaunchOptions {
  /** Directory relative paths in the entry resolve against (the config file's directory); default the cwd. */
  baseDir?: string;
  /** The runtime's environment (source of PATH, HOME, ...); default the process environment. */
  env?: EnvSource;
  /** Deno executable for sandboxed children; default {@linkcode denoExecutable}. */
  denoPath?: string;
  /** Add `--cached-only` for sandboxed children: never download, use `DENO_DIR` as it is. */
  cachedOnly?: boolean;
  /** Config label for error messages (the file path). */
  configLabel?: string;
  /** Platform whose base environment to keep; default `Deno.build.os`. */
  os?: typeof Deno.build.os;
}

/**
 * Variables every stdio child inherits from the runtime (when set) on Linux and macOS: enough to
 * find programs and pick a locale, nothing secret.
 */
export const BASE_CHILD_ENV: readonly string[] = ["PATH", "HOME", "LANG"];

/** The same on Windows, where programs also need the system and profile folders. */
export const BASE_CHILD_ENV_WINDOWS: readonly string[] = [
  "PATH",
  "PATHEXT",
  "SYSTEMROOT",
  "SYSTEMDRIVE",
  "COMSPEC",
  "TEMP",
  "TMP",
  "USERPROFILE",
  "HOMEDRIVE",
  "HOMEPATH",
  "APPDATA",
  "LOCALAPPDATA",
  "PROGRAMFILES",
  "USERNAME",
  "LANG",
];

/**
 * Variables a sandboxed (Deno) child additionally inherits when set: they steer the `deno`
 * executable itself (cache, certificates, proxies, npm registry), which downloads and caches
 * `npm:` packages. The module running inside cannot read them (`--ignore-env`).
 */
export const DENO_CHILD_ENV: readonly string[] = [
  "DENO_DIR",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "NPM_CONFIG_REGISTRY",
];

/** Environment variable naming the Deno executable for sandboxed children. */
export const DENO_PATH_ENV = "CHUK_MCP_DENO_PATH";

const FLAG_OF: Record<keyof DenoPermissionsConfig, string> = {
  read: "--allow-read",
  write: "--allow-write",
  net: "--allow-net",
  env: "--allow-env",
  run: "--allow-run",
  sys: "--allow-sys",
  ffi: "--allow-ffi",
  import: "--allow-import",
};

/** Kinds whose values are paths (resolved against the config's directory). */
const PATH_KINDS = new Set<keyof DenoPermissionsConfig>(["read", "write", "ffi"]);

/**
 * Which Deno executable starts sandboxed children: `$CHUK_MCP_DENO_PATH` when set; else the
 * executable running us when that is the `deno` CLI (`Deno.execPath()`); else (a compiled
 * binary, whose own executable is not a `deno`) plain `deno`, found on `PATH`.
 *
 * @example
 * ```ts
 * import { denoExecutable } from "@chuk/mcp-runtime/proxy";
 * console.log(denoExecutable()); // e.g. /usr/local/bin/deno
 * ```
 */
export function denoExecutable(env: EnvSource = processEnv): string {
  const configured = env(DENO_PATH_ENV);
  if (configured) return configured;
  const self = Deno.execPath();
  const base = self.replace(/\\/g, "/").split("/").pop()?.toLowerCase() ?? "";
  return base === "deno" || base === "deno.exe" ? self : "deno";
}

/**
 * The upstream kind of an `mcp_servers` entry (`type`, else `stdio` when it has a `command`, else
 * `streamable-http` when it has a `url`), or undefined for a local-module entry.
 *
 * @example
 * ```ts
 * import { upstreamType } from "@chuk/mcp-runtime/proxy";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ mcp_servers: { time: { command: "uvx" } } }, "inline");
 * upstreamType(config.mcp_servers.time); // "stdio"
 * ```
 */
export function upstreamType(entry: McpServerConfig): "stdio" | "sse" | "streamable-http" | undefined {
  if (entry.type) return entry.type;
  if (entry.command) return "stdio";
  if (entry.url) return "streamable-http";
  return undefined;
}

/**
 * The longest line stdio upstream `entry` may write: its `max_line_bytes`, else the served HTTP
 * transport's `max_body_bytes` (the `streamable-http` one when the server speaks stdio).
 *
 * @example
 * ```ts
 * import { upstreamLineLimit } from "./sandbox.ts";
 * import { validateConfig } from "../config/validate.ts";
 * const config = validateConfig({ mcp_servers: { time: { command: "uvx" } } }, "inline");
 * upstreamLineLimit(config, config.mcp_servers.time); // 8388608
 * ```
 */
export function upstreamLineLimit(config: RuntimeConfig, entry: McpServerConfig): number {
  return entry.max_line_bytes ??
    (config.server.type === "sse" ? config.sse.max_body_bytes : config["streamable-http"].max_body_bytes);
}

/** True for module specs Deno fetches itself (`npm:`, `jsr:`, `http(s):`): run them without a project config. */
function isRemoteSpec(spec: string): boolean {
  return /^(npm|jsr|https?):/i.test(spec);
}

function hasPathSeparator(command: string): boolean {
  return command.includes("/") || command.includes("\\");
}

/**
 * Spawn parameters for the stdio upstream `name`: see the module doc. Throws a
 * {@linkcode ConfigError} naming the key for entries that cannot be launched (no command,
 * `permissions` without `deno: true`, a grant value containing a comma).
 *
 * @example
 * ```ts
 * import { stdioLaunchSpec } from "@chuk/mcp-runtime/proxy";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({
 *   mcp_servers: {
 *     fs: {
 *       type: "stdio",
 *       deno: true,
 *       command: "npm:@modelcontextprotocol/server-filesystem",
 *       args: ["/srv/data"],
 *       permissions: { read: ["/srv/data"] },
 *     },
 *   },
 * }, "inline");
 * const spec = stdioLaunchSpec("fs", config.mcp_servers.fs, { baseDir: "/srv" });
 * // spec.command: the deno executable
 * // spec.args: ["run", "--no-prompt", "--ignore-env", "--no-config", "--allow-read=/srv/data",
 * //             "npm:@modelcontextprotocol/server-filesystem", "/srv/data"]
 * ```
 */
export function stdioLaunchSpec(
  name: string,
  entry: McpServerConfig,
  options: StdioLaunchOptions = {},
): StdioLaunchSpec {
  const env = options.env ?? processEnv;
  const baseDir = options.baseDir ?? Deno.cwd();
  const file = options.configLabel ?? "<config>";
  const key = `mcp_servers.${name}`;
  if (!entry.command) {
    throw new ConfigError("a stdio upstream needs a command", { file, path: `${key}.command` });
  }
  const type = upstreamType(entry);
  if (type !== "stdio") {
    throw new ConfigError(`expected a stdio upstream, got type ${type}`, { file, path: `${key}.type` });
  }
  if (entry.permissions && !entry.deno) {
    throw new ConfigError(
      "permissions only apply to sandboxed servers: add `deno: true` (or remove permissions)",
      { file, path: `${key}.permissions` },
    );
  }
  const dir = entry.cwd ?? entry.location;
  const cwd = dir ? resolvePath(baseDir, dir) : baseDir;
  const inherited: string[] = [];
  const childEnv: Record<string, string> = {};
  const inherit = (names: readonly string[]) => {
    for (const n of names) {
      if (!inherited.includes(n)) inherited.push(n);
      const v = env(n);
      if (v !== undefined) childEnv[n] = v;
    }
  };
  inherit((options.os ?? Deno.build.os) === "windows" ? BASE_CHILD_ENV_WINDOWS : BASE_CHILD_ENV);

  if (!entry.deno) {
    Object.assign(childEnv, entry.env);
    const command = hasPathSeparator(entry.command) && !isAbsolute(entry.command)
      ? resolvePath(baseDir, entry.command)
      : entry.command;
    return {
      command,
      args: [...entry.args],
      env: childEnv,
      cwd,
      sandboxed: false,
      grants: [],
      inheritedEnv: inherited,
    };
  }

  inherit(DENO_CHILD_ENV);
  // npm: packages are fetched by the child deno: it needs the system CA store here (deno-notes).
  childEnv.DENO_TLS_CA_STORE ??= "system";
  childEnv.DENO_NO_UPDATE_CHECK = "1";
  const perms = entry.permissions ?? {};
  // Variables the entry names are passed to the child and readable by it: its `env:` values,
  // and the runtime's own value of each name in `permissions.env` that `env:` does not set.
  const envNames = [...(perms.env ?? [])];
  for (const n of perms.env ?? []) {
    if (entry.env[n] === undefined) inherit([n]);
  }
  Object.assign(childEnv, entry.env);
  for (const n of Object.keys(entry.env)) if (!envNames.includes(n)) envNames.push(n);

  const grants: string[] = [];
  for (const kind of Object.keys(FLAG_OF) as (keyof DenoPermissionsConfig)[]) {
    let values = kind === "env" ? envNames : perms[kind] ?? [];
    if (values.length === 0) continue;
    if (PATH_KINDS.has(kind)) values = values.map((v) => resolvePath(baseDir, v));
    const bad = values.find((v) => v.includes(",") || v === "");
    if (bad !== undefined) {
      throw new ConfigError(
        `grant ${JSON.stringify(bad)} cannot be passed to Deno (empty, or contains a comma)`,
        { file, path: `${key}.permissions.${kind}` },
      );
    }
    grants.push(`${FLAG_OF[kind]}=${[...new Set(values)].join(",")}`);
  }

  const spec = isRemoteSpec(entry.command) || /^file:/i.test(entry.command) || isAbsolute(entry.command)
    ? entry.command
    : resolvePath(baseDir, entry.command);
  const args = [
    "run",
    "--no-prompt",
    // The child's environment is already scrubbed; un-granted reads then see "unset" instead of
    // crashing packages that probe optional variables (minimatch reads __MINIMATCH_TESTING_PLATFORM__).
    "--ignore-env",
    // A remote spec must not pick up a deno.json in the working directory (it would also create a
    // node_modules there); a local file keeps its own project's deno.json (import map).
    ...(isRemoteSpec(entry.command) ? ["--no-config"] : []),
    ...(options.cachedOnly ? ["--cached-only"] : []),
    ...grants,
    spec,
    ...entry.args,
  ];
  return {
    command: options.denoPath ?? denoExecutable(env),
    args,
    env: childEnv,
    cwd,
    sandboxed: true,
    grants,
    inheritedEnv: options.denoPath ? inherited : [...inherited, DENO_PATH_ENV],
  };
}
