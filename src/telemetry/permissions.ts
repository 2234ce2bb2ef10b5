/**
 * The grants of telemetry: the metrics endpoint's own listener. Tracing needs nothing: Deno's
 * built-in OpenTelemetry exporter sends spans from outside the permission sandbox (checked: spans
 * arrive with no net grant for the OTLP endpoint), and the runtime learns that tracing is on from
 * the OpenTelemetry API's global, not from the environment.
 *
 * @module
 */

import { netHost, type PlanContext } from "../permissions/plan.ts";
import { metricsListenPort } from "./settings.ts";

/**
 * The Prometheus endpoint (`metrics.enabled`): a listener of its own when `metrics.port` is set,
 * and for stdio servers (port 9464 by default); HTTP transports otherwise answer on their own
 * listener.
 */
export function metricsGrants({ config, plan }: PlanContext): void {
  const m = config.metrics;
  if (!m.enabled) return;
  const port = metricsListenPort(config);
  if (port !== undefined) plan.add("net", netHost(m.host, port), "listen address of the metrics endpoint");
}
