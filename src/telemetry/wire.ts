/**
 * Telemetry on an upstream's wire: the proxy's client transport to an upstream, wrapped so that
 * each request we send gets a `CLIENT` span (a child of the request being served) and carries it
 * in `params._meta.traceparent`. The transport is wrapped only when tracing is on.
 *
 * Memory: one record per request in flight, dropped at its answer, at its
 * `notifications/cancelled`, or when the connection closes.
 *
 * @module
 */

import type { Span } from "@opentelemetry/api";
import type { Transport, TransportSendOptions } from "../sdk/server.ts";
import type { JSONRPCMessage, MessageExtraInfo } from "../sdk/types.ts";
import { errorTypeOf, type Outcome } from "./requests.ts";
import type * as Tracing from "./tracing.ts";

type Id = string | number;
type Message = Record<string, unknown>;

function isRequest(m: Message): m is Message & { id: Id; method: string } {
  return typeof m.method === "string" && (typeof m.id === "string" || typeof m.id === "number");
}

function isResponse(m: Message): m is Message & { id: Id } {
  return m.method === undefined && (typeof m.id === "string" || typeof m.id === "number");
}

function paramsOf(m: Message): Record<string, unknown> {
  const p = m.params;
  return p && typeof p === "object" && !Array.isArray(p) ? p as Record<string, unknown> : {};
}

function stringParam(p: Record<string, unknown>, key: string): string | undefined {
  const v = p[key];
  return typeof v === "string" ? v : undefined;
}

/** How an answer ended: its status and, for an error, the code and message. */
function outcomeOf(
  m: Message,
  isToolCall: boolean,
): Outcome {
  if (m.error && typeof m.error === "object") {
    const e = m.error as { code?: unknown; message?: unknown };
    return {
      status: "error",
      code: typeof e.code === "number" ? e.code : undefined,
      message: typeof e.message === "string" ? e.message : undefined,
    };
  }
  if (isToolCall && (m.result as { isError?: unknown } | undefined)?.isError === true) {
    return { status: "tool_error", message: "tool returned isError" };
  }
  return { status: "ok" };
}

/**
 * A transport that delegates to another one and lets a subclass look at what passes. The SDK's
 * `connect()` sets `onmessage`/`onclose`/`onerror` on this object; the inner transport's are ours.
 */
abstract class WrappedTransport implements Transport {
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  protected readonly inner: Transport;

  constructor(inner: Transport) {
    this.inner = inner;
    inner.onmessage = (message, extra) => this.received(message as Message, message, extra);
    inner.onclose = () => {
      this.closed();
      this.onclose?.();
    };
    inner.onerror = (e) => this.onerror?.(e);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  abstract send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;

  /** A message arrived; call {@linkcode WrappedTransport.deliver} to pass it on. */
  protected abstract received(m: Message, message: JSONRPCMessage, extra?: MessageExtraInfo): void;

  /** The connection closed. */
  protected abstract closed(): void;

  protected deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }
}

/**
 * An upstream connection's transport, traced: each request we send gets a `CLIENT` span (a child
 * of the request being served) and carries it in `params._meta`.
 *
 * @example
 * ```ts
 * import { UpstreamWire } from "./wire.ts";
 * import * as tracing from "./tracing.ts";
 * declare const transport: import("../sdk/server.ts").Transport;
 * const traced = new UpstreamWire("time", transport, tracing);
 * // client.connect(traced)
 * ```
 */
export class UpstreamWire extends WrappedTransport {
  readonly #tracing: typeof Tracing;
  readonly #pending = new Map<Id, { span: Span; tool: boolean }>();
  readonly #attributes: Record<string, string | number>;
  readonly #http: boolean;

  constructor(upstream: string, inner: Transport, tracing: typeof Tracing, url?: string) {
    super(inner);
    this.#tracing = tracing;
    this.#http = url !== undefined;
    this.#attributes = { "chuk.upstream": upstream, "network.transport": url ? "tcp" : "pipe" };
    if (url && URL.canParse(url)) {
      const u = new URL(url);
      this.#attributes["server.address"] = u.hostname;
      this.#attributes["server.port"] = Number(u.port || (u.protocol === "https:" ? 443 : 80));
      this.#attributes["network.protocol.name"] = "http";
    }
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as Message;
    if (!isRequest(m)) {
      // We gave up on a request (cancelled, timed out): its span ends now, not at an answer.
      if (m.method === "notifications/cancelled") {
        const id = paramsOf(m).requestId;
        if (typeof id === "string" || typeof id === "number") this.#end(id, { status: "cancelled" });
      }
      return this.inner.send(message, options);
    }
    const params = paramsOf(m);
    const tracing = this.#tracing;
    const meta = (params._meta && typeof params._meta === "object" ? params._meta : {}) as Message;
    // The request being served is the parent: its context when it has one (recorded, or asked and
    // not), else — dropped without a context of its own — the caller's `_meta` we pass on.
    const parent = tracing.activeParent() ?? tracing.parseTraceparent(meta.traceparent);
    const decision = tracing.decide(parent);
    const tool = m.method === "tools/call" ? stringParam(params, "name") : undefined;
    const started = decision === "drop" ? undefined : tracing.startClientSpan(
      {
        method: m.method,
        id: m.id,
        tool,
        prompt: m.method === "prompts/get" ? stringParam(params, "name") : undefined,
        uri: m.method.startsWith("resources/") ? stringParam(params, "uri") : undefined,
      },
      this.#attributes,
      decision,
    );
    if (!started?.span) {
      // Not recorded. The upstream still learns the parent's decision — from the caller's `_meta`
      // when it is passed on, else from the parent we know (an HTTP request's, say).
      if (!parent || typeof meta.traceparent === "string") return this.inner.send(message, options);
      const told = {
        ...m,
        params: { ...params, _meta: { ...meta, traceparent: tracing.traceparentOf(parent) } },
      };
      return this.inner.send(told as unknown as JSONRPCMessage, options);
    }
    const { span, context } = started as Required<Tracing.StartedSpan>;
    this.#pending.set(m.id, { span, tool: tool !== undefined });
    const out = {
      ...m,
      params: { ...params, _meta: { ...meta, ...tracing.traceMeta(context) } },
    } as unknown as JSONRPCMessage;
    // An HTTP upstream's fetch runs inside the span: it becomes its child and sends it as the
    // `traceparent` header. A pipe has no such hop (and the context switch is not free).
    const sent = this.#http
      ? tracing.inContext(context, () => this.inner.send(out, options))
      : this.inner.send(out, options);
    return sent.catch((e) => {
      this.#end(m.id, { status: "error", message: e instanceof Error ? e.message : String(e) });
      throw e;
    });
  }

  protected received(m: Message, message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (this.#pending.size > 0 && isResponse(m)) {
      const p = this.#pending.get(m.id);
      if (p) this.#end(m.id, outcomeOf(m, p.tool));
    }
    this.deliver(message, extra);
  }

  #end(id: Id, outcome: Outcome): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#tracing.endSpan(p.span, {
      errorType: errorTypeOf(outcome),
      code: outcome.code,
      message: outcome.message,
    });
  }

  protected closed(): void {
    for (const id of [...this.#pending.keys()]) {
      this.#end(id, { status: "error", message: "connection closed" });
    }
  }
}
