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
 * Sampling: Deno's sampler (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`) decides which spans
 * are recorded, but only once a span has been started. Most requests of a sampled deployment are
 * not recorded, so {@linkcode decide} works the decision out first from the same two variables
 * and the parent's sampled flag: a request that will not be recorded gets no span object, no
 * attributes and no context of its own, and its upstream requests carry the parent's
 * `traceparent` as it came (so the upstream does not record either). Only where the outcome
 * depends on the trace id Deno is about to make (a root under a ratio strictly between 0 and 1),
 * or the variables cannot be read, the span is started and asked.
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

/**
 * A started span and the context to run its work in. No `span`: the sampler was asked and did
 * not record it; the work still runs in its context, so that its children are not recorded either.
 */
export interface StartedSpan {
  span?: Span;
  context: Context;
}

/** A parent's W3C trace context, as far as sampling needs it. */
export interface ParentContext {
  /** Trace id (32 hex digits). */
  traceId: string;
  /** Span id (16 hex digits). */
  spanId: string;
  /** W3C trace flags (bit 0: sampled). */
  traceFlags: number;
}

/** What the sampler will do with a new span: record it, drop it, or it cannot be told beforehand. */
export type Decision = "sample" | "drop" | "ask";

/** Deno's sampler, as `OTEL_TRACES_SAMPLER` and `_ARG` configure it. */
export interface SamplerPolicy {
  /** A parent's sampled flag decides (the `parentbased_*` samplers). */
  parentBased: boolean;
  /** The decision for a root span (and for every span when not parent-based). */
  root: Decision;
}

const ASK_ALWAYS: SamplerPolicy = { parentBased: false, root: "ask" };

/** An environment variable when this process may read it (never a permission prompt). */
function readEnv(name: string): string | undefined | null {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return null;
    return Deno.env.get(name);
  } catch {
    return null;
  }
}

/**
 * The policy of Deno's sampler (its names and defaults: unset is `always_on`, which ignores the
 * parent's flag; a missing or bad ratio is 1). Unknown values, or variables this process may not
 * read, ask every span.
 *
 * @example
 * ```ts
 * import { samplerPolicy } from "./tracing.ts";
 * samplerPolicy("parentbased_traceidratio", "0"); // { parentBased: true, root: "drop" }
 * ```
 */
export function samplerPolicy(
  sampler: string | undefined | null,
  arg: string | undefined | null,
): SamplerPolicy {
  if (sampler === null || arg === null) return ASK_ALWAYS;
  const parsed = arg === undefined || arg === "" ? 1 : Number(arg);
  const ratio = Number.isFinite(parsed) ? parsed : 1;
  const byRatio: Decision = ratio <= 0 ? "drop" : ratio >= 1 ? "sample" : "ask";
  switch (sampler ?? "") {
    case "":
    case "always_on":
      return { parentBased: false, root: "sample" };
    case "always_off":
      return { parentBased: false, root: "drop" };
    case "traceidratio":
      return { parentBased: false, root: byRatio };
    case "parentbased_always_on":
      return { parentBased: true, root: "sample" };
    case "parentbased_always_off":
      return { parentBased: true, root: "drop" };
    case "parentbased_traceidratio":
      return { parentBased: true, root: byRatio };
    default:
      return ASK_ALWAYS;
  }
}

let policy: SamplerPolicy | undefined;

/** This process's sampler policy (read once). */
function currentPolicy(): SamplerPolicy {
  return policy ??= samplerPolicy(readEnv("OTEL_TRACES_SAMPLER"), readEnv("OTEL_TRACES_SAMPLER_ARG"));
}

/**
 * What the sampler will do with a span whose parent has `parent` (none: a root span).
 *
 * @example
 * ```ts
 * import { decide } from "./tracing.ts";
 * // Under OTEL_TRACES_SAMPLER=parentbased_always_on: "drop" for a parent that was not sampled.
 * console.log(decide({ traceId: "ab".repeat(16), spanId: "cd".repeat(8), traceFlags: 0 }));
 * ```
 */
export function decide(parent: ParentContext | undefined): Decision {
  const p = currentPolicy();
  if (parent && p.parentBased) return (parent.traceFlags & 1) === 1 ? "sample" : "drop";
  return p.root;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-|$)/;
const ZERO_TRACE = "00000000000000000000000000000000";
const ZERO_SPAN = "0000000000000000";

/**
 * A `traceparent` value as a parent context; undefined when it is not a valid one.
 *
 * @example
 * ```ts
 * import { parseTraceparent } from "./tracing.ts";
 * console.log(parseTraceparent(`00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`)?.traceFlags); // 1
 * ```
 */
export function parseTraceparent(value: unknown): ParentContext | undefined {
  if (typeof value !== "string" || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m || m[1] === "ff" || (m[1] === "00" && m[5] !== "") || m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) {
    return undefined;
  }
  return { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16) };
}

/**
 * A context whose span is `parent` (remote, not recorded here): what runs in it, and the requests
 * it sends, have that parent.
 *
 * @example
 * ```ts
 * import { inContext, parentContext, parseTraceparent } from "./tracing.ts";
 * const parent = parseTraceparent(`00-${"ab".repeat(16)}-${"cd".repeat(8)}-00`)!;
 * inContext(parentContext(parent), () => fetch("http://127.0.0.1:3000/health"));
 * ```
 */
export function parentContext(parent: ParentContext): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true });
}

/**
 * The span context of the ambient context, when it holds a valid one.
 *
 * @example
 * ```ts
 * import { activeParent } from "./tracing.ts";
 * console.log(activeParent()); // undefined outside any span
 * ```
 */
export function activeParent(): ParentContext | undefined {
  const sc = trace.getSpanContext(context.active());
  return sc && sc.traceId !== ZERO_TRACE && sc.spanId !== ZERO_SPAN ? sc : undefined;
}

/**
 * `parent` as a `traceparent` value.
 *
 * @example
 * ```ts
 * import { traceparentOf } from "./tracing.ts";
 * traceparentOf({ traceId: "ab".repeat(16), spanId: "cd".repeat(8), traceFlags: 0 }); // "00-abab…-cdcd…-00"
 * ```
 */
export function traceparentOf(parent: ParentContext): string {
  return `00-${parent.traceId}-${parent.spanId}-${(parent.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

function sampled(span: Span): boolean {
  return (span.spanContext().traceFlags & 1) === 1;
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
 * Start the `SERVER` span of a request a client sent, unless the sampler drops it: `decision`
 * (from {@linkcode decide}) `drop` starts nothing, `ask` starts the span bare and keeps it only
 * when it turns out sampled (else only its context is returned).
 *
 * @example
 * ```ts
 * import { endSpan, startServerSpan } from "./tracing.ts";
 * const started = startServerSpan({ method: "tools/list", id: 1 }, undefined, { "network.transport": "pipe" });
 * if (started?.span) endSpan(started.span, {});
 * ```
 */
export function startServerSpan(
  r: SpanRequest,
  meta: Record<string, unknown> | undefined,
  attributes: Attributes,
  protocolVersion?: string,
  decision: Decision = "sample",
): StartedSpan | undefined {
  if (decision === "drop") return undefined;
  const ambient = context.active();
  const fromMeta = metaParent(meta);
  const parent = fromMeta ?? ambient;
  const all = { ...requestAttributes(r), ...attributes };
  if (protocolVersion) all["mcp.protocol.version"] = protocolVersion;
  // The MCP context is the parent; the transport's (HTTP) context is kept as a link.
  const ambientSpan = fromMeta ? trace.getSpanContext(ambient) : undefined;
  const links: Link[] = ambientSpan ? [{ context: ambientSpan }] : [];
  let span: Span;
  if (decision === "ask") {
    span = tracer.startSpan(nameOf(r), { kind: SpanKind.SERVER }, parent);
    if (!sampled(span)) {
      span.end();
      // Its context alone (cheaper to carry than the span): children follow its decision.
      return { context: trace.setSpanContext(parent, span.spanContext()) };
    }
    span.setAttributes(all);
    if (links.length) span.addLinks(links);
  } else {
    span = tracer.startSpan(nameOf(r), { kind: SpanKind.SERVER, attributes: all, links }, parent);
  }
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Start the `CLIENT` span of a request to an upstream, as a child of the current context, unless
 * the sampler drops it (see {@linkcode startServerSpan}).
 *
 * @example
 * ```ts
 * import { endSpan, startClientSpan } from "./tracing.ts";
 * const started = startClientSpan({ method: "tools/call", id: 3, tool: "echo" }, { "network.transport": "pipe" });
 * if (started?.span) endSpan(started.span, {});
 * ```
 */
export function startClientSpan(
  r: SpanRequest,
  attributes: Attributes,
  decision: Decision = "sample",
): StartedSpan | undefined {
  if (decision === "drop") return undefined;
  const parent = context.active();
  const all = { ...requestAttributes(r), ...attributes };
  let span: Span;
  if (decision === "ask") {
    span = tracer.startSpan(nameOf(r), { kind: SpanKind.CLIENT }, parent);
    if (!sampled(span)) {
      span.end();
      // Its context alone (cheaper to carry than the span): children follow its decision.
      return { context: trace.setSpanContext(parent, span.spanContext()) };
    }
    span.setAttributes(all);
  } else {
    span = tracer.startSpan(nameOf(r), { kind: SpanKind.CLIENT, attributes: all }, parent);
  }
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * End a span with the request's outcome.
 *
 * @example
 * ```ts
 * import { endSpan, startClientSpan } from "./tracing.ts";
 * const started = startClientSpan({ method: "ping", id: 1 }, {});
 * if (started?.span) endSpan(started.span, { errorType: "-32601", code: -32601, message: "Method not found" });
 * ```
 */
export function endSpan(span: Span, outcome: SpanOutcome, attributes?: Attributes): void {
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
 * const started = startClientSpan({ method: "tools/call", id: 1, tool: "echo" }, {});
 * if (started) console.log(traceMeta(started.context).traceparent);
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
 * const started = startClientSpan({ method: "ping", id: 1 }, {});
 * if (started) inContext(started.context, () => fetch("http://127.0.0.1:3000/health"));
 * ```
 */
export function inContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** The trace id of a span (for log lines). */
export function traceIdOf(span: Span): string {
  return span.spanContext().traceId;
}
