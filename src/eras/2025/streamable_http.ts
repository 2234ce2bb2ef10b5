/**
 * Streamable HTTP (MCP 2025-03-26 to 2025-11-25) behind the front door, using the SDK's
 * web-standard transport.
 *
 * Modes:
 * - stateful (`stateless: false`): `initialize` opens a connection and an `Mcp-Session-Id`; later
 *   requests carry it; `GET` opens the server→client stream; `DELETE` ends it; idle connections
 *   are closed after `session_idle_timeout`.
 * - stateless (default): every POST is served by a fresh connection.
 * - stateful in a fleet (`fleet`): any instance serves any request of a session — it restores the
 *   session from its record (replaying the client's handshake), answers to its server→client
 *   requests travel between instances (`fleet_link.ts`), and every stream lives in the Redis
 *   event store, from which GET streams are served and resumed wherever the client lands.
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
import { type EventStore, STANDALONE_STREAM, type StreamEvents } from "../../streams/event_store.ts";
import type { FleetSessionRecord } from "../../fleet/sessions.ts";
import { type Transport, WebStandardStreamableHTTPServerTransport } from "../../sdk/server.ts";
import { isInitializeRequest, type JSONRPCMessage } from "../../sdk/types.ts";
import { batchRefusal, LAST_BATCH_VERSION } from "./batches.ts";
import { authInfoFor, openConnection, type WireConnection } from "./connection.ts";
import { answerOwner, FleetLink } from "./fleet_link.ts";
import { type FleetSettings, fleetStream } from "./fleet_stream.ts";
import { JsonAnswers } from "./json_answer.ts";
import { duplicateIdError, type RequestId } from "./request_ids.ts";
import { SessionLimits } from "./session_limits.ts";

const log = getLogger("transport.http");

export type { FleetSettings } from "./fleet_stream.ts";

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
  /**
   * Share stateful sessions with the other instances of a fleet (no sticky load balancer): the
   * session records, the events of every stream (in place of `eventStore`) and the channels.
   */
  fleet?: FleetSettings;
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
  connection: WireConnection;
  transport: WebStandardStreamableHTTPServerTransport;
  /** Chooses JSON or a stream per request (`json_response`). */
  answers: JsonAnswers;
  /** Resolves when the connection closes (a request waiting for its answer then gets the stream). */
  closed: Promise<void>;
  /** In a fleet: the link between server and transport (answers handed over by other instances). */
  link?: FleetLink;
  /** In a fleet: the session's record as last stored. */
  record?: FleetSessionRecord;
}

function liveOf(connection: WireConnection, transport: WebStandardStreamableHTTPServerTransport): Live {
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
function claimIds(connection: WireConnection | undefined, body: unknown): RequestId[] | Response {
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

  get(id: string): Live | undefined {
    return this.#live.get(id);
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

/** A session's state as the fleet keeps it, read from its live connection. */
function recordOf(connection: WireConnection, init: Record<string, unknown>, view: string | undefined) {
  const record: FleetSessionRecord = {
    user: connection.user?.id ?? null,
    view: view ?? null,
    init,
    subscriptions: [...connection.subscriptions].sort(),
  };
  if (connection.binding.sessionId !== undefined) record.runtimeSession = connection.binding.sessionId;
  if (connection.logLevel !== undefined) record.logLevel = connection.logLevel;
  return record;
}

/** Put a state the fleet told us into a live connection. */
function applyRecord(l: Live, record: FleetSessionRecord): void {
  l.record = record;
  l.connection.logLevel = record.logLevel;
  l.connection.subscriptions.clear();
  for (const uri of record.subscriptions) l.connection.subscriptions.add(uri);
  if (record.runtimeSession !== undefined && record.runtimeSession !== l.connection.binding.sessionId) {
    l.connection.binding.use(record.runtimeSession);
  }
}

/**
 * Event storage that can be silenced (a restored session's replayed handshake is not an event);
 * in a fleet, a request's stream is named after the instance serving it (`<instance>~<id>`), so
 * whoever resumes it knows whose answer it waits for.
 */
function mutable(events: StreamEvents, instance?: string): { events: StreamEvents; mute(on: boolean): void } {
  let muted = false;
  const named = (streamId: string) =>
    instance === undefined || streamId === STANDALONE_STREAM ? streamId : `${instance}~${streamId}`;
  return {
    mute: (on) => void (muted = on),
    events: {
      storeEvent: (streamId, message) =>
        muted
          ? Promise.resolve(`muted/${encodeURIComponent(streamId)}/0-0`)
          : events.storeEvent(named(streamId), message),
      getStreamIdForEventId: (id) => events.getStreamIdForEventId(id),
      replayEventsAfter: (id, io) => events.replayEventsAfter(id, io),
    },
  };
}

/** Opens the connections of one stateful endpoint: for an `initialize`, or for a session of the fleet. */
class StatefulOpener {
  readonly #pending = new Map<string, Promise<Live | Response | undefined>>();
  readonly #limits: SessionLimits;

  constructor(
    readonly host: ConnectionHost,
    readonly live: LiveConnections,
    readonly settings: StreamableHttpSettings,
  ) {
    this.#limits = new SessionLimits({
      maxSessions: settings.maxSessions ?? 1000,
      maxSessionsPerUser: settings.maxSessionsPerUser ?? 100,
      section: "streamable-http",
    });
  }

  /** Count one more long-lived connection of `user`: its release, or the refusal (503 / 429). */
  admit(user: UserIdentity | undefined): (() => void) | Response {
    return this.#limits.admit(user);
  }

  /**
   * A connection, its SDK transport (and fleet link), registered under its id once initialized;
   * or the answer when the session limits refuse one more.
   */
  async open(
    req: Request,
    state: RequestState,
    id?: string,
  ): Promise<{ l: Live; mute(on: boolean): void } | Response> {
    const { host, live, settings } = this;
    const release = this.admit(state.user);
    if (release instanceof Response) return release;
    const connection = openConnection(host, {
      transport: "streamable-http",
      user: state.user,
      headers: headersOf(req),
      ...(id !== undefined ? { id } : {}),
      ...endpointOf(settings),
    });
    const fleet = settings.fleet;
    const events = fleet ? fleet.events : settings.eventStore;
    let link: FleetLink | undefined;
    const scoped = fleet
      ? fleet.events.tagged(connection.id, () => link?.sendingFor)
      : settings.eventStore?.scoped(connection.id);
    const store = scoped ? mutable(scoped, fleet?.sessions.instanceId) : undefined;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => connection.id,
      // Always a stream underneath; `JsonAnswers` answers JSON when nothing but the response comes.
      enableJsonResponse: false,
      onsessioninitialized: (sid) => live.add(sid, l),
      onsessionclosed: (sid) => {
        live.delete(sid);
        void connection.close();
      },
      ...(store ? { eventStore: store.events, retryInterval: settings.retryMs } : {}),
    });
    const l = liveOf(connection, transport);
    let wire: Transport = transport;
    if (fleet) {
      const sessions = fleet.sessions;
      l.link = link = new FleetLink(transport, sessions.instanceId, () => this.#stateChanged(l));
      wire = link;
      const off = sessions.watch(connection.id, (note) => {
        if (note.t === "close") void connection.close();
        else applyRecord(l, note.record);
      });
      connection.onClose(() => {
        live.delete(connection.id);
        release();
        void off.then((stop) => stop());
      });
      await off;
    } else {
      connection.onClose(() => {
        live.delete(connection.id);
        events?.drop(connection.id);
        release();
      });
    }
    // Later POSTs of this connection claim their request ids before the transport sees them.
    await connection.connect(wire, { claimsAhead: true });
    return { l, mute: store?.mute ?? (() => {}) };
  }

  /** Before an answer: store the session's state if it changed (log level, subscriptions, session). */
  async #stateChanged(l: Live): Promise<void> {
    const before = l.record;
    const sessions = this.settings.fleet?.sessions;
    if (!before || !sessions || l.connection.closed) return;
    const now = recordOf(l.connection, before.init, this.settings.view);
    if (JSON.stringify(now) === JSON.stringify(before)) return;
    l.record = now;
    try {
      await sessions.update(l.connection.id, now, before);
    } catch (e) {
      log.warn(`session ${l.connection.id}: cannot share its state: ${e}`);
    }
  }

  /**
   * The live connection of fleet session `sid` on this instance, restored from its record if
   * needed (undefined: no such session; a Response: the session limits refuse it here).
   */
  restore(sid: string, req: Request, state: RequestState): Promise<Live | Response | undefined> {
    const found = this.live.get(sid);
    if (found) return Promise.resolve(found);
    let p = this.#pending.get(sid);
    if (!p) {
      p = this.#restore(sid, req, state).finally(() => this.#pending.delete(sid));
      this.#pending.set(sid, p);
    }
    return p;
  }

  async #restore(sid: string, req: Request, state: RequestState): Promise<Live | Response | undefined> {
    const fleet = this.settings.fleet!;
    const record = await fleet.sessions.load(sid);
    // Another user's session id is "not found", as on one instance.
    if (!record || record.view !== (this.settings.view ?? null)) return undefined;
    if (record.user !== (state.user?.id ?? null)) return undefined;
    const opened = await this.open(req, state, sid);
    if (opened instanceof Response) return opened;
    const { l, mute } = opened;
    // The client's handshake, replayed here: the connection then knows what it negotiated.
    mute(true);
    try {
      const post = (body: unknown) =>
        l.transport.handleRequest(
          new Request(req.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              "mcp-session-id": sid,
              "mcp-protocol-version": String(record.init.protocolVersion ?? ""),
            },
            body: JSON.stringify(body),
          }),
          { parsedBody: body },
        );
      await (await post({ jsonrpc: "2.0", id: 0, method: "initialize", params: record.init })).text();
      await (await post({ jsonrpc: "2.0", method: "notifications/initialized" })).text();
    } finally {
      mute(false);
    }
    if (!this.live.has(sid)) {
      await l.connection.close();
      return undefined;
    }
    applyRecord(l, record);
    log.debug(`session ${sid} restored from the fleet`);
    return l;
  }

  /** Store a new session's record (after its `initialize` was answered). */
  async share(l: Live, init: Record<string, unknown>): Promise<void> {
    const sessions = this.settings.fleet?.sessions;
    if (!sessions) return;
    l.record = recordOf(l.connection, init, this.settings.view);
    await sessions.save(l.connection.id, l.record);
  }
}

/** The `initialize` params of a body holding one `initialize` request. */
function initParams(body: unknown): Record<string, unknown> {
  const init = (Array.isArray(body) ? body : [body]).find(isInitializeRequest) as
    | { params?: Record<string, unknown> }
    | undefined;
  return init?.params ?? {};
}

/** Whether `user` may use the fleet session `sid` (its record names the same user). */
async function fleetSessionFor(
  fleet: FleetSettings,
  live: LiveConnections,
  sid: string,
  user: UserIdentity | undefined,
): Promise<boolean> {
  const local = live.get(sid);
  if (local) return local.connection.isFor(user);
  const record = await fleet.sessions.load(sid);
  return record !== undefined && record.user === (user?.id ?? null);
}

/**
 * A client's answers to requests another instance sent: handed to that instance over the fleet.
 * Resolves the body that is left for this instance (undefined: nothing left), or the error to send.
 */
async function forwardAnswers(
  fleet: FleetSettings,
  live: LiveConnections,
  sid: string,
  state: RequestState,
): Promise<{ rest: unknown; forwarded: number }> {
  const body = state.body;
  const messages = Array.isArray(body) ? body : [body];
  const here = fleet.sessions.instanceId;
  const foreign = messages.filter((m) => {
    const owner = answerOwner(m);
    return owner !== undefined && owner !== here;
  });
  if (foreign.length === 0) return { rest: body, forwarded: 0 };
  // Only the session's own client may answer its requests.
  if (!await fleetSessionFor(fleet, live, sid, state.user)) {
    return { rest: jsonRpcErrorResponse(404, -32001, "Session not found"), forwarded: 0 };
  }
  for (const m of foreign) {
    const owner = answerOwner(m)!;
    if (!await fleet.sessions.sendAnswer(owner, sid, m as JSONRPCMessage)) {
      log.info(`session ${sid}: an answer for instance ${owner}, which is gone (its request failed with it)`);
    }
  }
  const rest = messages.filter((m) => !foreign.includes(m));
  return {
    rest: rest.length === 0 ? undefined : Array.isArray(body) ? rest : rest[0],
    forwarded: foreign.length,
  };
}

/** Stateful POST: a request of a known connection, or an `initialize` that opens one. */
function statefulPost(opener: StatefulOpener): Handler {
  const { live, settings } = opener;
  const fleet = settings.fleet;
  return async (req, state) => {
    const sid = req.headers.get("mcp-session-id");
    if (sid) {
      if (fleet) {
        const { rest, forwarded } = await forwardAnswers(fleet, live, sid, state);
        if (rest instanceof Response) return rest;
        if (forwarded && rest === undefined) return new Response(null, { status: 202 });
        state = { ...state, body: rest };
        const restored = await opener.restore(sid, req, state);
        if (restored instanceof Response) return restored;
        if (restored) fleet.sessions.touch(sid);
      }
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
    const opened = await opener.open(req, state);
    if (opened instanceof Response) return opened;
    const { l } = opened;
    try {
      const res = await answer(l, req, state, settings.jsonResponse);
      if (live.has(l.connection.id)) await opener.share(l, initParams(state.body));
      return res;
    } finally {
      // The transport refused the initialize (e.g. a batch holding it): no connection to keep.
      if (!live.has(l.connection.id)) await l.connection.close();
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
  const fleet = settings.fleet;
  // Streams served from the fleet's store; closed on shutdown (their clients resume elsewhere).
  const streams = new Set<() => void>();
  const opener = new StatefulOpener(host, live, settings);
  const stream = fleet
    ? fleetStream({
      fleet,
      retryMs: settings.retryMs ?? 1000,
      streams,
      sessionFor: (sid, user) => fleetSessionFor(fleet, live, sid, user),
      closeLocal: async (sid) => await live.get(sid)?.connection.close(),
      admit: (user) => opener.admit(user),
    })
    : statefulStream(live);
  const handle = byMethod({
    GET: stream,
    POST: guarded(body, withOtherEra(statefulPost(opener))),
    DELETE: stream,
  });
  // Answers other instances hand over for this endpoint's sessions.
  const offAnswers = fleet?.sessions.onAnswer((sid, message) => live.get(sid)?.link?.deliver(message));
  return {
    routes: [{ paths, handle }],
    close: () => {
      offAnswers?.();
      for (const end of [...streams]) end();
      return live.close();
    },
  };
}
