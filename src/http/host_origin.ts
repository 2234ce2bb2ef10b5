/**
 * DNS-rebinding protection: which `Host` and `Origin` a server accepts, decided from its bind
 * address and the `allowed_hosts` / `allowed_origins` settings.
 *
 * @module
 */

import { jsonRpcErrorResponse } from "./responses.ts";

/** Which `Host` and `Origin` values a server accepts. */
export interface HostPolicy {
  /** The address the server binds. Loopback binds get Host/Origin checks. */
  bindHost: string;
  /** Extra accepted `Host` values (host or host:port). */
  allowedHosts: string[];
  /** Extra accepted `Origin` values (full origins, e.g. `https://app.example.com`). */
  allowedOrigins: string[];
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** A host name that can only mean this machine: a loopback name or a 127.x.y.z address. */
function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name) || LOOPBACK_V4.test(name);
}

/**
 * Whether a bind address is loopback-only.
 *
 * @example
 * ```ts
 * import { isLoopback } from "@chuk/mcp-runtime/http";
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0"); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  return isLoopbackName(host);
}

/** `host [":" port]` of RFC 9110/3986: an IP literal in brackets, or a registered name / IPv4. */
const HOST_SYNTAX =
  /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::(\d{0,5}))?$/;

/**
 * Whether a `Host` header value is well-formed (`host[:port]`, port at most 65535).
 *
 * @example
 * ```ts
 * import { isValidHostHeader } from "@chuk/mcp-runtime/http";
 * isValidHostHeader("[::1]:3000"); // true
 * isValidHostHeader("[::1"); // false
 * ```
 */
export function isValidHostHeader(host: string): boolean {
  const m = HOST_SYNTAX.exec(host);
  if (!m || (m[1] !== undefined && m[1] !== "" && Number(m[1]) > 65535)) return false;
  return URL.canParse(`http://${host}/`);
}

/**
 * 400 for a request whose `Host` is malformed (its URL cannot be built from it): the request is
 * refused before anything reads its URL.
 *
 * @example
 * ```ts
 * import { checkHostSyntax } from "@chuk/mcp-runtime/http";
 * const req = new Request("http://127.0.0.1:3000/mcp", { headers: { host: "a b" } });
 * console.log(checkHostSyntax(req)?.status); // 400
 * ```
 */
export function checkHostSyntax(req: Request): Response | undefined {
  const host = req.headers.get("host");
  if ((host === null || isValidHostHeader(host)) && URL.canParse(req.url)) return undefined;
  return jsonRpcErrorResponse(400, -32000, "Bad Request: invalid Host header");
}

function hostnameOf(hostHeader: string): string {
  // "[::1]:3000" → "[::1]", "localhost:3000" → "localhost"
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  const i = hostHeader.lastIndexOf(":");
  return i >= 0 ? hostHeader.slice(0, i) : hostHeader;
}

/**
 * DNS-rebinding protection (MCP security best practice): on a loopback bind, refuse requests whose
 * `Host` or `Origin` is not a loopback name (or listed in `allowed_hosts` / `allowed_origins`).
 * Returns the 403 response to send, or undefined when the request may pass.
 *
 * @example
 * ```ts
 * import { checkHostAndOrigin } from "@chuk/mcp-runtime/http";
 * const req = new Request("http://127.0.0.1:3000/mcp", { headers: { host: "evil.example.com" } });
 * const denied = checkHostAndOrigin(req, {
 *   bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [],
 * });
 * console.log(denied?.status); // 403
 * ```
 */
export function checkHostAndOrigin(req: Request, policy: HostPolicy): Response | undefined {
  const host = req.headers.get("host");
  const origin = req.headers.get("origin");
  const loopbackBind = isLoopback(policy.bindHost);
  if (host !== null) {
    // Host names are case-insensitive.
    const h = host.toLowerCase();
    const allowed = policy.allowedHosts.map((a) => a.toLowerCase());
    const ok = allowed.includes(h) || allowed.includes(hostnameOf(h)) ||
      (loopbackBind ? isLoopbackName(hostnameOf(h)) : allowed.length === 0);
    if (!ok) return jsonRpcErrorResponse(403, -32000, `Forbidden: invalid Host header '${host}'`);
  }
  if (origin !== null && origin !== "null") {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).hostname;
    } catch {
      return jsonRpcErrorResponse(403, -32000, "Forbidden: invalid Origin header");
    }
    // URL.hostname keeps the brackets of an IPv6 literal ("[::1]").
    const bracketed = originHost.includes(":") && !originHost.startsWith("[")
      ? `[${originHost}]`
      : originHost;
    const ok = policy.allowedOrigins.includes(origin) ||
      (loopbackBind ? isLoopbackName(bracketed) : policy.allowedOrigins.length === 0);
    if (!ok) return jsonRpcErrorResponse(403, -32000, `Forbidden: invalid Origin header '${origin}'`);
  } else if (origin === "null" && loopbackBind && !policy.allowedOrigins.includes("null")) {
    return jsonRpcErrorResponse(403, -32000, "Forbidden: invalid Origin header 'null'");
  }
  return undefined;
}
