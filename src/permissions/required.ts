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
import { stdioLaunchSpec, upstreamType } from "./sandbox.ts";
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
};

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
 * Upstream MCP servers (`proxy.enabled`). stdio: the command each one runs (the Deno executable
 * for `deno: true`), the variables the launch spec copies, and what the SDK's stdio client reads
 * (cross-spawn reads `OSTYPE` at import; the SDK copies HOME, LOGNAME, PATH, SHELL, TERM, USER;
 * Deno's `node:child_process` reads `NODE_V8_COVERAGE`). Remote: the upstream's host and port.
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
      plan.env(spec.inheritedEnv, `environment of stdio upstream children`);
      plan.env(
        ["OSTYPE", "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "NODE_V8_COVERAGE"],
        "the MCP SDK's stdio client (cross-spawn, default child environment, node:child_process)",
      );
    } else if (type && entry.url) {
      const url = new URL(entry.url);
      plan.add("net", urlHost(url), `${type} upstream ${name}`);
      if (entry.api_key === undefined) plan.add("env", "API_KEY", `fallback API key of upstream ${name}`);
    }
  }
}

/** Bearer authentication (`server.auth: bearer`). *Provisional* (identity issue). */
function authGrants({ config, env, plan }: PlanContext): void {
  if (config.server.auth !== "bearer" || config.server.type === "stdio") return;
  plan.env(
    [
      "JWT_SECRET_KEY",
      "JWT_PUBLIC_KEY",
      "JWT_JWKS_URL",
      "JWT_ALGORITHM",
      "JWT_ALLOWED_ALGORITHMS",
      "JWT_LEEWAY",
      "JWT_AUDIENCE",
      "JWT_ISSUER",
    ],
    "bearer token verification settings",
  );
  const jwks = env("JWT_JWKS_URL");
  if (jwks) plan.add("net", urlHost(new URL(jwks)), "JWKS endpoint (JWT_JWKS_URL)");
  const pub = env("JWT_PUBLIC_KEY");
  if (pub && !pub.includes("-----BEGIN")) {
    plan.add("read", resolvePath(pub), "public key file (JWT_PUBLIC_KEY)");
  }
}

/** The session/metadata provider. Only Redis needs anything. *Provisional* (identity issue). */
function sessionGrants({ config, env, plan }: PlanContext): void {
  const provider = env("SESSION_PROVIDER") ?? env("ARTIFACT_SESSION_PROVIDER") ??
    config.artifacts.session_provider;
  // Read on every start (here, to plan; by the session store, to choose).
  plan.env(
    ["SESSION_PROVIDER", "ARTIFACT_SESSION_PROVIDER"],
    "session provider selection (memory unless set)",
  );
  if (provider !== "redis") return;
  plan.env(
    [
      "SESSION_REDIS_URL",
      "REDIS_URL",
      "REDIS_TLS_INSECURE",
      "ENVIRONMENT",
      "DEPLOYMENT_ID",
    ],
    "Redis session store settings",
  );
  const url = env("SESSION_REDIS_URL") ?? env("REDIS_URL") ?? "redis://localhost:6379/0";
  for (const host of redisHosts(url)) plan.add("net", host, "Redis session store");
}

/** The artifact store. *Provisional* (artifacts issue). */
function artifactGrants({ config, baseDir, env, plan }: PlanContext): void {
  const a = config.artifacts;
  if (!a.enabled) return;
  plan.env(
    ["ARTIFACT_STORAGE_PROVIDER", "ARTIFACT_SESSION_PROVIDER", "ARTIFACT_BUCKET", "ARTIFACT_FS_ROOT"],
    "artifact store settings",
  );
  const storage = (env("ARTIFACT_STORAGE_PROVIDER") ?? a.storage_provider).replace(/^vfs-/, "");
  const root = resolvePath(
    baseDir,
    a.filesystem_root ?? a.filesystem?.base_path ?? env("ARTIFACT_FS_ROOT") ??
      `${env("HOME") ?? "."}/.chuk_mcp_artifacts`,
  );
  if (storage === "filesystem") {
    plan.add("read", root, "artifact root (filesystem storage)");
    plan.add("write", root, "artifact root (filesystem storage)");
    plan.add("env", "HOME", "default artifact root");
  }
  const sessionProvider = env("ARTIFACT_SESSION_PROVIDER") ?? a.session_provider;
  if (storage === "sqlite" || sessionProvider === "sqlite") {
    plan.add("env", "ARTIFACT_SQLITE_PATH", "SQLite database path");
    const db = resolvePath(baseDir, a.sqlite_path ?? env("ARTIFACT_SQLITE_PATH") ?? `${root}/artifacts.db`);
    for (const f of [db, `${db}-journal`, `${db}-wal`, `${db}-shm`]) {
      plan.add("read", f, "SQLite artifact database");
      plan.add("write", f, "SQLite artifact database");
    }
  }
  if (storage === "s3" || storage === "ibm_cos" || storage === "ibm-cos") {
    plan.env(
      [
        "S3_ENDPOINT_URL",
        "IBM_COS_ENDPOINT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
      ],
      "S3 endpoint and credentials",
    );
    // The AWS SDK asks the OS release for its user agent (and, with --ignore-env, for uid and home).
    for (const kind of ["osRelease", "uid", "homedir"]) {
      plan.add("sys", kind, "the AWS SDK (user agent, profile lookup)");
    }
    const region = a.s3?.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1";
    const endpoint = a.s3?.endpoint_url ?? env("S3_ENDPOINT_URL") ??
      (storage === "s3"
        ? undefined
        : env("IBM_COS_ENDPOINT") ?? "https://s3.us-south.cloud-object-storage.appdomain.cloud");
    if (endpoint) {
      const url = new URL(endpoint);
      plan.add("net", urlHost(url), "S3 endpoint");
      const bucket = a.bucket ?? env("ARTIFACT_BUCKET");
      // Virtual-host style (bucket.host) unless path style is forced or the host is an IP/localhost.
      const ipOrLocal = /^(\d+\.){3}\d+$|^\[|^localhost$/.test(url.hostname);
      if (bucket && !a.s3?.force_path_style && !ipOrLocal) {
        plan.add(
          "net",
          urlHost(new URL(`${url.protocol}//${bucket}.${url.host}`)),
          "S3 bucket (virtual-host style)",
        );
      }
    } else {
      plan.add("net", `s3.${region}.amazonaws.com:443`, "AWS S3 endpoint");
      const bucket = a.bucket ?? env("ARTIFACT_BUCKET");
      if (bucket) {
        plan.add("net", `${bucket}.s3.${region}.amazonaws.com:443`, "AWS S3 bucket (virtual-host style)");
      }
    }
  }
}

/** Each part of the system, in order. A feature adds its grants in its own function, here. */
const CONTRIBUTORS: ((ctx: PlanContext) => void)[] = [
  coreGrants,
  moduleGrants,
  transportGrants,
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

function urlHost(url: URL): string {
  const defaults: Record<string, number> = {
    "http:": 80,
    "https:": 443,
    "ws:": 80,
    "wss:": 443,
    "redis:": 6379,
    "rediss:": 6379,
  };
  const port = url.port ? Number(url.port) : defaults[url.protocol];
  return netHost(url.hostname, port);
}

/** Hosts in a Redis URL or a comma-separated cluster list (`h1:7000,h2:7001` or URLs). */
function redisHosts(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter(Boolean).map((item) => {
    const url = new URL(item.includes("://") ? item : `redis://${item}`);
    return urlHost(url);
  });
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
