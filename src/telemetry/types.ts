/**
 * The instrumentation seam of a server: what the core, the proxy, the HTTP listeners and the
 * artifact store tell telemetry, each at one point. The implementation (`telemetry.ts`: Prometheus
 * metrics, OpenTelemetry spans, JSON log fields) is loaded only when something is switched on;
 * until then every part talks to {@linkcode noTelemetry}, which does nothing.
 *
 * @module
 */

import type { RequestObserver } from "../core/dispatch.ts";
import type { Transport } from "../sdk/server.ts";

/**
 * The Prometheus endpoint, when metrics are on.
 *
 * @example
 * ```ts
 * import type { MetricsEndpoint } from "@chuk/mcp-runtime/telemetry";
 * declare const endpoint: MetricsEndpoint;
 * const res = await endpoint.handle(new Request("http://127.0.0.1:3000/metrics"));
 * ```
 */
export interface MetricsEndpoint {
  /** Path it answers on (`metrics.path`). */
  readonly path: string;
  /** Answer a request for `path`: the exposition text, or 401/405. */
  handle(req: Request): Promise<Response>;
}

/**
 * Where the parts of a server report what they do. Each method is cheap and never throws.
 *
 * @example
 * ```ts
 * import { noTelemetry } from "@chuk/mcp-runtime/telemetry";
 * noTelemetry.httpResponse(200); // does nothing
 * ```
 */
export interface Telemetry {
  /** Sees every request and connection (the runtime's `observer`); undefined when nothing is observed. */
  readonly observer: RequestObserver | undefined;
  /** An upstream's state (`connecting`, `ready`, `restarting`, `failed`, `stopped`). */
  upstreamState(upstream: string, state: string): void;
  /**
   * The client transport of one connection attempt to an upstream (`url` for remote ones), wrapped
   * to carry trace context; the same one when nothing is traced. (The transport is the MCP SDK's,
   * which the package does not export: a seam between the proxy and telemetry.)
   *
   * @internal
   */
  upstreamTransport(upstream: string, transport: Transport, url?: string): Transport;
  /** An HTTP response with `status` was sent. */
  httpResponse(status: number): void;
  /** The artifact store wrote `bytes` to storage `provider`. */
  artifactBytesWritten(provider: string, bytes: number): void;
  /** The Prometheus endpoint (undefined when metrics are off). */
  readonly metrics?: MetricsEndpoint;
}

/**
 * Telemetry that records nothing (the default).
 *
 * @example
 * ```ts
 * import { noTelemetry } from "@chuk/mcp-runtime/telemetry";
 * console.log(noTelemetry.observer); // undefined
 * ```
 */
export const noTelemetry: Telemetry = {
  observer: undefined,
  upstreamState() {},
  upstreamTransport: (_upstream, transport) => transport,
  httpResponse() {},
  artifactBytesWritten() {},
};
