/**
 * The `Deno.serve` listener: a handler that can never crash the server, an optional access log,
 * and a bounded graceful shutdown.
 *
 * @module
 */

import { RuntimeError } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import { raceTimeout } from "../util/timeout.ts";
import { jsonRpcErrorResponse } from "./responses.ts";

const log = getLogger("transport.http");

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
 * import { listenHttp } from "@chuk/mcp-runtime/http";
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
      await raceTimeout(server.shutdown(), graceMs);
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
      // A malformed Host (answered 400) has no URL to take the path from.
      const path = URL.canParse(req.url) ? new URL(req.url).pathname : req.url;
      log.info(
        `${info.remoteAddr.hostname} ${req.method} ${path} ${res.status} ${
          (performance.now() - started).toFixed(1)
        }ms`,
      );
    }
    return res;
  });
}
