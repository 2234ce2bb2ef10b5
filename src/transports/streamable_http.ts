/**
 * Streamable HTTP (MCP 2025-03-26+) on `Deno.serve`, using the SDK's web-standard transport.
 *
 * Modes:
 * - stateful (`stateless: false`): `initialize` creates a session and an `Mcp-Session-Id`; later
 *   requests carry it; `GET` opens the server→client stream; `DELETE` ends the session; idle
 *   sessions are closed after `session_idle_timeout`.
 * - stateless (default): every POST is served by a fresh session.
 *
 * With `json_response: true` (either mode) an answer is plain JSON when the response is all there
 * is to send, and streams as soon as the call sends something first (progress, a log entry, a
 * request to the client), so those reach the client in order (see `json_answer.ts`).
 *
 * @module
 */

import type { UserIdentity } from "../context/request_context.ts";
import { getLogger } from "../log/logger.ts";
import { WebStandardStreamableHTTPServerTransport } from "../sdk/server.ts";
import { isInitializeRequest } from "../sdk/types.ts";
import type { Runtime } from "../server/runtime.ts";
import { authInfoFor, type DownstreamSession } from "../server/session.ts";
import { JsonAnswers } from "./json_answer.ts";
import {
  checkHostAndOrigin,
  healthResponse,
  type HttpHygiene,
  isJsonContentType,
  jsonRpcErrorResponse,
  readJsonBody,
} from "./http_common.ts";

const log = getLogger("transport.http");

/** Settings of the streamable HTTP handler (the `streamable-http:` section). */
export interface StreamableHttpSettings extends HttpHygiene {
  /** Path of the MCP endpoint. */
  mcpPath: string;
  /** Path of the health endpoint. */
  healthPath: string;
  /** Answer with plain JSON instead of an SSE stream when no notifications are needed. */
  jsonResponse: boolean;
  /** No `Mcp-Session-Id`: every request stands alone. */
  stateless: boolean;
  /** Seconds of inactivity after which a stateful session is closed. */
  sessionIdleTimeout: number;
}

interface Live {
  session: DownstreamSession;
  transport: WebStandardStreamableHTTPServerTransport;
  /** Chooses JSON or a stream per request (`json_response`). */
  answers: JsonAnswers;
  /** Resolves when the session closes (a request waiting for its answer then gets the stream). */
  closed: Promise<void>;
}

function liveOf(session: DownstreamSession, transport: WebStandardStreamableHTTPServerTransport): Live {
  return {
    session,
    transport,
    answers: new JsonAnswers(transport),
    closed: new Promise<void>((resolve) => session.onClose(resolve)),
  };
}

/** A request handler plus what it needs to shut down. */
export interface HttpHandler {
  /** Serve one request. */
  handle(req: Request): Promise<Response>;
  /** Close every session this handler opened and stop timers. */
  close(): Promise<void>;
}

/** The id of a POST holding one JSON-RPC request (not a batch, not a notification): the only case a JSON answer fits. */
function singleRequestId(body: unknown): string | number | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body) || !("method" in body)) return undefined;
  const id = (body as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

/**
 * Build the streamable-HTTP request handler for a runtime.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig, createStreamableHttpHandler, listenHttp } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * await runtime.start();
 * const http = createStreamableHttpHandler(runtime, {
 *   mcpPath: "/mcp", healthPath: "/health", jsonResponse: true, stateless: true,
 *   sessionIdleTimeout: 1800, bindHost: "127.0.0.1", maxBodyBytes: 8 << 20,
 *   allowedHosts: [], allowedOrigins: [],
 * });
 * const listener = listenHttp("127.0.0.1", 0, (req) => http.handle(req));
 * await listener.shutdown();
 * await http.close();
 * ```
 */
export function createStreamableHttpHandler(runtime: Runtime, settings: StreamableHttpSettings): HttpHandler {
  const live = new Map<string, Live>();
  const reaper = settings.stateless ? undefined : setInterval(() => {
    const cutoff = Date.now() - settings.sessionIdleTimeout * 1000;
    for (const [id, l] of live) {
      // A long call is activity too: its answer must not be cut off.
      if (l.session.callsInFlight === 0 && l.session.lastActivity < cutoff) {
        log.info(`closing idle session ${id}`);
        void l.session.close();
      }
    }
  }, Math.min(60_000, Math.max(1000, settings.sessionIdleTimeout * 250)));
  if (reaper !== undefined) Deno.unrefTimer(reaper);

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === settings.healthPath && (req.method === "GET" || req.method === "HEAD")) {
      return healthResponse(runtime.health(), req.method);
    }
    const denied = checkHostAndOrigin(req, settings);
    if (denied) return denied;
    // Every request but the health check needs credentials, unknown paths included.
    const auth = await runtime.authenticator.authenticate(req);
    if (!auth.ok) return auth.response;
    if (url.pathname !== settings.mcpPath && url.pathname !== settings.mcpPath + "/") {
      return jsonRpcErrorResponse(404, -32000, `Not found: ${url.pathname}`);
    }

    if (req.method === "POST") return await post(req, auth.user, auth.token);
    if (settings.stateless) {
      return jsonRpcErrorResponse(405, -32000, "Method not allowed: this server is stateless (POST only)", {
        allow: "POST",
      });
    }
    if (req.method === "GET" || req.method === "DELETE") {
      const found = lookup(req, auth.user);
      if (found instanceof Response) return found;
      found.session.lastActivity = Date.now();
      return await found.transport.handleRequest(req, { authInfo: authInfoFor(auth.user, auth.token) });
    }
    return jsonRpcErrorResponse(405, -32000, "Method not allowed", { allow: "GET, POST, DELETE" });
  }

  function lookup(req: Request, user: UserIdentity | undefined): Live | Response {
    const sid = req.headers.get("mcp-session-id");
    if (!sid) return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    const found = live.get(sid);
    // Another user's session id is "not found": never reveal or reuse someone else's session.
    if (!found || !found.session.isFor(user)) {
      return jsonRpcErrorResponse(404, -32001, "Session not found");
    }
    return found;
  }

  async function post(
    req: Request,
    user: UserIdentity | undefined,
    token: string | undefined,
  ): Promise<Response> {
    const accept = req.headers.get("accept") ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      return jsonRpcErrorResponse(
        406,
        -32000,
        "Not Acceptable: Client must accept both application/json and text/event-stream",
      );
    }
    if (!isJsonContentType(req.headers.get("content-type"))) {
      return jsonRpcErrorResponse(
        415,
        -32000,
        "Unsupported Media Type: Content-Type must be application/json",
      );
    }
    const body = await readJsonBody(req, settings.maxBodyBytes, settings.bodyTimeoutMs);
    if (!body.ok) return body.response;
    const options = { parsedBody: body.value, authInfo: authInfoFor(user, token) };
    // JSON answers when configured and possible (one request, nothing sent before its response).
    const id = settings.jsonResponse ? singleRequestId(body.value) : undefined;
    const serve = (l: Live, produce: () => Promise<Response>) =>
      id === undefined ? produce() : l.answers.answer(id, produce, l.closed);

    if (settings.stateless) return await stateless(req, user, options, serve);

    const sid = req.headers.get("mcp-session-id");
    if (sid) {
      const found = lookup(req, user);
      if (found instanceof Response) return found;
      found.session.lastActivity = Date.now();
      return await serve(found, () => found.transport.handleRequest(req, options));
    }
    const isInit = Array.isArray(body.value)
      ? body.value.some(isInitializeRequest)
      : isInitializeRequest(body.value);
    if (!isInit) {
      return jsonRpcErrorResponse(400, -32000, "Bad Request: no valid session; send initialize first");
    }
    const session = runtime.openSession({
      transport: "streamable-http",
      user,
      headers: headersOf(req),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => session.id,
      // Always a stream underneath; `JsonAnswers` answers JSON when nothing but the response comes.
      enableJsonResponse: false,
      onsessioninitialized: (id) => {
        live.set(id, l);
      },
      onsessionclosed: (id) => {
        live.delete(id);
        void session.close();
      },
    });
    const l = liveOf(session, transport);
    session.onClose(() => live.delete(session.id));
    await session.connect(transport);
    try {
      return await serve(l, () => transport.handleRequest(req, options));
    } finally {
      // The transport refused the initialize (e.g. a batch holding it): no session to keep.
      if (!live.has(session.id)) await session.close();
    }
  }

  async function stateless(
    req: Request,
    user: UserIdentity | undefined,
    options: { parsedBody: unknown; authInfo: ReturnType<typeof authInfoFor> },
    serve: (l: Live, produce: () => Promise<Response>) => Promise<Response>,
  ): Promise<Response> {
    const session = runtime.openSession({
      transport: "streamable-http",
      user,
      headers: headersOf(req),
      stateless: true,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: false,
    });
    const l = liveOf(session, transport);
    await session.connect(transport);
    let res: Response;
    try {
      res = await serve(l, () => transport.handleRequest(req, options));
    } catch (e) {
      await session.close();
      throw e;
    }
    if (!res.body || !res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await session.close();
      return res;
    }
    // Streamed answer: close the per-request session once the stream has been fully sent.
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        flush: () => void session.close(),
        cancel: () => void session.close(),
      }),
    );
    return new Response(body, { status: res.status, headers: res.headers });
  }

  return {
    handle,
    async close() {
      if (reaper !== undefined) clearInterval(reaper);
      await Promise.allSettled([...live.values()].map((l) => l.session.close()));
      live.clear();
    },
  };
}

function headersOf(req: Request): Record<string, string> {
  return Object.fromEntries(req.headers.entries());
}
