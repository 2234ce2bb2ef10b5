/**
 * The 2026-07-28 era over stdio, beside the 2025 connection on the same process: a message whose
 * `_meta` claims a modern version (a client probing with `server/discover`, then per-request
 * calls) is served here; everything else goes to the 2025 connection. There are no headers: the
 * envelope is all there is. Notifications about a request and its response are written in order
 * on stdout; `subscriptions/listen` streams share it, told apart by their subscription id; a
 * `notifications/cancelled` naming a modern request (or listen) ends it.
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../../errors.ts";
import type { RequestId } from "../../protocol.ts";
import { classifyMessage } from "../era.ts";
import type { ModernEndpoint } from "./endpoint.ts";
import { readRequest } from "./envelope.ts";
import { isObject } from "../../util/object.ts";

/** Options of {@linkcode ModernStdio}. */
export interface ModernStdioOptions {
  /** Most modern requests (listens included) in flight at once (default 1000). */
  maxInFlight?: number;
  /** The view this process serves (`--view`); none for the full surface. */
  view?: string;
  /** `server/discover` instructions instead of the runtime's (the view's description). */
  instructions?: string;
}

/**
 * Takes the modern messages of a stdio stream.
 *
 * @example
 * ```ts
 * import { ModernStdio } from "./stdio.ts";
 * declare const endpoint: import("./endpoint.ts").ModernEndpoint;
 * const out: unknown[] = [];
 * const stdio = new ModernStdio(endpoint, (m) => out.push(m));
 * stdio.take({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }); // false: the 2025 wire
 * ```
 */
export class ModernStdio {
  readonly #endpoint: ModernEndpoint;
  readonly #send: (message: Record<string, unknown>) => void;
  readonly #inFlight = new Map<RequestId, AbortController>();
  readonly #max: number;
  readonly #where: { view?: string; instructions?: string };

  /** Serve modern messages on `endpoint`, writing with `send`. */
  constructor(
    endpoint: ModernEndpoint,
    send: (message: Record<string, unknown>) => void,
    options: ModernStdioOptions = {},
  ) {
    this.#endpoint = endpoint;
    this.#send = send;
    this.#max = options.maxInFlight ?? 1000;
    this.#where = {
      ...(options.view !== undefined ? { view: options.view } : {}),
      ...(options.instructions !== undefined ? { instructions: options.instructions } : {}),
    };
  }

  /** Whether `message` was the 2026 era's (and is being served). */
  take(message: unknown): boolean {
    if (isObject(message) && message.method === "notifications/cancelled" && isObject(message.params)) {
      const controller = this.#inFlight.get(message.params.requestId as RequestId);
      if (controller) {
        controller.abort(new Error("cancelled by the client"));
        return true;
      }
    }
    const route = classifyMessage(message);
    if (route.era === "invalid") {
      this.#send({
        jsonrpc: "2.0",
        id: null,
        error: { code: ErrorCode.InvalidRequest, message: route.reason },
      });
      return true;
    }
    if (route.era !== "2026") return false;
    if (route.message.id === undefined) return true; // a notification: nothing to answer
    void this.#serve(route.message);
    return true;
  }

  async #serve(message: Record<string, unknown>): Promise<void> {
    const endpoint = this.#endpoint;
    let request;
    try {
      request = readRequest(message);
      if (this.#inFlight.has(request.id)) {
        throw new ProtocolError(
          ErrorCode.InvalidRequest,
          `Invalid Request: id ${request.id} is already in flight`,
        );
      }
      if (this.#inFlight.size >= this.#max) {
        throw new ProtocolError(ErrorCode.InternalError, `too many requests in flight (${this.#max})`);
      }
    } catch (e) {
      const id = typeof message.id === "string" || typeof message.id === "number" ? message.id : null;
      return this.#send(endpoint.error(id, e).message);
    }
    const controller = new AbortController();
    this.#inFlight.set(request.id, controller);
    try {
      if (request.method === "subscriptions/listen") {
        let honoured;
        try {
          endpoint.envelope(request);
          honoured = endpoint.listenFilter(request, this.#where);
        } catch (e) {
          return this.#send(endpoint.error(request.id, e).message);
        }
        const listen = { userId: null, signal: controller.signal, emit: this.#send };
        return await endpoint.listens.open(request, listen, honoured);
      }
      const answer = await endpoint.answer(request, {
        headers: {},
        signal: controller.signal,
        transport: "stdio",
        ...this.#where,
        emit: (n) => this.#send({ jsonrpc: "2.0", ...n }),
      });
      // A cancelled request gets no answer (the client stopped waiting for it).
      if (!controller.signal.aborted) this.#send(answer.message);
    } finally {
      this.#inFlight.delete(request.id);
    }
  }

  /** Stop what is in flight (the process is going away). */
  close(): void {
    for (const c of this.#inFlight.values()) c.abort(new Error("the server is stopping"));
  }
}
