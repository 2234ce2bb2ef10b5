/**
 * JSON-RPC batches, one rule on every 2025-era transport (stdio, SSE, streamable HTTP): protocol
 * versions up to 2025-03-26 allow them, 2025-06-18 removed them. The version is the one the
 * connection negotiated, or (stateless HTTP) the request's `MCP-Protocol-Version`, which a client
 * that sends none is assumed to speak as 2025-03-26 (as the specification says).
 *
 * @module
 */

/** The last protocol version that allows JSON-RPC batches. */
export const LAST_BATCH_VERSION = "2025-03-26";

/**
 * Why a batch is refused under `version` (`undefined`: nothing negotiated yet), or `undefined`
 * when it is served. The reason is the message of the `-32600` error the client gets.
 *
 * @example
 * ```ts
 * import { batchRefusal } from "./batches.ts";
 * batchRefusal("2025-03-26"); // undefined: served
 * batchRefusal("2025-06-18"); // "Invalid Request: JSON-RPC batches are not allowed in protocol version 2025-06-18 ..."
 * ```
 */
export function batchRefusal(version: string | undefined): string | undefined {
  if (version === undefined) {
    return "Invalid Request: a JSON-RPC batch before initialize; send initialize alone first";
  }
  if (version <= LAST_BATCH_VERSION) return undefined;
  return `Invalid Request: JSON-RPC batches are not allowed in protocol version ${version} ` +
    `(only up to ${LAST_BATCH_VERSION}); send one message at a time`;
}
