/**
 * JSON-RPC request ids are unique among a connection's requests in flight. A client that sends
 * a second request with the id of one not yet answered gets `-32600 Invalid Request` at once; the
 * first is not disturbed (its cancellation, its response and, over HTTP, its stream stay its own).
 *
 * {@linkcode InFlightIds} keeps the ids; {@linkcode RequestIdGuard} wraps a connection's transport
 * so every request passes it. Streamable HTTP claims the ids of a POST before the SDK transport
 * sees it (the SDK maps ids to response streams on arrival), so its guard only releases them.
 *
 * @module
 */

import type { Transport, TransportSendOptions } from "../sdk/server.ts";
import type { JSONRPCMessage, MessageExtraInfo } from "../sdk/types.ts";

/** A JSON-RPC request id (`1` and `"1"` are different ids). */
export type RequestId = string | number;

/**
 * The ids of the requests a connection has in flight.
 *
 * @example
 * ```ts
 * import { InFlightIds } from "@chuk/mcp-runtime";
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

  /** Whether a request with `id` is in flight. */
  has(id: RequestId): boolean {
    return this.#ids.has(id);
  }

  /** Requests in flight. */
  get size(): number {
    return this.#ids.size;
  }
}

/**
 * The JSON-RPC error a duplicate request id gets.
 *
 * @example
 * ```ts
 * import { duplicateIdError } from "@chuk/mcp-runtime";
 * console.log(duplicateIdError(5).error.code); // -32600
 * ```
 */
export function duplicateIdError(id: RequestId): {
  jsonrpc: "2.0";
  id: RequestId;
  error: { code: number; message: string };
} {
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
 * A transport that refuses requests whose id is in flight, around the transport a connection's
 * SDK server runs on. Answers leaving through it release their ids; so does
 * `notifications/cancelled` (the SDK sends no answer for a cancelled request).
 *
 * @example
 * ```ts
 * import { InFlightIds, RequestIdGuard, StdioTransport } from "@chuk/mcp-runtime";
 * const guarded = new RequestIdGuard(new StdioTransport(), new InFlightIds());
 * console.log(typeof guarded.send); // "function"
 * ```
 */
export class RequestIdGuard implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  readonly #inner: Transport;
  readonly #ids: InFlightIds;
  readonly #claimsAhead: boolean;

  /**
   * Guard `inner` with `ids`.
   *
   * @param claimsAhead the transport's owner claims request ids before handing messages in
   *   (streamable HTTP); the guard then only releases them.
   */
  constructor(inner: Transport, ids: InFlightIds, claimsAhead = false) {
    this.#inner = inner;
    this.#ids = ids;
    this.#claimsAhead = claimsAhead;
    inner.onmessage = (message, extra) => this.#receive(message, extra);
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const id = responseId(message);
    if (id !== undefined) this.#ids.release(id);
    return this.#inner.send(message, options);
  }

  #receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isRequest(message) && !this.#claimsAhead && !this.#ids.claim(message.id)) {
      this.#inner.send(duplicateIdError(message.id) as JSONRPCMessage).catch((e) =>
        this.onerror?.(e instanceof Error ? e : new Error(String(e)))
      );
      return;
    }
    if ("method" in message && message.method === "notifications/cancelled") {
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === "string" || typeof id === "number") this.#ids.release(id);
    }
    this.onmessage?.(message, extra);
  }
}
