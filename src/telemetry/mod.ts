/**
 * Telemetry: the Prometheus series and endpoint, the request observer (metrics, OpenTelemetry
 * spans, JSON log fields) and the telemetry a server runs with. `runServer` loads it only when a
 * configuration switches something on; this entry loads prom-client.
 *
 * @example
 * ```ts
 * import { McpMetrics, metricsEndpoint } from "@chuk/mcp-runtime/telemetry";
 * const endpoint = metricsEndpoint(new McpMetrics(), { path: "/metrics", bearerToken: null });
 * ```
 *
 * @module
 */

export type { ObservedRequest, RequestObserver } from "../core/dispatch.ts";
export { noTelemetry } from "./types.ts";
export type { MetricsEndpoint, Telemetry } from "./types.ts";
export { MAX_TOOL_LABELS, McpMetrics, OTHER_METHOD, OTHER_TOOL, UNKNOWN_TOOL } from "./metrics.ts";
export type { RequestStatus, ToolCallStatus } from "./metrics.ts";
export { metricsEndpoint } from "./endpoint.ts";
export type { MetricsEndpointSettings } from "./endpoint.ts";
export { createTelemetry, RuntimeTelemetry } from "./telemetry.ts";
export type { TelemetryOptions } from "./telemetry.ts";
export { RequestTelemetry } from "./requests.ts";
export type { Outcome, TelemetrySinks } from "./requests.ts";

export { tracingRegistered } from "./detect.ts";
export { telemetryWanted } from "./wanted.ts";
export { DEFAULT_METRICS_PORT, metricsListenPort } from "./settings.ts";
