/**
 * What the CLI commands share: the usage error and the server flags.
 *
 * @module
 */

import type { ConfigOverrides } from "../config/load.ts";
import { RuntimeError } from "../errors.ts";
import { parseLogLevel } from "../log/logger.ts";

/**
 * A command-line mistake; exit code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "@chuk/mcp-runtime/cli";
 * throw new UsageError("--port: expected an integer");
 * ```
 */
export class UsageError extends RuntimeError {
  /** Exit code 2: the user fixes the command line. */
  override readonly exitCode: number = 2;
  /** A usage error with `message`; the CLI prints the usage after it. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The flag spec `server` and `proxy` share (for `node:util` `parseArgs`). */
export const SERVER_FLAG_SPEC = {
  config: { type: "string", short: "c" },
  transport: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "log-level": { type: "string" },
  watch: { type: "boolean" },
  view: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

const TRANSPORTS = ["stdio", "sse", "streamable-http"] as const;

/**
 * Parse the flags shared by `server` and `proxy` into config overrides.
 *
 * @example
 * ```ts
 * import { parseServerFlags } from "@chuk/mcp-runtime/cli";
 * parseServerFlags({ port: "8080" }); // { port: 8080 }
 * ```
 */
export function parseServerFlags(values: {
  transport?: string;
  host?: string;
  port?: string;
  "log-level"?: string;
}): ConfigOverrides {
  const o: ConfigOverrides = {};
  if (values.transport !== undefined) {
    if (!(TRANSPORTS as readonly string[]).includes(values.transport)) {
      throw new UsageError(
        `--transport: expected one of ${TRANSPORTS.join(", ")}, got '${values.transport}'`,
      );
    }
    o.transport = values.transport as ConfigOverrides["transport"];
  }
  if (values.host !== undefined) o.host = values.host;
  if (values.port !== undefined) {
    const n = Number(values.port);
    // Digits only: Number() would also take "", "1e3" or "0x50".
    if (!/^\d+$/.test(values.port) || n > 65535) {
      throw new UsageError(`--port: expected an integer 0-65535, got '${values.port}'`);
    }
    o.port = n;
  }
  if (values["log-level"] !== undefined) {
    const level = parseLogLevel(values["log-level"]);
    if (!level) throw new UsageError(`--log-level: expected DEBUG, INFO, WARNING, ERROR or CRITICAL`);
    o.logLevel = level;
  }
  return o;
}

/** Write all of `text` to a stream (sync; for CLI output). */
export function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += stream.writeSync(bytes.subarray(off));
}
