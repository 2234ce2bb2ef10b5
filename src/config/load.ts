/**
 * Loading configuration: find the file, parse YAML (keeping line numbers), expand `${VAR}`,
 * validate against the schema, then apply environment variables and command-line flags on top
 * (flags > environment > file > defaults).
 *
 * @module
 */

import { isAbsolute, resolve as resolvePath } from "node:path";
import { ConfigError, errorText } from "../errors.ts";
import { type LogLevelName, parseLogLevel } from "../log/logger.ts";
import { type EnvSource, processEnv } from "./env.ts";
import type { RuntimeConfig, RuntimeConfigInput, TransportType } from "./schema.ts";
import { validateConfig } from "./validate.ts";
import { type ConfigWarning, configWarning } from "./warnings.ts";

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
  /** What loads but deserves attention (a key given twice, a setting the transport ignores). */
  warnings: ConfigWarning[];
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
  let lineAt: (path: PropertyKey[]) => number | undefined = () => undefined;
  if (file) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      throw new ConfigError(`cannot read config file: ${errorText(e)}`, { file });
    }
    // The YAML parser loads only when a file is read (it is a large module).
    const { parseConfigDocument } = await import("./parse.ts");
    const { config, warnings, lineOf } = parseConfigDocument(text, file, env);
    loaded = { config, file, baseDir: dirOf(file), embedded: false, warnings };
    lineAt = lineOf;
  } else {
    loaded = {
      config: validateConfig(options.fallback ?? {}, EMBEDDED_LABEL),
      baseDir: cwd,
      embedded: true,
      warnings: [],
    };
  }
  applyEnvironment(loaded.config, env);
  applyOverrides(loaded.config, options.overrides ?? {});
  loaded.warnings.push(...settingWarnings(loaded.config, loaded.file ?? EMBEDDED_LABEL, lineAt));
  return loaded;
}

/** Settings that load but do nothing for the transport in force (after flags). */
function settingWarnings(
  config: RuntimeConfig,
  label: string,
  lineAt: (path: PropertyKey[]) => number | undefined,
): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  if (config.server.type === "stdio" && config.server.auth === "bearer") {
    // The reference README's own "Configuration Reference" block says exactly this.
    out.push(configWarning(
      "'bearer' applies to the HTTP transports (sse, streamable-http) only; stdio is a local pipe " +
        "between the client and the process it started, and is not authenticated",
      { file: label, path: "server.auth", line: lineAt(["server", "auth"]) },
    ));
  }
  return out;
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
 * import { resolveToolTimeout, envFromObject } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
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
 * import { resolveSandboxId, envFromObject } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
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
 * import { resolveLogLevel } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * resolveLogLevel(validateConfig({ host: { log_level: "debug" } }, "inline")); // "DEBUG"
 * ```
 */
export function resolveLogLevel(config: RuntimeConfig): LogLevelName {
  return config.logging.level ?? config.host.log_level ?? "INFO";
}
