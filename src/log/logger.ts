/**
 * Small leveled logger that writes to stderr only: on the stdio transport stdout carries the
 * protocol and nothing else. Formats accept the reference's Python-style placeholders
 * (`%(asctime)s`, `%(name)s`, `%(levelname)s`, `%(message)s`) so existing configs keep working;
 * the format `json` writes one JSON object per line instead, with the fields of the request being
 * served (see `context.ts`).
 *
 * @module
 */

import { currentLogFields, type LogFields } from "./context.ts";
import { translateLoggerLevels } from "./reference_names.ts";

export type { LogFields };

/** A log level (the reference's names); {@linkcode LOG_LEVELS} orders them. */
export type LogLevelName = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** Log levels, lowest first. */
export const LOG_LEVELS: readonly LogLevelName[] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/** MCP's log levels (`logging/setLevel`, `notifications/message`), lowest first (RFC 5424 order). */
export const MCP_LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

/** One of {@linkcode MCP_LOG_LEVELS}. */
export type McpLogLevel = typeof MCP_LOG_LEVELS[number];

/**
 * The {@linkcode Logger} method that writes an MCP log level (an upstream's log entry kept in our
 * own log). Unknown levels write as warnings.
 *
 * @example
 * ```ts
 * import { getLogger, logMethodFor } from "./logger.ts";
 * getLogger("proxy")[logMethodFor("notice")]("kept here"); // info
 * ```
 */
export function logMethodFor(level: string): "debug" | "info" | "warn" | "error" {
  switch (level) {
    case "debug":
      return "debug";
    case "info":
    case "notice":
      return "info";
    case "error":
    case "critical":
    case "alert":
    case "emergency":
      return "error";
    default:
      return "warn";
  }
}

/** How logging is set up; see {@linkcode configureLogging}. */
export interface LoggingOptions {
  /** Lowest level written. Default `INFO`. */
  level?: LogLevelName;
  /** Python-style format string, or `json` (one JSON object per line); `text` means the default. */
  format?: string;
  /**
   * Per-logger levels, by logger name or name prefix (`proxy` covers `proxy.time`, `""` every
   * logger). The reference's names (`chuk_mcp_runtime.proxy`) are translated to ours.
   */
  loggers?: Record<string, LogLevelName>;
  /** Where lines go; default stderr. Tests pass a collector. */
  sink?: (line: string) => void;
}

/** A named logger. */
export interface Logger {
  /** The logger's name, e.g. `proxy.time`. */
  readonly name: string;
  /** Log at DEBUG; `fields` go into the JSON format's line. */
  debug(message: string, fields?: LogFields): void;
  /** Log at INFO; `fields` go into the JSON format's line. */
  info(message: string, fields?: LogFields): void;
  /** Log at WARNING; `fields` go into the JSON format's line. */
  warn(message: string, fields?: LogFields): void;
  /** Log at ERROR; `fields` go into the JSON format's line. */
  error(message: string, fields?: LogFields): void;
  /** Whether a message at `level` would be written (skip building expensive messages). */
  enabled(level: LogLevelName): boolean;
}

/** The default line format. */
export const DEFAULT_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s";

/** The `logging.format` that writes one JSON object per line. */
export const JSON_LOG_FORMAT = "json";

const rank = (level: LogLevelName): number => LOG_LEVELS.indexOf(level);
const encoder = new TextEncoder();

interface LoggingState {
  level: LogLevelName;
  format: string;
  loggers: [string, LogLevelName][];
  sink: (line: string) => void;
}

const state: LoggingState = {
  level: "INFO",
  format: DEFAULT_LOG_FORMAT,
  loggers: [],
  sink: (line) => {
    try {
      Deno.stderr.writeSync(encoder.encode(line + "\n"));
    } catch {
      // stderr closed (parent went away): nothing sensible left to do with a log line.
    }
  },
};

/**
 * Parse a level name as users write it (`debug`, `WARN`, `warning`). Returns undefined when unknown.
 *
 * @example
 * ```ts
 * import { parseLogLevel } from "@chuk/mcp-runtime/config";
 * parseLogLevel("warn"); // "WARNING"
 * ```
 */
export function parseLogLevel(value: string | undefined | null): LogLevelName | undefined {
  if (!value) return undefined;
  const upper = value.trim().toUpperCase();
  if (upper === "WARN") return "WARNING";
  if (upper === "FATAL") return "CRITICAL";
  return (LOG_LEVELS as readonly string[]).includes(upper) ? upper as LogLevelName : undefined;
}

/**
 * Set the process-wide logging level, format and per-logger overrides.
 *
 * @example
 * ```ts
 * import { configureLogging } from "@chuk/mcp-runtime/config";
 * configureLogging({ level: "DEBUG", loggers: { proxy: "WARNING" } });
 * ```
 */
export function configureLogging(options: LoggingOptions): void {
  if (options.level) state.level = options.level;
  if (options.format) state.format = options.format === "text" ? DEFAULT_LOG_FORMAT : options.format;
  if (options.loggers) {
    // Longest prefix first so `proxy.time` beats `proxy`.
    state.loggers = Object.entries(translateLoggerLevels(options.loggers))
      .sort((a, b) => b[0].length - a[0].length);
  }
  if (options.sink) state.sink = options.sink;
}

function levelFor(name: string): LogLevelName {
  for (const [prefix, level] of state.loggers) {
    if (name === prefix || prefix === "" || name.startsWith(prefix + ".")) return level;
  }
  return state.level;
}

/**
 * Whether log lines are JSON objects (`logging.format: json`), so request fields are worth
 * collecting.
 *
 * @example
 * ```ts
 * import { configureLogging, jsonLogging } from "@chuk/mcp-runtime/config";
 * configureLogging({ format: "json" });
 * console.log(jsonLogging()); // true
 * ```
 */
export function jsonLogging(): boolean {
  return state.format === JSON_LOG_FORMAT;
}

/** The line fields every JSON line starts with; other fields cannot replace them. */
const CORE_KEYS = new Set(["ts", "level", "logger", "msg"]);

function jsonLine(
  name: string,
  level: LogLevelName,
  message: string,
  bound: LogFields | undefined,
  fields: LogFields | undefined,
): string {
  const line: Record<string, unknown> = { ts: new Date().toISOString(), level, logger: name, msg: message };
  for (const source of [currentLogFields(), bound, fields]) {
    if (!source) continue;
    for (const key in source) {
      const value = source[key];
      if (value !== undefined && value !== null && value !== "" && !CORE_KEYS.has(key)) line[key] = value;
    }
  }
  return JSON.stringify(line);
}

function format(name: string, level: LogLevelName, message: string): string {
  return state.format.replace(/%\((\w+)\)[-0-9.]*[sdf]/g, (whole, key: string) => {
    switch (key) {
      case "asctime":
        return new Date().toISOString();
      case "name":
        return name;
      case "levelname":
        return level;
      case "message":
        return message;
      case "process":
        return String(Deno.pid);
      default:
        return whole;
    }
  });
}

/**
 * Get a named logger. Loggers are cheap; create them at module level. `fields` are added to
 * every JSON line it writes (e.g. the upstream a proxy logger speaks for).
 *
 * @example
 * ```ts
 * import { getLogger } from "@chuk/mcp-runtime/config";
 * const log = getLogger("my_tools");
 * log.info("loaded");
 * getLogger("proxy.time", { upstream: "time" }).warn("lost connection");
 * ```
 */
export function getLogger(name: string, fields?: LogFields): Logger {
  const write = (level: LogLevelName, message: string, extra: LogFields | undefined) => {
    if (rank(level) < rank(levelFor(name))) return;
    state.sink(
      state.format === JSON_LOG_FORMAT
        ? jsonLine(name, level, message, fields, extra)
        : format(name, level, message),
    );
  };
  return {
    name,
    debug: (m, f) => write("DEBUG", m, f),
    info: (m, f) => write("INFO", m, f),
    warn: (m, f) => write("WARNING", m, f),
    error: (m, f) => write("ERROR", m, f),
    enabled: (level) => rank(level) >= rank(levelFor(name)),
  };
}
