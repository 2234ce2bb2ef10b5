/**
 * An MCP protocol error whose wire message is the text alone. The SDK's `McpError` prefixes
 * "MCP error <code>: " to its message and SDK clients prefix it again when they receive it, so
 * errors we send (or pass on from an upstream) would read "MCP error -32602: MCP error -32602: …".
 *
 * @module
 */

import { McpError } from "./types.ts";

/**
 * `McpError` with the message as given.
 *
 * @example
 * ```ts
 * import { WireMcpError } from "./errors.ts";
 * const e = new WireMcpError(-32602, "Unknown tool: x");
 * console.log(e.message); // "Unknown tool: x"
 * ```
 */
export class WireMcpError extends McpError {
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.message = message;
  }
}
