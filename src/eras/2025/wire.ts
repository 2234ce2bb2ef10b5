/**
 * The JSON-RPC side of a 2025-era connection: requests in (each with an `AbortSignal` the client's
 * `notifications/cancelled` or the connection's end aborts), answers out, requests of ours to the
 * client (with a timeout and a cancellation of their own), notifications both ways.
 *
 * The SDK's `Server` did this with a `Protocol` per connection: an ajv instance, a dozen handler
 * maps, and a zod parse of every request before our handler parsed it again. Served here, one
 * idle connection costs a few objects and a call crosses one function; what MCP itself defines
 * (initialize, capabilities, which method does what) stays in `connection.ts` and the core.
 *
 * Behaviour kept from the SDK, because clients rely on it: no answer to a cancelled request; an
 * error's `code` when it is a safe integer, else -32603; a request of ours times out after 60 s
 * with -32001 and is cancelled on the wire; the end of the connection rejects what is pending with
 * -32000 "Connection closed".
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../../errors.ts";
import { getLogger } from "../../log/logger.ts";
import type { RequestId } from "../../protocol.ts";
import type { Transport } from "../../sdk/server.ts";
import type { JSONRPCMessage, MessageExtraInfo } from "../../sdk/types.ts";
import { isObject } from "../../util/object.ts";

const log = getLogger("wire");

/** How long a request of ours waits for the client's answer (the SDK's default too). */
export const ASK_TIMEOUT_MS = 60_000;

/**
 * A request from the client, as a {@linkcode WireHandlers.request} handler gets it.
 *
 * @example
 * ```ts
 * import type { IncomingRequest } from "./wire.ts";
 * const request: IncomingRequest = {
 *   id: 1,
 *   method: "ping",
 *   params: undefined,
 *   signal: new AbortController().signal,
 *   info: undefined,
 * };
 * ```
 */
export interface IncomingRequest {
  /** Its JSON-RPC id. */
  readonly id: RequestId;
  /** Its method. */
  readonly method: string;
  /** Its params, when it has an object of them. */
  readonly params: Record<string, unknown> | undefined;
  /** Aborted when the client cancels it or the connection ends. */
  readonly signal: AbortSignal;
  /** What the transport knows of it (HTTP headers, credentials, a way to close its stream). */
  readonly info: MessageExtraInfo | undefined;
}

/**
 * What a {@linkcode Wire} hands its owner.
 *
 * @example
 * ```ts
 * import type { WireHandlers } from "./wire.ts";
 * const handlers: WireHandlers = {
 *   request: (r) => Promise.resolve(r.method === "ping" ? {} : Promise.reject(new Error("no"))),
 *   notification: () => {},
 *   closed: () => {},
 * };
 * ```
 */
export interface WireHandlers {
  /** Serve a request: its result, or a thrown error (a `ProtocolError` keeps its code and data). */
  request(request: IncomingRequest): Promise<unknown>;
  /** A notification from the client (`notifications/cancelled` is the wire's own). */
  notification(method: string, params: Record<string, unknown> | undefined): void;
  /** The transport closed. */
  closed(): void;
}

/**
 * Options of {@linkcode Wire.ask}.
 *
 * @example
 * ```ts
 * import type { AskWireOptions } from "./wire.ts";
 * const options: AskWireOptions = { relatedRequestId: 7, timeoutMs: 5000 };
 * ```
 */
export interface AskWireOptions {
  /** Aborting it cancels the request (the client is told). */
  signal?: AbortSignal;
  /** The client request this one is about: it travels on that request's stream (HTTP). */
  relatedRequestId?: RequestId;
  /** How long to wait for the answer (default {@linkcode ASK_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/** A request of ours waiting for the client's answer. */
interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: unknown): void;
}

function isId(v: unknown): v is RequestId {
  return typeof v === "string" || typeof v === "number";
}

/** The JSON-RPC error a thrown `error` is answered with. */
function errorOf(error: unknown): { code: number; message: string; data?: unknown } {
  const e = error as { code?: unknown; message?: unknown; data?: unknown } | null | undefined;
  const code = typeof e?.code === "number" && Number.isSafeInteger(e.code) ? e.code : ErrorCode.InternalError;
  const message = typeof e?.message === "string" ? e.message : "Internal error";
  return e?.data !== undefined ? { code, message, data: e.data } : { code, message };
}

/**
 * One client link's JSON-RPC traffic over an SDK-shaped `Transport`.
 *
 * @example
 * ```ts
 * import { Wire } from "./wire.ts";
 * const wire = new Wire({
 *   request: (r) => Promise.resolve(r.method === "ping" ? {} : undefined),
 *   notification: () => {},
 *   closed: () => console.error("gone"),
 * });
 * declare const transport: import("../../sdk/server.ts").Transport;
 * await wire.connect(transport);
 * ```
 */
export class Wire {
  readonly #handlers: WireHandlers;
  #transport: Transport | undefined;
  /** The client's requests being served, by id: their controllers. */
  readonly #serving = new Map<RequestId, AbortController>();
  /** Our requests to the client, by id. */
  readonly #asking = new Map<number, Pending>();
  #nextId = 0;

  /** A wire whose traffic `handlers` serve. */
  constructor(handlers: WireHandlers) {
    this.#handlers = handlers;
  }

  /** Start `transport` and take its messages (handlers it already had run first). */
  async connect(transport: Transport): Promise<void> {
    if (this.#transport) throw new Error("the wire is connected already");
    this.#transport = transport;
    const onclose = transport.onclose;
    transport.onclose = () => {
      onclose?.();
      this.#onClosed();
    };
    const onerror = transport.onerror;
    transport.onerror = (error) => {
      onerror?.(error);
      log.debug(`transport error: ${error}`);
    };
    const onmessage = transport.onmessage;
    transport.onmessage = (message, info) => {
      onmessage?.(message, info);
      this.#receive(message as unknown as Record<string, unknown>, info);
    };
    await transport.start();
  }

  /** The client's requests being served right now. */
  get serving(): number {
    return this.#serving.size;
  }

  /** Send a notification; `relatedRequestId` puts it on that request's stream. */
  async notify(
    notification: { method: string; params?: Record<string, unknown> },
    relatedRequestId?: RequestId,
  ): Promise<void> {
    const transport = this.#transport;
    if (!transport) throw new Error("Not connected");
    const message = { ...notification, jsonrpc: "2.0" } as unknown as JSONRPCMessage;
    await transport.send(message, relatedRequestId !== undefined ? { relatedRequestId } : undefined);
  }

  /**
   * Send a request to the client and resolve with its `result` (unchecked: the caller knows the
   * shape it expects). An error answer rejects with a `ProtocolError`; so do a timeout (-32001),
   * an abort (-32001, its reason) and the end of the connection (-32000).
   */
  ask(
    method: string,
    params: Record<string, unknown> | undefined,
    options: AskWireOptions = {},
  ): Promise<Record<string, unknown>> {
    const transport = this.#transport;
    if (!transport) return Promise.reject(new Error("Not connected"));
    const { signal, relatedRequestId } = options;
    signal?.throwIfAborted();
    const id = this.#nextId++;
    const sendOptions = relatedRequestId !== undefined ? { relatedRequestId } : undefined;
    return new Promise((resolve, reject) => {
      const settle = () => {
        this.#asking.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const cancel = (error: ProtocolError, reason: string) => {
        if (!this.#asking.has(id)) return;
        settle();
        transport.send(
          { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } },
          sendOptions,
        ).catch((e) => log.debug(`cannot cancel request ${id}: ${e}`));
        reject(error);
      };
      const onAbort = () => {
        const reason = String(signal?.reason);
        cancel(new ProtocolError(ErrorCode.RequestTimeout, reason), reason);
      };
      const timeoutMs = options.timeoutMs ?? ASK_TIMEOUT_MS;
      const timer = setTimeout(() => {
        const error = new ProtocolError(ErrorCode.RequestTimeout, "Request timed out", {
          timeout: timeoutMs,
        });
        cancel(error, String(error));
      }, timeoutMs);
      this.#asking.set(id, {
        resolve: (result) => (settle(), resolve(result)),
        reject: (error) => (settle(), reject(error)),
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      const request = { jsonrpc: "2.0", id, method, ...(params !== undefined ? { params } : {}) };
      transport.send(request as JSONRPCMessage, sendOptions).catch((e) => {
        if (this.#asking.has(id)) this.#asking.get(id)!.reject(e);
      });
    });
  }

  /** Close the transport (the wire ends when it reports closed). */
  async close(): Promise<void> {
    await this.#transport?.close();
  }

  #receive(message: Record<string, unknown>, info: MessageExtraInfo | undefined): void {
    const method = message.method;
    if (typeof method === "string") {
      const params = isObject(message.params) ? message.params : undefined;
      if (isId(message.id)) this.#serve(message.id, method, params, info);
      else this.#notified(method, params);
      return;
    }
    if (isId(message.id) && ("result" in message || "error" in message)) {
      this.#answered(message);
      return;
    }
    log.debug(`ignored a message that is neither a request, a notification nor a response`);
  }

  #serve(
    id: RequestId,
    method: string,
    params: Record<string, unknown> | undefined,
    info: MessageExtraInfo | undefined,
  ): void {
    const transport = this.#transport;
    const controller = new AbortController();
    this.#serving.set(id, controller);
    const request: IncomingRequest = { id, method, params, signal: controller.signal, info };
    // A microtask later, as the SDK did: a cancellation in the same chunk finds the request.
    Promise.resolve()
      .then(() => this.#handlers.request(request))
      .then(
        (result) => {
          if (controller.signal.aborted) return;
          // Keys in the order the SDK wrote them: some clients and tests read the text.
          return transport?.send({ result, jsonrpc: "2.0", id } as JSONRPCMessage);
        },
        (error) => {
          if (controller.signal.aborted) return;
          return transport?.send({ jsonrpc: "2.0", id, error: errorOf(error) } as JSONRPCMessage);
        },
      )
      .catch((e) => log.debug(`cannot answer request ${JSON.stringify(id)}: ${e}`))
      .finally(() => {
        if (this.#serving.get(id) === controller) this.#serving.delete(id);
      });
  }

  #notified(method: string, params: Record<string, unknown> | undefined): void {
    if (method === "notifications/cancelled") {
      const id = params?.requestId;
      if (isId(id)) this.#serving.get(id)?.abort(params?.reason);
      return;
    }
    try {
      this.#handlers.notification(method, params);
    } catch (e) {
      log.warn(`notification ${method}: ${e}`);
    }
  }

  #answered(message: Record<string, unknown>): void {
    const pending = this.#asking.get(Number(message.id));
    if (!pending) {
      log.debug(`an answer to no request of ours: ${JSON.stringify(message.id)}`);
      return;
    }
    if ("error" in message) {
      const e = isObject(message.error) ? message.error : {};
      const code = typeof e.code === "number" ? e.code : ErrorCode.InternalError;
      pending.reject(new ProtocolError(code, typeof e.message === "string" ? e.message : "", e.data));
      return;
    }
    pending.resolve(isObject(message.result) ? message.result : {});
  }

  #onClosed(): void {
    if (!this.#transport) return;
    this.#transport = undefined;
    for (const controller of this.#serving.values()) controller.abort();
    this.#serving.clear();
    const pending = [...this.#asking.values()];
    this.#asking.clear();
    try {
      this.#handlers.closed();
    } finally {
      const error = new ProtocolError(ErrorCode.ConnectionClosed, "Connection closed");
      for (const p of pending) p.reject(error);
    }
  }
}
