/**
 * What both HTTP transports share: the `Deno.serve` listener, health endpoint, DNS-rebinding
 * protection, body limits, JSON parsing and JSON-RPC error responses. Every check answers with a
 * proper HTTP status and a JSON-RPC error body; none of them can take the server down.
 *
 * @module
 */

import { RuntimeError } from "../errors.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("transport.http");

/** Request hygiene settings (from the `sse:` / `streamable-http:` sections). */
export interface HttpHygiene {
  /** The address the server binds. Loopback binds get Host/Origin checks. */
  bindHost: string;
  /** Largest accepted body in bytes. */
  maxBodyBytes: number;
  /** How long a request body may take to arrive (ms, default 30 000); a slower one gets 408. */
  bodyTimeoutMs?: number;
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
 * import { isLoopback } from "@chuk/mcp-runtime";
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0"); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  return isLoopbackName(host);
}

/**
 * A JSON-RPC error response with an HTTP status.
 *
 * @example
 * ```ts
 * import { jsonRpcErrorResponse } from "@chuk/mcp-runtime";
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
 * import { checkHostAndOrigin } from "@chuk/mcp-runtime";
 * const req = new Request("http://127.0.0.1:3000/mcp", { headers: { host: "evil.example.com" } });
 * const denied = checkHostAndOrigin(req, {
 *   bindHost: "127.0.0.1", maxBodyBytes: 1024, allowedHosts: [], allowedOrigins: [],
 * });
 * console.log(denied?.status); // 403
 * ```
 */
export function checkHostAndOrigin(req: Request, hygiene: HttpHygiene): Response | undefined {
  const host = req.headers.get("host");
  const origin = req.headers.get("origin");
  const loopbackBind = isLoopback(hygiene.bindHost);
  if (host !== null) {
    // Host names are case-insensitive.
    const h = host.toLowerCase();
    const allowed = hygiene.allowedHosts.map((a) => a.toLowerCase());
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
    const ok = hygiene.allowedOrigins.includes(origin) ||
      (loopbackBind ? isLoopbackName(bracketed) : hygiene.allowedOrigins.length === 0);
    if (!ok) return jsonRpcErrorResponse(403, -32000, `Forbidden: invalid Origin header '${origin}'`);
  } else if (origin === "null" && loopbackBind && !hygiene.allowedOrigins.includes("null")) {
    return jsonRpcErrorResponse(403, -32000, "Forbidden: invalid Origin header 'null'");
  }
  return undefined;
}

/** Outcome of reading a JSON body. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

/** Default of {@linkcode HttpHygiene.bodyTimeoutMs}. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/**
 * Read and parse a JSON request body. Bytes are counted as they arrive and nothing is allocated
 * for what a peer merely declares: a `Content-Length` over `maxBytes` gets 413 at once, and so does
 * a body whose bytes exceed it. A body that takes longer than `timeoutMs` gets 408; malformed JSON
 * 400 / JSON-RPC -32700.
 *
 * @example
 * ```ts
 * import { readJsonBody } from "@chuk/mcp-runtime";
 * const r = await readJsonBody(new Request("http://x/", { method: "POST", body: "{}" }), 1024);
 * console.log(r.ok); // true
 * ```
 */
export async function readJsonBody(
  req: Request,
  maxBytes: number,
  timeoutMs: number = DEFAULT_BODY_TIMEOUT_MS,
): Promise<JsonBody> {
  const refuse = (status: number, code: number, message: string, close = false): JsonBody => ({
    ok: false,
    response: jsonRpcErrorResponse(status, code, message, close ? { connection: "close" } : {}),
  });
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await req.body?.cancel().catch(() => {});
    return refuse(413, -32000, `Payload too large: request body exceeds ${maxBytes} bytes`, true);
  }
  // Never `req.text()`: it reserves the declared length up front, so a hundred peers declaring
  // 8 MB and sending one byte would cost 800 MB. Read what arrives, count it, bound the wait.
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void reader.cancel().catch(() => {});
    }, timeoutMs);
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => {});
          return refuse(413, -32000, `Payload too large: request body exceeds ${maxBytes} bytes`, true);
        }
        chunks.push(value);
      }
    } catch {
      if (!timedOut) return refuse(400, -32700, "Parse error: request body could not be read");
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) {
      return refuse(
        408,
        -32000,
        `Request timeout: the body did not arrive within ${timeoutMs / 1000} s`,
        true,
      );
    }
  }
  const bytes = chunks.length === 1 ? chunks[0] : concat(chunks, total);
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    return refuse(400, -32700, "Parse error: invalid JSON");
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/**
 * Whether a `Content-Type` header names JSON (`application/json`, parameters allowed).
 *
 * @example
 * ```ts
 * import { isJsonContentType } from "@chuk/mcp-runtime";
 * isJsonContentType("application/json; charset=utf-8"); // true
 * ```
 */
export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  return value.split(";")[0].trim().toLowerCase() === "application/json";
}

/**
 * The `/health` answer (also for HEAD).
 *
 * @example
 * ```ts
 * import { healthResponse } from "@chuk/mcp-runtime";
 * const res = healthResponse({ status: "ok" }, "GET");
 * ```
 */
export function healthResponse(status: Record<string, unknown>, method: string): Response {
  const body = JSON.stringify(status);
  return new Response(method === "HEAD" ? null : body, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/** A running HTTP listener. */
export interface HttpListener {
  /** The URL base the server answers on, e.g. `http://127.0.0.1:3000`. */
  readonly origin: string;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Stop accepting, let in-flight requests finish (bounded by `graceMs`), then close. */
  shutdown(graceMs?: number): Promise<void>;
  /** Resolves when the listener has closed. */
  readonly finished: Promise<void>;
}

/** Options of {@linkcode listenHttp}. */
export interface ListenOptions {
  /** Log one line per request. */
  accessLog?: boolean;
  /** Told the status of every response (metrics). */
  onResponse?: (status: number) => void;
}

/**
 * Start `Deno.serve` on `host:port` with a handler that can never crash the server: an exception
 * becomes a 500 JSON-RPC error. The last argument is the access-log switch or {@linkcode ListenOptions}.
 *
 * @example
 * ```ts
 * import { listenHttp } from "@chuk/mcp-runtime";
 * const listener = listenHttp("127.0.0.1", 0, () => new Response("ok"), { onResponse: (s) => console.log(s) });
 * console.log(listener.origin);
 * await listener.shutdown();
 * ```
 */
export function listenHttp(
  host: string,
  port: number,
  handler: (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>,
  options: boolean | ListenOptions = false,
): HttpListener {
  const o = typeof options === "boolean" ? { accessLog: options } : options;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = serveOn(host, port, handler, o.accessLog ?? false, o.onResponse);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new RuntimeError(
        `cannot listen on ${host}:${port}: address already in use (pick another with --port)`,
      );
    }
    if (e instanceof Deno.errors.AddrNotAvailable) {
      throw new RuntimeError(`cannot listen on ${host}:${port}: no such local address`);
    }
    throw e;
  }
  const addr = server.addr;
  const shownHost = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    origin: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    finished: server.finished,
    async shutdown(graceMs = 5000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        server.shutdown(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    },
  };
}

function serveOn(
  host: string,
  port: number,
  handler: (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>,
  accessLog: boolean,
  onResponse: ((status: number) => void) | undefined,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: host,
    port,
    onListen: () => {},
    onError: (e) => {
      log.error(`request failed: ${e instanceof Error ? e.stack ?? e.message : e}`);
      onResponse?.(500);
      return jsonRpcErrorResponse(500, -32603, "Internal error");
    },
  }, async (req, info) => {
    const started = performance.now();
    let res: Response;
    try {
      res = await handler(req, info);
    } catch (e) {
      log.error(`request failed: ${e instanceof Error ? e.stack ?? e.message : e}`);
      res = jsonRpcErrorResponse(500, -32603, "Internal error");
    }
    onResponse?.(res.status);
    if (accessLog) {
      const url = new URL(req.url);
      log.info(
        `${info.remoteAddr.hostname} ${req.method} ${url.pathname} ${res.status} ${
          (performance.now() - started).toFixed(1)
        }ms`,
      );
    }
    return res;
  });
}
