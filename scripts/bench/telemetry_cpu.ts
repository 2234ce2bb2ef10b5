/**
 * CPU per proxied `tools/call` that telemetry adds, measured the way the benchmark's CPU column is
 * (process CPU time, every thread: for tracing that includes Deno's exporter thread), on a 2-core
 * machine that is often shared: each variant runs in a process of its own (so one variant's spans
 * are not exported during another's window), the variants take turns for `--rounds` rounds, and
 * the report gives the median and the lowest of the rounds. The call itself is the telemetry
 * path of a proxied call — the core's observer around a forward through an upstream wire — with
 * the upstream's transport a no-op, so what is measured is telemetry and nothing else.
 *
 * Deno exports the spans over OTLP/HTTP to a sink in this script that answers 200; `--sampler`
 * (and `--ratio`) set Deno's `OTEL_TRACES_SAMPLER` (`_ARG`). `tracing (API only)` runs our tracing
 * code against the OpenTelemetry API with no SDK registered: `tracing` minus it is Deno's share.
 * `--parent sampled|unsampled` gives each call a caller's `_meta.traceparent` with that flag
 * (default none: every call is a root, as over stdio without one).
 *
 * ```sh
 * deno run -A scripts/bench/telemetry_cpu.ts --rounds 7
 * deno run -A scripts/bench/telemetry_cpu.ts --sampler parentbased_traceidratio --ratio 0.1
 * deno run -A scripts/bench/telemetry_cpu.ts --sampler parentbased_always_on --parent unsampled
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import type { Connection } from "../../src/core/connection.ts";
import type { ObservedRequest } from "../../src/core/dispatch.ts";
import { configureLogging } from "../../src/log/logger.ts";
import type { Transport } from "../../src/sdk/server.ts";
import type { JSONRPCMessage } from "../../src/sdk/types.ts";
import { McpMetrics } from "../../src/telemetry/metrics.ts";
import { RequestTelemetry, type TelemetrySinks } from "../../src/telemetry/requests.ts";
import { UpstreamWire } from "../../src/telemetry/wire.ts";

// `tracing (API only)`: our tracing code against the OpenTelemetry API with no SDK registered
// (its no-op spans), so `tracing` minus it is what Deno's spans and exporter cost.
const VARIANTS = ["none", "metrics", "logs", "tracing (API only)", "tracing", "metrics+tracing"] as const;
type Variant = typeof VARIANTS[number];

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    calls: { type: "string", default: "50000" },
    sampler: { type: "string", default: "always_on" },
    ratio: { type: "string" },
    variants: { type: "string" },
    parent: { type: "string", default: "none" },
    child: { type: "string" },
  },
});

if (values.child) {
  const cpuPerCall = await child(values.child as Variant, Number(values.calls), values.parent!);
  console.log(JSON.stringify({ cpuPerCall }));
  Deno.exit(0);
}

/** One variant's run: CPU µs per call (after a warm-up, with the exporter's work included). */
async function child(variant: Variant, calls: number, parent: string): Promise<number> {
  configureLogging({ level: "INFO", sink: () => {} });
  const tracing = variant.includes("tracing") ? await import("../../src/telemetry/tracing.ts") : undefined;
  const sinks: TelemetrySinks | undefined = variant === "none" ? undefined : {
    metrics: variant.includes("metrics") ? new McpMetrics() : undefined,
    tracing,
    logFields: variant === "logs",
  };
  const observer = sinks && new RequestTelemetry(sinks);
  const upInner: Transport = {
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    send: () => Promise.resolve(),
  };
  const up: Transport = tracing ? new UpstreamWire("up0", upInner, tracing) : upInner;
  up.onmessage = () => {};
  const connection = {
    id: "bench",
    transport: "stdio",
    stateless: false,
    user: undefined,
    binding: { sessionId: "sess-1" },
  } as unknown as Connection;
  const result = { content: [{ type: "text", text: "hello" }] };
  const flags = parent === "sampled" ? "01" : parent === "unsampled" ? "00" : undefined;
  const meta = flags &&
    { traceparent: `00-${"4bf92f3577b34da6a3ce929d0e0e4736"}-${"00f067aa0ba902b7"}-${flags}` };
  let id = 0;
  const serve = async () => {
    const upId = ++id;
    await up.send({
      jsonrpc: "2.0",
      id: upId,
      method: "tools/call",
      // The proxy passes the caller's `_meta` on (its traceparent too).
      params: { name: "echo", arguments: { text: "hello" }, ...(meta ? { _meta: meta } : {}) },
    } as JSONRPCMessage);
    (upInner.onmessage ?? up.onmessage)!({ jsonrpc: "2.0", id: upId, result } as JSONRPCMessage);
    return result;
  };
  const call = async () => {
    const request: ObservedRequest = {
      method: "tools/call",
      params: { name: "proxy.up0.echo", arguments: { text: "hello" }, ...(meta ? { _meta: meta } : {}) },
      call: { id: ++id, connection, context: () => Promise.reject(new Error("not used")) },
      toolUpstream: "up0",
    };
    await (observer ? observer.request(request, serve) : serve());
  };
  const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Long enough for V8 to finish optimizing (its compiler threads count as process CPU too).
  for (let i = 0; i < 20_000; i++) await call();
  await idle(400); // the warm-up's spans leave before the window
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  await idle(400); // and these are exported inside it (OTEL_BSP_SCHEDULE_DELAY=100)
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

const rounds = Number(values.rounds);
const calls = Number(values.calls);
const variants = (values.variants?.split(",") ?? VARIANTS) as Variant[];
const sink = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  await req.arrayBuffer();
  return Response.json({});
});
const env = {
  OTEL_DENO: "true",
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.addr.port}`,
  OTEL_BSP_SCHEDULE_DELAY: "100",
  OTEL_TRACES_SAMPLER: values.sampler!,
  ...(values.ratio ? { OTEL_TRACES_SAMPLER_ARG: values.ratio } : {}),
  NO_COLOR: "1",
};
const results = new Map<Variant, number[]>(variants.map((v) => [v, []]));
for (let r = 0; r < rounds; r++) {
  // Each round starts with another variant, so none always runs after the same one.
  const order = variants.map((_, i) => variants[(i + r) % variants.length]);
  for (const v of order) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        import.meta.filename!,
        "--child",
        v,
        "--calls",
        String(calls),
        "--parent",
        values.parent!,
      ],
      env: v.includes("tracing") && !v.includes("API only") ? env : { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "inherit",
    }).output();
    results.get(v)!.push(JSON.parse(new TextDecoder().decode(out.stdout)).cpuPerCall);
  }
}
await sink.shutdown();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.get("none") ?? [0]);
console.log(
  `CPU µs per proxied call (${calls} calls × ${rounds} rounds, sampler ${values.sampler}${
    values.ratio ? ` ${values.ratio}` : ""
  }, parent ${values.parent}; load ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")})`,
);
console.log("| variant | median | lowest | added (median) |");
console.log("| --- | --- | --- | --- |");
for (const [v, xs] of results) {
  const m = median(xs);
  console.log(`| ${v} | ${m.toFixed(2)} | ${Math.min(...xs).toFixed(2)} | ${(m - base).toFixed(2)} |`);
}
