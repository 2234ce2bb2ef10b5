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
  type Guard,
  guarded,
  type Handler,
  jsonBody,
  jsonContentType,
  type RequestState,
  type Route,
} from "../../http/front_door.ts";
import { acceptsMediaType } from "../../http/accept.ts";
import { jsonRpcErrorResponse } from "../../http/responses.ts";
import { getLogger } from "../../log/logger.ts";
import type { LoggingLevel } from "../../protocol.ts";
import type { EventStore } from "../../streams/event_store.ts";
import { WebStandardStreamableHTTPServerTransport } from "../../sdk/server.ts";
import { isInitializeRequest } from "../../sdk/types.ts";
import { batchRefusal, LAST_BATCH_VERSION } from "./batches.ts";
import { authInfoFor, openConnection, type SdkConnection } from "./connection.ts";
import { JsonAnswers } from "./json_answer.ts";
import { duplicateIdError, type RequestId } from "./request_ids.ts";
import { SessionLimits } from "./session_limits.ts";

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
  /** Stateful sessions held at most (default 1000). */
  maxSessions?: number;
  /** Stateful sessions one authenticated user holds at most (default 100). */
  maxSessionsPerUser?: number;
  /** Largest accepted body in bytes. */
  maxBodyBytes: number;
  /** How long a request body may take to arrive (ms); a slower one gets 408. */
  bodyTimeoutMs?: number;
  /** Guards run once the body is read (the authenticator's message authorization). */
  afterBody?: readonly Guard[];
  /** The view this endpoint serves (`views.<name>`, at `<mcp_path>/<name>`); none for the full surface. */
  view?: string;
  /** `initialize` instructions of this endpoint instead of the runtime's (the view's description). */
  instructions?: string;
  /**
   * Another protocol era on the same endpoint: called with every POST whose body passed the guards;
   * its response (a promise) claims the request, `undefined` leaves it to this transport.
   */
  otherEra?: (req: Request, state: RequestState) => Promise<Response> | undefined;
  /**
   * Where stateful SSE streams keep their events so a client can resume with `Last-Event-ID`
   * (SEP-1699); none = streams are not resumable.
   */
  eventStore?: EventStore;
  /** The `retry:` (ms) resumable streams send. */
  retryMs?: number;
}

/** What a connection of this endpoint is opened with, beyond its transport. */
function endpointOf(settings: StreamableHttpSettings): { view?: string; instructions?: string } {
  return {
    ...(settings.view !== undefined ? { view: settings.view } : {}),
    ...(settings.instructions !== undefined ? { instructions: settings.instructions } : {}),
  };
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

/** What the SDK transport checks `Accept` for: it compares substrings, case-sensitively. */
const SDK_ACCEPT = { POST: "application/json, text/event-stream", GET: "text/event-stream" };

/**
 * `req` as the SDK transport should see it once the front door has negotiated `Accept` (any case,
 * wildcards): with the `Accept` it checks for. The body was read already (`parsedBody`).
 */
function forSdk(req: Request, accept: string): Request {
  if (req.headers.get("accept") === accept) return req;
  const headers = new Headers(req.headers);
  headers.set("accept", accept);
  return new Request(req.url, { method: req.method, headers });
}

/**
 * A batch that `version` does not allow: 400 with JSON-RPC -32600 naming why (see `batches.ts`).
 * Stateless requests speak the version of their `MCP-Protocol-Version` (none: 2025-03-26).
 */
function refusedBatch(body: unknown, version: string | undefined): Response | undefined {
  const refusal = Array.isArray(body) ? batchRefusal(version) : undefined;
  return refusal ? jsonRpcErrorResponse(400, -32600, refusal) : undefined;
}

/** The ids of the requests in a POST body (one message or a batch). */
function requestIds(body: unknown): RequestId[] {
  const out: RequestId[] = [];
  for (const m of Array.isArray(body) ? body : [body]) {
    if (!m || typeof m !== "object" || !("method" in m)) continue;
    const id = (m as { id?: unknown }).id;
    if (typeof id === "string" || typeof id === "number") out.push(id);
  }
  return out;
}

/**
 * Claim the request ids of a POST in `connection` (before the SDK transport maps them to
 * streams); without a connection, only check the batch repeats none. Resolves the claimed ids,
 * or the answer for a POST reusing an id in flight (or one id twice in a batch).
 */
function claimIds(connection: SdkConnection | undefined, body: unknown): RequestId[] | Response {
  const claimed: RequestId[] = [];
  const seen = new Set<RequestId>();
  for (const id of requestIds(body)) {
    if (seen.has(id) || (connection && !connection.requestIds.claim(id))) {
      for (const c of claimed) connection?.requestIds.release(c);
      const refusal = duplicateIdError(id);
      // One request: its JSON-RPC answer. A batch: the POST as a whole is refused.
      return Array.isArray(body)
        ? jsonRpcErrorResponse(400, -32600, refusal.error.message)
        : Response.json(refusal);
    }
    seen.add(id);
    if (connection) claimed.push(id);
  }
  return claimed;
}

/** A guard: a POST batch may not hold one request id twice. */
function uniqueIds(_req: Request, state: RequestState): Response | undefined {
  const checked = claimIds(undefined, state.body);
  return checked instanceof Response ? checked : undefined;
}

/** What the SDK transport is handed with a POST. */
function postOptions(state: RequestState) {
  return { parsedBody: state.body, authInfo: authInfoFor(state.user, state.token) };
}

/**
 * Hand a POST to `live`'s SDK transport: JSON when configured (the responses, one or a batch's,
 * come before anything else, or the client accepts JSON only), else the transport's own answer.
 */
function answer(live: Live, req: Request, state: RequestState, jsonResponse: boolean): Promise<Response> {
  const stream = acceptsMediaType(req.headers.get("accept"), "text/event-stream");
  const sdkReq = forSdk(req, SDK_ACCEPT.POST);
  const produce = () => live.transport.handleRequest(sdkReq, postOptions(state));
  const ids = jsonResponse ? requestIds(state.body) : [];
  if (ids.length === 0) return produce();
  return live.answers.answer(ids, produce, live.closed, { stream, batch: Array.isArray(state.body) });
}

/**
 * The log levels callers of a stateless endpoint set, by user (an anonymous caller cannot be
 * recognised, so its `logging/setLevel` is refused: see `connection.ts`). Bounded: the oldest
 * entry goes first.
 */
class LogLevels {
  static readonly MAX = 10_000;
  readonly #levels = new Map<string, LoggingLevel>();

  get(user: UserIdentity | undefined): LoggingLevel | undefined {
    return user ? this.#levels.get(user.id) : undefined;
  }

  set(user: UserIdentity | undefined, level: LoggingLevel | undefined): void {
    if (!user || level === undefined || this.#levels.get(user.id) === level) return;
    this.#levels.delete(user.id);
    this.#levels.set(user.id, level);
    if (this.#levels.size > LogLevels.MAX) this.#levels.delete(this.#levels.keys().next().value!);
  }
}

/** Stateless: each POST gets a connection of its own, closed once its answer has been sent. */
function statelessPost(host: ConnectionHost, settings: StreamableHttpSettings): Handler {
  const levels = new LogLevels();
  return async (req, state) => {
    const version = req.headers.get("mcp-protocol-version")?.trim() || LAST_BATCH_VERSION;
    const refused = refusedBatch(state.body, version);
    if (refused) return refused;
    const connection = openConnection(host, {
      transport: "streamable-http",
      user: state.user,
      headers: headersOf(req),
      stateless: true,
      logLevel: levels.get(state.user),
      ...endpointOf(settings),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: false,
    });
    const live = liveOf(connection, transport);
    // The request is the whole exchange: a client that hangs up before its answer cancels the
    // call (its ctx.signal aborts; proxied calls send notifications/cancelled upstream).
    const hangUp = () => void connection.close();
    req.signal.addEventListener("abort", hangUp, { once: true });
    connection.onClose(() => req.signal.removeEventListener("abort", hangUp));
    await connection.connect(transport);
    let res: Response;
    try {
      res = await answer(live, req, state, settings.jsonResponse);
    } catch (e) {
      await connection.close();
      throw e;
    }
    levels.set(state.user, connection.logLevel);
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
  const limits = new SessionLimits({
    maxSessions: settings.maxSessions ?? 1000,
    maxSessionsPerUser: settings.maxSessionsPerUser ?? 100,
    section: "streamable-http",
  });
  return async (req, state) => {
    if (req.headers.get("mcp-session-id")) {
      const found = live.lookup(req, state.user);
      if (found instanceof Response) return found;
      const refused = refusedBatch(state.body, found.connection.protocolVersion);
      if (refused) return refused;
      const claimed = claimIds(found.connection, state.body);
      if (claimed instanceof Response) return claimed;
      let res: Response | undefined;
      try {
        return res = await answer(found, req, state, settings.jsonResponse);
      } finally {
        // Refused before any request ran (bad headers, a closed session): nothing will answer them.
        if (!res || res.status >= 400) { for (const c of claimed) found.connection.requestIds.release(c); }
      }
    }
    // `initialize` comes alone: a batch before it is refused on every transport.
    const refused = refusedBatch(state.body, undefined);
    if (refused) return refused;
    const isInit = Array.isArray(state.body)
      ? state.body.some(isInitializeRequest)
      : isInitializeRequest(state.body);
    if (!isInit) {
      return jsonRpcErrorResponse(400, -32000, "Bad Request: no valid session; send initialize first");
    }
    const release = limits.admit(state.user);
    if (release instanceof Response) return release;
    const connection = openConnection(host, {
      transport: "streamable-http",
      user: state.user,
      headers: headersOf(req),
      ...endpointOf(settings),
    });
    const events = settings.eventStore;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => connection.id,
      // Always a stream underneath; `JsonAnswers` answers JSON when nothing but the response comes.
      enableJsonResponse: false,
      onsessioninitialized: (id) => live.add(id, l),
      onsessionclosed: (id) => {
        live.delete(id);
        void connection.close();
      },
      ...(events ? { eventStore: events.scoped(connection.id), retryInterval: settings.retryMs } : {}),
    });
    const l = liveOf(connection, transport);
    connection.onClose(() => {
      live.delete(connection.id);
      events?.drop(connection.id);
      release();
    });
    // Later POSTs of this connection claim their request ids before the transport sees them.
    await connection.connect(transport, { claimsAhead: true });
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
    const sdkReq = req.method === "GET" && acceptsMediaType(req.headers.get("accept"), "text/event-stream")
      ? forSdk(req, SDK_ACCEPT.GET)
      : req;
    return await found.transport.handleRequest(sdkReq, { authInfo: authInfoFor(state.user, state.token) });
  };
}

/**
 * Where view `name` of the endpoint at `base` is served: `<base>/<name>`.
 *
 * @example
 * ```ts
 * import { viewPath } from "./streamable_http.ts";
 * console.log(viewPath("/mcp", "math"), viewPath("/", "math")); // /mcp/math /math
 * ```
 */
export function viewPath(base: string, name: string): string {
  return `${base.replace(/\/+$/, "")}/${name}`;
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
    // JSON answers need the client to take JSON (the reference runtime asks no more); streamed
    // answers need both.
    settings.jsonResponse ? accepts("application/json") : accepts("application/json", "text/event-stream"),
    jsonContentType,
    jsonBody(settings.maxBodyBytes, settings.bodyTimeoutMs),
    uniqueIds,
    ...(settings.afterBody ?? []),
  ];
  const withOtherEra = (post: Handler): Handler => {
    const other = settings.otherEra;
    return other ? (req, state) => other(req, state) ?? post(req, state) : post;
  };
  if (settings.stateless) {
    const handle = byMethod(
      { POST: guarded(body, withOtherEra(statelessPost(host, settings))) },
      "Method not allowed: this server is stateless (POST only)",
    );
    return { routes: [{ paths, handle }], close: () => Promise.resolve() };
  }
  const live = new LiveConnections(settings.sessionIdleTimeout);
  const stream = statefulStream(live);
  const handle = byMethod({
    GET: stream,
    POST: guarded(body, withOtherEra(statefulPost(host, live, settings))),
    DELETE: stream,
  });
  return { routes: [{ paths, handle }], close: () => live.close() };
}
