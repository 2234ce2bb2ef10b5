/**
 * The grants of telemetry: the metrics endpoint's own listener, and for tracing (optional) the two
 * variables that name Deno's sampler. Tracing needs no net grant: Deno's built-in OpenTelemetry exporter
 * sends spans from outside the permission sandbox (checked: spans arrive with no net grant for the
 * OTLP endpoint), and the runtime learns that tracing is on from the OpenTelemetry API's global.
 * It reads the sampler so that a request the sampler will drop costs no span work (without the
 * grant it still works, asking Deno span by span).
 *
 * @module
 */

import { netHost, type PlanContext } from "../permissions/plan.ts";
import { tracingRegistered } from "./detect.ts";
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

/**
 * Tracing: `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, read to know beforehand which
 * requests Deno's sampler drops. Only for a run that traces (`options.tracing`, by default: this
 * process does — run `cli.ts permissions` with the same `OTEL_*` variables as the server), and
 * optional: without them tracing still works, asking Deno span by span.
 */
export function tracingGrants({ plan, options }: PlanContext): void {
  if (!(options.tracing ?? tracingRegistered()) || options.readsProcessEnv === false) return;
  const optional = { optional: true };
  plan.add("env", "OTEL_TRACES_SAMPLER", "tracing: which requests Deno's sampler records", optional);
  plan.add("env", "OTEL_TRACES_SAMPLER_ARG", "tracing: the sampler's ratio", optional);
}
