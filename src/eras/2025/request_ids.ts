/**
 * JSON-RPC request ids are unique among a connection's requests in flight. A client that sends
 * a second request with the id of one not yet answered gets `-32600 Invalid Request` at once; the
 * first is not disturbed (its cancellation, its response and, over HTTP, its stream stay its own).
 *
 * {@linkcode InFlightIds} keeps the ids; {@linkcode guardRequestIds} taps a connection's transport
 * so every request passes them. Streamable HTTP claims the ids of a POST before the SDK transport
 * sees it (the SDK maps ids to response streams on arrival), so its guard only releases them.
 *
 * @module
 */

import type { Transport } from "../../sdk/server.ts";
import { tapReceive, tapSend } from "../../sdk/taps.ts";
import type { JSONRPCMessage } from "../../sdk/types.ts";

/** A JSON-RPC request id (`1` and `"1"` are different ids). */
export type RequestId = string | number;

/**
 * The ids of the requests a connection has in flight.
 *
 * @example
 * ```ts
 * import { InFlightIds } from "./request_ids.ts";
 * const ids = new InFlightIds();
 * console.log(ids.claim(1), ids.claim(1), ids.claim("1")); // true false true
 * ids.release(1);
 * console.log(ids.claim(1)); // true
 * ```
 */
export class InFlightIds {
  readonly #ids = new Set<RequestId>();

  /** Take `id` for a new request; false when a request with that id is still in flight. */
  claim(id: RequestId): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    return true;
  }

  /** The request `id` was answered (or cancelled): its id is free again. */
  release(id: RequestId): void {
    this.#ids.delete(id);
  }

  /** Requests in flight. */
  get size(): number {
    return this.#ids.size;
  }
}

/** The JSON-RPC error response a request gets when its id is in flight already. */
export interface DuplicateIdError {
  /** JSON-RPC version. */
  jsonrpc: "2.0";
  /** The id the request reused. */
  id: RequestId;
  /** `-32600 Invalid Request`. */
  error: { code: number; message: string };
}

/**
 * The error a duplicate request id gets.
 *
 * @example
 * ```ts
 * import { duplicateIdError } from "./request_ids.ts";
 * console.log(duplicateIdError(5).error.code); // -32600
 * ```
 */
export function duplicateIdError(id: RequestId): DuplicateIdError {
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: -32600,
      message: `Invalid Request: request id ${JSON.stringify(id)} is already in use by a request in flight`,
    },
  };
}

function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } {
  return "method" in m && "id" in m && (typeof m.id === "string" || typeof m.id === "number");
}

function responseId(m: JSONRPCMessage): RequestId | undefined {
  return !("method" in m) && "id" in m && ("result" in m || "error" in m) ? m.id as RequestId : undefined;
}

/**
 * Refuse requests whose id is in flight on `transport` (already connected to its connection's wire):
 * answers leaving through it release their ids, and so does `notifications/cancelled` (the SDK
 * sends no answer for a cancelled request).
 *
 * @param claimsAhead the transport's owner claims request ids before handing messages in
 *   (streamable HTTP); the guard then only releases them.
 *
 * @example
 * ```ts
 * import { guardRequestIds, InFlightIds } from "./request_ids.ts";
 * declare const transport: import("../../sdk/server.ts").Transport;
 * guardRequestIds(transport, new InFlightIds());
 * ```
 */
export function guardRequestIds(transport: Transport, ids: InFlightIds, claimsAhead = false): void {
  // A refusal carries the id of the request still running: it must not free that id.
  const refusals = new WeakSet<object>();
  tapSend(transport, (message) => {
    if (refusals.has(message)) return;
    const id = responseId(message);
    if (id !== undefined) ids.release(id);
  });
  tapReceive(transport, (message, deliver) => {
    if (isRequest(message) && !claimsAhead && !ids.claim(message.id)) {
      const refusal = duplicateIdError(message.id);
      refusals.add(refusal);
      transport.send(refusal as JSONRPCMessage).catch((e) =>
        transport.onerror?.(e instanceof Error ? e : new Error(String(e)))
      );
      return;
    }
    if ("method" in message && message.method === "notifications/cancelled") {
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === "string" || typeof id === "number") ids.release(id);
    }
    deliver();
  });
}
