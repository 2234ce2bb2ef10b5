/**
 * What sits between a stateful session's connection and its SDK transport when instances share
 * sessions ({@linkcode FleetLink}): requests this instance sends to the client get ids that name
 * the instance (`<instance>:<n>`), so the client's answer, whichever instance it reaches, can be
 * handed back here; a resource update is left to the fleet (stored once per subscribed session,
 * see `src/fleet/sessions.ts`) instead of being sent by every instance that serves the session.
 *
 * @module
 */

import type { Transport, TransportSendOptions } from "../../sdk/server.ts";
import type { JSONRPCMessage } from "../../sdk/types.ts";

type Message = JSONRPCMessage & { id?: unknown; method?: unknown };

/**
 * The instance a client's answer belongs to, from its id (`<instance>:<n>`); undefined for
 * anything else (requests, notifications, ids this runtime did not send).
 *
 * @example
 * ```ts
 * import { answerOwner } from "./fleet_link.ts";
 * console.log(answerOwner({ jsonrpc: "2.0", id: "a1b2:3", result: {} })); // "a1b2"
 * ```
 */
export function answerOwner(message: unknown): string | undefined {
  if (!message || typeof message !== "object" || "method" in message) return undefined;
  const id = (message as { id?: unknown }).id;
  if (typeof id !== "string") return undefined;
  const m = /^([0-9a-f]{12}):\d+$/.exec(id);
  return m?.[1];
}

/**
 * A transport wrapper for one stateful session served by a fleet.
 *
 * @example
 * ```ts
 * import { WebStandardStreamableHTTPServerTransport } from "../../sdk/server.ts";
 * import { FleetLink } from "./fleet_link.ts";
 * const inner = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => "s1" });
 * const link = new FleetLink(inner, "0123456789ab", () => Promise.resolve());
 * await link.close();
 * ```
 */
export class FleetLink implements Transport {
  /** Set by the connection's wire on connect. */
  onmessage?: Transport["onmessage"];
  /** Set by the connection's wire on connect. */
  onclose?: Transport["onclose"];
  /** Set by the connection's wire on connect. */
  onerror?: Transport["onerror"];
  readonly #inner: Transport;
  readonly #instance: string;
  readonly #answered: () => Promise<void>;
  #sendingFor: string | number | undefined;

  /**
   * Wrap `inner` for instance `instance`; `answered` runs before each response this instance
   * sends, and the response waits for it (the session's state may have changed: log level,
   * subscriptions, runtime session — the fleet must know before the client does, or the client's
   * next request, on another instance, misses it).
   */
  constructor(inner: Transport, instance: string, answered: () => Promise<void>) {
    this.#inner = inner;
    this.#instance = instance;
    this.#answered = answered;
  }

  /**
   * The request whose stream the message being sent goes to — set while the inner transport
   * stores it (it does so before its first await), so stored events name their request.
   */
  get sendingFor(): string | number | undefined {
    return this.#sendingFor;
  }

  /** The session id of the inner transport. */
  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  start(): Promise<void> {
    this.#inner.onmessage = (message, extra) => this.#receive(message as Message, extra);
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (e) => this.onerror?.(e);
    return this.#inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as Message;
    if (m.method === "notifications/resources/updated" && options?.relatedRequestId === undefined) return;
    // A response: share what the request changed first (a subscription stored after the client
    // has its answer loses the update its next call, on another instance, causes).
    if (m.method === undefined) await this.#answered();
    if (typeof m.method === "string" && m.id !== undefined) {
      message = { ...message, id: `${this.#instance}:${m.id}` } as JSONRPCMessage;
    }
    // Withdrawing one of those requests names it as the client knows it.
    const params = (m as { params?: { requestId?: unknown } }).params;
    if (m.method === "notifications/cancelled" && typeof params?.requestId === "number") {
      message = {
        ...message,
        params: { ...params, requestId: `${this.#instance}:${params.requestId}` },
      } as JSONRPCMessage;
    }
    this.#sendingFor = m.method === undefined ? m.id as string | number : options?.relatedRequestId;
    let sent: Promise<void>;
    try {
      sent = this.#inner.send(message, options);
    } finally {
      this.#sendingFor = undefined;
    }
    await sent;
  }

  /** A client's answer that reached another instance (it was handed here over the fleet). */
  deliver(message: JSONRPCMessage): void {
    this.#receive(message as Message, undefined);
  }

  #receive(message: Message, extra: Parameters<NonNullable<Transport["onmessage"]>>[1]): void {
    if (answerOwner(message) === this.#instance) {
      const n = Number((message.id as string).slice(this.#instance.length + 1));
      message = { ...message, id: n } as Message;
    }
    this.onmessage?.(message, extra);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
