/**
 * The older HTTP+SSE transport (MCP 2024-11-05) on `Deno.serve`. The SDK's own SSE server
 * transport is built on Node's `http` module, so this is a small Deno one behind the SDK's
 * `Transport` interface:
 *
 * - `GET <sse_path>` opens an event stream whose first event (`endpoint`) names
 *   `<message_path>?session_id=<id>`;
 * - `POST <message_path>?session_id=<id>` delivers one JSON-RPC message (or a batch) → 202;
 *   answers travel back on the event stream.
 *
 * @module
 */

import type { UserIdentity } from "../context/request_context.ts";
import { getLogger } from "../log/logger.ts";
import type { Transport } from "../sdk/server.ts";
import { type JSONRPCMessage, JSONRPCMessageSchema, type MessageExtraInfo } from "../sdk/types.ts";
import type { Runtime } from "../server/runtime.ts";
import { authInfoFor, type DownstreamSession } from "../server/session.ts";
import {
  checkHostAndOrigin,
  healthResponse,
  type HttpHygiene,
  isJsonContentType,
  jsonRpcErrorResponse,
  readJsonBody,
} from "./http_common.ts";
import type { HttpHandler } from "./streamable_http.ts";

const log = getLogger("transport.sse");
const encoder = new TextEncoder();

/**
 * One SSE connection as an SDK `Transport`.
 *
 * @example
 * ```ts
 * import { SseServerTransport } from "@chuk/mcp-runtime";
 * const transport = new SseServerTransport("/messages/", crypto.randomUUID());
 * const response = transport.response(); // hand this to Deno.serve
 * ```
 */
export class SseServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  readonly sessionId: string;
  readonly #endpoint: string;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /**
   * A transport for one SSE connection.
   *
   * @param messagePath Path clients POST messages to.
   * @param sessionId The connection's id (sent in the `endpoint` event).
   * @param keepAliveMs Interval of `: ping` comments that keep idle proxies from closing the stream.
   */
  constructor(messagePath: string, sessionId: string, readonly keepAliveMs = 15_000) {
    this.sessionId = sessionId;
    this.#endpoint = `${messagePath}?session_id=${encodeURIComponent(sessionId)}`;
  }

  /** The streaming HTTP response for the `GET` that opened the connection. */
  response(): Response {
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        controller.enqueue(encoder.encode(`event: endpoint\ndata: ${this.#endpoint}\n\n`));
        this.#keepAlive = setInterval(() => this.#write(": ping\n\n"), this.keepAliveMs);
      },
      // The client went away (closed the stream or the socket).
      cancel: () => void this.close(),
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache, no-transform",
        "connection": "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  #write(chunk: string): boolean {
    if (this.#closed || !this.#controller) return false;
    try {
      this.#controller.enqueue(encoder.encode(chunk));
      return true;
    } catch {
      void this.close();
      return false;
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!this.#write(`event: message\ndata: ${JSON.stringify(message)}\n\n`)) {
      return Promise.reject(new Error("SSE stream is closed"));
    }
    return Promise.resolve();
  }

  /** Deliver POSTed messages. Returns the HTTP answer (202, or 400 for a non-JSON-RPC body). */
  deliver(body: unknown, extra: MessageExtraInfo): Response {
    const items = Array.isArray(body) ? body : [body];
    const messages: JSONRPCMessage[] = [];
    for (const item of items) {
      const parsed = JSONRPCMessageSchema.safeParse(item);
      if (!parsed.success) {
        return jsonRpcErrorResponse(400, -32600, "Invalid Request: not a JSON-RPC 2.0 message");
      }
      messages.push(parsed.data);
    }
    for (const m of messages) {
      try {
        this.onmessage?.(m, extra);
      } catch (e) {
        this.onerror?.(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return new Response("Accepted", { status: 202, headers: { "content-type": "text/plain" } });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#keepAlive);
    try {
      this.#controller?.close();
    } catch {
      // already closed by the client
    }
    this.onclose?.();
    return Promise.resolve();
  }
}

/** Settings of the SSE handler (the `sse:` section). */
export interface SseSettings extends HttpHygiene {
  /** Path of the SSE stream (GET). */
  ssePath: string;
  /** Path clients POST messages to. */
  messagePath: string;
  /** Path of the health endpoint. */
  healthPath: string;
}

/**
 * Build the HTTP+SSE request handler for a runtime.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig, createSseHandler, listenHttp } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * await runtime.start();
 * const sse = createSseHandler(runtime, {
 *   ssePath: "/sse", messagePath: "/messages/", healthPath: "/health",
 *   bindHost: "127.0.0.1", maxBodyBytes: 8 << 20, allowedHosts: [], allowedOrigins: [],
 * });
 * const listener = listenHttp("127.0.0.1", 0, (req) => sse.handle(req));
 * await listener.shutdown();
 * await sse.close();
 * ```
 */
export function createSseHandler(runtime: Runtime, settings: SseSettings): HttpHandler {
  const live = new Map<string, { session: DownstreamSession; transport: SseServerTransport }>();
  const messagePaths = new Set([settings.messagePath, settings.messagePath.replace(/\/$/, "") || "/"]);

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
    const isStream = url.pathname === settings.ssePath;
    const isMessage = messagePaths.has(url.pathname);
    if (!isStream && !isMessage) return jsonRpcErrorResponse(404, -32000, `Not found: ${url.pathname}`);

    if (isStream) {
      if (req.method !== "GET") {
        return jsonRpcErrorResponse(405, -32000, "Method not allowed", { allow: "GET" });
      }
      return open(req, auth.user);
    }
    if (req.method !== "POST") {
      return jsonRpcErrorResponse(405, -32000, "Method not allowed", { allow: "POST" });
    }
    const sid = url.searchParams.get("session_id") ?? url.searchParams.get("sessionId");
    if (!sid) return jsonRpcErrorResponse(400, -32000, "Bad Request: session_id query parameter is required");
    const found = live.get(sid);
    // Another user's session id is "not found": never reveal or reuse someone else's session.
    if (!found || !found.session.isFor(auth.user)) {
      return jsonRpcErrorResponse(404, -32001, "Session not found");
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
    found.session.lastActivity = Date.now();
    const authInfo = authInfoFor(auth.user, auth.token);
    return found.transport.deliver(body.value, {
      requestInfo: { headers: Object.fromEntries(req.headers.entries()) },
      ...(authInfo ? { authInfo } : {}),
    });
  }

  function open(req: Request, user: UserIdentity | undefined): Response {
    const session = runtime.openSession({
      transport: "sse",
      user,
      headers: Object.fromEntries(req.headers.entries()),
    });
    const transport = new SseServerTransport(settings.messagePath, session.id);
    live.set(session.id, { session, transport });
    session.onClose(() => live.delete(session.id));
    const response = transport.response();
    session.connect(transport).catch((e) => {
      log.warn(`cannot start SSE session: ${e}`);
      void session.close();
    });
    return response;
  }

  return {
    handle,
    async close() {
      await Promise.allSettled([...live.values()].map((l) => l.session.close()));
      live.clear();
    },
  };
}
