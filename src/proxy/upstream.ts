/**
 * One upstream MCP server: a single long-lived client connection shared by every downstream
 * caller, its last known lists, and a supervisor that reconnects it with exponential backoff and
 * jitter when it crashes or drops.
 *
 * Routing back to callers:
 * - progress: exact — the downstream call's progress token maps to its own upstream request;
 * - cancellation: exact — aborting the downstream call cancels the upstream request;
 * - server→client requests (sampling, elicitation, roots) and log messages carry no caller on the
 *   wire, so they go only to the one downstream session with calls in flight on this upstream (or,
 *   for a per-session instance, to the session that owns it). With no such session — the caller
 *   left, or several sessions could have caused them — requests are refused with a clear error and
 *   logs stay in our own log: a shared upstream's traffic never reaches a client that did not ask.
 *   `isolation: per-session` makes routing exact.
 *
 * @module
 */

import { z } from "zod";
import type { RequestContext } from "../context/request_context.ts";
import type { EnvSource } from "../config/env.ts";
import type { McpServerConfig } from "../config/types.ts";
import { ToolTimeoutError } from "../errors.ts";
import { getLogger, type Logger, logMethodFor } from "../log/logger.ts";
import type { CompletionValues } from "../registry/registry.ts";
import { Client, deferResponses } from "../sdk/client.ts";
import type { Transport } from "../sdk/server.ts";
import {
  type CallToolResult,
  CompleteResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  type GetPromptResult,
  GetPromptResultSchema,
  ListRootsRequestSchema,
  type LoggingLevel,
  LoggingMessageNotificationSchema,
  McpError,
  type Prompt,
  PromptListChangedNotificationSchema,
  type ReadResourceResult,
  ReadResourceResultSchema,
  type Resource,
  ResourceListChangedNotificationSchema,
  type ResourceTemplate,
  ResourceUpdatedNotificationSchema,
  type ServerCapabilities,
  type Tool,
  ToolListChangedNotificationSchema,
} from "../sdk/types.ts";
import type { DownstreamSession } from "../server/session.ts";
import { WireMcpError } from "../sdk/errors.ts";
import { RawCalls } from "./raw.ts";
import { Emitter } from "../util/emitter.ts";
import { VERSION } from "../version.ts";
import { createUpstreamTransport, upstreamType } from "./launch.ts";

/** Where an upstream is in its life. */
export type UpstreamState = "connecting" | "ready" | "restarting" | "failed" | "stopped";

/** What an upstream serves, as last listed. */
export interface UpstreamLists {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplate[];
}

/** Events of an {@linkcode Upstream}. */
export interface UpstreamEvents extends Record<string, unknown> {
  /** The state changed. */
  state: UpstreamState;
  /** The lists were (re)loaded. */
  lists: UpstreamLists;
  /** `notifications/resources/updated` for a URI. */
  resourceUpdated: string;
}

/** Status for `/health`. */
export interface UpstreamStatus {
  state: UpstreamState;
  type: string;
  restarts: number;
  last_error: string | null;
  connected_since: string | null;
  tools: number;
  prompts: number;
  resources: number;
}

/** What an upstream needs from the runtime around it. */
export interface UpstreamHost {
  /** Live downstream sessions (to route server→client messages when no call is in flight). */
  readonly sessions: ReadonlySet<DownstreamSession>;
  readonly env: EnvSource;
  readonly baseDir: string;
}

/** Options of {@linkcode Upstream}. */
export interface UpstreamOptions {
  /** Override the transport (tests, sandboxes). Called for each connection attempt. */
  transportFactory?: () => Transport;
  /** First reconnect delay (ms, default 500); doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  /** Largest reconnect delay (ms, default 30 000). */
  maxBackoffMs?: number;
  /** Consecutive failures after which the state reads `failed` (retries go on). Default 5. */
  failedAfter?: number;
  /** Time allowed for connect + initialize + listing (ms, default 60 000). */
  connectTimeoutMs?: number;
  /** Only this downstream session may be routed to (per-session instances). */
  ownerSessionId?: string;
  /** Log name suffix (per-session instances). */
  label?: string;
}

const looseList = <K extends string>(key: K) =>
  z.looseObject(
    { [key]: z.array(z.looseObject({})), nextCursor: z.string().optional() } as Record<K, z.ZodArray>,
  );
const ToolsPage = looseList("tools");
const PromptsPage = looseList("prompts");
const ResourcesPage = looseList("resources");
const TemplatesPage = looseList("resourceTemplates");
const EmptyResult = z.looseObject({});

/** At most this many pages are fetched per list (a misbehaving server cannot loop us forever). */
const MAX_PAGES = 100;

/** Whether `e` says an answer did not match its result schema (the SDK rejects with the zod error). */
/**
 * What is wrong with a `tools/call` result, if anything — the shape checks the downstream needs
 * (content blocks with a type, an object for structuredContent), not a full schema validation:
 * the upstream answered, the client will validate what it uses.
 */
function callToolResultProblem(r: Record<string, unknown>): string | undefined {
  if (r.content !== undefined) {
    if (!Array.isArray(r.content)) return "content is not a list";
    for (const c of r.content) {
      if (!c || typeof c !== "object" || typeof (c as { type?: unknown }).type !== "string") {
        return "a content block has no type";
      }
    }
  }
  if (
    r.structuredContent !== undefined &&
    (typeof r.structuredContent !== "object" || r.structuredContent === null)
  ) {
    return "structuredContent is not an object";
  }
  if (r.isError !== undefined && typeof r.isError !== "boolean") return "isError is not a boolean";
  return undefined;
}

function isInvalidResult(e: unknown): boolean {
  return Array.isArray((e as { issues?: unknown } | null)?.issues);
}

/** Whether an error means the connection (not the server's answer) failed. */
function isConnectionFailure(e: unknown): boolean {
  // The SDK reports a closed transport as McpError(-32000, "Connection closed"); servers may use
  // -32000 for their own errors, so the message decides.
  if (e instanceof McpError) {
    return e.code === ErrorCode.ConnectionClosed && /connection closed/i.test(e.message);
  }
  return !isInvalidResult(e);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A supervised connection to one upstream MCP server.
 *
 * @example
 * ```ts
 * import { Upstream } from "./upstream.ts";
 * declare const host: import("./upstream.ts").UpstreamHost;
 * const up = new Upstream("time", { command: "uvx", args: ["mcp-server-time"] } as never, host);
 * await up.start();
 * console.log(up.status());
 * await up.stop();
 * ```
 */
export class Upstream {
  readonly name: string;
  readonly entry: McpServerConfig;
  readonly events: Emitter<UpstreamEvents> = new Emitter<UpstreamEvents>();
  /** Last known lists (kept while the upstream is down, so its tools stay listed). */
  lists: UpstreamLists = { tools: [], prompts: [], resources: [], templates: [] };
  /** The upstream's capabilities from its last `initialize`. */
  capabilities: ServerCapabilities | undefined;
  #state: UpstreamState = "connecting";
  #restarts = 0;
  #failures = 0;
  #lastError: string | null = null;
  #connectedSince: number | null = null;
  #client: Client | undefined;
  /** The fast lane for tools/call on the current connection. */
  #raw: RawCalls | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #inflight = new Map<number, RequestContext>();
  #nextCall = 0;
  #subscriptions = new Map<string, number>();
  #logLevel: LoggingLevel | undefined;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  #connecting: Promise<void> | undefined;
  readonly #host: UpstreamHost;
  readonly #options: UpstreamOptions;
  readonly #log: Logger;

  constructor(name: string, entry: McpServerConfig, host: UpstreamHost, options: UpstreamOptions = {}) {
    this.name = name;
    this.entry = entry;
    this.#host = host;
    this.#options = options;
    this.#log = getLogger(`proxy.${name}${options.label ? `.${options.label}` : ""}`, { upstream: name });
  }

  /** Current state. */
  get state(): UpstreamState {
    return this.#state;
  }

  /** Calls in flight right now. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** When the last call started or ended (ms epoch), for idle reaping. */
  lastUsed: number = Date.now();

  /** Status for `/health`. */
  status(): UpstreamStatus {
    return {
      state: this.#state,
      type: upstreamType(this.entry) ?? "unknown",
      restarts: this.#restarts,
      last_error: this.#lastError,
      connected_since: this.#connectedSince ? new Date(this.#connectedSince).toISOString() : null,
      tools: this.lists.tools.length,
      prompts: this.lists.prompts.length,
      resources: this.lists.resources.length,
    };
  }

  #setState(state: UpstreamState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit("state", state);
  }

  /** Connect for the first time. Resolves when ready or after the first failure (retries go on). */
  start(): Promise<void> {
    return this.#connect();
  }

  /** Close the connection and stop reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#setState("stopped");
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => {});
  }

  #connect(): Promise<void> {
    return this.#connecting ??= this.#attempt().finally(() => (this.#connecting = undefined));
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    const client = new Client(
      { name: "chuk-mcp-runtime-proxy", version: VERSION },
      { capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } } },
    );
    this.#installHandlers(client);
    let transport: Transport;
    try {
      transport = this.#options.transportFactory?.() ??
        createUpstreamTransport(this.name, this.entry, this.#host.env, this.#host.baseDir);
    } catch (e) {
      this.#failed(e);
      return;
    }
    const timeoutMs = this.#options.connectTimeoutMs ?? 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let raw: RawCalls | undefined;
    try {
      await Promise.race([
        (async () => {
          await client.connect(transport, { timeout: timeoutMs });
          deferResponses(transport);
          raw = new RawCalls(transport);
          this.capabilities = client.getServerCapabilities();
          this.lists = await this.#fetchLists(client);
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      clearTimeout(timer);
      await client.close().catch(() => {});
      this.#failed(e);
      return;
    }
    clearTimeout(timer);
    if (this.#stopped) {
      await client.close().catch(() => {});
      return;
    }
    this.#client = client;
    this.#raw = raw;
    this.#failures = 0;
    this.#lastError = null;
    this.#connectedSince = Date.now();
    client.onclose = () => {
      raw?.close(new WireMcpError(ErrorCode.ConnectionClosed, "Connection closed"));
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#raw = undefined;
      this.#connectedSince = null;
      if (!this.#stopped) this.#failed(new Error("connection closed"));
    };
    client.onerror = (e) => this.#log.debug(`transport error: ${errorText(e)}`);
    await this.#restore(client);
    this.#setState("ready");
    this.#log.info(
      `ready: ${this.lists.tools.length} tool(s), ${this.lists.prompts.length} prompt(s), ` +
        `${this.lists.resources.length} resource(s)`,
    );
    this.events.emit("lists", this.lists);
  }

  /** Re-apply what downstream clients asked of the previous connection. */
  async #restore(client: Client): Promise<void> {
    if (this.#logLevel && this.capabilities?.logging) {
      await client.setLoggingLevel(this.#logLevel).catch((e) => this.#log.debug(`setLevel: ${errorText(e)}`));
    }
    if (this.capabilities?.resources?.subscribe) {
      for (const uri of this.#subscriptions.keys()) {
        await client.subscribeResource({ uri }).catch((e) =>
          this.#log.debug(`resubscribe ${uri}: ${errorText(e)}`)
        );
      }
    }
  }

  /**
   * A request failed below MCP (refused connection, HTTP 404 for a session the server forgot,
   * broken pipe): drop this connection and reconnect — remote servers do not say they are gone.
   */
  #lost(client: Client, e: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#raw?.close(new WireMcpError(ErrorCode.ConnectionClosed, "Connection closed"));
    this.#raw = undefined;
    this.#connectedSince = null;
    void client.close().catch(() => {});
    this.#failed(e);
  }

  #failed(e: unknown): void {
    if (this.#stopped) return;
    this.#failures++;
    this.#lastError = errorText(e);
    const wasReady = this.#state === "ready";
    if (wasReady) this.#restarts++;
    this.#log.warn(`${wasReady ? "lost connection" : "cannot connect"}: ${this.#lastError}`);
    this.#setState(this.#failures >= (this.#options.failedAfter ?? 5) ? "failed" : "restarting");
    const base = this.#options.initialBackoffMs ?? 500;
    const max = this.#options.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.#failures - 1, 30));
    const jittered = delay * (0.8 + Math.random() * 0.4);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#stopped) void this.#connect();
    }, jittered);
  }

  async #fetchLists(client: Client): Promise<UpstreamLists> {
    const caps = client.getServerCapabilities() ?? {};
    const all = async <T>(method: string, schema: z.ZodType, key: string): Promise<T[]> => {
      const out: T[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await client.request(
          { method, params: cursor ? { cursor } : {} } as never,
          schema as never,
        ) as Record<string, unknown>;
        out.push(...(r[key] as T[]));
        cursor = r.nextCursor as string | undefined;
        if (!cursor) break;
      }
      return out;
    };
    const [tools, prompts, resources, templates] = await Promise.all([
      caps.tools ? all<Tool>("tools/list", ToolsPage, "tools") : [],
      caps.prompts ? all<Prompt>("prompts/list", PromptsPage, "prompts") : [],
      caps.resources ? all<Resource>("resources/list", ResourcesPage, "resources") : [],
      caps.resources
        ? all<ResourceTemplate>("resources/templates/list", TemplatesPage, "resourceTemplates")
        : [],
    ]);
    return { tools, prompts, resources, templates };
  }

  /** Reload the lists (coalesces concurrent requests) and tell listeners. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    return this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          const client = this.#client;
          if (!client) return;
          this.lists = await this.#fetchLists(client);
          this.events.emit("lists", this.lists);
        } while (this.#refreshAgain);
      } catch (e) {
        this.#log.warn(`cannot refresh lists: ${errorText(e)}`);
      } finally {
        this.#refreshing = undefined;
      }
    })();
  }

  // ---- routing server→client traffic to the caller

  /** The downstream contexts that could have caused a server→client message. */
  #callers(): { ctx?: RequestContext; session?: DownstreamSession; ambiguous: boolean } {
    const owner = this.#options.ownerSessionId;
    const contexts = [...this.#inflight.values()];
    if (contexts.length > 0) {
      // A call whose session could not be resolved (store down) is a caller of its own.
      const sessions = new Set(contexts.map((c) => c.sessionId ?? c));
      if (sessions.size === 1) return { ctx: contexts[contexts.length - 1], ambiguous: false };
      return { ambiguous: true };
    }
    // No call in flight: only the owner of a per-session instance may hear from it. A shared
    // upstream's message now belongs to nobody connected (its caller has left).
    if (owner === undefined) return { ambiguous: false };
    const live = [...this.#host.sessions].filter((s) => !s.closed && s.binding.sessionId === owner);
    if (live.length === 1) return { session: live[0], ambiguous: false };
    return { ambiguous: live.length > 1 };
  }

  #installHandlers(client: Client): void {
    const unroutable = (what: string, ambiguous: boolean) => {
      const why = ambiguous
        ? `upstream '${this.name}' is shared by several clients with calls in flight ` +
          `(set isolation: per-session for this server)`
        : `no client call is in flight on upstream '${this.name}'`;
      this.#log.warn(`refused ${what}: ${why}`);
      return new McpError(ErrorCode.InternalError, `cannot route ${what}: ${why}`);
    };

    client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => {
      const to = this.#callers();
      if (to.ctx) return await to.ctx.sample(req.params);
      if (to.session) {
        return await to.session.server.createMessage(req.params, { signal: extra.signal });
      }
      throw unroutable("sampling request", to.ambiguous);
    });

    client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
      const to = this.#callers();
      if (to.ctx) return await to.ctx.elicit(req.params);
      if (to.session) return await to.session.server.elicitInput(req.params, { signal: extra.signal });
      throw unroutable("elicitation request", to.ambiguous);
    });

    client.setRequestHandler(ListRootsRequestSchema, async (_req, extra) => {
      const to = this.#callers();
      try {
        if (to.ctx) return await to.ctx.listRoots();
        if (to.session?.server.getClientCapabilities()?.roots) {
          return await to.session.server.listRoots(undefined, { signal: extra.signal });
        }
      } catch (e) {
        this.#log.debug(`roots/list not answered by the client: ${errorText(e)}`);
      }
      // Roots are advisory: with no single caller to ask, the proxy exposes none.
      return { roots: [] };
    });

    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refresh());
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => void this.refresh());
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void this.refresh());
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      this.events.emit("resourceUpdated", n.params.uri);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
      const to = this.#callers();
      if (to.ctx) return void (await to.ctx.log(n.params.level, n.params.data, n.params.logger ?? this.name));
      if (to.session) {
        if (to.session.wantsLog(n.params.level)) {
          await to.session.notify({
            method: "notifications/message",
            params: { ...n.params, logger: n.params.logger ?? this.name },
          });
        }
        return;
      }
      // Kept in our own log only, at the level the upstream gave it.
      this.#log[logMethodFor(n.params.level)](
        `log from upstream '${this.name}' (not routed${to.ambiguous ? ": several clients" : ""}): ${
          JSON.stringify(n.params.data)
        }`,
      );
    });
  }

  // ---- calls

  #unavailable(what: string): CallToolResult {
    const detail = this.#lastError ? `: ${this.#lastError}` : "";
    return {
      content: [{
        type: "text",
        text: `Upstream '${this.name}' is ${this.#state}${detail} (${what} not forwarded)`,
      }],
      isError: true,
    };
  }

  async #track<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
    const id = this.#nextCall++;
    this.#inflight.set(id, ctx);
    this.lastUsed = Date.now();
    const client = this.#client;
    try {
      return await fn();
    } catch (e) {
      if (client && isConnectionFailure(e) && !ctx.signal.aborted) this.#lost(client, e);
      throw e;
    } finally {
      this.#inflight.delete(id);
      this.lastUsed = Date.now();
    }
  }

  #requestOptions(ctx: RequestContext, timeoutSeconds: number) {
    const timeout = timeoutSeconds > 0 ? timeoutSeconds * 1000 : 2 ** 31 - 1;
    return {
      signal: ctx.signal,
      timeout,
      resetTimeoutOnProgress: false,
      ...(ctx.progressToken !== undefined
        ? {
          onprogress: (p: { progress: number; total?: number; message?: string }) => {
            void ctx.sendProgress(p.progress, p.total, p.message);
          },
        }
        : {}),
    };
  }

  /** Downstream `_meta` without the progress token (the SDK sets the upstream's own). */
  #meta(ctx: RequestContext): Record<string, unknown> | undefined {
    if (!ctx.meta) return undefined;
    const { progressToken: _drop, ...rest } = ctx.meta;
    return Object.keys(rest).length ? rest : undefined;
  }

  /**
   * Call upstream tool `name`. The result (content, `structuredContent`, `_meta`, `isError`) is
   * passed through untouched; protocol errors of the upstream come back as the same errors.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    ctx: RequestContext,
    timeoutSeconds: number,
    exposedName: string,
  ): Promise<CallToolResult> {
    const raw = this.#raw;
    if (!raw) return this.#unavailable("call");
    const meta = this.#meta(ctx);
    try {
      // The fast lane (raw.ts): same connection, no SDK request machinery per call.
      const result = await this.#track(ctx, () =>
        raw.call(
          "tools/call",
          { name, ...(args !== undefined ? { arguments: args } : {}), ...(meta ? { _meta: meta } : {}) },
          {
            signal: ctx.signal,
            timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0,
            onprogress: ctx.progressToken === undefined
              ? undefined
              : (p) => void ctx.sendProgress(p.progress, p.total, p.message),
          },
        ));
      const problem = callToolResultProblem(result);
      if (problem) {
        return {
          content: [{ type: "text", text: `Upstream '${this.name}' sent an invalid result: ${problem}` }],
          isError: true,
        };
      }
      return (result.content === undefined ? { ...result, content: [] } : result) as CallToolResult;
    } catch (e) {
      if (e instanceof McpError && e.code === ErrorCode.RequestTimeout && !ctx.signal.aborted) {
        return {
          content: [{ type: "text", text: new ToolTimeoutError(exposedName, timeoutSeconds).message }],
          isError: true,
        };
      }
      if (e instanceof McpError && e.code !== ErrorCode.ConnectionClosed) throw e;
      if (ctx.signal.aborted) throw e;
      const what = isInvalidResult(e) ? "sent an invalid result" : "failed during the call";
      return {
        content: [{ type: "text", text: `Upstream '${this.name}' ${what}: ${errorText(e)}` }],
        isError: true,
      };
    }
  }

  #requireClient(what: string): Client {
    const client = this.#client;
    if (!client) {
      throw new McpError(
        ErrorCode.InternalError,
        `Upstream '${this.name}' is ${this.#state} (${what} not forwarded)`,
      );
    }
    return client;
  }

  /** Read a resource from the upstream (URI unchanged). */
  async readResource(uri: string, ctx: RequestContext, timeoutSeconds: number): Promise<ReadResourceResult> {
    const client = this.#requireClient("resources/read");
    const meta = this.#meta(ctx);
    return await this.#track(ctx, () =>
      client.request(
        { method: "resources/read", params: { uri, ...(meta ? { _meta: meta } : {}) } },
        ReadResourceResultSchema,
        this.#requestOptions(ctx, timeoutSeconds),
      )) as ReadResourceResult;
  }

  /** Get a prompt from the upstream (by its upstream name). */
  async getPrompt(
    name: string,
    args: Record<string, string> | undefined,
    ctx: RequestContext,
    timeoutSeconds: number,
  ): Promise<GetPromptResult> {
    const client = this.#requireClient("prompts/get");
    const meta = this.#meta(ctx);
    return await this.#track(ctx, () =>
      client.request(
        {
          method: "prompts/get",
          params: { name, ...(args ? { arguments: args } : {}), ...(meta ? { _meta: meta } : {}) },
        },
        GetPromptResultSchema,
        this.#requestOptions(ctx, timeoutSeconds),
      )) as GetPromptResult;
  }

  /** Forward `completion/complete` (ref already translated to the upstream's names). */
  async complete(
    ref: { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string },
    argument: string,
    value: string,
    context: { arguments?: Record<string, string> },
    ctx: RequestContext,
  ): Promise<CompletionValues> {
    const client = this.#requireClient("completion/complete");
    if (!this.capabilities?.completions) return { values: [] };
    const r = await this.#track(ctx, () =>
      client.request(
        {
          method: "completion/complete",
          params: { ref, argument: { name: argument, value }, ...(context.arguments ? { context } : {}) },
        },
        CompleteResultSchema,
        { signal: ctx.signal },
      ));
    return r.completion;
  }

  /** Count a downstream subscription; the first one subscribes upstream. */
  async subscribe(uri: string): Promise<void> {
    const n = (this.#subscriptions.get(uri) ?? 0) + 1;
    this.#subscriptions.set(uri, n);
    if (n === 1 && this.#client && this.capabilities?.resources?.subscribe) {
      await this.#client.subscribeResource({ uri }).catch((e) =>
        this.#log.warn(`subscribe ${uri}: ${errorText(e)}`)
      );
    }
  }

  /** Release a downstream subscription; the last one unsubscribes upstream. */
  async unsubscribe(uri: string): Promise<void> {
    const n = (this.#subscriptions.get(uri) ?? 0) - 1;
    if (n > 0) return void this.#subscriptions.set(uri, n);
    this.#subscriptions.delete(uri);
    if (this.#client && this.capabilities?.resources?.subscribe) {
      await this.#client.unsubscribeResource({ uri }).catch((e) =>
        this.#log.debug(`unsubscribe ${uri}: ${errorText(e)}`)
      );
    }
  }

  /** Forward a log level (the most verbose any client asked for). */
  async setLogLevel(level: LoggingLevel): Promise<void> {
    this.#logLevel = level;
    if (this.#client && this.capabilities?.logging) {
      await this.#client.request({ method: "logging/setLevel", params: { level } }, EmptyResult)
        .catch((e) => this.#log.debug(`setLevel: ${errorText(e)}`));
    }
  }

  /** Tell the upstream the client's roots changed (it will ask again with `roots/list`). */
  async rootsChanged(): Promise<void> {
    await this.#client?.sendRootsListChanged().catch((e) =>
      this.#log.debug(`roots changed: ${errorText(e)}`)
    );
  }

  /** Ping the upstream (health checks). */
  async ping(): Promise<boolean> {
    try {
      await this.#client?.ping();
      return this.#client !== undefined;
    } catch {
      return false;
    }
  }
}
