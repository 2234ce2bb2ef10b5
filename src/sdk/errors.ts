/**
 * Errors across the SDK seam: the runtime throws its own {@linkcode ProtocolError}; the SDK knows
 * its `McpError`. The two meet only here.
 *
 * The SDK's `McpError` prefixes "MCP error <code>: " to its message and SDK clients prefix it again
 * when they receive it, so errors we send would read "MCP error -32602: MCP error -32602: …";
 * {@linkcode toSdkError} sends the message as given.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { McpError } from "./types.ts";

/** `McpError` with the message as given. */
class WireMcpError extends McpError {
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.message = message;
  }
}

/**
 * What to throw from an SDK handler for `e`: a {@linkcode ProtocolError} becomes the SDK's error
 * with the same code, message and data; anything else is left to the SDK (an internal error).
 *
 * @example
 * ```ts
 * import { toSdkError } from "./errors.ts";
 * import { ErrorCode, ProtocolError } from "../errors.ts";
 * const e = toSdkError(new ProtocolError(ErrorCode.InvalidParams, "Unknown tool: x"));
 * console.log((e as Error).message); // "Unknown tool: x"
 * ```
 */
export function toSdkError(e: unknown): unknown {
  return e instanceof ProtocolError ? new WireMcpError(e.code, e.message, e.data) : e;
}

/**
 * What the runtime sees of an error the SDK raised: its `McpError` becomes a
 * {@linkcode ProtocolError} with the same code, message (as the SDK wrote it) and data.
 *
 * @example
 * ```ts
 * import { fromSdkError } from "./errors.ts";
 * import { McpError } from "./types.ts";
 * const e = fromSdkError(new McpError(-32001, "Request timed out"));
 * ```
 */
export function fromSdkError(e: unknown): unknown {
  if (e instanceof ProtocolError || !(e instanceof McpError)) return e;
  const error = new ProtocolError(e.code, e.message, e.data);
  error.stack = e.stack;
  return error;
}

/**
 * Await an SDK call, seeing the errors it raises as the runtime's ({@linkcode fromSdkError}).
 *
 * @example
 * ```ts
 * import { sdkResult } from "./errors.ts";
 * const answer = await sdkResult(Promise.resolve(42));
 * ```
 */
export async function sdkResult<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (e) {
    throw fromSdkError(e);
  }
}
