/**
 * The permission planner's machinery: from a configuration (and the environment it will run in)
 * to the narrowest set of Deno permissions the runtime needs. Each part of the system contributes
 * its own grants — a {@linkcode GrantContributor} in its own folder (`config/permissions.ts`,
 * `sessions/permissions.ts`, `proxy/permissions.ts`, ...); the composition (`src/app/`) lists
 * them. Every grant says why it is there.
 *
 * How the lists were found: real runs under `DENO_AUDIT_PERMISSIONS=… deno run -A` (every
 * permission check logged), on each transport, then confirmed by running with exactly the printed
 * flags (`tests/permissions/`). Parts marked *provisional* follow their feature's specification
 * and are to be confirmed the same way when the feature lands.
 *
 * @module
 */

import { isAbsolute, relative, resolve as resolvePath } from "node:path";
import { type EnvSource, processEnv } from "../config/env.ts";
import type { RuntimeConfig } from "../config/types.ts";
import type { PermissionGrant, PermissionKind, RequiredPermissions } from "./types.ts";

/** Options of {@linkcode requiredPermissions}. */
export interface RequiredPermissionsOptions {
  /** Absolute path of the configuration file (omit when the embedded default is used). */
  configFile?: string;
  /** The `--config` value, when one was given (then `$CHUK_MCP_CONFIG_PATH` is not read). */
  configPath?: string;
  /** The `./config.yaml` search is off (an embedder passed `noSearch`). */
  noSearch?: boolean;
  /** Text of the configuration file, for its `${VAR}` references; default: read `configFile`. */
  configText?: string;
  /** Directory relative config paths resolve against; default the config file's directory, else `cwd`. */
  baseDir?: string;
  /** Working directory (`.env`, the `./config.yaml` search); default `Deno.cwd()`. */
  cwd?: string;
  /** Environment the runtime will see (REDIS_URL, S3_ENDPOINT_URL, ...); default the process environment. */
  env?: EnvSource;
  /**
   * The runtime reads the process environment (default true). False when an embedder hands the
   * runtime its own {@linkcode EnvSource}: then no `--allow-env` grants are needed for it.
   */
  readsProcessEnv?: boolean;
  /** Deno executable for sandboxed stdio children (see `denoExecutable`). */
  denoPath?: string;
  /** The config's modules are baked into the program (`scripts/compile.ts`): no read access for them. */
  modulesBaked?: boolean;
  /**
   * The run traces (`OTEL_DENO=true`: Deno's OpenTelemetry is on); default: whether this process
   * does. Adds the optional grants that let tracing read Deno's sampler.
   */
  tracing?: boolean;
}

/**
 * Variables libraries probe on their own; with `--ignore-env` they read as unset (their default)
 * instead of failing. Listed so the audit test can tell a known probe from a missing grant.
 */
export const LIBRARY_ENV_PROBES: Readonly<Record<string, string>> = {
  LOG_TOKENS: "npm:yaml debug switch (read on every parse)",
  LOG_STREAM: "npm:yaml debug switch (read on every parse)",
  AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: "AWS SDK, at import (Lambda detection)",
  AWS_LAMBDA_BENCHMARK_MODE: "AWS SDK, at import (Lambda detection)",
  DEBUG: "npm:debug (an ioredis dependency): its namespaces; it also lists the whole environment",
};

/**
 * Optional lookups libraries make on their own, by pattern: with `--ignore-env` the variables read
 * as unset and, without a read grant, the files as absent — the libraries' defaults. The AWS SDK
 * probes a few dozen `AWS_*` settings, the home folder and `~/.aws/{config,credentials}` (the
 * runtime hands it explicit credentials and region).
 */
export const LIBRARY_PROBE_PATTERNS: readonly { kind: "env" | "read"; pattern: RegExp; library: string }[] = [
  { kind: "env", pattern: /^(AWS_|_X_AMZN_)/, library: "AWS SDK settings (the runtime passes its own)" },
  { kind: "env", pattern: /^(HOME|USERPROFILE|HOMEPATH|HOMEDRIVE)$/, library: "AWS SDK profile lookup" },
  { kind: "read", pattern: /[\\/]\.aws[\\/](config|credentials)$/, library: "AWS SDK shared config files" },
];

/**
 * Collects grants, keeping the first reason for a duplicate.
 *
 * @example
 * ```ts
 * import { PermissionPlan } from "./plan.ts";
 * const plan = new PermissionPlan(true);
 * plan.add("net", "127.0.0.1:3000", "listen address");
 * console.log(plan.grants.length); // 1
 * ```
 */
export class PermissionPlan {
  /** The grants so far, in the order they were added. */
  readonly grants: PermissionGrant[] = [];
  #seen = new Set<string>();
  /** Whether variables are planned (false when the runtime does not read the process environment). */
  readonly envEnabled: boolean;
  /** An empty plan. */
  constructor(envEnabled: boolean) {
    this.envEnabled = envEnabled;
  }
  /** Add one grant (a duplicate keeps its first reason). */
  add(kind: PermissionKind, value: string, reason: string, extra: Partial<PermissionGrant> = {}): void {
    if (kind === "env" && !this.envEnabled) return;
    const key = `${kind}\u0000${value}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.grants.push({ kind, value, reason, ...extra });
  }
  /** Add env grants for `names`. */
  env(names: readonly string[], reason: string): void {
    for (const n of names) this.add("env", n, reason);
  }
}

/** Everything a contributor may look at, and the plan it adds to. */
export interface PlanContext {
  /** The configuration. */
  config: RuntimeConfig;
  /** Directory relative config paths resolve against. */
  baseDir: string;
  /** The working directory. */
  cwd: string;
  /** The environment the runtime will see. */
  env: EnvSource;
  /** What the caller said about the run. */
  options: RequiredPermissionsOptions;
  /** Where grants go. */
  plan: PermissionPlan;
}

/** One part of the system adding the grants it needs. */
export type GrantContributor = (ctx: PlanContext) => void;

/**
 * The grants `contributors` ask for `config`, in their order.
 *
 * @example
 * ```ts
 * import { planPermissions } from "./plan.ts";
 * import { validateConfig } from "../config/validate.ts";
 * const listen = planPermissions(validateConfig({}, "inline"), {}, [
 *   ({ plan }) => plan.add("net", "127.0.0.1:3000", "listen address"),
 * ]);
 * ```
 */
export function planPermissions(
  config: RuntimeConfig,
  options: RequiredPermissionsOptions,
  contributors: readonly GrantContributor[],
): RequiredPermissions {
  const cwd = options.cwd ?? Deno.cwd();
  const baseDir = options.baseDir ??
    (options.configFile ? resolvePath(options.configFile, "..") : cwd);
  const ctx: PlanContext = {
    config,
    baseDir,
    cwd,
    env: options.env ?? processEnv,
    options,
    plan: new PermissionPlan(options.readsProcessEnv ?? true),
  };
  for (const contribute of contributors) contribute(ctx);
  return { grants: ctx.plan.grants, ignoreEnv: true };
}

/**
 * A SQLite database file and its journal/WAL companions.
 *
 * @example
 * ```ts
 * import { PermissionPlan, sqliteGrants } from "./plan.ts";
 * sqliteGrants(new PermissionPlan(true), "/srv/app/data.db", "SQLite session store");
 * ```
 */
export function sqliteGrants(plan: PermissionPlan, db: string, reason: string): void {
  // node:sqlite creates the file and its companions next to it.
  for (const f of [db, `${db}-journal`, `${db}-wal`, `${db}-shm`]) {
    plan.add("read", f, reason);
    plan.add("write", f, reason);
  }
}

/**
 * Run `fn` with an environment that records every variable read: once with the real one (the
 * branches the values select) and once with nothing set (every fallback in each chain). Errors
 * of the second run (settings that are required) are ignored; the first run's are real.
 *
 * @example
 * ```ts
 * import { PermissionPlan, recordReads } from "./plan.ts";
 * const plan = new PermissionPlan(true);
 * const names = recordReads((n) => Deno.env.get(n), plan, (env) => void env("REDIS_URL"));
 * console.log(names); // ["REDIS_URL"]
 * ```
 */
export function recordReads(
  env: EnvSource,
  plan: PermissionPlan,
  fn: (env: EnvSource, plan: PermissionPlan) => void,
): string[] {
  const reads: string[] = [];
  const recording = (source: EnvSource): EnvSource => (name) => {
    if (!reads.includes(name)) reads.push(name);
    return source(name);
  };
  fn(recording(env), plan);
  try {
    // Only the names matter here: grants from the empty run go to a plan that is thrown away.
    fn(recording(() => undefined), new PermissionPlan(false));
  } catch {
    // e.g. IBM COS without credentials: the real run decides.
  }
  return reads;
}

/**
 * `host:port` as Deno's `--allow-net` writes it (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import { netHost } from "@chuk/mcp-runtime/permissions";
 * netHost("::1", 8000); // "[::1]:8000"
 * ```
 */
export function netHost(host: string, port?: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

/**
 * A URL's port, or its scheme's default.
 *
 * @example
 * ```ts
 * import { urlPort } from "./plan.ts";
 * urlPort(new URL("http://example.com/")); // 80
 * ```
 */
export function urlPort(url: URL): number | undefined {
  const defaults: Record<string, number> = { "http:": 80, "https:": 443, "ws:": 80, "wss:": 443 };
  return url.port ? Number(url.port) : defaults[url.protocol];
}

/**
 * The `host:port` of a URL, the port filled from its scheme.
 *
 * @example
 * ```ts
 * import { urlHost } from "./plan.ts";
 * urlHost(new URL("https://example.com/mcp")); // "example.com:443"
 * ```
 */
export function urlHost(url: URL): string {
  return netHost(url.hostname.replace(/^\[|\]$/g, ""), urlPort(url));
}

/**
 * `${NAME}` references in config text (not the escaped `$${NAME}`), as the loader expands them.
 *
 * @example
 * ```ts
 * import { envReferences } from "@chuk/mcp-runtime/permissions";
 * envReferences("url: ${REDIS_URL:-redis://localhost}\nraw: $${KEEP}"); // ["REDIS_URL"]
 * ```
 */
export function envReferences(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) {
    if (!m[1] && !names.includes(m[2])) names.push(m[2]);
  }
  return names;
}

/**
 * Whether `path` is a file (false when it cannot be seen).
 *
 * @example
 * ```ts
 * import { fileExists } from "./plan.ts";
 * fileExists("deno.json");
 * ```
 */
export function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The text of `path`, or `""` when it cannot be read.
 *
 * @example
 * ```ts
 * import { readText } from "./plan.ts";
 * readText("deno.json");
 * ```
 */
export function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/**
 * Show a path the way a user would type it: relative to `dir` when inside it, else absolute.
 *
 * @example
 * ```ts
 * import { displayPath } from "@chuk/mcp-runtime/permissions";
 * displayPath("/srv/app/config.yaml", "/srv/app"); // "config.yaml"
 * ```
 */
export function displayPath(path: string, dir: string): string {
  const rel = relative(dir, path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
