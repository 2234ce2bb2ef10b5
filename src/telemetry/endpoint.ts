/**
 * The Prometheus endpoint: `GET metrics.path` answers the exposition text. No authentication by
 * default (as Prometheus expects); with `metrics.bearer_token` a scrape must send
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: ... }`).
 *
 * @module
 */

import type { McpMetrics } from "./metrics.ts";
import type { MetricsEndpoint } from "./types.ts";

/** Settings of {@linkcode metricsEndpoint}. */
export interface MetricsEndpointSettings {
  /** Path it answers on. */
  path: string;
  /** Token scrapes must present; `null`: none needed. */
  bearerToken: string | null;
}

const encoder = new TextEncoder();

/** Compare without an early exit, so the time taken says nothing about the token. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/**
 * The endpoint over `metrics`.
 *
 * @example
 * ```ts
 * import { McpMetrics, metricsEndpoint } from "@chuk/mcp-runtime/telemetry";
 * const endpoint = metricsEndpoint(new McpMetrics(), { path: "/metrics", bearerToken: null });
 * const res = await endpoint.handle(new Request("http://127.0.0.1:9464/metrics"));
 * console.log(res.status, (await res.text()).includes("mcp_requests_total")); // 200 true
 * ```
 */
export function metricsEndpoint(metrics: McpMetrics, settings: MetricsEndpointSettings): MetricsEndpoint {
  const token = settings.bearerToken === null ? undefined : encoder.encode(`Bearer ${settings.bearerToken}`);
  return {
    path: settings.path,
    async handle(req: Request): Promise<Response> {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return plain(405, "Method not allowed", { allow: "GET, HEAD" });
      }
      if (token && !sameBytes(encoder.encode(req.headers.get("authorization") ?? ""), token)) {
        return plain(401, "Unauthorized", { "www-authenticate": 'Bearer realm="metrics"' });
      }
      const text = await metrics.text();
      return new Response(req.method === "HEAD" ? null : text, {
        status: 200,
        headers: { "content-type": metrics.contentType, "cache-control": "no-store" },
      });
    },
  };
}
