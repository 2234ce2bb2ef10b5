/**
 * The Python runtime's logger names, mapped to ours, so `logging.loggers` copied from a reference
 * config (`"chuk_mcp_runtime.proxy": "DEBUG"`) does what it did there. A reference name not in the
 * table maps by its longest known prefix (`chuk_mcp_runtime.proxy.x` → the proxy's loggers); the
 * bare `chuk_mcp_runtime` covers every logger.
 *
 * @module
 */

/** The root of the reference's logger names. */
const ROOT = "chuk_mcp_runtime";

/** Reference logger (below the root) → our logger name prefixes. `""` is every logger. */
const REFERENCE_LOGGERS: Record<string, readonly string[]> = {
  "": [""],
  server: ["server", "runtime", "session", "transport", "events"],
  entry: ["server", "runtime", "config"],
  config: ["config"],
  logging: ["config"],
  server_registry: ["runtime"],
  request_context: ["session"],
  proxy: ["proxy", "upstream"],
  tools: ["tools", "artifacts", "sessions"],
  "tools.artifacts": ["artifacts"],
  "tools.session": ["sessions"],
  artifacts: ["artifacts"],
  session: ["sessions"],
  common: ["proxy"],
};

/**
 * Our logger name prefixes for a configured logger name: a reference name is translated, any
 * other name is kept as it is.
 *
 * @example
 * ```ts
 * import { ourLoggerNames } from "./reference_names.ts";
 * ourLoggerNames("chuk_mcp_runtime.proxy"); // ["proxy", "upstream"]
 * ourLoggerNames("transport.http"); // ["transport.http"]
 * ```
 */
export function ourLoggerNames(name: string): readonly string[] {
  if (name !== ROOT && !name.startsWith(`${ROOT}.`)) return [name];
  let rest = name.slice(ROOT.length + 1);
  while (true) {
    const mapped = REFERENCE_LOGGERS[rest];
    if (mapped) return mapped;
    const dot = rest.lastIndexOf(".");
    rest = dot < 0 ? "" : rest.slice(0, dot);
  }
}

/**
 * Per-logger levels with reference names translated. A name written in our terms beats the same
 * logger reached through a reference name.
 *
 * @example
 * ```ts
 * import { translateLoggerLevels } from "./reference_names.ts";
 * translateLoggerLevels({ "chuk_mcp_runtime.proxy": "DEBUG", upstream: "INFO" });
 * // { proxy: "DEBUG", upstream: "INFO" }
 * ```
 */
export function translateLoggerLevels<L extends string>(loggers: Record<string, L>): Record<string, L> {
  const out: Record<string, L> = {};
  const reference = Object.entries(loggers).filter(([n]) => ourLoggerNames(n)[0] !== n);
  // Broader reference names first, so a more specific one (`...tools.artifacts`) wins over `...tools`.
  reference.sort((a, b) => a[0].length - b[0].length);
  for (const [name, level] of reference) for (const ours of ourLoggerNames(name)) out[ours] = level;
  for (const [name, level] of Object.entries(loggers)) {
    if (ourLoggerNames(name)[0] === name) out[name] = level;
  }
  return out;
}
