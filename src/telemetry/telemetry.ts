/**
 * The telemetry a configuration asks for: Prometheus metrics (`metrics.enabled`), OpenTelemetry
 * spans (when an OpenTelemetry SDK is registered: Deno's with `OTEL_DENO=true`), JSON log fields
 * (`logging.format: json`). Loaded by the composition only when one of them is on (see
 * `telemetryWanted` in `wanted.ts`), so a plain server loads neither prom-client nor the
 * OpenTelemetry API.
 *
 * @module
 */

import type { RuntimeConfig } from "../config/types.ts";
import { JSON_LOG_FORMAT } from "../log/logger.ts";
import type { Transport } from "../sdk/server.ts";
import { tracingRegistered } from "./detect.ts";
import type { McpMetrics } from "./metrics.ts";
import type { RequestObserver } from "../core/dispatch.ts";
import { RequestTelemetry, type TelemetrySinks } from "./requests.ts";
import type { MetricsEndpoint, Telemetry } from "./types.ts";
import { UpstreamWire } from "./wire.ts";

/** Options of {@linkcode createTelemetry}. */
export interface TelemetryOptions {
  /** Trace even when no SDK is registered (tests with their own provider); default: detect. */
  tracing?: boolean;
}

/**
 * Build the telemetry `config` asks for.
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { createTelemetry } from "@chuk/mcp-runtime/telemetry";
 * const telemetry = await createTelemetry(validateConfig({ metrics: { enabled: true } }, "inline"));
 * const res = await telemetry.metrics!.handle(new Request("http://127.0.0.1/metrics"));
 * ```
 */
export async function createTelemetry(
  config: RuntimeConfig,
  options: TelemetryOptions = {},
): Promise<RuntimeTelemetry> {
  // Each part loads only when it is on (prom-client, the OpenTelemetry API).
  const metrics = config.metrics.enabled ? new (await import("./metrics.ts")).McpMetrics() : undefined;
  const tracing = (options.tracing ?? tracingRegistered()) ? await import("./tracing.ts") : undefined;
  const endpoint = metrics
    ? (await import("./endpoint.ts")).metricsEndpoint(metrics, {
      path: config.metrics.path,
      bearerToken: config.metrics.bearer_token,
    })
    : undefined;
  return new RuntimeTelemetry(
    { metrics, tracing, logFields: config.logging.format === JSON_LOG_FORMAT },
    endpoint,
  );
}

/**
 * The {@linkcode Telemetry} of a running server.
 *
 * @example
 * ```ts
 * import { McpMetrics, RuntimeTelemetry } from "@chuk/mcp-runtime/telemetry";
 * const telemetry = new RuntimeTelemetry({ metrics: new McpMetrics(), logFields: false });
 * telemetry.httpResponse(200);
 * ```
 */
export class RuntimeTelemetry implements Telemetry {
  /** The Prometheus endpoint, when metrics are on. */
  readonly metrics?: MetricsEndpoint;
  /** The Prometheus series, when metrics are on. */
  readonly series?: McpMetrics;
  /** Whether requests get spans. */
  readonly tracing: boolean;
  /** Sees every request and connection. */
  readonly observer: RequestObserver;
  readonly #sinks: TelemetrySinks;
  readonly #upstreams = new Map<string, string>();

  /** Telemetry reporting to `sinks`, with the Prometheus `endpoint` when metrics are on. */
  constructor(sinks: TelemetrySinks, endpoint?: MetricsEndpoint) {
    this.#sinks = sinks;
    this.series = sinks.metrics;
    this.metrics = endpoint;
    this.tracing = sinks.tracing !== undefined;
    this.observer = new RequestTelemetry(sinks);
  }

  /**
   * The upstream transport, wrapped when tracing (see {@linkcode Telemetry.upstreamTransport}).
   *
   * @internal
   */
  upstreamTransport(upstream: string, transport: Transport, url?: string): Transport {
    const tracing = this.#sinks.tracing;
    return tracing ? new UpstreamWire(upstream, transport, tracing, url) : transport;
  }

  upstreamState(upstream: string, state: string): void {
    const previous = this.#upstreams.get(upstream);
    if (previous === state) return;
    if (state === "stopped") this.#upstreams.delete(upstream);
    else this.#upstreams.set(upstream, state);
    this.#sinks.metrics?.upstreamState(upstream, state, previous);
  }

  httpResponse(status: number): void {
    this.#sinks.metrics?.httpResponse(status);
  }

  artifactBytesWritten(provider: string, bytes: number): void {
    this.#sinks.metrics?.artifactBytes(provider, bytes);
  }
}
