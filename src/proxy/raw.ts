/**
 * The proxy's fast lane for `tools/call`: the request goes to the upstream as JSON-RPC on the
 * same connection the SDK `Client` uses, under an id of its own (`chuk-1`, `chuk-2`, ...; the SDK
 * numbers its requests, so the two never meet), and its answer and progress are taken off the
 * wire before the `Client` sees them. That skips, per call, the SDK's node-compat timer, its
 * dispatch guards (several zod parses per message) and the re-validation of every result, which
 * are most of what a proxied call costs besides the process hops.
 *
 * Everything else on the connection — server→client requests (sampling, elicitation, roots), logs,
 * list_changed, the SDK's own requests — still goes through the `Client`, so routing stays as it
 * is. Cancellation and timeouts are sent as the protocol says (`notifications/cancelled`).
 *
 * @module
 */

import type { Transport } from "../sdk/server.ts";
import { tapReceive } from "../sdk/taps.ts";
import { ErrorCode, ProtocolError } from "../errors.ts";
import type { JSONRPCMessage } from "../sdk/types.ts";

const PREFIX = "chuk-";

/** Progress as it arrives (`notifications/progress` params). */
export interface RawProgress {
  progress: number;
  total?: number;
  message?: string;
}

/** Options of one raw call. */
export interface RawCallOptions {
  /** Aborting sends `notifications/cancelled` upstream and rejects the call. */
  signal: AbortSignal;
  /** Milliseconds before the call is cancelled and rejected with `RequestTimeout`; 0 = none. */
  timeoutMs: number;
  /** Set to receive progress; the request then carries a progress token. */
  onprogress?: (p: RawProgress) => void;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
  onprogress?: (p: RawProgress) => void;
}

function isOwnId(id: unknown): id is string {
  return typeof id === "string" && id.startsWith(PREFIX);
}

/**
 * Raw requests over a connected transport. Create it after the SDK `Client` connected (it wraps
 * the `onmessage` the `Client` installed).
 *
 * @example
 * ```ts
 * import { RawCalls } from "./raw.ts";
 * declare const transport: import("../sdk/server.ts").Transport;
 * const raw = new RawCalls(transport);
 * const result = await raw.call("tools/call", { name: "echo", arguments: { text: "hi" } }, {
 *   signal: new AbortController().signal,
 *   timeoutMs: 60_000,
 * });
 * ```
 */
export class RawCalls {
  readonly #transport: Transport;
  readonly #pending = new Map<string, Pending>();
  #next = 0;
  #closed: Error | undefined;

  constructor(transport: Transport) {
    this.#transport = transport;
    tapReceive(transport, (message, deliver) => {
      const m = message as Record<string, unknown>;
      if (!("method" in m) && isOwnId(m.id)) return this.#settle(m);
      if (m.method === "notifications/progress") {
        const params = m.params as Record<string, unknown> | undefined;
        if (params && isOwnId(params.progressToken)) return this.#progress(params);
      }
      deliver();
    });
  }

  /** Calls waiting for an answer. */
  get size(): number {
    return this.#pending.size;
  }

  /** Send `method` with `params`; resolves with the result, rejects with the error answer. */
  call(
    method: string,
    params: Record<string, unknown>,
    options: RawCallOptions,
  ): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (options.signal.aborted) return Promise.reject(options.signal.reason);
    const id = `${PREFIX}${++this.#next}`;
    const wire = options.onprogress
      ? { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), progressToken: id } }
      : params;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cancel = (reason: unknown) => {
        // The protocol's way to say "never mind"; failure to send it changes nothing for us.
        this.#transport.send({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: id, reason: String(reason instanceof Error ? reason.message : reason) },
        }).catch(() => {});
      };
      const onAbort = () => {
        if (!this.#pending.delete(id)) return;
        done();
        cancel(options.signal.reason);
        reject(
          options.signal.reason instanceof Error
            ? options.signal.reason
            : new Error(String(options.signal.reason)),
        );
      };
      const done = () => {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
      };
      this.#pending.set(id, {
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
        onprogress: options.onprogress,
      });
      options.signal.addEventListener("abort", onAbort, { once: true });
      if (options.timeoutMs > 0) {
        timer = setTimeout(() => {
          if (!this.#pending.delete(id)) return;
          done();
          cancel("timeout");
          reject(
            new ProtocolError(ErrorCode.RequestTimeout, "Request timed out", { timeout: options.timeoutMs }),
          );
        }, options.timeoutMs);
      }
      this.#transport.send({ jsonrpc: "2.0", id, method, params: wire } as JSONRPCMessage).catch((e) => {
        const p = this.#pending.get(id);
        if (p) {
          this.#pending.delete(id);
          p.reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  }

  /** Reject every waiting call (the connection is gone) and refuse new ones. */
  close(error: Error): void {
    this.#closed ??= error;
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(error);
    }
  }

  #settle(m: Record<string, unknown>): void {
    const id = m.id as string;
    const p = this.#pending.get(id);
    if (!p) return; // answered after a cancel or timeout: nobody waits for it
    this.#pending.delete(id);
    if ("result" in m && m.result && typeof m.result === "object") {
      p.resolve(m.result as Record<string, unknown>);
    } else {
      const e = (m.error ?? {}) as { code?: number; message?: string; data?: unknown };
      p.reject(new ProtocolError(e.code ?? ErrorCode.InternalError, e.message ?? "invalid answer", e.data));
    }
  }

  #progress(params: Record<string, unknown>): void {
    const p = this.#pending.get(params.progressToken as string);
    if (!p?.onprogress || typeof params.progress !== "number") return;
    p.onprogress({
      progress: params.progress,
      ...(typeof params.total === "number" ? { total: params.total } : {}),
      ...(typeof params.message === "string" ? { message: params.message } : {}),
    });
  }
}
