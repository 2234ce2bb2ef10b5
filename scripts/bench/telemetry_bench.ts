/**
 * Micro-benchmarks (`deno task bench:micro`) of what telemetry adds to one proxied `tools/call`:
 * the request through the core's observer (metrics, JSON log fields, a `SERVER` span) and the
 * upstream request and its answer through an upstream wire (a `CLIENT` span and
 * `_meta.traceparent`), against the same work with no telemetry at all. Spans are real only under
 * `OTEL_DENO=true` (then set `OTEL_EXPORTER_OTLP_ENDPOINT` to a collector or a sink); otherwise the
 * OpenTelemetry API is a no-op and these measure our own code only.
 *
 * ```sh
 * deno bench -A scripts/bench/telemetry_bench.ts
 * OTEL_DENO=true OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 deno bench -A scripts/bench/telemetry_bench.ts
 * ```
 *
 * @module
 */

import type { Connection } from "../../src/core/connection.ts";
import type { ObservedRequest } from "../../src/core/dispatch.ts";
import type { Transport } from "../../src/sdk/server.ts";
import type { JSONRPCMessage } from "../../src/sdk/types.ts";
import { McpMetrics } from "../../src/telemetry/metrics.ts";
import { RequestTelemetry, type TelemetrySinks } from "../../src/telemetry/requests.ts";
import * as tracing from "../../src/telemetry/tracing.ts";
import { UpstreamWire } from "../../src/telemetry/wire.ts";
import { configureLogging } from "../../src/log/logger.ts";

configureLogging({ level: "INFO", sink: () => {} });

/** A transport that goes nowhere: what it is sent is dropped. */
function nullTransport(): Transport {
  return { start: () => Promise.resolve(), close: () => Promise.resolve(), send: () => Promise.resolve() };
}

const connection = {
  id: "bench",
  transport: "stdio",
  stateless: false,
  user: undefined,
  binding: { sessionId: "sess-1" },
} as unknown as Connection;

let id = 0;
const result = { content: [{ type: "text", text: "hello" }] };
const answer = (i: number) => ({ jsonrpc: "2.0", id: i, result }) as JSONRPCMessage;

/** One proxied call: observed downstream (or not), forwarded through an upstream wire (or not). */
function proxiedCall(sinks: TelemetrySinks | undefined, traceUpstream: boolean): () => Promise<void> {
  const observer = sinks && new RequestTelemetry(sinks);
  const upInner = nullTransport();
  const up: Transport = traceUpstream ? new UpstreamWire("up0", upInner, tracing) : upInner;
  up.onmessage = () => {};
  // The "handler": forward upstream, take its answer.
  const serve = async () => {
    const upId = ++id;
    await up.send({
      jsonrpc: "2.0",
      id: upId,
      method: "tools/call",
      params: { name: "echo", arguments: { text: "hello" } },
    } as JSONRPCMessage);
    (upInner.onmessage ?? up.onmessage)!(answer(upId));
    return result;
  };
  return async () => {
    const request: ObservedRequest = {
      method: "tools/call",
      params: { name: "proxy.up0.echo", arguments: { text: "hello" } },
      call: { id: ++id, connection, context: () => Promise.reject(new Error("unused")) },
      toolUpstream: "up0",
    };
    await (observer ? observer.request(request, serve) : serve());
  };
}

const none = proxiedCall(undefined, false);
const metrics = proxiedCall({ metrics: new McpMetrics(), logFields: false }, false);
const metricsLogs = proxiedCall({ metrics: new McpMetrics(), logFields: true }, false);
const all = proxiedCall({ metrics: new McpMetrics(), tracing, logFields: false }, true);

Deno.bench("no telemetry (baseline)", { group: "call", baseline: true }, none);
Deno.bench("metrics", { group: "call" }, metrics);
Deno.bench("metrics + JSON log fields", { group: "call" }, metricsLogs);
Deno.bench("metrics + tracing (2 spans, _meta.traceparent)", { group: "call" }, all);
