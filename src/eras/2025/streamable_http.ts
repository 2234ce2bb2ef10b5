/**
 * Streamable HTTP (MCP 2025-03-26 to 2025-11-25) behind the front door, using the SDK's
 * web-standard transport.
 *
 * Modes:
 * - stateful (`stateless: false`): `initialize` opens a connection and an `Mcp-Session-Id`; later
 *   requests carry it; `GET` opens the server→client stream; `DELETE` ends it; idle connections
 *   are closed after `session_idle_timeout`.
 * - stateless (default): every POST is served by a fresh connection.
 *
 * With `json_response: true` (either mode) an answer is plain JSON when the response is all there
 * is to send, and streams as soon as the call sends something first (progress, a log entry, a
 * request to the client), so those reach the client in order (see `json_answer.ts`).
 *
 * @module
 */

import type { UserIdentity } from "../../auth/types.ts";
import type { ConnectionHost } from "../../core/host.ts";
import {
  accepts,
  byMethod,
  guarded,
  type Handler,
  jsonBody,
  jsonContentType,
  type RequestState,
  type Route,
} from "../../http/front_door.ts";
import { jsonRpcErrorResponse } from "../../http/responses.ts";
import { getLogger } from "../../log/logger.ts";
import { WebStandardStreamableHTTPServerTransport } from "../../sdk/server.ts";
import { isInitializeRequest } from "../../sdk/types.ts";
import { authInfoFor, openConnection, type SdkConnection } from "./connection.ts";
import { JsonAnswers } from "./json_answer.ts";

const log = getLogger("transport.http");

/** Settings of the streamable HTTP transport (the `streamable-http:` section). */
export interface StreamableHttpSettings {
  /** Path of the MCP endpoint. */
  mcpPath: string;
  /** Answer with plain JSON instead of an SSE stream when no notifications are needed. */
  jsonResponse: boolean;
  /** No `Mcp-Session-Id`: every request stands alone. */
  stateless: boolean;
  /** Seconds of inactivity after which a stateful connection is closed. */
  sessionIdleTimeout: number;
  /** Largest accepted body in bytes. */
  maxBodyBytes: number;
  /** How long a request body may take to arrive (ms); a slower one gets 408. */
  bodyTimeoutMs?: number;
}

/** An HTTP transport behind the front door: its routes, and what it must close on shutdown. */
export interface HttpTransport {
  /** The paths it serves. */
  readonly routes: readonly Route[];
  /** Close every connection it opened and stop its timers. */
  close(): Promise<void>;
}

/** One connection and the SDK transport it is connected to. */
interface Live {
  connection: SdkConnection;
  transport: WebStandardStreamableHTTPServerTransport;
  /** Chooses JSON or a stream per request (`json_response`). */
  answers: JsonAnswers;
  /** Resolves when the connection closes (a request waiting for its answer then gets the stream). */
  closed: Promise<void>;
}

function liveOf(connection: SdkConnection, transport: WebStandardStreamableHTTPServerTransport): Live {
  return {
    connection,
    transport,
    answers: new JsonAnswers(transport),
    closed: new Promise<void>((resolve) => connection.onClose(resolve)),
  };
}

function headersOf(req: Request): Record<string, string> {
  return Object.fromEntries(req.headers.entries());
}

/** The id of a POST holding one JSON-RPC request (not a batch, not a notification): the only case a JSON answer fits. */
function singleRequestId(body: unknown): string | number | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body) || !("method" in body)) return undefined;
  const id = (body as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

/** What the SDK transport is handed with a POST. */
function postOptions(state: RequestState) {
  return { parsedBody: state.body, authInfo: authInfoFor(state.user, state.token) };
}

/**
 * Hand a POST to `live`'s SDK transport: JSON when configured and possible (one request, nothing
 * sent before its response), else the transport's own answer.
 */
function answer(live: Live, req: Request, state: RequestState, jsonResponse: boolean): Promise<Response> {
  const produce = () => live.transport.handleRequest(req, postOptions(state));
  const id = jsonResponse ? singleRequestId(state.body) : undefined;
  return id === undefined ? produce() : live.answers.answer(id, produce, live.closed);
}

/** Stateless: each POST gets a connection of its own, closed once its answer has been sent. */
function statelessPost(host: ConnectionHost, settings: StreamableHttpSettings): Handler {
  return async (req, state) => {
    const connection = openConnection(host, {
      transport: "streamable-http",
      user: state.user,
      headers: headersOf(req),
      stateless: true,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: false,
    });
    const live = liveOf(connection, transport);
    await connection.connect(transport);
    let res: Response;
    try {
      res = await answer(live, req, state, settings.jsonResponse);
    } catch (e) {
      await connection.close();
      throw e;
    }
    if (!res.body || !res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await connection.close();
      return res;
    }
    // Streamed answer: close the per-request connection once the stream has been fully sent.
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        flush: () => void connection.close(),
        cancel: () => void connection.close(),
      }),
    );
    return new Response(body, { status: res.status, headers: res.headers });
  };
}

/** The stateful connections of one endpoint by `Mcp-Session-Id`, and the reaper of idle ones. */
class LiveConnections {
  readonly #live = new Map<string, Live>();
  readonly #reaper: ReturnType<typeof setInterval>;

  constructor(idleSeconds: number) {
    this.#reaper = setInterval(() => {
      const cutoff = Date.now() - idleSeconds * 1000;
      for (const [id, l] of this.#live) {
        // A long call is activity too: its answer must not be cut off.
        if (l.connection.callsInFlight === 0 && l.connection.lastActivity < cutoff) {
          log.info(`closing idle session ${id}`);
          void l.connection.close();
        }
      }
    }, Math.min(60_000, Math.max(1000, idleSeconds * 250)));
    Deno.unrefTimer(this.#reaper);
  }

  /** The connection a request names, or the error response to send. */
  lookup(req: Request, user: UserIdentity | undefined): Live | Response {
    const sid = req.headers.get("mcp-session-id");
    if (!sid) return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    const found = this.#live.get(sid);
    // Another user's session id is "not found": never reveal or reuse someone else's connection.
    if (!found || !found.connection.isFor(user)) {
      return jsonRpcErrorResponse(404, -32001, "Session not found");
    }
    found.connection.lastActivity = Date.now();
    return found;
  }

  has(id: string): boolean {
    return this.#live.has(id);
  }

  add(id: string, live: Live): void {
    this.#live.set(id, live);
  }

  delete(id: string): void {
    this.#live.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.#reaper);
    await Promise.allSettled([...this.#live.values()].map((l) => l.connection.close()));
    this.#live.clear();
  }
}

/** Stateful POST: a request of a known connection, or an `initialize` that opens one. */
function statefulPost(
  host: ConnectionHost,
  live: LiveConnections,
  settings: StreamableHttpSettings,
): Handler {
  return async (req, state) => {
    if (req.headers.get("mcp-session-id")) {
      const found = live.lookup(req, state.user);
      if (found instanceof Response) return found;
      return await answer(found, req, state, settings.jsonResponse);
    }
    const isInit = Array.isArray(state.body)
      ? state.body.some(isInitializeRequest)
      : isInitializeRequest(state.body);
    if (!isInit) {
      return jsonRpcErrorResponse(400, -32000, "Bad Request: no valid session; send initialize first");
    }
    const connection = openConnection(host, {
      transport: "streamable-http",
      user: state.user,
      headers: headersOf(req),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => connection.id,
      // Always a stream underneath; `JsonAnswers` answers JSON when nothing but the response comes.
      enableJsonResponse: false,
      onsessioninitialized: (id) => live.add(id, l),
      onsessionclosed: (id) => {
        live.delete(id);
        void connection.close();
      },
    });
    const l = liveOf(connection, transport);
    connection.onClose(() => live.delete(connection.id));
    await connection.connect(transport);
    try {
      return await answer(l, req, state, settings.jsonResponse);
    } finally {
      // The transport refused the initialize (e.g. a batch holding it): no connection to keep.
      if (!live.has(connection.id)) await connection.close();
    }
  };
}

/** Stateful GET (the server→client stream) and DELETE (end the connection). */
function statefulStream(live: LiveConnections): Handler {
  return async (req, state) => {
    const found = live.lookup(req, state.user);
    if (found instanceof Response) return found;
    return await found.transport.handleRequest(req, { authInfo: authInfoFor(state.user, state.token) });
  };
}

/**
 * The streamable-HTTP transport of the 2025 era: its route at `settings.mcpPath`.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../../mod.ts";
 * import { streamableHttpTransport } from "./streamable_http.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * const http = streamableHttpTransport(runtime, {
 *   mcpPath: "/mcp", jsonResponse: true, stateless: true, sessionIdleTimeout: 1800, maxBodyBytes: 8 << 20,
 * });
 * await http.close();
 * ```
 */
export function streamableHttpTransport(
  host: ConnectionHost,
  settings: StreamableHttpSettings,
): HttpTransport {
  const paths = [settings.mcpPath, settings.mcpPath + "/"];
  const body = [
    accepts("application/json", "text/event-stream"),
    jsonContentType,
    jsonBody(settings.maxBodyBytes, settings.bodyTimeoutMs),
  ];
  if (settings.stateless) {
    const handle = byMethod(
      { POST: guarded(body, statelessPost(host, settings)) },
      "Method not allowed: this server is stateless (POST only)",
    );
    return { routes: [{ paths, handle }], close: () => Promise.resolve() };
  }
  const live = new LiveConnections(settings.sessionIdleTimeout);
  const stream = statefulStream(live);
  const handle = byMethod({
    GET: stream,
    POST: guarded(body, statefulPost(host, live, settings)),
    DELETE: stream,
  });
  return { routes: [{ paths, handle }], close: () => live.close() };
}
