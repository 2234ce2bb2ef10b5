/**
 * `@chuk/mcp-runtime/telemetry`: the Prometheus series, the metrics endpoint and the telemetry a
 * server runs with. The seam itself (`Telemetry`, `noTelemetry`) is part of the package root; this
 * entry loads prom-client.
 *
 * @example
 * ```ts
 * import { McpMetrics, metricsEndpoint } from "@chuk/mcp-runtime/telemetry";
 * const endpoint = metricsEndpoint(new McpMetrics(), { path: "/metrics", bearerToken: null });
 * ```
 *
 * @module
 */

export {
  MAX_TOOL_LABELS,
  McpMetrics,
  OTHER_METHOD,
  OTHER_TOOL,
  UNKNOWN_TOOL,
} from "./src/telemetry/metrics.ts";
export type { RequestStatus, ToolCallStatus } from "./src/telemetry/metrics.ts";
export { metricsEndpoint } from "./src/telemetry/endpoint.ts";
export type { MetricsEndpointSettings } from "./src/telemetry/endpoint.ts";
export { createTelemetry, RuntimeTelemetry } from "./src/telemetry/telemetry.ts";
export type { TelemetryOptions } from "./src/telemetry/telemetry.ts";
export { registerProcessMetrics } from "./src/telemetry/process.ts";
