/**
 * The package version (kept equal to `deno.json`'s by a test).
 *
 * @module
 */

/**
 * The runtime's version, reported as `serverInfo.version` and by `--version`.
 *
 * @example
 * ```ts
 * import { VERSION } from "@chuk/mcp-runtime";
 * console.log(VERSION);
 * ```
 */
export const VERSION = "0.1.0";
