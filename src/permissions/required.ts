/**
 * The permission planner: from a configuration (and the environment it will run in) to the
 * narrowest set of Deno permissions the runtime needs. Each part of the system contributes its own
 * grants in one function below; every grant says why it is there.
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
import { bakedModule, configuredModules, moduleCandidates } from "../tools/loader.ts";
import { resolveArtifactSettings } from "../artifacts/settings.ts";
import { resolveSqlitePath } from "../config/paths.ts";
import { resolveSessionProvider } from "../sessions/factory.ts";
import { keyNamespace } from "../sessions/namespace.ts";
import { parseRedisUrl, redisOptionsFromEnv } from "../sessions/redis_kv.ts";
import { stdioLaunchSpec, upstreamType } from "./sandbox.ts";
import { metricsListenPort } from "../telemetry/settings.ts";
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

/** Collects grants, keeping the first reason for a duplicate. */
class Plan {
  readonly grants: PermissionGrant[] = [];
  #seen = new Set<string>();
  readonly envEnabled: boolean;
  constructor(envEnabled: boolean) {
    this.envEnabled = envEnabled;
  }
  add(kind: PermissionKind, value: string, reason: string, extra: Partial<PermissionGrant> = {}): void {
    if (kind === "env" && !this.envEnabled) return;
    const key = `${kind}\u0000${value}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.grants.push({ kind, value, reason, ...extra });
  }
  env(names: readonly string[], reason: string): void {
    for (const n of names) this.add("env", n, reason);
  }
}

/** Everything a contributor may look at. */
interface PlanContext {
  config: RuntimeConfig;
  baseDir: string;
  cwd: string;
  env: EnvSource;
  options: RequiredPermissionsOptions;
  plan: Plan;
}

/**
 * The narrowest set of Deno permissions `config` needs (see the module doc).
 *
 * @example
 * ```ts
 * import { permissionFlags, requiredPermissions, validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ server: { type: "streamable-http" } }, "inline");
 * const flags = permissionFlags(requiredPermissions(config));
 * // ["--no-prompt", "--allow-net=127.0.0.1:3000", "--allow-read=...", "--allow-env=...", "--ignore-env"]
 * ```
 */
export function requiredPermissions(
  config: RuntimeConfig,
  options: RequiredPermissionsOptions = {},
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
    plan: new Plan(options.readsProcessEnv ?? true),
  };
  for (const contribute of CONTRIBUTORS) contribute(ctx);
  return { grants: ctx.plan.grants, ignoreEnv: true };
}

/** Finding and reading the configuration, `.env`, and the settings the core reads from the environment. */
function coreGrants({ config, cwd, env, options, plan }: PlanContext): void {
  const dotenv = resolvePath(cwd, ".env");
  if (fileExists(dotenv)) {
    plan.add("read", dotenv, ".env in the working directory (loaded at startup)", { optional: true });
  }
  if (options.configPath === undefined) {
    plan.add("env", "CHUK_MCP_CONFIG_PATH", "config file path when --config is not given");
    if (!env("CHUK_MCP_CONFIG_PATH") && !options.noSearch) {
      for (const name of ["config.yaml", "config.yml"]) {
        const candidate = resolvePath(cwd, name);
        plan.add("read", candidate, "the ./config.yaml search (no --config given)");
        if (fileExists(candidate)) break;
      }
    }
  }
  if (options.configFile) {
    plan.add("read", options.configFile, "the configuration file");
    for (const name of envReferences(options.configText ?? readText(options.configFile))) {
      plan.add("env", name, `referenced as \${${name}} in the configuration file`);
    }
  }
  plan.add("env", "CHUK_MCP_LOG_LEVEL", "log level override");
  plan.add("env", "CHUK_MCP_LOG_FORMAT", "log format override (json)");
  if (config.tools.timeout === undefined || config.tools.timeout === null) {
    plan.env(["MCP_TOOL_TIMEOUT", "TOOL_TIMEOUT"], "default tool timeout (tools.timeout is not set)");
  }
  if (!config.sessions.sandbox_id) {
    plan.env(
      ["MCP_SANDBOX_ID", "CHUK_SANDBOX_ID", "SANDBOX_ID", "POD_NAME"],
      "sandbox id (sessions.sandbox_id is not set)",
    );
  }
}

/** Tool, resource and prompt modules: dynamic imports of computed paths need read access. */
function moduleGrants({ config, baseDir, options, plan }: PlanContext): void {
  for (const m of configuredModules(config, baseDir)) {
    if (options.modulesBaked || bakedModule(m, baseDir)) continue; // in the binary: nothing to read
    const candidates = moduleCandidates(m.spec, m.dir);
    const found = candidates.find(fileExists) ?? candidates[0];
    plan.add("read", found, `module ${m.keyPath}`, {
      alternatives: candidates.length > 1 ? candidates.filter((c) => c !== found) : undefined,
    });
  }
}

/** The listen address of an HTTP transport. stdio needs nothing. */
function transportGrants({ config, plan }: PlanContext): void {
  const type = config.server.type;
  if (type === "stdio") return;
  const section = type === "sse" ? config.sse : config["streamable-http"];
  plan.add("net", netHost(section.host, section.port), `listen address of the ${type} transport`);
}

/**
 * The Prometheus endpoint (`metrics.enabled`): a listener of its own when `metrics.port` is set,
 * and for stdio servers (port 9464 by default); HTTP transports otherwise answer on their own
 * listener. Tracing needs nothing here: Deno's built-in OpenTelemetry exporter sends spans from
 * outside the permission sandbox (checked: spans arrive with no net grant for the OTLP endpoint),
 * and the runtime learns that tracing is on from the OpenTelemetry API's global, not from env.
 */
function metricsGrants({ config, plan }: PlanContext): void {
  const m = config.metrics;
  if (!m.enabled) return;
  const port = metricsListenPort(config);
  if (port !== undefined) plan.add("net", netHost(m.host, port), "listen address of the metrics endpoint");
}

/**
 * Upstream MCP servers (`proxy.enabled`). stdio: the command each one runs (the Deno executable
 * for `deno: true`) and the variables the launch spec copies into its environment; the proxy's
 * own stdio transport (`Deno.Command`, a new process group) needs nothing more. Remote: the
 * upstream's host and port, and `API_KEY` for an SSE upstream without `api_key`.
 */
function proxyGrants({ config, baseDir, env, options, plan }: PlanContext): void {
  if (!config.proxy.enabled) return;
  for (const [name, entry] of Object.entries(config.mcp_servers)) {
    if (!entry.enabled) continue;
    const type = upstreamType(entry);
    if (type === "stdio") {
      const spec = stdioLaunchSpec(name, entry, {
        baseDir,
        env,
        denoPath: options.denoPath,
        configLabel: options.configFile,
      });
      plan.add("run", spec.command, `stdio upstream ${name}${spec.sandboxed ? " (sandboxed deno)" : ""}`);
      plan.env(spec.inheritedEnv, `copied into the environment of stdio upstream children`);
    } else if (type && entry.url) {
      const url = new URL(entry.url);
      plan.add("net", urlHost(url), `${type} upstream ${name}`);
      if (entry.api_key === undefined && type === "sse") {
        plan.add("env", "API_KEY", `fallback API key of SSE upstream ${name}`);
      }
    }
  }
}

/**
 * Bearer authentication (`server.auth: bearer`, HTTP transports): `jwtOptionsFromEnv` reads all of
 * these on every start; the public key file and the JWKS host when they are set.
 */
function authGrants({ config, env, plan }: PlanContext): void {
  if (config.server.auth !== "bearer") return;
  plan.env(
    [
      "JWT_PUBLIC_KEY",
      "JWT_PUBLIC_KEY_FILE",
      "JWT_SECRET_KEY",
      "JWT_JWKS_URL",
      "JWT_ALLOWED_ALGORITHMS",
      "JWT_ALGORITHM",
      "JWT_LEEWAY",
      "JWT_AUDIENCE",
      "JWT_ISSUER",
      "JWT_JWKS_COOLDOWN",
    ],
    "bearer token verification settings",
  );
  const file = env("JWT_PUBLIC_KEY");
  const keyFile = env("JWT_PUBLIC_KEY_FILE");
  if (!file && keyFile) plan.add("read", resolvePath(keyFile), "public key file (JWT_PUBLIC_KEY_FILE)");
  const jwks = env("JWT_JWKS_URL");
  if (jwks && URL.canParse(jwks)) plan.add("net", urlHost(new URL(jwks)), "JWKS endpoint (JWT_JWKS_URL)");
}

/**
 * Sessions (always) and their store: the provider switch and the key namespace are read on every
 * start; Redis needs its hosts, SQLite its database file. Decided by the sessions code itself
 * (`resolveSessionProvider`, `keyNamespace`, `redisOptionsFromEnv`, `resolveSqlitePath`), run
 * with an environment that records what it reads.
 */
function sessionGrants({ config, baseDir, env, plan }: PlanContext): void {
  const reads = recordReads(env, plan, (rec, plan) => {
    keyNamespace(rec);
    const provider = resolveSessionProvider(config, rec);
    if (provider === "redis") {
      const redis = redisOptionsFromEnv(rec);
      for (const node of parseRedisUrl(redis.url, redis.source).nodes) {
        plan.add("net", netHost(node.host, node.port), "Redis session store");
      }
    } else if (provider === "sqlite") {
      sqliteGrants(plan, resolveSqlitePath(config, rec, baseDir), "SQLite session store");
    }
  });
  plan.env(reads, "session store settings (provider, key namespace, connection)");
}

/** The artifact store (`artifacts.enabled`), decided by `resolveArtifactSettings` itself. */
function artifactGrants({ config, baseDir, env, plan }: PlanContext): void {
  if (!config.artifacts.enabled) return;
  const reads = recordReads(env, plan, (rec, plan) => {
    const s = resolveArtifactSettings(config, rec, baseDir);
    if (s.storage === "filesystem") {
      plan.add("read", s.root, "artifact root (filesystem storage)");
      plan.add("write", s.root, "artifact root (filesystem storage)");
    }
    // Metadata lives in the session store: sessionGrants covers it (Redis hosts, SQLite file).
    if (s.storage === "sqlite") sqliteGrants(plan, s.sqlitePath, "SQLite artifact store");
    if (s.s3) {
      const endpoint = s.s3.endpoint ? new URL(s.s3.endpoint) : undefined;
      if (endpoint) {
        plan.add("net", urlHost(endpoint), "S3 endpoint");
        if (!s.s3.forcePathStyle) {
          plan.add(
            "net",
            netHost(`${s.bucket}.${endpoint.hostname}`, urlPort(endpoint)),
            "S3 bucket (virtual-host style)",
          );
        }
      } else {
        plan.add("net", `s3.${s.s3.region}.amazonaws.com:443`, "AWS S3 endpoint");
        if (!s.s3.forcePathStyle) {
          plan.add(
            "net",
            `${s.bucket}.s3.${s.s3.region}.amazonaws.com:443`,
            "AWS S3 bucket (virtual-host style)",
          );
        }
      }
      // The AWS SDK asks the OS for its user agent and, with variables ignored, for uid and home.
      for (const kind of ["osRelease", "uid", "homedir"]) {
        plan.add("sys", kind, "the AWS SDK (user agent, profile lookup)");
      }
    }
  });
  plan.env(reads, "artifact store settings");
}

/** A SQLite database file and its journal/WAL companions. */
function sqliteGrants(plan: Plan, db: string, reason: string): void {
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
 */
function recordReads(env: EnvSource, plan: Plan, fn: (env: EnvSource, plan: Plan) => void): string[] {
  const reads: string[] = [];
  const recording = (source: EnvSource): EnvSource => (name) => {
    if (!reads.includes(name)) reads.push(name);
    return source(name);
  };
  fn(recording(env), plan);
  try {
    // Only the names matter here: grants from the empty run go to a plan that is thrown away.
    fn(recording(() => undefined), new Plan(false));
  } catch {
    // e.g. IBM COS without credentials: the real run decides.
  }
  return reads;
}

/** Each part of the system, in order. A feature adds its grants in its own function, here. */
const CONTRIBUTORS: ((ctx: PlanContext) => void)[] = [
  coreGrants,
  moduleGrants,
  transportGrants,
  metricsGrants,
  authGrants,
  sessionGrants,
  artifactGrants,
  proxyGrants,
];

/**
 * `host:port` as Deno's `--allow-net` writes it (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import { netHost } from "@chuk/mcp-runtime";
 * netHost("::1", 8000); // "[::1]:8000"
 * ```
 */
export function netHost(host: string, port?: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

function urlPort(url: URL): number | undefined {
  const defaults: Record<string, number> = { "http:": 80, "https:": 443, "ws:": 80, "wss:": 443 };
  return url.port ? Number(url.port) : defaults[url.protocol];
}

function urlHost(url: URL): string {
  return netHost(url.hostname.replace(/^\[|\]$/g, ""), urlPort(url));
}

/**
 * `${NAME}` references in config text (not the escaped `$${NAME}`), as the loader expands them.
 *
 * @example
 * ```ts
 * import { envReferences } from "@chuk/mcp-runtime";
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

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function readText(path: string): string {
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
 * import { displayPath } from "@chuk/mcp-runtime";
 * displayPath("/srv/app/config.yaml", "/srv/app"); // "config.yaml"
 * ```
 */
export function displayPath(path: string, dir: string): string {
  const rel = relative(dir, path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
