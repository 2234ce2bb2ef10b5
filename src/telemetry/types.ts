/**
 * The instrumentation seam: what the core, the proxy, the HTTP layer and the artifact store tell
 * telemetry, each at one point. The implementation (`telemetry.ts`: Prometheus metrics,
 * OpenTelemetry spans, JSON log fields) is loaded only when something is switched on; until then
 * every part talks to {@linkcode noTelemetry}, which does nothing.
 *
 * @module
 */

import type { Transport } from "../sdk/server.ts";

/**
 * What telemetry needs to know about one client connection.
 *
 * @example
 * ```ts
 * import type { ObservedConnection } from "@chuk/mcp-runtime";
 * const conn: ObservedConnection = {
 *   id: "c1",
 *   transport: "stdio",
 *   stateless: false,
 *   userId: undefined,
 *   sessionId: () => "s1",
 *   toolUpstream: (name) => (name === "greet" ? "" : null),
 *   onClose: () => {},
 * };
 * ```
 */
export interface ObservedConnection {
  /** The connection's id (`Mcp-Session-Id` of stateful HTTP, the SSE session id). */
  readonly id: string;
  /** Transport kind: `stdio`, `sse`, `streamable-http`, `internal`. */
  readonly transport: string;
  /** One stateless HTTP request rather than a session: not counted as an active session. */
  readonly stateless: boolean;
  /** The authenticated user, if any. */
  readonly userId: string | undefined;
  /** The runtime session the connection's calls use, once known. */
  sessionId(): string | undefined;
  /** For a tool name: its upstream (`""` for a local tool), or `null` when no such tool exists. */
  toolUpstream(name: string): string | null;
  /** Run `fn` once when the connection closes. */
  onClose(fn: () => void): void;
}

/**
 * The Prometheus endpoint, when metrics are on.
 *
 * @example
 * ```ts
 * import type { MetricsEndpoint } from "@chuk/mcp-runtime";
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
 * Where the parts of the runtime report what they do. Each method is cheap and never throws.
 *
 * @example
 * ```ts
 * import { noTelemetry } from "@chuk/mcp-runtime";
 * noTelemetry.httpResponse(200); // does nothing
 * ```
 */
export interface Telemetry {
  /**
   * A client connection is about to be served on `transport`: count it and observe its requests.
   * Connect the server to the transport this returns (the same one when nothing is observed).
   */
  connection(conn: ObservedConnection, transport: Transport): Transport;
  /** An upstream's state (`connecting`, `ready`, `restarting`, `failed`, `stopped`). */
  upstreamState(upstream: string, state: string): void;
  /**
   * The client transport of one connection attempt to an upstream (`url` for remote ones), wrapped
   * to carry trace context; the same one when nothing is traced.
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
 * import { noTelemetry, Runtime, validateConfig } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({ config: validateConfig({}, "inline"), telemetry: noTelemetry });
 * ```
 */
export const noTelemetry: Telemetry = {
  connection: (_conn, transport) => transport,
  upstreamState() {},
  upstreamTransport: (_upstream, transport) => transport,
  httpResponse() {},
  artifactBytesWritten() {},
};
