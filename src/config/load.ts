/**
 * Loading configuration: find the file, parse YAML (keeping line numbers), expand `${VAR}`,
 * validate against the schema, then apply environment variables and command-line flags on top
 * (flags > environment > file > defaults).
 *
 * @module
 */

import { isAbsolute, resolve as resolvePath } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { type LogLevelName, parseLogLevel } from "../log/logger.ts";
import { type EnvSource, processEnv } from "./env.ts";
import { configSchema, type RuntimeConfig, type RuntimeConfigInput, type TransportType } from "./schema.ts";

/** Command-line values that override the file and the environment. */
export interface ConfigOverrides {
  /** `--transport`. */
  transport?: TransportType;
  /** `--host`, applied to the active HTTP transport. */
  host?: string;
  /** `--port`, applied to the active HTTP transport. */
  port?: number;
  /** `--log-level`. */
  logLevel?: LogLevelName;
}

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** `--config FILE`. When given and missing, loading fails (no silent fallback). */
  path?: string;
  /** Environment to read; default the process environment. */
  env?: EnvSource;
  /** Directory for relative paths and the `./config.yaml` search; default `Deno.cwd()`. */
  cwd?: string;
  /** Command-line overrides. */
  overrides?: ConfigOverrides;
  /** Configuration used when no file is given or found; default: none (all schema defaults). */
  fallback?: RuntimeConfigInput;
  /** Skip the `./config.yaml` search (the embedded default is then used when no path is given). */
  noSearch?: boolean;
}

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  /** The validated configuration, defaults filled, env and flags applied. */
  config: RuntimeConfig;
  /** Absolute path of the file, when one was read. */
  file?: string;
  /** Directory relative paths in the config resolve against (the file's, else the cwd). */
  baseDir: string;
  /** `true` when no file was read and the fallback (embedded default) was used. */
  embedded: boolean;
}

const EMBEDDED_LABEL = "<embedded default>";

/**
 * Load, validate and resolve the configuration.
 *
 * @example
 * ```ts
 * import { loadConfig } from "@chuk/mcp-runtime";
 * const { config, file } = await loadConfig({ path: "examples/config.http.yaml" });
 * console.log(file, config.server.type);
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? processEnv;
  const cwd = options.cwd ?? Deno.cwd();
  const file = await findConfigFile(options, env, cwd);
  let loaded: LoadedConfig;
  if (file) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      throw new ConfigError(`cannot read config file: ${e instanceof Error ? e.message : e}`, { file });
    }
    // The YAML parser loads only when a file is read (it is a large module).
    const { parseConfigText } = await import("./parse.ts");
    const config = parseConfigText(text, file, env);
    loaded = { config, file, baseDir: dirOf(file), embedded: false };
  } else {
    loaded = {
      config: validateConfig(options.fallback ?? {}, EMBEDDED_LABEL),
      baseDir: cwd,
      embedded: true,
    };
  }
  applyEnvironment(loaded.config, env);
  applyOverrides(loaded.config, options.overrides ?? {});
  return loaded;
}

async function findConfigFile(
  options: LoadConfigOptions,
  env: EnvSource,
  cwd: string,
): Promise<string | undefined> {
  const explicit = options.path ?? env("CHUK_MCP_CONFIG_PATH");
  if (explicit) {
    const abs = isAbsolute(explicit) ? explicit : resolvePath(cwd, explicit);
    if (!(await isFile(abs))) {
      const via = options.path ? "--config" : "CHUK_MCP_CONFIG_PATH";
      throw new ConfigError(`config file not found (given by ${via})`, { file: explicit });
    }
    return abs;
  }
  if (options.noSearch) return undefined;
  for (const name of ["config.yaml", "config.yml"]) {
    const abs = resolvePath(cwd, name);
    if (await isFile(abs)) return abs;
  }
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function dirOf(file: string): string {
  return resolvePath(file, "..");
}

/**
 * Validate a configuration object (from YAML or from code) and fill defaults.
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ server: { type: "streamable-http" } }, "inline");
 * console.log(config["streamable-http"].port); // 3000
 * ```
 */
export function validateConfig(
  raw: unknown,
  label: string,
  lineAt: (path: PropertyKey[], keyName?: string) => number | undefined = () => undefined,
): RuntimeConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const { path, detail, keyName } = describeIssue(issue, raw);
  const more = result.error.issues.length > 1
    ? ` (and ${result.error.issues.length - 1} more problem(s))`
    : "";
  throw new ConfigError(detail + more, {
    file: label,
    path: path.map(String).join(".") || undefined,
    line: lineAt(keyName !== undefined ? path.slice(0, -1) : path, keyName),
  });
}

/** The value at `path` inside `root` (undefined when the path does not exist). */
export function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  raw: unknown,
): { path: PropertyKey[]; detail: string; keyName?: string } {
  const path = [...issue.path];
  const got = valueAt(raw, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0];
      const allowed = allowedKeys(path);
      return {
        path: [...path, key],
        keyName: key,
        detail: `unknown key '${key}'${allowed ? `; expected one of: ${allowed.join(", ")}` : ""}`,
      };
    }
    case "invalid_value":
      return {
        path,
        detail: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${show(got)}`,
      };
    case "invalid_type":
      return { path, detail: `expected ${article(issue.expected)}, got ${show(got)}` };
    case "too_small": {
      const bound = `${issue.inclusive === false ? ">" : ">="} ${issue.minimum}`;
      const what = issue.origin === "string"
        ? "a non-empty string"
        : issue.origin === "array"
        ? `a list of ${bound} item(s)`
        : `a value ${bound}`;
      return { path, detail: `expected ${what}, got ${show(got)}` };
    }
    case "too_big": {
      const bound = `${issue.inclusive === false ? "<" : "<="} ${issue.maximum}`;
      return { path, detail: `expected a value ${bound}, got ${show(got)}` };
    }
    case "invalid_format": {
      const what = issue.format === "url"
        ? "a URL"
        : issue.format === "starts_with"
        ? `a string starting with ${JSON.stringify((issue as { prefix?: string }).prefix ?? "")}`
        : issue.format;
      return { path, detail: `expected ${what}, got ${show(got)}` };
    }
    default:
      return { path, detail: `${issue.message}, got ${show(got)}` };
  }
}

function article(type: string): string {
  if (type === "object" || type === "record") return "a mapping";
  if (type === "array") return "a list";
  if (type === "int") return "an integer";
  return `a ${type}`;
}

/** The keys a strict object at `path` accepts, for "expected one of" hints. */
function allowedKeys(path: PropertyKey[]): string[] | undefined {
  // deno-lint-ignore no-explicit-any
  let schema: any = configSchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (schema?.def?.type === "object") schema = schema.shape[key as string];
    else if (schema?.def?.type === "record") schema = schema.def.valueType;
    else return undefined;
  }
  schema = unwrap(schema);
  return schema?.def?.type === "object" ? Object.keys(schema.shape) : undefined;
}

// deno-lint-ignore no-explicit-any
function unwrap(schema: any): any {
  while (schema && ["default", "prefault", "optional", "nullable", "pipe"].includes(schema.def?.type)) {
    schema = schema.def.type === "pipe" ? schema.def.in : schema.def.innerType;
  }
  return schema;
}

/** Apply the environment variables the core understands (env beats the file). */
function applyEnvironment(config: RuntimeConfig, env: EnvSource): void {
  const level = env("CHUK_MCP_LOG_LEVEL");
  if (level) {
    const parsed = parseLogLevel(level);
    if (!parsed) {
      throw new ConfigError(
        `expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got ${JSON.stringify(level)}`,
        {
          file: "<environment>",
          path: "CHUK_MCP_LOG_LEVEL",
        },
      );
    }
    config.logging.level = parsed;
  }
  const format = env("CHUK_MCP_LOG_FORMAT");
  if (format) config.logging.format = format;
}

function applyOverrides(config: RuntimeConfig, o: ConfigOverrides): void {
  if (o.transport) config.server.type = o.transport;
  const section = config.server.type === "sse" ? config.sse : config["streamable-http"];
  if (o.host !== undefined) section.host = o.host;
  if (o.port !== undefined) section.port = o.port;
  if (o.logLevel) config.logging.level = o.logLevel;
}

/**
 * Effective default tool timeout in seconds (`0` = none): `tools.timeout` > `MCP_TOOL_TIMEOUT` >
 * `TOOL_TIMEOUT` > 60. Unparsable environment values are skipped.
 *
 * @example
 * ```ts
 * import { resolveToolTimeout, validateConfig, envFromObject } from "@chuk/mcp-runtime";
 * const config = validateConfig({}, "inline");
 * resolveToolTimeout(config, envFromObject({ MCP_TOOL_TIMEOUT: "5" })); // 5
 * ```
 */
export function resolveToolTimeout(config: RuntimeConfig, env: EnvSource = processEnv): number {
  if (config.tools.timeout !== undefined && config.tools.timeout !== null) return config.tools.timeout;
  for (const name of ["MCP_TOOL_TIMEOUT", "TOOL_TIMEOUT"]) {
    const v = env(name);
    if (v === undefined || v.trim() === "") continue;
    const n = Number(v);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return 60;
}

/**
 * The sandbox id: `sessions.sandbox_id` > `MCP_SANDBOX_ID` > `CHUK_SANDBOX_ID` > `SANDBOX_ID` >
 * `POD_NAME` > `mcp-runtime-<unix seconds>`.
 *
 * @example
 * ```ts
 * import { resolveSandboxId, validateConfig, envFromObject } from "@chuk/mcp-runtime";
 * const config = validateConfig({}, "inline");
 * resolveSandboxId(config, envFromObject({ POD_NAME: "api-7f9" })); // "api-7f9"
 * ```
 */
export function resolveSandboxId(
  config: RuntimeConfig,
  env: EnvSource = processEnv,
  now: number = Date.now(),
): string {
  if (config.sessions.sandbox_id) return config.sessions.sandbox_id;
  for (const name of ["MCP_SANDBOX_ID", "CHUK_SANDBOX_ID", "SANDBOX_ID", "POD_NAME"]) {
    const v = env(name);
    if (v) return v;
  }
  return `mcp-runtime-${Math.floor(now / 1000)}`;
}

/**
 * Effective log level: `--log-level` / `CHUK_MCP_LOG_LEVEL` (already folded into
 * `logging.level`) > `logging.level` > `host.log_level` > INFO.
 *
 * @example
 * ```ts
 * import { resolveLogLevel, validateConfig } from "@chuk/mcp-runtime";
 * resolveLogLevel(validateConfig({ host: { log_level: "debug" } }, "inline")); // "DEBUG"
 * ```
 */
export function resolveLogLevel(config: RuntimeConfig): LogLevelName {
  return config.logging.level ?? config.host.log_level ?? "INFO";
}
