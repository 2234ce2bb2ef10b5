/**
 * Telemetry on the wire: transports wrapped so that every JSON-RPC request and its answer are seen
 * once, whatever serves them. On a client connection each request gets its metrics (method,
 * status, tool, duration), its `SERVER` span (the handler runs inside it) and its log fields; on an
 * upstream connection each request we send gets a `CLIENT` span and carries it in
 * `params._meta.traceparent`.
 *
 * Watching the wire rather than the handlers means the SDK's own answers (`initialize`, `ping`,
 * unknown methods, invalid params) are counted too, and nothing in the request path changes when
 * telemetry is off: the transport is then not wrapped at all.
 *
 * Memory: one record per request in flight, dropped at its answer, at its
 * `notifications/cancelled`, or when the connection closes.
 *
 * @module
 */

import type { Span } from "@opentelemetry/api";
import { type LogFields, withLogFields } from "../log/context.ts";
import { getLogger, type Logger } from "../log/logger.ts";
import type { Transport, TransportSendOptions } from "../sdk/server.ts";
import type { JSONRPCMessage, MessageExtraInfo } from "../sdk/types.ts";
import type { McpMetrics, RequestStatus, ToolCallStatus } from "./metrics.ts";
import type * as Tracing from "./tracing.ts";
import type { ObservedConnection } from "./types.ts";

type Id = string | number;
type Message = Record<string, unknown>;

/** What the wires report to; each part is optional (off when undefined/false). */
export interface WireSinks {
  /** Prometheus series. */
  metrics?: McpMetrics;
  /** The tracing module (loaded only when an OpenTelemetry SDK is registered). */
  tracing?: typeof Tracing;
  /** Collect log fields per request (JSON logs). */
  logFields: boolean;
}

/** Longest tool name copied into a log field or span as is (names come from clients). */
const MAX_NAME = 128;

const requestLog = getLogger("request");

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
): { status: ToolCallStatus; code?: number; message?: string } {
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

function errorTypeOf(o: { status: ToolCallStatus; code?: number }): string | undefined {
  if (o.status === "ok") return undefined;
  if (o.status === "error") return o.code !== undefined ? String(o.code) : "_OTHER";
  return o.status;
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

interface ServerRequest {
  method: string;
  started: number;
  /** `tools/call`: the tool label and its upstream. */
  tool?: { label: string; upstream: string; name?: string };
  span?: Span;
  fields?: LogFields;
}

/**
 * A client connection's transport, observed: metrics, `SERVER` spans and log fields per request.
 *
 * @example
 * ```ts
 * import { ServerWire } from "./wire.ts";
 * import { McpMetrics } from "./metrics.ts";
 * declare const transport: import("../sdk/server.ts").Transport;
 * declare const conn: import("./types.ts").ObservedConnection;
 * const observed = new ServerWire(conn, transport, { metrics: new McpMetrics(), logFields: false });
 * // server.connect(observed)
 * ```
 */
export class ServerWire extends WrappedTransport {
  readonly #conn: ObservedConnection;
  readonly #sinks: WireSinks;
  readonly #pending = new Map<Id, ServerRequest>();
  readonly #spanAttributes: Record<string, string>;
  #protocolVersion: string | undefined;
  #counted = false;

  constructor(conn: ObservedConnection, inner: Transport, sinks: WireSinks) {
    super(inner);
    this.#conn = conn;
    this.#sinks = sinks;
    const http = conn.transport === "sse" || conn.transport === "streamable-http";
    this.#spanAttributes = {
      "network.transport": http ? "tcp" : "pipe",
      ...(http ? { "network.protocol.name": "http" } : {}),
      ...(conn.stateless ? {} : { "mcp.session.id": conn.id }),
    };
    if (sinks.metrics && !conn.stateless) {
      sinks.metrics.session(conn.transport, 1);
      this.#counted = true;
    }
    // Whatever ends the connection (close, DELETE, idle reaper), its session stops counting.
    conn.onClose(() => this.closed());
  }

  protected received(m: Message, message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (!isRequest(m)) {
      if (m.method === "notifications/cancelled") {
        const id = paramsOf(m).requestId;
        if (typeof id === "string" || typeof id === "number") this.#finish(id, { status: "cancelled" });
      }
      return this.deliver(message, extra);
    }
    const { metrics, tracing, logFields } = this.#sinks;
    const params = paramsOf(m);
    const r: ServerRequest = { method: m.method, started: performance.now() };
    let toolName: string | undefined;
    if (m.method === "tools/call") {
      const name = stringParam(params, "name") ?? "";
      const upstream = this.#conn.toolUpstream(name);
      const known = upstream !== null;
      if (known) toolName = name;
      r.tool = {
        label: metrics ? metrics.toolLabel(name, known) : name,
        upstream: upstream ?? "",
        name: known ? name : name.slice(0, MAX_NAME),
      };
    }
    let run = () => this.deliver(message, extra);
    if (tracing) {
      const { span, context } = tracing.startServerSpan(
        {
          method: m.method,
          id: m.id,
          tool: toolName,
          prompt: m.method === "prompts/get" ? stringParam(params, "name")?.slice(0, MAX_NAME) : undefined,
          uri: m.method.startsWith("resources/") ? stringParam(params, "uri") : undefined,
        },
        params._meta as Record<string, unknown> | undefined,
        this.#protocolVersion
          ? { ...this.#spanAttributes, "mcp.protocol.version": this.#protocolVersion }
          : this.#spanAttributes,
      );
      r.span = span;
      const inner = run;
      run = () => tracing.inContext(context, inner);
    }
    if (logFields) {
      const conn = this.#conn;
      const fields: LogFields = {
        request_id: m.id,
        get session() {
          return conn.sessionId();
        },
        user: conn.userId,
        tool: r.tool?.name,
        upstream: r.tool?.upstream || undefined,
        trace_id: r.span ? tracing!.traceIdOf(r.span) : undefined,
      };
      r.fields = fields;
      const inner = run;
      run = () => withLogFields(fields, inner);
    }
    // A repeated id replaces the record: the first request's answer can no longer be told apart.
    this.#pending.set(m.id, r);
    run();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as Message;
    if (this.#pending.size > 0 && isResponse(m)) {
      const r = this.#pending.get(m.id);
      if (r?.method === "initialize") {
        const v = (m.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (typeof v === "string" && v.length <= 32) this.#protocolVersion = v;
      }
      if (r) this.#finish(m.id, outcomeOf(m, r.tool !== undefined));
    }
    return this.inner.send(message, options);
  }

  #finish(id: Id, outcome: { status: ToolCallStatus; code?: number; message?: string }): void {
    const r = this.#pending.get(id);
    if (!r) return;
    this.#pending.delete(id);
    const seconds = (performance.now() - r.started) / 1000;
    const { metrics } = this.#sinks;
    if (metrics) {
      const status: RequestStatus = outcome.status === "tool_error" ? "ok" : outcome.status;
      metrics.request(r.method, status);
      if (r.tool) metrics.toolCall(r.tool.label, r.tool.upstream, outcome.status, seconds);
    }
    if (r.span) {
      this.#sinks.tracing!.endSpan(r.span, {
        errorType: errorTypeOf(outcome),
        code: outcome.code,
        message: outcome.message,
      });
    }
    logRequest(requestLog, r, id, outcome.status, seconds);
  }

  protected closed(): void {
    for (const id of [...this.#pending.keys()]) this.#finish(id, { status: "cancelled" });
    if (this.#counted) {
      this.#counted = false;
      this.#sinks.metrics?.session(this.#conn.transport, -1);
    }
  }
}

function logRequest(log: Logger, r: ServerRequest, id: Id, status: string, seconds: number): void {
  if (!log.enabled("DEBUG")) return;
  const ms = Math.round(seconds * 1e5) / 100;
  const what = r.tool?.name ? `${r.method} ${r.tool.name}` : r.method;
  log.debug(`${what} ${status} in ${ms} ms`, { ...r.fields, request_id: id, duration_ms: ms });
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
    const tool = m.method === "tools/call" ? stringParam(params, "name") : undefined;
    const { span, context } = this.#tracing.startClientSpan({
      method: m.method,
      id: m.id,
      tool,
      prompt: m.method === "prompts/get" ? stringParam(params, "name") : undefined,
      uri: m.method.startsWith("resources/") ? stringParam(params, "uri") : undefined,
    }, this.#attributes);
    this.#pending.set(m.id, { span, tool: tool !== undefined });
    const meta = params._meta && typeof params._meta === "object" ? params._meta : {};
    const out = {
      ...m,
      params: { ...params, _meta: { ...meta, ...this.#tracing.traceMeta(context) } },
    } as unknown as JSONRPCMessage;
    // An HTTP upstream's fetch runs inside the span: it becomes its child and sends it as the
    // `traceparent` header. A pipe has no such hop (and the context switch is not free).
    const sent = this.#http
      ? this.#tracing.inContext(context, () => this.inner.send(out, options))
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

  #end(id: Id, outcome: { status: ToolCallStatus; code?: number; message?: string }): void {
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
