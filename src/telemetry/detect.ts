/**
 * Whether an OpenTelemetry SDK is registered in this process — Deno's built-in one registers at
 * startup when `OTEL_DENO=true` — without loading the OpenTelemetry API (a server without
 * tracing should not pay for it) and without reading the environment (no extra permission).
 *
 * @module
 */

/** The global the OpenTelemetry JavaScript API (1.x) keeps registered providers under. */
const OTEL_API_GLOBAL = Symbol.for("opentelemetry.js.api.1");

/**
 * `true` when a tracer provider is registered through the OpenTelemetry API's global (under Deno:
 * the process was started with `OTEL_DENO=true`).
 *
 * @example
 * ```ts
 * import { tracingRegistered } from "@chuk/mcp-runtime/telemetry";
 * console.log(tracingRegistered()); // true under OTEL_DENO=true
 * ```
 */
export function tracingRegistered(): boolean {
  const api = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_API_GLOBAL];
  return api?.trace !== undefined;
}
