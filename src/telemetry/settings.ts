/**
 * Telemetry settings read from the configuration: where the metrics endpoint listens.
 *
 * @module
 */

import type { RuntimeConfig } from "../config/types.ts";

/** Where stdio servers serve metrics when `metrics.port` is not set (the OpenTelemetry Prometheus exporter's port). */
export const DEFAULT_METRICS_PORT = 9464;

/**
 * The port of the metrics listener of its own, or undefined when the transport's listener serves
 * `metrics.path` (or metrics are off).
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { metricsListenPort } from "@chuk/mcp-runtime/telemetry";
 * metricsListenPort(validateConfig({ metrics: { enabled: true } }, "inline")); // 9464 (stdio)
 * ```
 */
export function metricsListenPort(config: RuntimeConfig): number | undefined {
  const m = config.metrics;
  if (!m.enabled) return undefined;
  if (m.port !== null) return m.port;
  return config.server.type === "stdio" ? DEFAULT_METRICS_PORT : undefined;
}
