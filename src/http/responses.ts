/**
 * The HTTP answers every front-door check and transport shares: JSON-RPC errors with an HTTP
 * status, and the health document.
 *
 * @module
 */

/**
 * A JSON-RPC error response with an HTTP status.
 *
 * @example
 * ```ts
 * import { jsonRpcErrorResponse } from "@chuk/mcp-runtime/http";
 * const res = jsonRpcErrorResponse(400, -32700, "Parse error");
 * console.log(res.status); // 400
 * ```
 */
export function jsonRpcErrorResponse(
  status: number,
  code: number,
  message: string,
  headers: HeadersInit = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", ...Object.fromEntries(new Headers(headers)) },
  });
}

/**
 * The `/health` answer (also for HEAD): 200 while `status.status` is `ok` (or absent), else 503
 * (a draining instance: load balancers take it out).
 *
 * @example
 * ```ts
 * import { healthResponse } from "@chuk/mcp-runtime/http";
 * const res = healthResponse({ status: "ok" }, "GET");
 * ```
 */
export function healthResponse(status: Record<string, unknown>, method: string): Response {
  const body = JSON.stringify(status);
  return new Response(method === "HEAD" ? null : body, {
    status: status.status === undefined || status.status === "ok" ? 200 : 503,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
