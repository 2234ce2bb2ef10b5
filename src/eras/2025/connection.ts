/**
 * A 2025-era connection: one client link (the stdio process, one SSE stream, one streamable-HTTP
 * `Mcp-Session-Id`, or one stateless request). Its JSON-RPC traffic runs on a {@linkcode Wire};
 * this module answers `initialize` (version, capabilities), checks each request's params against
 * MCP's schema of the method and hands it to the core's `dispatch`.
 *
 * @module
 */

import type { Connection, ConnectionInit } from "../../core/connection.ts";
import {
  type AskOptions,
  askOptions,
  type ClientAsks,
  type RequestContext,
  type TransportKind,
  type UserIdentity,
} from "../../core/context.ts";
import { argumentsOf, type Call } from "../../core/dispatch.ts";
import { ErrorCode, ProtocolError } from "../../errors.ts";
import type { ConnectionHost } from "../../core/host.ts";
import { type ClientRequest, requestContext } from "../../core/request.ts";
import { getLogger, MCP_LOG_LEVELS } from "../../log/logger.ts";
import type { ClientCapabilities, LoggingLevel, ServerNotification } from "../../protocol.ts";
import type { SessionBinding } from "../../sessions/manager.ts";
import type { AnySchema, Transport } from "../../sdk/server.ts";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  UnsubscribeRequestSchema,
} from "../../sdk/types.ts";
import { answerOf, type AskMethod, checkElicited, checkSampling, elicitationFor } from "./asks.ts";
import { checked } from "./checked.ts";
import { guardRequestIds, InFlightIds } from "./request_ids.ts";
import { type IncomingRequest, Wire } from "./wire.ts";
import { isObject } from "../../util/object.ts";

const log = getLogger("connection");

/** Where `authInfo.extra` carries the runtime's identity through the transport. */
const USER_KEY = "chukUser";

/**
 * The transport's `authInfo` for a request of `user` (undefined when anonymous); the connection
 * reads it back.
 *
 * @example
 * ```ts
 * import { authInfoFor } from "./connection.ts";
 * const authInfo = authInfoFor({ id: "alice", claims: {} }, "t0ken");
 * ```
 */
export function authInfoFor(
  user: UserIdentity | undefined,
  token: string | undefined,
): { token: string; clientId: string; scopes: string[]; extra: Record<string, unknown> } | undefined {
  return user
    ? { token: token ?? "", clientId: user.id, scopes: [], extra: { [USER_KEY]: user } }
    : undefined;
}

/** MCP's schema of the params of each request the core serves. */
const REQUESTS: ReadonlyMap<string, AnySchema> = new Map<string, AnySchema>([
  ["ping", PingRequestSchema],
  ["tools/list", ListToolsRequestSchema],
  ["tools/call", CallToolRequestSchema],
  ["resources/list", ListResourcesRequestSchema],
  ["resources/templates/list", ListResourceTemplatesRequestSchema],
  ["resources/read", ReadResourceRequestSchema],
  ["resources/subscribe", SubscribeRequestSchema],
  ["resources/unsubscribe", UnsubscribeRequestSchema],
  ["prompts/list", ListPromptsRequestSchema],
  ["prompts/get", GetPromptRequestSchema],
  ["completion/complete", CompleteRequestSchema],
  ["logging/setLevel", SetLevelRequestSchema],
]);

/** Methods a stateless request is not served: nothing could be sent about a subscription later. */
const LASTING_ONLY = new Set(["resources/subscribe", "resources/unsubscribe"]);

/** A request as its schema sees it. */
type SchemaRequest = { method: string; params?: Record<string, unknown> };

/**
 * The params of a request, checked against MCP's `schema` for `method`: a failure is a
 * {@linkcode ProtocolError} (-32602) naming the first bad field in one line. `arguments` given as
 * a JSON string (the reference runtime takes it) is parsed first.
 */
function checkedParams(
  method: string,
  schema: AnySchema,
  params: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (params && typeof params.arguments === "string") params = { ...params, arguments: argumentsOf(params) };
  const request = checked(schema, { method, params }, {
    what: `params for ${method}`,
    field: "params",
    root: "params",
  }) as SchemaRequest;
  return request.params ?? {};
}

/**
 * The params of a `tools/call`, checked by hand: it is the one request on the hot path of a
 * proxy, and what MCP asks of it (a `name`, object `arguments`, an object `_meta` whose progress
 * token is a string or a number) is quick to see. Anything else goes through the schema, so an
 * error reads as for every other method.
 */
function callParams(params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (params && typeof params.name === "string" && params.task === undefined) {
    const args = params.arguments;
    const meta = params._meta as Record<string, unknown> | undefined;
    const token = meta?.progressToken;
    if (
      (args === undefined || (typeof args === "object" && args !== null && !Array.isArray(args))) &&
      (meta === undefined ||
        (typeof meta === "object" && meta !== null && !Array.isArray(meta) &&
          (token === undefined || typeof token === "string" || typeof token === "number")))
    ) return params;
  }
  return checkedParams("tools/call", CallToolRequestSchema, params);
}

/** What the runtime offers a lasting connection, and a stateless request (no later messages). */
function capabilitiesFor(later: boolean) {
  return {
    tools: { listChanged: later },
    resources: { subscribe: later, listChanged: later },
    prompts: { listChanged: later },
    logging: {},
    completions: {},
  };
}

const LASTING_CAPABILITIES = capabilitiesFor(true);
const STATELESS_CAPABILITIES = capabilitiesFor(false);

/**
 * Open a 2025-era connection for a new client link on `host`; the transport then connects it.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../../mod.ts";
 * import { openConnection } from "./connection.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * const connection = openConnection(runtime, { transport: "internal" });
 * console.log(connection.id);
 * await connection.close();
 * ```
 */
export function openConnection(host: ConnectionHost, init: ConnectionInit): WireConnection {
  const connection = new WireConnection(host, init);
  host.connectionOpened(connection);
  return connection;
}

/** One client connection: its wire, what it negotiated, and how its requests reach the core. */
export class WireConnection implements Connection {
  /** The connection's id (the transport's: SSE session id, `Mcp-Session-Id`). */
  readonly id: string;
  /** Which runtime session this connection's calls use; `ctx.sessionId` reports its id. */
  readonly binding: SessionBinding;
  /** The transport kind. */
  readonly transport: TransportKind;
  /** One request of stateless HTTP, not a lasting link. */
  readonly stateless: boolean;
  /** Identity established when the connection opened (per-request identity may refine it). */
  readonly user: UserIdentity | undefined;
  /** The view the connection serves; `undefined` for the full surface. */
  readonly view: string | undefined;
  /** Headers of the request that opened the connection. */
  readonly headers: Record<string, string>;
  /** Lowest log level the client asked for (`logging/setLevel`); undefined = everything. */
  logLevel: LoggingLevel | undefined;
  /** Resource URIs this client subscribed to. */
  readonly subscriptions: Set<string> = new Set();
  /** When the connection last handled a message (ms epoch); used to reap idle connections. */
  lastActivity: number = Date.now();
  /** Tool calls of this connection running right now (a connection with one is not idle). */
  callsInFlight = 0;
  /** Ids of the client's requests not answered yet: a second request may not reuse one. */
  readonly requestIds: InFlightIds = new InFlightIds();
  readonly #wire: Wire;
  #closed = false;
  /** The protocol version the connection's `initialize` settled on. */
  #protocolVersion: string | undefined;
  /** What the client declared in `initialize`. */
  #clientCapabilities: ClientCapabilities | undefined;
  readonly #instructions: string | undefined;
  readonly #host: ConnectionHost;
  readonly #closeHandlers: (() => void)[] = [];

  /** A connection on `host` for one client link; a transport connects it. */
  constructor(host: ConnectionHost, init: ConnectionInit) {
    this.#host = host;
    this.id = init.id ?? crypto.randomUUID();
    this.transport = init.transport;
    this.stateless = init.stateless ?? false;
    this.user = init.user;
    this.view = init.view;
    this.headers = init.headers ?? {};
    this.binding = host.bindSession({ userId: init.user?.id ?? null, followUser: init.stateless });
    this.logLevel = init.logLevel;
    this.#instructions = init.instructions ?? host.instructions;
    this.#wire = new Wire({
      request: (request) => this.#request(request),
      notification: (method) => this.#notified(method),
      closed: () => this.#onClosed(),
    });
  }

  /** Whether a request of `user` may use this connection: only the user who opened it may. */
  isFor(user: UserIdentity | undefined): boolean {
    return (this.user?.id ?? null) === (user?.id ?? null);
  }

  /** Whether the connection has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** What the client declared in `initialize`. */
  get clientCapabilities(): ClientCapabilities | undefined {
    return this.#clientCapabilities;
  }

  /** The protocol version `initialize` settled on; `undefined` before it. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /**
   * Connect to a transport. Requests reusing the id of one in flight are refused on the way in;
   * `claimsAhead`: the caller claims request ids itself (see `request_ids.ts`).
   */
  async connect(transport: Transport, options: { claimsAhead?: boolean } = {}): Promise<void> {
    await this.#wire.connect(transport);
    guardRequestIds(transport, this.requestIds, options.claimsAhead);
  }

  /** Run `fn` when the connection closes (once). */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#closeHandlers.push(fn);
  }

  /** Close the connection and release everything it holds. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#wire.close();
    } finally {
      this.#onClosed();
    }
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#closeHandlers.splice(0)) {
      try {
        fn();
      } catch (e) {
        log.warn(`connection ${this.id}: close handler failed: ${e}`);
      }
    }
  }

  /** Send a notification to this client if it is still connected; errors are logged. */
  async notify(notification: ServerNotification): Promise<void> {
    if (this.#closed) return;
    try {
      this.#checkNotification(notification.method);
      await this.#wire.notify(notification as { method: string; params?: Record<string, unknown> });
    } catch (e) {
      log.debug(`connection ${this.id}: cannot send ${notification.method}: ${e}`);
    }
  }

  /** Whether a log entry at `level` passes the level this client set. */
  wantsLog(level: LoggingLevel): boolean {
    return this.logLevel === undefined ||
      MCP_LOG_LEVELS.indexOf(level) >= MCP_LOG_LEVELS.indexOf(this.logLevel);
  }

  /** Ask the client's model for a completion (`sampling/createMessage`). */
  async sample(
    params: Parameters<ClientAsks["sample"]>[0],
    options?: AbortSignal | AskOptions,
  ): ReturnType<ClientAsks["sample"]> {
    checkSampling(params as Record<string, unknown>, this.#clientCapabilities);
    return await this.#ask("sampling/createMessage", params as Record<string, unknown>, {
      signal: askOptions(options).signal,
    }) as never;
  }

  /** Ask the user for input (`elicitation/create`). */
  async elicit(
    params: Parameters<ClientAsks["elicit"]>[0],
    options?: AbortSignal | AskOptions,
  ): ReturnType<ClientAsks["elicit"]> {
    const sent = elicitationFor(params as Record<string, unknown>, this.#clientCapabilities);
    const result = await this.#ask("elicitation/create", sent, { signal: askOptions(options).signal });
    checkElicited(sent, result);
    return result as never;
  }

  /** Ask the client for its roots (`roots/list`). */
  async listRoots(options?: AbortSignal | AskOptions): ReturnType<ClientAsks["listRoots"]> {
    return await this.#ask("roots/list", undefined, { signal: askOptions(options).signal }) as never;
  }

  /** Send a request of ours and check the answer against MCP's schema of it. */
  async #ask(
    method: AskMethod,
    params: Record<string, unknown> | undefined,
    options: { signal?: AbortSignal; relatedRequestId?: string | number },
  ): Promise<Record<string, unknown>> {
    return answerOf(method, params, await this.#wire.ask(method, params, options));
  }

  /** A notification the client may not be sent (it did not declare what it needs). */
  #checkNotification(method: string): void {
    const elicitation = this.#clientCapabilities?.elicitation as { url?: unknown } | undefined;
    if (method === "notifications/elicitation/complete" && !elicitation?.url) {
      throw new Error(`Client does not support URL elicitation (required for ${method})`);
    }
  }

  /** Build the handler context for one request. */
  context(request: IncomingRequest): RequestContext {
    const info = request.info;
    const headers = (info?.requestInfo?.headers as Record<string, string> | undefined) ?? this.headers;
    const { id, signal } = request;
    return requestContext({
      signal,
      headers,
      binding: this.binding,
      user: this.#userOf(request),
      sandboxId: this.#host.sandboxId,
      requestId: id,
      meta: request.params?._meta as Record<string, unknown> | undefined,
      transport: this.transport,
      clientCapabilities: () => this.#clientCapabilities,
      wantsLog: (level) => this.wantsLog(level),
      // Messages about this request travel with it (on its response stream, for HTTP); none
      // after it was cancelled.
      notify: async (n) => {
        if (signal.aborted) return;
        this.#checkNotification(n.method);
        await this.#wire.notify(n as { method: string; params?: Record<string, unknown> }, id);
      },
      ask: (asked: ClientRequest, askSignal) => {
        if (signal.aborted) {
          return Promise.reject(new ProtocolError(ErrorCode.ConnectionClosed, "Request was cancelled"));
        }
        return this.#ask(asked.method, asked.params as Record<string, unknown> | undefined, {
          signal: askSignal,
          relatedRequestId: id,
        });
      },
      resourceUpdated: (uri) => this.#host.resourceUpdated(uri),
      listChanged: (kind) => this.#host.listChanged(kind),
      // Present only on a resumable stream (stateful streamable HTTP with an event store).
      closeStream: () => {
        if (!info?.closeSSEStream) return false;
        info.closeSSEStream();
        return true;
      },
    });
  }

  /** The caller of one request: its own credentials, else those the connection opened with. */
  #userOf(request: IncomingRequest): UserIdentity | undefined {
    return (request.info?.authInfo?.extra?.[USER_KEY] as UserIdentity | undefined) ?? this.user;
  }

  /** The core's view of one request. */
  #call(request: IncomingRequest): Call {
    return {
      connection: this,
      user: this.#userOf(request),
      view: this.view,
      id: request.id,
      signal: request.signal,
      // A stateless request names its version in a header (it made no handshake of its own).
      protocolVersion: this.#protocolVersion ??
        (request.info?.requestInfo?.headers?.["mcp-protocol-version"] as string | undefined),
      context: async () => {
        // Stateless HTTP looks its runtime session up in the store first.
        await this.binding.ready();
        return this.context(request);
      },
    };
  }

  #notified(method: string): void {
    if (method === "notifications/initialized") this.#host.connectionInitialized(this);
    else if (method === "notifications/roots/list_changed") this.#host.rootsChanged(this);
  }

  /** Serve one request of the client: its result, or a thrown error the wire renders. */
  async #request(request: IncomingRequest): Promise<unknown> {
    this.lastActivity = Date.now();
    const { method, params } = request;
    if (isObject(params?.task)) {
      // No task is created on this era's requests (the tasks extension is the 2026 wire's).
      throw new Error(`Server does not support task creation (required for ${method})`);
    }
    if (method === "initialize") return await this.#observed(request, () => this.#initialize(params));
    const schema = REQUESTS.get(method);
    if (!schema || (this.stateless && LASTING_ONLY.has(method))) {
      return await this.#observed(request, () => {
        throw new ProtocolError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
      });
    }
    if (method !== "tools/call") return await this.#serve(method, schema, request);
    this.callsInFlight++;
    try {
      return await this.#serve(method, schema, request);
    } finally {
      this.callsInFlight--;
      this.lastActivity = Date.now();
    }
  }

  /** Run a request the connection answers itself past the host's observer, as dispatch does. */
  async #observed(request: IncomingRequest, serve: () => unknown): Promise<unknown> {
    const observer = this.#host.observer;
    if (!observer) return await serve();
    return await observer.request(
      { method: request.method, params: request.params ?? {}, call: this.#call(request) },
      async () => await serve(),
    );
  }

  /** `initialize`: settle the version (the client's when supported, else the latest). */
  #initialize(params: Record<string, unknown> | undefined): Record<string, unknown> {
    const p = checkedParams("initialize", InitializeRequestSchema, params);
    const requested = p.protocolVersion as string;
    this.#clientCapabilities = p.capabilities as ClientCapabilities;
    const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
      ? requested
      : LATEST_PROTOCOL_VERSION;
    this.#protocolVersion = protocolVersion;
    return {
      protocolVersion,
      capabilities: this.stateless ? STATELESS_CAPABILITIES : LASTING_CAPABILITIES,
      serverInfo: this.#host.serverInfo,
      ...(this.#instructions ? { instructions: this.#instructions } : {}),
    };
  }

  async #serve(method: string, schema: AnySchema, request: IncomingRequest): Promise<unknown> {
    const params = method === "tools/call"
      ? callParams(request.params)
      : checkedParams(method, schema, request.params);
    if (method === "logging/setLevel" && this.stateless && !this.user) {
      throw new ProtocolError(
        ErrorCode.InvalidRequest,
        "logging/setLevel cannot be remembered here: on stateless HTTP each request stands alone and an " +
          "anonymous caller cannot be recognised, so every log message of a call is sent; use " +
          "stateless: false (or authenticate: the level is then kept per user)",
      );
    }
    return await this.#host.dispatch(method, params, this.#call(request));
  }
}
