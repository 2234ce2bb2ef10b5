/**
 * Spans for MCP requests, through `npm:@opentelemetry/api` — under Deno that is Deno's built-in
 * OpenTelemetry (`OTEL_DENO=true`, exported over OTLP to `OTEL_EXPORTER_OTLP_ENDPOINT`). Names and
 * attributes follow the OpenTelemetry semantic conventions for MCP: a `SERVER` span per request a
 * client sends us, a `CLIENT` span per request we send an upstream, named
 * `{mcp.method.name} {target}` (the tool or prompt), with `mcp.method.name`, `jsonrpc.request.id`,
 * `gen_ai.tool.name`, `gen_ai.prompt.name`, `mcp.resource.uri`, `mcp.session.id`,
 * `mcp.protocol.version`, `network.transport` and, on failure, `error.type` and
 * `rpc.response.status_code`.
 *
 * Context: a request's parent is the `traceparent` in its `params._meta` when it has one (the
 * ambient context, e.g. the HTTP request's span, is then linked), else the ambient context — for
 * HTTP transports the span Deno opened for the request from its `traceparent` header. Requests to
 * upstreams carry the client span in `params._meta.traceparent` (all transports); HTTP upstreams
 * also get it as the `traceparent` header, from Deno's instrumented `fetch` running inside it.
 *
 * @module
 */

import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { VERSION } from "../version.ts";

const tracer = trace.getTracer("@chuk/mcp-runtime", VERSION);

/** What a span says about the request it covers. */
export interface SpanRequest {
  /** JSON-RPC method. */
  method: string;
  /** JSON-RPC id. */
  id: string | number;
  /** Tool name (`tools/call`), when it is a known one (span names must stay low-cardinality). */
  tool?: string;
  /** Prompt name (`prompts/get`). */
  prompt?: string;
  /** Resource URI (`resources/read`, `resources/subscribe`, `resources/unsubscribe`). */
  uri?: string;
}

/** How a request ended, for its span. */
export interface SpanOutcome {
  /** `error.type`: the JSON-RPC error code, `tool_error`, `cancelled`; absent on success. */
  errorType?: string;
  /** JSON-RPC error code of an error answer. */
  code?: number;
  /** Error message (the span status description). */
  message?: string;
}

/** A started span and the context to run its work in. */
export interface StartedSpan {
  span: Span;
  context: Context;
}

function nameOf(r: SpanRequest): string {
  const target = r.tool ?? r.prompt;
  return target ? `${r.method} ${target}` : r.method;
}

function requestAttributes(r: SpanRequest): Attributes {
  const a: Attributes = { "mcp.method.name": r.method, "jsonrpc.request.id": String(r.id) };
  if (r.tool !== undefined) {
    a["gen_ai.tool.name"] = r.tool;
    a["gen_ai.operation.name"] = "execute_tool";
  }
  if (r.prompt !== undefined) a["gen_ai.prompt.name"] = r.prompt;
  if (r.uri !== undefined) a["mcp.resource.uri"] = r.uri;
  return a;
}

/** The `traceparent` (and `tracestate`, `baggage`) of a request's `_meta`, as a parent context. */
function metaParent(meta: Record<string, unknown> | undefined): Context | undefined {
  if (!meta || typeof meta.traceparent !== "string") return undefined;
  const carrier: Record<string, string> = {};
  for (const key of ["traceparent", "tracestate", "baggage"]) {
    const v = meta[key];
    if (typeof v === "string" && v.length <= 8192) carrier[key] = v;
  }
  const extracted = propagation.extract(ROOT_CONTEXT, carrier);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/**
 * Start the `SERVER` span of a request a client sent.
 *
 * @example
 * ```ts
 * import { endSpan, startServerSpan } from "./tracing.ts";
 * const { span } = startServerSpan({ method: "tools/list", id: 1 }, undefined, { "network.transport": "pipe" });
 * endSpan(span, {});
 * ```
 */
export function startServerSpan(
  r: SpanRequest,
  meta: Record<string, unknown> | undefined,
  attributes: Attributes,
  protocolVersion?: string,
): StartedSpan {
  const ambient = context.active();
  const fromMeta = metaParent(meta);
  const links: Link[] = [];
  const ambientSpan = trace.getSpanContext(ambient);
  // The MCP context is the parent; the transport's (HTTP) context is kept as a link.
  if (fromMeta && ambientSpan) links.push({ context: ambientSpan });
  const parent = fromMeta ?? ambient;
  const all = { ...requestAttributes(r), ...attributes };
  if (protocolVersion) all["mcp.protocol.version"] = protocolVersion;
  const span = tracer.startSpan(nameOf(r), { kind: SpanKind.SERVER, attributes: all, links }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Start the `CLIENT` span of a request to an upstream, as a child of the current context.
 *
 * @example
 * ```ts
 * import { endSpan, startClientSpan } from "./tracing.ts";
 * const { span } = startClientSpan({ method: "tools/call", id: 3, tool: "echo" }, { "network.transport": "pipe" });
 * endSpan(span, {});
 * ```
 */
export function startClientSpan(r: SpanRequest, attributes: Attributes): StartedSpan {
  const parent = context.active();
  const span = tracer.startSpan(nameOf(r), {
    kind: SpanKind.CLIENT,
    attributes: { ...requestAttributes(r), ...attributes },
  }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * End a span with the request's outcome.
 *
 * @example
 * ```ts
 * import { endSpan, startClientSpan } from "./tracing.ts";
 * const { span } = startClientSpan({ method: "ping", id: 1 }, {});
 * endSpan(span, { errorType: "-32601", code: -32601, message: "Method not found" });
 * ```
 */
export function endSpan(span: Span, outcome: SpanOutcome, attributes?: Attributes): void {
  // A span the sampler left out records nothing: only end it.
  if (outcome.errorType !== undefined || attributes) {
    if (!span.isRecording()) return span.end();
  }
  if (attributes) span.setAttributes(attributes);
  if (outcome.errorType !== undefined) {
    span.setAttribute("error.type", outcome.errorType);
    if (outcome.code !== undefined) span.setAttribute("rpc.response.status_code", String(outcome.code));
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
  }
  span.end();
}

/**
 * The W3C trace context of `ctx` as `_meta` keys (`traceparent`, and `tracestate`/`baggage` when
 * present).
 *
 * @example
 * ```ts
 * import { startClientSpan, traceMeta } from "./tracing.ts";
 * const { context } = startClientSpan({ method: "tools/call", id: 1, tool: "echo" }, {});
 * console.log(traceMeta(context).traceparent);
 * ```
 */
export function traceMeta(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/**
 * Run `fn` inside `ctx` (spans started and `fetch`es made in it are its children).
 *
 * @example
 * ```ts
 * import { inContext, startClientSpan } from "./tracing.ts";
 * const { context } = startClientSpan({ method: "ping", id: 1 }, {});
 * inContext(context, () => fetch("http://127.0.0.1:3000/health"));
 * ```
 */
export function inContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** The trace id of a span (for log lines). */
export function traceIdOf(span: Span): string {
  return span.spanContext().traceId;
}
