/**
 * A downstream session: one client connection (the stdio process, one SSE stream, one
 * streamable-HTTP `Mcp-Session-Id`, or one stateless request) served by its own SDK `Server`
 * whose handlers ask the shared registry.
 *
 * @module
 */

import type { RequestContext, TransportKind, UserIdentity } from "../context/request_context.ts";
import { ToolError } from "../errors.ts";
import { getLogger, MCP_LOG_LEVELS } from "../log/logger.ts";
import { attachBinding, type SessionBinding } from "../sessions/manager.ts";
import type { RequestHandlerExtra, Transport } from "../sdk/server.ts";
import { Server, setRequestHandlerUnwrapped } from "../sdk/server.ts";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError as SdkMcpError,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "../sdk/types.ts";
import { sharedJsonSchemaValidator } from "../tools/schema.ts";
import { WireMcpError } from "../sdk/errors.ts";
import type { Runtime } from "./runtime.ts";

const log = getLogger("session");

/** Errors we answer with: the message as given, without the SDK's "MCP error <code>:" prefix. */
const McpError = WireMcpError;

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What a transport knows about a new connection. */
export interface SessionInit {
  /** The transport it arrived on. */
  transport: TransportKind;
  /** Session id; the transport's own id when it has one (SSE, stateful HTTP). */
  id?: string;
  /** The authenticated user, when the transport authenticated one. */
  user?: UserIdentity;
  /** Headers of the request that opened the connection (lower-cased). */
  headers?: Record<string, string>;
  /**
   * One request of stateless HTTP: the runtime session then follows the authenticated user (an
   * anonymous request gets a session of its own).
   */
  stateless?: boolean;
}

/** Where `authInfo.extra` carries the runtime's identity through the SDK. */
export const USER_KEY = "chukUser";

/** The SDK's `authInfo` for a request of `user` (undefined when anonymous); handlers read it back. */
export function authInfoFor(
  user: UserIdentity | undefined,
  token: string | undefined,
): { token: string; clientId: string; scopes: string[]; extra: Record<string, unknown> } | undefined {
  return user
    ? { token: token ?? "", clientId: user.id, scopes: [], extra: { [USER_KEY]: user } }
    : undefined;
}

/**
 * One client connection. Owns an SDK `Server`; closes it when the connection ends.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * const session = runtime.openSession({ transport: "internal" });
 * console.log(session.id);
 * await session.close();
 * ```
 */
export class DownstreamSession {
  /** The connection's id (the transport's: SSE session id, `Mcp-Session-Id`). */
  id: string;
  /** Which runtime session this connection's calls use; `ctx.sessionId` reports its id. */
  readonly binding: SessionBinding;
  /** The transport kind. */
  readonly transport: TransportKind;
  /** One request of stateless HTTP, not a lasting connection. */
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
  /** When the session last handled a message (ms epoch); used to reap idle sessions. */
  lastActivity: number = Date.now();
  /** Tool calls of this session running right now (a session with one is not idle). */
  callsInFlight = 0;
  #closed = false;
  readonly #runtime: Runtime;
  readonly #closeHandlers: (() => void)[] = [];

  /** A session of `runtime` for one client connection; a transport connects it. */
  constructor(runtime: Runtime, init: SessionInit) {
    this.#runtime = runtime;
    this.id = init.id ?? crypto.randomUUID();
    this.transport = init.transport;
    this.stateless = init.stateless ?? false;
    this.user = init.user;
    this.headers = init.headers ?? {};
    this.binding = runtime.sessionManager.bind({ userId: init.user?.id ?? null, followUser: init.stateless });
    this.server = new Server(runtime.serverInfo, {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
      ...(runtime.instructions ? { instructions: runtime.instructions } : {}),
      jsonSchemaValidator: sharedJsonSchemaValidator(),
    });
    this.#installHandlers();
    this.server.onclose = () => this.#onClosed();
    this.server.oninitialized = () => runtime.events.emit("sessionInitialized", this);
    this.server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
      runtime.events.emit("rootsChanged", this);
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

  /** Connect the SDK server to a transport (observed by the runtime's telemetry). */
  async connect(transport: Transport): Promise<void> {
    const registry = this.#runtime.registry;
    const observed = this.#runtime.telemetry.connection({
      id: this.id,
      transport: this.transport,
      stateless: this.stateless,
      userId: this.user?.id,
      sessionId: () => this.binding.sessionId,
      toolUpstream: (name) => {
        const entry = registry.getTool(name);
        return entry ? entry.upstream ?? "" : null;
      },
      onClose: (fn) => this.onClose(fn),
    }, transport);
    await this.server.connect(observed);
  }

  /** Run `fn` when the session closes (once). */
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
        log.warn(`session ${this.id}: close handler failed: ${e}`);
      }
    }
  }

  /** Send a notification to this client if it is still connected; errors are logged. */
  async notify(notification: ServerNotification): Promise<void> {
    if (this.#closed) return;
    try {
      await this.server.notification(notification);
    } catch (e) {
      log.debug(`session ${this.id}: cannot send ${notification.method}: ${e}`);
    }
  }

  /** Whether a log entry at `level` passes the level this client set. */
  wantsLog(level: LoggingLevel): boolean {
    return this.logLevel === undefined ||
      MCP_LOG_LEVELS.indexOf(level) >= MCP_LOG_LEVELS.indexOf(this.logLevel);
  }

  /** Build the handler context for one request. */
  context(extra: Extra): RequestContext {
    const runtime = this.#runtime;
    const sessionId = this.binding.sessionId;
    const wantsLog = (level: LoggingLevel) => this.wantsLog(level);
    const meta = extra._meta as Record<string, unknown> | undefined;
    const progressToken = meta?.progressToken as string | number | undefined;
    const headers = (extra.requestInfo?.headers as Record<string, string> | undefined) ?? this.headers;
    const user = (extra.authInfo?.extra?.[USER_KEY] as UserIdentity | undefined) ?? this.user;
    const caps = () => this.server.getClientCapabilities();
    // Messages about this request travel with it (on its response stream, for HTTP).
    const notify = (n: ServerNotification) => extra.sendNotification(n);
    // A stateless HTTP request has no initialized client behind it: nothing can answer a request.
    const require = (capability: "sampling" | "elicitation" | "roots") => {
      const c = caps();
      if (!c) {
        throw new ToolError(
          `${capability} needs a session: this call came without one (stateless streamable HTTP cannot ` +
            "send requests to the client; use stdio, SSE or stateless: false)",
        );
      }
      if (!c[capability]) throw new ToolError(`the client does not support ${capability}`);
    };
    const ctx: RequestContext = {
      signal: extra.signal,
      headers,
      sessionId,
      user,
      sandboxId: runtime.sandboxId,
      requestId: extra.requestId,
      progressToken,
      meta,
      transport: this.transport,
      get clientCapabilities() {
        return caps();
      },
      async sendProgress(progress, total, message) {
        if (progressToken === undefined || extra.signal.aborted) return;
        try {
          await notify({
            method: "notifications/progress",
            params: {
              progressToken,
              progress,
              ...(total !== undefined ? { total } : {}),
              ...(message !== undefined ? { message } : {}),
            },
          });
        } catch (e) {
          log.debug(`progress not delivered: ${e}`);
        }
      },
      async log(level, data, logger) {
        if (!wantsLog(level)) return;
        try {
          await notify({
            method: "notifications/message",
            params: { level, data, ...(logger ? { logger } : {}) },
          });
        } catch (e) {
          log.debug(`log message not delivered: ${e}`);
        }
      },
      async sample(params) {
        require("sampling");
        return await extra.sendRequest(
          { method: "sampling/createMessage", params },
          CreateMessageResultSchema,
          { signal: extra.signal },
        );
      },
      async elicit(params) {
        require("elicitation");
        return await extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema, {
          signal: extra.signal,
        });
      },
      async listRoots() {
        require("roots");
        return await extra.sendRequest({ method: "roots/list" }, ListRootsResultSchema, {
          signal: extra.signal,
        });
      },
      resourceUpdated: (uri) => runtime.resourceUpdated(uri),
      getHeaders: () => headers,
    };
    return attachBinding(ctx, this.binding);
  }

  /** `context()` once the runtime session is resolved (stateless HTTP looks it up in the store). */
  async #context(extra: Extra): Promise<RequestContext> {
    await this.binding.ready();
    return this.context(extra);
  }

  #installHandlers(): void {
    const registry = this.#runtime.registry;
    const s = this.server;
    const touch = () => (this.lastActivity = Date.now());

    s.setRequestHandler(ListToolsRequestSchema, () => {
      touch();
      return { tools: registry.listTools() };
    });

    // Registered past the SDK Server's tools/call wrapper, which parses the request a second time
    // and re-validates every result: local results are built by us, proxied ones were validated
    // when they arrived from the upstream.
    setRequestHandlerUnwrapped(s, CallToolRequestSchema, async (req, extra) => {
      touch();
      const entry = registry.getTool(req.params.name);
      if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
      const end = this.#runtime.beginRequest();
      this.callsInFlight++;
      try {
        return await entry.call(req.params.arguments, await this.#context(extra));
      } finally {
        end();
        this.callsInFlight--;
        touch();
      }
    });

    s.setRequestHandler(ListResourcesRequestSchema, async (_req, extra) => {
      touch();
      return { resources: await registry.listResources(await this.#context(extra)) };
    });

    s.setRequestHandler(ListResourceTemplatesRequestSchema, () => {
      touch();
      return { resourceTemplates: registry.listTemplates() };
    });

    s.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => {
      touch();
      const uri = req.params.uri;
      let result;
      try {
        result = await registry.readResource(uri, await this.#context(extra));
      } catch (e) {
        if (e instanceof SdkMcpError) throw e;
        throw new McpError(ErrorCode.InternalError, `Failed to read resource ${uri}: ${errorText(e)}`);
      }
      // -32002 is the spec's "resource not found" code.
      if (!result) throw new McpError(-32002, `Resource not found: ${uri}`, { uri });
      return result;
    });

    s.setRequestHandler(SubscribeRequestSchema, (req) => {
      touch();
      this.subscriptions.add(req.params.uri);
      this.#runtime.events.emit("subscribe", { session: this, uri: req.params.uri });
      return {};
    });

    s.setRequestHandler(UnsubscribeRequestSchema, (req) => {
      touch();
      if (this.subscriptions.delete(req.params.uri)) {
        this.#runtime.events.emit("unsubscribe", { session: this, uri: req.params.uri });
      }
      return {};
    });

    s.setRequestHandler(ListPromptsRequestSchema, () => {
      touch();
      return { prompts: registry.listPrompts() };
    });

    s.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
      touch();
      const entry = registry.getPrompt(req.params.name);
      if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${req.params.name}`);
      try {
        return await entry.get(req.params.arguments, await this.#context(extra));
      } catch (e) {
        if (e instanceof SdkMcpError) throw e;
        // Bad arguments are the caller's problem; anything else failed inside the prompt.
        if (e instanceof ToolError) throw new McpError(ErrorCode.InvalidParams, errorText(e));
        throw new McpError(
          ErrorCode.InternalError,
          `Failed to get prompt ${req.params.name}: ${errorText(e)}`,
        );
      }
    });

    s.setRequestHandler(CompleteRequestSchema, async (req, extra) => {
      touch();
      const { ref, argument, context } = req.params;
      const ctx = await this.#context(extra);
      let entry;
      if (ref.type === "ref/prompt") {
        entry = registry.getPrompt(ref.name);
        if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
      } else {
        entry = registry.getTemplate(ref.uri);
        if (!entry && !registry.getResource(ref.uri)) {
          throw new McpError(ErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
        }
      }
      const values = entry?.complete
        ? await entry.complete(argument.name, argument.value, context ?? {}, ctx)
        : { values: [] };
      return { completion: values };
    });

    s.setRequestHandler(SetLevelRequestSchema, (req) => {
      touch();
      this.logLevel = req.params.level;
      this.#runtime.events.emit("logLevel", { session: this, level: req.params.level });
      return {};
    });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
