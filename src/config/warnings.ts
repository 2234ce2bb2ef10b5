/**
 * Configuration warnings: things a file says that load, but not quite as written (a key given
 * twice, a setting that does not apply to the transport). Located like a
 * {@linkcode ConfigError}, so the message reads the same way.
 *
 * @module
 */

import type { ConfigErrorLocation } from "../errors.ts";

/** Something in a configuration that loads, but deserves the user's attention. */
export interface ConfigWarning extends ConfigErrorLocation {
  /** What is off, without the location prefix. */
  detail: string;
  /** `file:line: path: detail`, like a {@linkcode ConfigError}'s message. */
  message: string;
}

/**
 * A warning at `location`.
 *
 * @example
 * ```ts
 * import { configWarning } from "./warnings.ts";
 * const w = configWarning("applies to HTTP only", { file: "config.yaml", path: "server.auth", line: 3 });
 * console.log(w.message); // config.yaml:3: server.auth: applies to HTTP only
 * ```
 */
export function configWarning(detail: string, location: ConfigErrorLocation): ConfigWarning {
  const where = location.line ? `${location.file}:${location.line}` : location.file;
  return { ...location, detail, message: `${where}: ${location.path ? `${location.path}: ` : ""}${detail}` };
}
