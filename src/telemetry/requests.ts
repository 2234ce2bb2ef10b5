/**
 * Telemetry of the requests the runtime serves: the core hands every request to this
 * {@linkcode RequestObserver} (`core/dispatch.ts`, and each era for what it answers itself:
 * the 2025 `initialize`, the 2026 `server/discover` and tasks methods), whatever era it came through. Each request gets its metrics (method, status, tool,
 * duration), its `SERVER` span (the request is served inside it, so upstream calls become its
 * children) and its log fields; each lasting connection counts as an active session.
 *
 * @module
 */

import type { Span } from "@opentelemetry/api";
import type { Connection } from "../core/connection.ts";
import type { ObservedRequest, RequestObserver } from "../core/dispatch.ts";
import { type LogFields, withLogFields } from "../log/context.ts";
import { getLogger, type Logger } from "../log/logger.ts";
import type { McpMetrics, RequestStatus, ToolCallStatus } from "./metrics.ts";
import type * as Tracing from "./tracing.ts";

/** What the observers report to; each part is optional (off when undefined/false). */
export interface TelemetrySinks {
  /** Prometheus series. */
  metrics?: McpMetrics;
  /** The tracing module (loaded only when an OpenTelemetry SDK is registered). */
  tracing?: typeof Tracing;
  /** Collect log fields per request (JSON logs). */
  logFields: boolean;
}

/** How a request ended: its status and, for an error, the code and message. */
export interface Outcome {
  /** `ok`, `tool_error` (a tool result with `isError`), `error`, `cancelled`. */
  status: ToolCallStatus;
  /** The JSON-RPC error code of an error. */
  code?: number;
  /** The error message. */
  message?: string;
}

/** Longest name copied into a log field or span as is (names come from clients). */
export const MAX_NAME = 128;

const requestLog = getLogger("request");

/** The `error.type` of an outcome (absent on success). */
export function errorTypeOf(o: Outcome): string | undefined {
  if (o.status === "ok") return undefined;
  if (o.status === "error") return o.code !== undefined ? String(o.code) : "_OTHER";
  return o.status;
}

function stringParam(p: Record<string, unknown>, key: string): string | undefined {
  const v = p[key];
  return typeof v === "string" ? v : undefined;
}

/** The outcome of a request that threw `e`. */
function failure(e: unknown, signal: AbortSignal | undefined): Outcome {
  if (signal?.aborted) return { status: "cancelled" };
  const code = (e as { code?: unknown } | null)?.code;
  return {
    status: "error",
    // What the era renders anything but a protocol error as.
    code: typeof code === "number" ? code : -32603,
    message: e instanceof Error ? e.message : String(e),
  };
}

/** Span attributes of the connection a request came on. */
function connectionAttributes(connection: Connection | undefined): Record<string, string> {
  if (!connection) return {};
  const t = connection.transport;
  const http = t === "sse" || t === "streamable-http";
  const out: Record<string, string> = {};
  if (http) {
    out["network.transport"] = "tcp";
    out["network.protocol.name"] = "http";
  } else if (t === "stdio") {
    out["network.transport"] = "pipe";
  }
  if (!connection.stateless) out["mcp.session.id"] = connection.id;
  return out;
}

/**
 * The {@linkcode RequestObserver} of a running server.
 *
 * @example
 * ```ts
 * import { McpMetrics, RequestTelemetry } from "@chuk/mcp-runtime/telemetry";
 * const observer = new RequestTelemetry({ metrics: new McpMetrics(), logFields: false });
 * // new Runtime({ config, observer })
 * ```
 */
export class RequestTelemetry implements RequestObserver {
  readonly #sinks: TelemetrySinks;
  /** Span attributes per connection, built once (most requests come on a lasting one). */
  readonly #attributes = new WeakMap<Connection, Record<string, string>>();

  /** An observer reporting to `sinks`. */
  constructor(sinks: TelemetrySinks) {
    this.#sinks = sinks;
  }

  connectionOpened(connection: Connection): void {
    const metrics = this.#sinks.metrics;
    if (!metrics || connection.stateless) return;
    metrics.session(connection.transport, 1);
    connection.onClose(() => metrics.session(connection.transport, -1));
  }

  async request(r: ObservedRequest, serve: () => Promise<unknown>): Promise<unknown> {
    const { metrics, tracing, logFields } = this.#sinks;
    const started = performance.now();
    const { method, params, call } = r;
    let tool: { label: string; upstream: string; name: string } | undefined;
    if (method === "tools/call") {
      const name = stringParam(params, "name") ?? "";
      const known = r.toolUpstream !== null && r.toolUpstream !== undefined;
      tool = {
        label: metrics ? metrics.toolLabel(name, known) : name,
        upstream: r.toolUpstream ?? "",
        name: known ? name : name.slice(0, MAX_NAME),
      };
    }
    let run = serve;
    let span: Span | undefined;
    let traceId: string | undefined;
    if (tracing) {
      const meta = params._meta as Record<string, unknown> | undefined;
      const fromMeta = meta ? tracing.parseTraceparent(meta.traceparent) : undefined;
      const parent = fromMeta ?? tracing.activeParent();
      const decision = tracing.decide(parent);
      // Not recorded: no span and no context of its own. Its upstream requests carry the parent's
      // trace context as it came (`_meta` is passed on; an HTTP parent is still the ambient one).
      const started = decision === "drop" ? undefined : tracing.startServerSpan(
        {
          method,
          id: call.id ?? "",
          tool: tool && r.toolUpstream !== null ? tool.name : undefined,
          prompt: method === "prompts/get" ? stringParam(params, "name")?.slice(0, MAX_NAME) : undefined,
          uri: method.startsWith("resources/") ? stringParam(params, "uri") : undefined,
        },
        meta,
        this.#connectionAttributes(call.connection),
        call.protocolVersion,
        decision,
      );
      if (started) {
        // Recorded, or asked and not: its upstream requests are children either way.
        span = started.span;
        traceId = span ? tracing.traceIdOf(span) : parent?.traceId;
        const inner = run;
        run = () => tracing.inContext(started.context, inner);
      } else {
        traceId = parent?.traceId;
        // The parent came in `_meta` but the transport has a context of its own (HTTP): the
        // upstream requests follow the MCP parent, as a recorded span's would.
        if (fromMeta && tracing.activeParent()) {
          const inner = run;
          const ctx = tracing.parentContext(fromMeta);
          run = () => tracing.inContext(ctx, inner);
        }
      }
    }
    let fields: LogFields | undefined;
    if (logFields) {
      const connection = call.connection;
      fields = {
        request_id: call.id,
        get session() {
          return connection?.binding.sessionId;
        },
        user: connection?.user?.id,
        tool: tool?.name,
        upstream: tool?.upstream || undefined,
        trace_id: traceId,
      };
      const inner = run;
      const f = fields;
      run = () => withLogFields(f, inner);
    }
    let outcome: Outcome;
    try {
      const result = await run();
      outcome = call.signal?.aborted
        ? { status: "cancelled" }
        : tool && (result as { isError?: unknown } | undefined)?.isError === true
        ? { status: "tool_error", message: "tool returned isError" }
        : { status: "ok" };
      return result;
    } catch (e) {
      outcome = failure(e, call.signal);
      throw e;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      if (metrics) {
        const status: RequestStatus = outcome!.status === "tool_error" ? "ok" : outcome!.status;
        metrics.request(method, status);
        if (tool) metrics.toolCall(tool.label, tool.upstream, outcome!.status, seconds);
      }
      if (span) {
        tracing!.endSpan(span, {
          errorType: errorTypeOf(outcome!),
          code: outcome!.code,
          message: outcome!.message,
        });
      }
      logRequest(requestLog, method, tool?.name, fields, call.id, outcome!.status, seconds);
    }
  }

  #connectionAttributes(connection: Connection | undefined): Record<string, string> {
    if (!connection) return {};
    let a = this.#attributes.get(connection);
    if (!a) this.#attributes.set(connection, a = connectionAttributes(connection));
    return a;
  }
}

function logRequest(
  log: Logger,
  method: string,
  tool: string | undefined,
  fields: LogFields | undefined,
  id: string | number | undefined,
  status: string,
  seconds: number,
): void {
  if (!log.enabled("DEBUG")) return;
  const ms = Math.round(seconds * 1e5) / 100;
  const what = tool ? `${method} ${tool}` : method;
  log.debug(`${what} ${status} in ${ms} ms`, { ...fields, request_id: id, duration_ms: ms });
}
