/**
 * Fields that belong to every log line written while one request is served (request id, session,
 * user, tool, upstream, trace id). They follow the request through `await`s the way
 * `getRequestContext()` does, so code deep inside a call logs them without passing them along.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Structured fields of a log line, as the JSON format writes them. Undefined values are left out.
 *
 * @example
 * ```ts
 * import type { LogFields } from "@chuk/mcp-runtime/config";
 * const fields: LogFields = { request_id: 7, tool: "greet", duration_ms: 1.5 };
 * ```
 */
export interface LogFields {
  /** JSON-RPC id of the request being served. */
  request_id?: string | number;
  /** The runtime session the request belongs to. */
  session?: string;
  /** The authenticated user. */
  user?: string;
  /** The tool being called. */
  tool?: string;
  /** The upstream server involved. */
  upstream?: string;
  /** How long the work took, in milliseconds. */
  duration_ms?: number;
  /** OpenTelemetry trace id of the request, when tracing is on. */
  trace_id?: string;
  /** Anything else worth a field of its own. */
  [key: string]: unknown;
}

const store = new AsyncLocalStorage<LogFields>();

/**
 * Run `fn` with `fields` added to every log line it (and everything it awaits) writes.
 *
 * @example
 * ```ts
 * import { getLogger, withLogFields } from "@chuk/mcp-runtime/config";
 * const log = getLogger("demo");
 * withLogFields({ request_id: 1, tool: "greet" }, () => log.info("called"));
 * ```
 */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  return store.run(fields, fn);
}

/**
 * The fields of the request being served here, if any.
 *
 * @example
 * ```ts
 * import { currentLogFields, withLogFields } from "@chuk/mcp-runtime/config";
 * withLogFields({ tool: "greet" }, () => console.log(currentLogFields()?.tool)); // "greet"
 * ```
 */
export function currentLogFields(): LogFields | undefined {
  return store.getStore();
}
