/**
 * A 2025-era connection: one client link (the stdio process, one SSE stream, one streamable-HTTP
 * `Mcp-Session-Id`, or one stateless request) served by its own SDK `Server`, whose handlers hand
 * every request to the core's `dispatch` and render what it throws as the SDK's errors.
 *
 * @module
 */

import type { Connection, ConnectionInit } from "../../core/connection.ts";
import {
  askOptions,
  type ClientAsks,
  type RequestContext,
  type TransportKind,
  type UserIdentity,
} from "../../core/context.ts";
import { argumentsOf, type Call } from "../../core/dispatch.ts";
import { ErrorCode, ProtocolError } from "../../errors.ts";
import { z } from "zod";
import type { ConnectionHost } from "../../core/host.ts";
import { type ClientRequest, requestContext } from "../../core/request.ts";
import { getLogger, MCP_LOG_LEVELS } from "../../log/logger.ts";
import type { ClientCapabilities, LoggingLevel, ServerNotification } from "../../protocol.ts";
import type { SessionBinding } from "../../sessions/manager.ts";
import { sdkResult, toSdkError } from "../../sdk/errors.ts";
import type { AnySchema, RequestHandlerExtra, Transport } from "../../sdk/server.ts";
import { aroundSdkHandler, safeParse, Server, setRequestHandlerUnwrapped } from "../../sdk/server.ts";
import { tapSend } from "../../sdk/taps.ts";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  type ServerNotification as SdkServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "../../sdk/types.ts";
import { lazyJsonSchemaValidator } from "../../tools/schema.ts";

import { guardRequestIds, InFlightIds } from "./request_ids.ts";

const log = getLogger("connection");

type Extra = RequestHandlerExtra<ServerRequest, SdkServerNotification>;

/** Where `authInfo.extra` carries the runtime's identity through the SDK. */
const USER_KEY = "chukUser";

/**
 * The SDK's `authInfo` for a request of `user` (undefined when anonymous); handlers read it back.
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

/** The SDK schema of each request the core serves (what the SDK parses before our handler runs). */
const REQUESTS = [
  ["ping", PingRequestSchema],
  ["tools/list", ListToolsRequestSchema],
  ["resources/list", ListResourcesRequestSchema],
  ["resources/templates/list", ListResourceTemplatesRequestSchema],
  ["resources/read", ReadResourceRequestSchema],
  ["resources/subscribe", SubscribeRequestSchema],
  ["resources/unsubscribe", UnsubscribeRequestSchema],
  ["prompts/list", ListPromptsRequestSchema],
  ["prompts/get", GetPromptRequestSchema],
  ["completion/complete", CompleteRequestSchema],
  ["logging/setLevel", SetLevelRequestSchema],
] as const;

/** A request as the SDK hands it to a handler. */
type SdkRequest = { method: string; params?: Record<string, unknown> };

/** A schema that checks the method only (what the SDK needs to route a request). */
function methodOnly<M extends string>(method: M) {
  return z.looseObject({ method: z.literal(method) });
}

/**
 * The params of `request`, checked against the SDK's `schema` for `method`: a failure is a
 * {@linkcode ProtocolError} (-32602) naming the first bad field in one line. `arguments` given as
 * a JSON string (the reference runtime takes it) is parsed first.
 */
function checkedParams(method: string, schema: AnySchema, request: SdkRequest): Record<string, unknown> {
  let params = request.params;
  if (params && typeof params.arguments === "string") params = { ...params, arguments: argumentsOf(params) };
  const parsed = safeParse(schema, { ...request, params });
  if (parsed.success) return (parsed.data as SdkRequest).params ?? {};
  const issue = (parsed.error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
  const path = issue?.path.filter((k, i) => !(i === 0 && k === "params")).join(".") || "params";
  throw new ProtocolError(
    ErrorCode.InvalidParams,
    `Invalid params for ${method}: '${path}': ${issue?.message ?? "not what the method takes"}`,
  );
}

/** The SDK schema of each answer a client sends to our requests. */
const ANSWERS = {
  "sampling/createMessage": CreateMessageResultSchema,
  "elicitation/create": ElicitResultSchema,
  "roots/list": ListRootsResultSchema,
} as const;

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
export function openConnection(host: ConnectionHost, init: ConnectionInit): SdkConnection {
  const connection = new SdkConnection(host, init);
  host.connectionOpened(connection);
  return connection;
}

/** One client connection served by an SDK `Server`; closes it when the connection ends. */
export class SdkConnection implements Connection {
  /** The connection's id (the transport's: SSE session id, `Mcp-Session-Id`). */
  readonly id: string;
  /** Which runtime session this connection's calls use; `ctx.sessionId` reports its id. */
  readonly binding: SessionBinding;
  /** The transport kind. */
  readonly transport: TransportKind;
  /** One request of stateless HTTP, not a lasting link. */
  readonly stateless: boolean;
  /** The SDK server bound to this connection. */
  readonly server: Server;
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
  #closed = false;
  /** The protocol version negotiated at `initialize` (observers label requests with it). */
  #protocolVersion: string | undefined;
  readonly #stateless: boolean;
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
    this.#stateless = init.stateless ?? false;
    // A stateless request's connection ends with its answer: nothing can be sent later, so no
    // subscriptions and no list changes are offered.
    const later = !this.#stateless;
    this.server = new Server(host.serverInfo, {
      capabilities: {
        tools: { listChanged: later },
        resources: { subscribe: later, listChanged: later },
        prompts: { listChanged: later },
        logging: {},
        completions: {},
      },
      ...((init.instructions ?? host.instructions)
        ? { instructions: init.instructions ?? host.instructions }
        : {}),
      jsonSchemaValidator: lazyJsonSchemaValidator,
    });
    this.#installHandlers();
    this.server.onclose = () => this.#onClosed();
    this.server.oninitialized = () => host.connectionInitialized(this);
    this.server.setNotificationHandler(RootsListChangedNotificationSchema, () => host.rootsChanged(this));
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
    return this.server.getClientCapabilities();
  }

  /** The protocol version `initialize` settled on; `undefined` before it. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /**
   * Connect the SDK server to a transport. Requests reusing the id of one in flight are refused
   * on the way in; `claimsAhead`: the caller claims request ids itself (see `request_ids.ts`).
   */
  async connect(transport: Transport, options: { claimsAhead?: boolean } = {}): Promise<void> {
    await this.server.connect(transport);
    guardRequestIds(transport, this.requestIds, options.claimsAhead);
    // The SDK's Server does not keep the version it answered `initialize` with: read it there.
    tapSend(transport, (message) => {
      if (this.#protocolVersion !== undefined || !("result" in message)) return;
      const result = message.result as { protocolVersion?: unknown; serverInfo?: unknown };
      if (typeof result.protocolVersion === "string" && result.serverInfo) {
        this.#protocolVersion = result.protocolVersion;
      }
    });
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
      await this.server.close();
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
      await this.server.notification(notification as SdkServerNotification);
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
  readonly sample: ClientAsks["sample"] = (params, options) =>
    sdkResult(this.server.createMessage(params as never, { signal: askOptions(options).signal })) as never;

  /** Ask the user for input (`elicitation/create`). */
  readonly elicit: ClientAsks["elicit"] = (params, options) =>
    sdkResult(this.server.elicitInput(params as never, { signal: askOptions(options).signal })) as never;

  /** Ask the client for its roots (`roots/list`). */
  readonly listRoots: ClientAsks["listRoots"] = (options) =>
    sdkResult(this.server.listRoots(undefined, { signal: askOptions(options).signal }));

  /** Build the handler context for one request. */
  context(extra: Extra): RequestContext {
    const headers = (extra.requestInfo?.headers as Record<string, string> | undefined) ?? this.headers;
    return requestContext({
      signal: extra.signal,
      headers,
      binding: this.binding,
      user: this.#userOf(extra),
      sandboxId: this.#host.sandboxId,
      requestId: extra.requestId,
      meta: extra._meta as Record<string, unknown> | undefined,
      transport: this.transport,
      clientCapabilities: () => this.server.getClientCapabilities(),
      wantsLog: (level) => this.wantsLog(level),
      // Messages about this request travel with it (on its response stream, for HTTP).
      notify: (n) => extra.sendNotification(n as SdkServerNotification),
      ask: (request: ClientRequest, signal) =>
        sdkResult(extra.sendRequest(request as ServerRequest, ANSWERS[request.method] as never, { signal })),
      resourceUpdated: (uri) => this.#host.resourceUpdated(uri),
      listChanged: (kind) => this.#host.listChanged(kind),
      // Present only on a resumable stream (stateful streamable HTTP with an event store).
      closeStream: () => {
        if (!extra.closeSSEStream) return false;
        extra.closeSSEStream();
        return true;
      },
    });
  }

  /** The caller of one request: its own credentials, else those the connection opened with. */
  #userOf(extra: Extra): UserIdentity | undefined {
    return (extra.authInfo?.extra?.[USER_KEY] as UserIdentity | undefined) ?? this.user;
  }

  /** The core's view of one request that arrived through the SDK. */
  #call(extra: Extra): Call {
    return {
      connection: this,
      user: this.#userOf(extra),
      view: this.view,
      id: extra.requestId,
      signal: extra.signal,
      // A stateless request names its version in a header (it made no handshake of its own).
      protocolVersion: this.#protocolVersion ??
        (extra.requestInfo?.headers?.["mcp-protocol-version"] as string | undefined),
      context: async () => {
        // Stateless HTTP looks its runtime session up in the store first.
        await this.binding.ready();
        return this.context(extra);
      },
    };
  }

  async #serve(method: string, schema: AnySchema, request: SdkRequest, extra: Extra): Promise<never> {
    this.lastActivity = Date.now();
    try {
      const params = checkedParams(method, schema, request);
      if (method === "logging/setLevel" && this.#stateless && !this.user) {
        throw new ProtocolError(
          ErrorCode.InvalidRequest,
          "logging/setLevel cannot be remembered here: on stateless HTTP each request stands alone and an " +
            "anonymous caller cannot be recognised, so every log message of a call is sent; use " +
            "stateless: false (or authenticate: the level is then kept per user)",
        );
      }
      return await this.#host.dispatch(method, params, this.#call(extra)) as never;
    } catch (e) {
      throw toSdkError(e);
    }
  }

  #installHandlers(): void {
    // The SDK parses a request with the schema it is registered with before the handler runs, and
    // answers a failure with -32603 and the whole zod report: it is given the method alone, and
    // `checkedParams` checks the rest (-32602, one line).
    for (const [method, schema] of REQUESTS) {
      // Stateless: nothing could be sent about a subscription (-32601, as for any method not served).
      if (this.#stateless && method.startsWith("resources/") && method.endsWith("subscribe")) continue;
      this.server.setRequestHandler(
        methodOnly(method),
        (req, extra) => this.#serve(method, schema, req, extra),
      );
    }
    const observer = this.#host.observer;
    if (observer) {
      // A method no handler serves (unknown, or not offered here) is answered "method not found"
      // as the SDK would, and observed like any other request.
      this.server.fallbackRequestHandler = (req, extra) =>
        observer.request(
          { method: req.method, params: {}, call: this.#call(extra as Extra) },
          () =>
            Promise.reject(new ProtocolError(ErrorCode.MethodNotFound, `Method not found: ${req.method}`)),
        ).catch((e) => {
          throw toSdkError(e);
        }) as never;
      // The SDK answers `initialize` itself; the observer sees it like any other request.
      aroundSdkHandler(this.server, "initialize", (request, extra, inner) =>
        observer.request(
          { method: "initialize", params: request.params ?? {}, call: this.#call(extra as Extra) },
          inner,
        ));
    }
    // Registered past the SDK Server's tools/call wrapper, which parses the request a second time
    // and re-validates every result: local results are built by us, proxied ones were validated
    // when they arrived from the upstream.
    setRequestHandlerUnwrapped(this.server, methodOnly("tools/call"), async (req, extra) => {
      this.callsInFlight++;
      try {
        return await this.#serve("tools/call", CallToolRequestSchema, req, extra);
      } finally {
        this.callsInFlight--;
        this.lastActivity = Date.now();
      }
    });
  }
}
