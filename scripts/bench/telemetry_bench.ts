/**
 * Micro-benchmarks (`deno task bench:micro`) of what telemetry adds to one proxied `tools/call`:
 * the request and its answer through a client connection's wire (metrics, JSON log fields,
 * a `SERVER` span) and the upstream request and its answer through an upstream wire (a `CLIENT`
 * span and `_meta.traceparent`), against the same messages through no wire at all. Spans are
 * real only under `OTEL_DENO=true` (then set `OTEL_EXPORTER_OTLP_ENDPOINT` to a collector or a
 * sink); otherwise the OpenTelemetry API is a no-op and these measure our own code only.
 *
 * ```sh
 * deno bench -A scripts/bench/telemetry_bench.ts
 * OTEL_DENO=true OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 deno bench -A scripts/bench/telemetry_bench.ts
 * ```
 *
 * @module
 */

import type { Transport } from "../../src/sdk/server.ts";
import type { JSONRPCMessage } from "../../src/sdk/types.ts";
import { McpMetrics } from "../../src/telemetry/metrics.ts";
import * as tracing from "../../src/telemetry/tracing.ts";
import type { ObservedConnection } from "../../src/telemetry/types.ts";
import { ServerWire, UpstreamWire, type WireSinks } from "../../src/telemetry/wire.ts";
import { configureLogging } from "../../src/log/logger.ts";

configureLogging({ level: "INFO", sink: () => {} });

/** A transport that goes nowhere: what it is sent is dropped. */
function nullTransport(): Transport {
  return { start: () => Promise.resolve(), close: () => Promise.resolve(), send: () => Promise.resolve() };
}

const conn: ObservedConnection = {
  id: "bench",
  transport: "stdio",
  stateless: false,
  userId: undefined,
  sessionId: () => "sess-1",
  toolUpstream: (name) => (name === "proxy.up0.echo" ? "up0" : null),
  onClose: () => {},
};

let id = 0;
const request = () =>
  ({
    jsonrpc: "2.0",
    id: ++id,
    method: "tools/call",
    params: { name: "proxy.up0.echo", arguments: { text: "hello" } },
  }) as JSONRPCMessage;
const answer = (i: number) =>
  ({ jsonrpc: "2.0", id: i, result: { content: [{ type: "text", text: "hello" }] } }) as JSONRPCMessage;

/** One proxied call's messages through a downstream and an upstream wire (or none). */
function proxiedCall(sinks: WireSinks | undefined, traceUpstream: boolean): () => Promise<void> {
  const downInner = nullTransport();
  const down: Transport = sinks ? new ServerWire(conn, downInner, sinks) : downInner;
  const upInner = nullTransport();
  const up: Transport = traceUpstream ? new UpstreamWire("up0", upInner, tracing) : upInner;
  up.onmessage = () => {};
  let reply: (m: JSONRPCMessage) => Promise<void> = () => Promise.resolve();
  // The "handler": forward upstream, take its answer, answer downstream.
  down.onmessage = (m) => {
    const downId = (m as { id: number }).id;
    const out = request();
    const upId = (out as { id: number }).id;
    reply = async () => {
      await up.send(out);
      (upInner.onmessage ?? up.onmessage)!(answer(upId));
      await down.send(answer(downId));
    };
  };
  return async () => {
    (downInner.onmessage ?? down.onmessage)!(request());
    await reply(request());
  };
}

const none = proxiedCall(undefined, false);
const metrics = proxiedCall({ metrics: new McpMetrics(), logFields: false }, false);
const metricsLogs = proxiedCall({ metrics: new McpMetrics(), logFields: true }, false);
const all = proxiedCall({ metrics: new McpMetrics(), tracing, logFields: false }, true);

Deno.bench("no telemetry (baseline)", { group: "wire", baseline: true }, none);
Deno.bench("metrics", { group: "wire" }, metrics);
Deno.bench("metrics + JSON log fields", { group: "wire" }, metricsLogs);
Deno.bench("metrics + tracing (2 spans, _meta.traceparent)", { group: "wire" }, all);
