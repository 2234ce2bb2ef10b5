/**
 * A 2025-era connection: one client link (the stdio process, one SSE stream, one streamable-HTTP
 * `Mcp-Session-Id`, or one stateless request) served by its own SDK `Server`, whose handlers hand
 * every request to the core's `dispatch` and render what it throws as the SDK's errors.
 *
 * @module
 */

import type { Connection, ConnectionInit } from "../../core/connection.ts";
import type { ClientAsks, RequestContext, TransportKind, UserIdentity } from "../../core/context.ts";
import type { Call } from "../../core/dispatch.ts";
import type { ConnectionHost } from "../../core/host.ts";
import { type ClientRequest, requestContext } from "../../core/request.ts";
import { getLogger, MCP_LOG_LEVELS } from "../../log/logger.ts";
import type { ClientCapabilities, LoggingLevel, ServerNotification } from "../../protocol.ts";
import type { SessionBinding } from "../../sessions/manager.ts";
import { sdkResult, toSdkError } from "../../sdk/errors.ts";
import type { RequestHandlerExtra, Transport } from "../../sdk/server.ts";
import { aroundSdkHandler, Server, setRequestHandlerUnwrapped } from "../../sdk/server.ts";
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
import { sharedJsonSchemaValidator } from "../../tools/schema.ts";

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
  #closed = false;
  /** The protocol version negotiated at `initialize` (observers label requests with it). */
  #protocolVersion: string | undefined;
  readonly #host: ConnectionHost;
  readonly #closeHandlers: (() => void)[] = [];

  /** A connection on `host` for one client link; a transport connects it. */
  constructor(host: ConnectionHost, init: ConnectionInit) {
    this.#host = host;
    this.id = init.id ?? crypto.randomUUID();
    this.transport = init.transport;
    this.stateless = init.stateless ?? false;
    this.user = init.user;
    this.headers = init.headers ?? {};
    this.binding = host.bindSession({ userId: init.user?.id ?? null, followUser: init.stateless });
    this.server = new Server(host.serverInfo, {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
      ...(host.instructions ? { instructions: host.instructions } : {}),
      jsonSchemaValidator: sharedJsonSchemaValidator(),
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

  /** Connect the SDK server to a transport. */
  async connect(transport: Transport): Promise<void> {
    await this.server.connect(transport);
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
  readonly sample: ClientAsks["sample"] = (params, signal) =>
    sdkResult(this.server.createMessage(params as never, { signal })) as never;

  /** Ask the user for input (`elicitation/create`). */
  readonly elicit: ClientAsks["elicit"] = (params, signal) =>
    sdkResult(this.server.elicitInput(params as never, { signal })) as never;

  /** Ask the client for its roots (`roots/list`). */
  readonly listRoots: ClientAsks["listRoots"] = (signal) =>
    sdkResult(this.server.listRoots(undefined, { signal }));

  /** Build the handler context for one request. */
  context(extra: Extra): RequestContext {
    const headers = (extra.requestInfo?.headers as Record<string, string> | undefined) ?? this.headers;
    return requestContext({
      signal: extra.signal,
      headers,
      binding: this.binding,
      user: (extra.authInfo?.extra?.[USER_KEY] as UserIdentity | undefined) ?? this.user,
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
    });
  }

  /** The core's view of one request that arrived through the SDK. */
  #call(extra: Extra): Call {
    return {
      connection: this,
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

  async #serve(method: string, params: unknown, extra: Extra): Promise<never> {
    this.lastActivity = Date.now();
    try {
      return await this.#host.dispatch(method, params as Record<string, unknown>, this.#call(extra)) as never;
    } catch (e) {
      throw toSdkError(e);
    }
  }

  #installHandlers(): void {
    for (const [method, schema] of REQUESTS) {
      this.server.setRequestHandler(schema, (req, extra) => this.#serve(method, req.params, extra));
    }
    // A method nobody registered goes to the core too: it answers "method not found", observed.
    this.server.fallbackRequestHandler = (req, extra) => this.#serve(req.method, req.params, extra);
    const observer = this.#host.observer;
    if (observer) {
      // The SDK answers `initialize` itself; the observer sees it like any other request.
      aroundSdkHandler(this.server, "initialize", (request, extra, inner) =>
        observer.request(
          { method: "initialize", params: request.params ?? {}, call: this.#call(extra as Extra) },
          async () => {
            const result = await inner();
            const version = (result as { protocolVersion?: unknown }).protocolVersion;
            if (typeof version === "string" && version.length <= 32) this.#protocolVersion = version;
            return result;
          },
        ));
    }
    // Registered past the SDK Server's tools/call wrapper, which parses the request a second time
    // and re-validates every result: local results are built by us, proxied ones were validated
    // when they arrived from the upstream.
    setRequestHandlerUnwrapped(this.server, CallToolRequestSchema, async (req, extra) => {
      this.callsInFlight++;
      try {
        return await this.#serve("tools/call", req.params, extra);
      } finally {
        this.callsInFlight--;
        this.lastActivity = Date.now();
      }
    });
  }
}
