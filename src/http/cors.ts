/**
 * CORS for the origins in `allowed_origins`: a browser page served from one of them may call the
 * server. Its preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered before
 * authentication (preflights carry no credentials); every answer to it carries
 * `Access-Control-Allow-Origin` and exposes `Mcp-Session-Id`. Any other origin — and a request
 * without one — gets no CORS header at all, so browsers keep other pages out.
 *
 * @module
 */

/** Request headers an MCP client sends (what a preflight may ask for). */
export const CORS_ALLOW_HEADERS: readonly string[] = [
  "Authorization",
  "Content-Type",
  "Accept",
  "Mcp-Session-Id",
  "MCP-Protocol-Version",
  "Mcp-Method",
  "Mcp-Name",
  "Last-Event-ID",
];

/** Response headers a page may read (the session id; where to log in, on a 401). */
export const CORS_EXPOSE_HEADERS: readonly string[] = ["Mcp-Session-Id", "WWW-Authenticate"];

/** Methods the MCP endpoints answer. */
const ALLOW_METHODS = "GET, POST, DELETE, OPTIONS";
/** How long a browser may cache a preflight answer (seconds). */
const MAX_AGE = "600";

/** The request's `Origin` when it is one of `allowedOrigins`. */
function allowedOrigin(req: Request, allowedOrigins: readonly string[]): string | undefined {
  const origin = req.headers.get("origin");
  return origin !== null && allowedOrigins.includes(origin) ? origin : undefined;
}

/**
 * The answer to a CORS preflight from an allowed origin (204), or undefined for any other request.
 *
 * @example
 * ```ts
 * import { corsPreflight } from "@chuk/mcp-runtime/http";
 * const req = new Request("http://127.0.0.1:3000/mcp", {
 *   method: "OPTIONS",
 *   headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
 * });
 * console.log(corsPreflight(req, ["https://app.example.com"])?.status); // 204
 * ```
 */
export function corsPreflight(req: Request, allowedOrigins: readonly string[]): Response | undefined {
  if (req.method !== "OPTIONS" || !req.headers.has("access-control-request-method")) return undefined;
  const origin = allowedOrigin(req, allowedOrigins);
  if (origin === undefined) return undefined;
  // 2026-07-28 clients send a tool's header-bound arguments as `Mcp-Param-<name>`: names no fixed
  // list can hold, so the ones the preflight asks for are allowed (that prefix only).
  const params = (req.headers.get("access-control-request-headers") ?? "").split(",")
    .map((h) => h.trim())
    .filter((h) => /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(h))
    .slice(0, 64);
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": ALLOW_METHODS,
      "access-control-allow-headers": [...CORS_ALLOW_HEADERS, ...params].join(", "),
      "access-control-max-age": MAX_AGE,
      "vary": "Origin",
    },
  });
}

/**
 * `res` with the CORS headers of an allowed origin (the same response when the request's origin
 * is not allowed).
 *
 * @example
 * ```ts
 * import { withCors } from "@chuk/mcp-runtime/http";
 * const req = new Request("http://127.0.0.1:3000/mcp", { headers: { origin: "https://app.example.com" } });
 * const res = withCors(req, new Response("{}"), ["https://app.example.com"]);
 * console.log(res.headers.get("access-control-allow-origin")); // https://app.example.com
 * ```
 */
export function withCors(req: Request, res: Response, allowedOrigins: readonly string[]): Response {
  const origin = allowedOrigin(req, allowedOrigins);
  if (origin === undefined || res.headers.has("access-control-allow-origin")) return res;
  const headers = new Headers(res.headers);
  headers.set("access-control-allow-origin", origin);
  headers.set("access-control-expose-headers", CORS_EXPOSE_HEADERS.join(", "));
  headers.append("vary", "Origin");
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
