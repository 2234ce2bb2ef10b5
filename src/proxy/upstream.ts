/**
 * One upstream MCP server: a single long-lived client connection shared by every downstream
 * caller, its last known lists, and what it does — put together from the parts beside it:
 * `supervisor.ts` keeps the connection alive, `routing.ts` sends server→client traffic to the
 * right caller, `requests.ts` forwards the requests, `subscriptions.ts` keeps the clients' standing
 * asks across reconnects, `lists.ts` fetches what it serves.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { McpServerConfig } from "../config/types.ts";
import type { Connection } from "../core/connection.ts";
import type { RequestContext } from "../core/context.ts";
import type { CompletionValues, ListKind } from "../core/registry.ts";
import { ErrorCode, errorText, ProtocolError } from "../errors.ts";
import { getLogger, type Logger } from "../log/logger.ts";
import type {
  CallToolResult,
  ClientCapabilities,
  GetPromptResult,
  LoggingLevel,
  ReadResourceResult,
  ServerCapabilities,
  Tool,
} from "../protocol.ts";
import { deferResponses } from "../sdk/taps.ts";
import { foreignStateError, isParkState, resumeParked, startParked } from "./park.ts";
import {
  Client,
  type ClientOptions,
  ENVELOPE_KEYS,
  type PriorDiscovery,
  SdkError,
  SdkErrorCode,
} from "../sdk/client_v2.ts";
import type { Transport } from "../sdk/server.ts";
import { toolErrorResult } from "../tools/result.ts";
import { lazyJsonSchemaValidator } from "../tools/schema.ts";
import { Emitter } from "../util/emitter.ts";
import { VERSION } from "../version.ts";
import { UpstreamUnavailableError } from "./errors.ts";
import { createUpstreamTransport, upstreamType } from "./launch.ts";
import type { OAuthRecordStore } from "../oauth/client/token_store.ts";
import type { PendingLogin, UpstreamLogin } from "../oauth/client/login.ts";
import { EraMemory, MODERN_VERSION, modernMeta, negotiationFor, type UpstreamEra } from "./era.ts";
import { emptyLists, fetchLists, type UpstreamLists } from "./lists.ts";
import { RawCalls } from "./raw.ts";
import {
  complete,
  type CompletionRequest,
  getPrompt,
  isConnectionFailure,
  type Lane,
  listPages,
  readResource,
  sendToolCall,
  toolCallFailure,
  toolCallResult,
} from "./requests.ts";
import { InFlight, routeServerToClient } from "./routing.ts";
import { type AskTarget, StandingAsks } from "./subscriptions.ts";
import { type Blocked, Supervisor, type SupervisorOptions, type UpstreamState } from "./supervisor.ts";

export type { UpstreamLists, UpstreamState };

/** Events of an {@linkcode Upstream}. */
export interface UpstreamEvents extends Record<string, unknown> {
  /** The state changed. */
  state: UpstreamState;
  /**
   * The lists were (re)loaded; `announced`: the kinds the upstream said changed (it may say so
   * when nothing visible did: its clients hear it all the same).
   */
  lists: { lists: UpstreamLists; announced: readonly ListKind[] };
  /** `notifications/resources/updated` for a URI. */
  resourceUpdated: string;
}

/** Status for `/health`. */
export interface UpstreamStatus {
  /** Where it is in its life. */
  state: UpstreamState;
  /** `stdio`, `sse` or `streamable-http`. */
  type: string;
  /** How often a ready connection was lost. */
  restarts: number;
  /** Why the last attempt or connection failed. */
  last_error: string | null;
  /** Since when the connection is up (ISO time). */
  connected_since: string | null;
  /** Tools listed. */
  tools: number;
  /** Prompts listed. */
  prompts: number;
  /** Resources listed. */
  resources: number;
  /** The protocol version the connection speaks (`2025-11-25`, `2026-07-28`), once connected. */
  protocol_version: string | null;
}

/** What an upstream needs from the runtime around it. */
export interface UpstreamHost {
  /** Live client connections (to route server→client messages when no call is in flight). */
  readonly connections: ReadonlySet<Connection>;
  /** The runtime's environment (remote API keys, the child's inherited variables). */
  readonly env: EnvSource;
  /** Directory relative paths of the entry resolve against. */
  readonly baseDir: string;
  /** Longest line a stdio upstream may write (bytes; default 8 MiB). */
  readonly maxLineBytes?: number;
  /** Where OAuth logins keep their tokens (set when some upstream has `oauth`). */
  readonly oauthStore?: OAuthRecordStore;
}

/** Options of {@linkcode Upstream}. */
export interface UpstreamOptions extends SupervisorOptions {
  /** Override the transport (tests, sandboxes). Called for each connection attempt. */
  transportFactory?: () => Transport;
  /** Wrap each connection attempt's transport (telemetry: trace context to the upstream). */
  wrapTransport?: (transport: Transport) => Transport;
  /** Only this downstream session may be routed to (per-session instances). */
  ownerSessionId?: string;
  /** Log name suffix (per-session instances). */
  label?: string;
  /** Whose OAuth login this instance uses: `_` (the upstream's own, default) or `user:<id>` (`per_user`). */
  loginSubject?: string;
}

/** Whether a client declared URL-mode elicitation (it can show a login page). */
function showsUrls(capabilities: { elicitation?: object } | undefined): boolean {
  return Boolean((capabilities?.elicitation as { url?: unknown } | undefined)?.url);
}

/** A call that needs an upstream login nobody present can give. */
class LoginRequiredError extends Error {
  override name = "LoginRequiredError";
}

/**
 * One connection to the upstream: the SDK client (of either era) and, on a 2025 connection, the
 * fast lane over the same transport.
 */
interface UpstreamLink {
  readonly client: Client;
  readonly transport: Transport;
  /** The era the connection speaks (set once connected). */
  era?: UpstreamEra;
  /** The fast lane (set once connected). */
  raw?: RawCalls;
  /** Set on a 2026-07-28 connection (see `Lane`). */
  modern?: Lane["modern"];
  /** The child exited while the connection was being made (stdio). */
  exited?: boolean;
  close(): Promise<void>;
}

/** Who the proxy is to its upstreams. */
const CLIENT_INFO = { name: "chuk-mcp-runtime-proxy", version: VERSION };

/** What the proxy can answer for its callers. */
const CAPABILITIES: ClientCapabilities = {
  sampling: {},
  // SEP-1034: an accepted form answer gets the schema's defaults for the fields it leaves out.
  elicitation: { form: { applyDefaults: true }, url: {} },
  roots: { listChanged: true },
};

/** A failed era negotiation (the probe got no usable answer). */
function isNegotiationError(e: unknown): boolean {
  return e instanceof SdkError && e.code === SdkErrorCode.EraNegotiationFailed;
}

function connectionClosed(): ProtocolError {
  return new ProtocolError(ErrorCode.ConnectionClosed, "Connection closed");
}

/**
 * The retry of a 2026 caller whose earlier round parked a call to a 2025 upstream (`park.ts`):
 * the parked call goes on with the answers.
 */
function resumed2026(ctx: RequestContext): Promise<unknown> | undefined {
  const rounds = ctx.rounds;
  if (!rounds || !isParkState(rounds.state)) return undefined;
  return resumeParked(rounds.state, rounds.responses, ctx);
}

/** Whether a request of `ctx` on `lane` runs parked: a 2026 caller's round, a 2025 upstream. */
function parks(ctx: RequestContext, lane: Lane): boolean {
  if (ctx.rounds === undefined || lane.modern) return false;
  if (ctx.rounds.state !== undefined) throw foreignStateError();
  return true;
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
  /** Its name (`mcp_servers.<name>`). */
  readonly name: string;
  /** Its configuration. */
  readonly entry: McpServerConfig;
  /** State changes, list reloads, resource updates. */
  readonly events: Emitter<UpstreamEvents> = new Emitter<UpstreamEvents>();
  /** Last known lists (kept while the upstream is down, so its tools stay listed). */
  lists: UpstreamLists = emptyLists();
  /** The upstream's capabilities from its last `initialize`. */
  capabilities: ServerCapabilities | undefined;
  readonly #inflight = new InFlight();
  readonly #asks: StandingAsks;
  readonly #supervisor: Supervisor<UpstreamLink>;
  readonly #host: UpstreamHost;
  readonly #options: UpstreamOptions;
  readonly #log: Logger;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  /** The era verdict a stdio upstream gave (its reconnects skip the probe). */
  readonly #era = new EraMemory();
  /** The protocol version of the current (or last) connection. */
  #protocolVersion: string | null = null;
  /** The OAuth login (remote upstreams with `oauth`), created on the first connection attempt. */
  #login: UpstreamLogin | undefined;

  /** Upstream `name` as `entry` configures it, in the runtime `host`. */
  constructor(name: string, entry: McpServerConfig, host: UpstreamHost, options: UpstreamOptions = {}) {
    this.name = name;
    this.entry = entry;
    this.#host = host;
    this.#options = options;
    this.#log = getLogger(`proxy.${name}${options.label ? `.${options.label}` : ""}`, { upstream: name });
    this.#asks = new StandingAsks(this.#log);
    this.#supervisor = new Supervisor<UpstreamLink>(this.#log, options, {
      create: () => this.#createLink(),
      connect: (link, timeoutMs) => this.#connectLink(link, timeoutMs),
      adopt: (link) => this.#adopt(link),
      state: (state) => this.#stateChanged(state),
      blocked: (e) => this.#blocked(e),
    });
  }

  /** Current state. */
  get state(): UpstreamState {
    return this.#supervisor.state;
  }

  /** Calls in flight right now. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** When the last call started or ended (ms epoch), for idle reaping. */
  get lastUsed(): number {
    return this.#inflight.lastUsed;
  }

  /** Status for `/health`. */
  status(): UpstreamStatus {
    const since = this.#supervisor.connectedSince;
    return {
      state: this.state,
      type: upstreamType(this.entry) ?? "unknown",
      restarts: this.#supervisor.restarts,
      last_error: this.#supervisor.lastError,
      connected_since: since ? new Date(since).toISOString() : null,
      tools: this.lists.tools.length,
      prompts: this.lists.prompts.length,
      resources: this.lists.resources.length,
      protocol_version: this.#protocolVersion,
    };
  }

  /** The era the current connection speaks, if connected. */
  get era(): UpstreamEra | undefined {
    return this.#supervisor.link?.era;
  }

  /** Connect for the first time. Resolves when ready or after the first failure (retries go on). */
  start(): Promise<void> {
    return this.#supervisor.start();
  }

  /** Close the connection and stop reconnecting. */
  stop(): Promise<void> {
    this.#login?.close();
    this.#asks.close();
    return this.#supervisor.stop();
  }

  // ---- the connection

  async #createLink(): Promise<UpstreamLink> {
    const options: ClientOptions = {
      capabilities: CAPABILITIES as ClientOptions["capabilities"],
      versionNegotiation: negotiationFor(this.entry),
      // A 2026 upstream's input_required answers go to the caller of each call (see requests.ts).
      inputRequired: { autoFulfill: false },
      // ajv only when an upstream tool has an outputSchema (the SDK builds one per Client otherwise).
      jsonSchemaValidator: lazyJsonSchemaValidator,
    };
    const client = new Client(CLIENT_INFO, options);
    routeServerToClient(client, {
      name: this.name,
      inflight: this.#inflight,
      connections: this.#host.connections,
      ownerSessionId: this.#options.ownerSessionId,
      log: this.#log,
    });
    client.setNotificationHandler("notifications/tools/list_changed", () => void this.refresh("tools"));
    client.setNotificationHandler("notifications/prompts/list_changed", () => void this.refresh("prompts"));
    client.setNotificationHandler(
      "notifications/resources/list_changed",
      () => void this.refresh("resources"),
    );
    client.setNotificationHandler("notifications/resources/updated", (n) => {
      this.events.emit("resourceUpdated", n.params.uri);
    });
    const made = this.#options.transportFactory?.() ??
      (this.entry.oauth && upstreamType(this.entry) !== "stdio"
        ? (await this.#oauth()).transport()
        : createUpstreamTransport(
          this.name,
          this.entry,
          this.#host.env,
          this.#host.baseDir,
          this.#host.maxLineBytes,
        ));
    const transport = this.#options.wrapTransport?.(made) ?? made;
    const link: UpstreamLink = {
      client,
      transport,
      close: async () => {
        link.raw?.close(connectionClosed());
        await client.close();
      },
    };
    // Chained by the SDK when it connects: a child that exits during the probe is a 2025 server.
    transport.onclose = () => void (link.exited = true);
    return link;
  }

  async #connectLink(link: UpstreamLink, timeoutMs: number): Promise<void> {
    const stdio = upstreamType(this.entry) === "stdio";
    const prior = stdio ? this.#era.prior : undefined;
    try {
      await link.client.connect(link.transport as never, { timeout: timeoutMs, ...(prior ? { prior } : {}) });
    } catch (e) {
      if (stdio && !prior && link.exited && this.entry.protocol !== "2026-07-28" && isNegotiationError(e)) {
        // The child ended on the probe (servers that exit on a request before initialize): it
        // speaks 2025; the next attempt starts it again and skips the probe.
        this.#era.exitedOnProbe();
        this.#log.info("the server exited on the server/discover probe: speaking 2025-11-25 to it");
      }
      throw e;
    }
    const era = link.client.getProtocolEra() === "modern" ? "modern" : "legacy";
    link.era = era;
    this.#protocolVersion = link.client.getNegotiatedProtocolVersion() ?? null;
    if (stdio) {
      const discover = link.client.getDiscoverResult();
      this.#era.remember(
        era === "modern" && discover ? { kind: "modern", discover } : { kind: "legacy" } as PriorDiscovery,
      );
    }
    const http = upstreamType(this.entry) !== "stdio";
    if (era === "legacy") {
      deferResponses(link.transport);
      link.raw = new RawCalls(link.transport);
    } else {
      const version = this.#protocolVersion ?? MODERN_VERSION;
      const own = { ...CAPABILITIES };
      const envelope = (capabilities: ClientCapabilities) => ({
        [ENVELOPE_KEYS.protocolVersion]: version,
        [ENVELOPE_KEYS.clientInfo]: CLIENT_INFO,
        [ENVELOPE_KEYS.clientCapabilities]: capabilities,
      });
      // Over HTTP a 2026 request is cancelled by closing its own stream; on stdio by a notification.
      link.raw = new RawCalls(
        link.transport,
        http ? { abortStreams: true } : { notificationMeta: () => envelope(own) },
      );
      link.modern = {
        headers: http,
        meta: (ctx?: RequestContext) =>
          ctx ? { ...envelope(own), ...modernMeta(ctx, this.#asks.logLevel) } : envelope(own),
      };
    }
    this.capabilities = link.client.getServerCapabilities() as ServerCapabilities | undefined;
    this.lists = await fetchLists(listPages(link as Lane), this.capabilities ?? {}, {
      checkHeaders: era === "modern" && http,
      upstream: this.name,
    });
  }

  async #adopt(link: UpstreamLink): Promise<void> {
    link.client.onclose = () => {
      link.raw?.close(connectionClosed());
      if (link.era === "modern") this.#asks.close();
      this.#supervisor.closed(link);
    };
    link.client.onerror = (e) => this.#log.debug(`transport error: ${errorText(e)}`);
    await this.#asks.restore({ client: link.client, capabilities: this.capabilities, era: link.era });
  }

  // ---- the OAuth login (remote upstreams with `oauth`)

  /** The OAuth login of this instance (loaded with its modules on first use). */
  async #oauth(): Promise<UpstreamLogin> {
    if (this.#login) return this.#login;
    const store = this.#host.oauthStore;
    if (!store) throw new Error(`upstream '${this.name}' has oauth but the proxy has no token store`);
    const { UpstreamLogin } = await import("../oauth/client/login.ts");
    return this.#login = await UpstreamLogin.create({
      name: this.name,
      entry: this.entry,
      store,
      subject: this.#options.loginSubject ?? "_",
      baseDir: this.#host.baseDir,
      log: this.#log,
    });
  }

  /** Whose login this is, in words. */
  get #loginOwner(): string {
    const s = this.#options.loginSubject ?? "_";
    return s === "_" ? "the proxy's operator" : `user ${s.slice("user:".length)}`;
  }

  /** Connecting needs a login: show it; the supervisor waits for it, then connects again. */
  #blocked(e: unknown): Blocked | undefined {
    const login = this.#login;
    const pending = login?.pending;
    if (!login || !pending || !login.requires(e)) return undefined;
    this.#log.warn(
      `needs a login${pending.scope ? ` (scope: ${pending.scope})` : ""}: open ${pending.url.href}`,
    );
    if (!this.#options.loginSubject) {
      for (const c of this.#host.connections) void this.offerLogin(c, pending);
    }
    return {
      why: `waiting for ${this.#loginOwner} to log in` +
        (this.#options.loginSubject ? "" : ` (cli.ts auth login ${this.name}, or the URL in this log)`),
      until: login.complete(pending).catch((err) => {
        throw new Error(`login did not complete: ${errorText(err)}`);
      }),
    };
  }

  /**
   * Ask the one local client (stdio: the person who runs the proxy) to open the login URL of this
   * upstream's own login, when it can show URLs (URL-mode elicitation). Nobody else is asked: a
   * shared upstream's login is the operator's.
   */
  async offerLogin(connection: Connection, login?: PendingLogin): Promise<void> {
    const pending = login ?? (this.state === "unauthorized" ? this.#login?.pending : undefined);
    if (!pending || this.#options.loginSubject) return;
    if (connection.transport !== "stdio" || connection.closed) return;
    if (!showsUrls(connection.clientCapabilities)) return;
    try {
      await connection.elicit({
        mode: "url",
        url: pending.url.href,
        elicitationId: pending.state,
        message: `Log in to the MCP server '${this.name}' so the proxy can use its tools.`,
      });
    } catch (e) {
      this.#log.debug(`login offer not shown: ${errorText(e)}`);
    }
  }

  /**
   * A call needs a (new) login. The caller is asked when the login is theirs (`per_user`) or they
   * are the local operator (stdio), and their client shows URLs; then the call waits for the
   * login. Returns whether it completed (retry the call); throws when nobody present can log in.
   */
  async #loginFor(ctx: RequestContext): Promise<boolean> {
    const pending = this.#login?.pending;
    if (!pending) return false;
    const subject = this.#options.loginSubject;
    const mine = subject
      ? ctx.user !== undefined && subject === `user:${ctx.user.id}`
      : ctx.transport === "stdio";
    const scope = pending.scope ? ` (scope: ${pending.scope})` : "";
    if (!mine) {
      throw new LoginRequiredError(
        `Upstream '${this.name}' needs ${this.#loginOwner} to log in again${scope}; try again afterwards`,
      );
    }
    if (!showsUrls(ctx.clientCapabilities)) {
      throw new LoginRequiredError(
        `Upstream '${this.name}' needs you to log in${scope}: open ${pending.url.href} and try again`,
      );
    }
    const answer = await ctx.elicit({
      mode: "url",
      url: pending.url.href,
      elicitationId: pending.state,
      message: `Log in to the MCP server '${this.name}'${scope}.`,
    });
    if (answer.action !== "accept") {
      throw new LoginRequiredError(`Login to upstream '${this.name}' was ${answer.action}ed`);
    }
    await this.#login!.complete(pending, ctx.signal);
    return true;
  }

  /**
   * A caller wants this instance while it waits for a login: ask them (see `#loginFor`), wait
   * for the login and the connection. Throws when they cannot log in.
   */
  async loginFor(ctx: RequestContext): Promise<void> {
    if (this.state !== "unauthorized" || !this.#login?.pending) return;
    await this.#loginFor(ctx);
    await this.#supervisor.settled();
  }

  #stateChanged(state: UpstreamState): void {
    this.events.emit("state", state);
    if (state !== "ready") return;
    this.#log.info(
      `ready: ${this.lists.tools.length} tool(s), ${this.lists.prompts.length} prompt(s), ` +
        `${this.lists.resources.length} resource(s)`,
    );
    this.events.emit("lists", { lists: this.lists, announced: [] });
  }

  /** Kinds announced changed since the lists were last loaded. */
  readonly #announced = new Set<ListKind>();

  /**
   * Reload the lists (coalesces concurrent requests) and tell listeners; `announced`: the upstream
   * said this list changed.
   */
  refresh(announced?: ListKind): Promise<void> {
    if (announced) this.#announced.add(announced);
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    return this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          const link = this.#supervisor.link;
          if (!link?.raw) return;
          this.lists = await fetchLists(listPages(link as Lane), this.capabilities ?? {}, {
            checkHeaders: link.modern?.headers,
            upstream: this.name,
          });
          const kinds = [...this.#announced];
          this.#announced.clear();
          this.events.emit("lists", { lists: this.lists, announced: kinds });
        } while (this.#refreshAgain);
      } catch (e) {
        this.#log.warn(`cannot refresh lists: ${errorText(e)}`);
      } finally {
        this.#refreshing = undefined;
      }
    })();
  }

  // ---- calls

  /** The upstream's tools by name, for the lists they came with. */
  #byName: { tools: Tool[]; map: Map<string, Tool> } | undefined;

  /** Upstream tool `name`'s definition, as last listed. */
  #tool(name: string): Tool | undefined {
    const tools = this.lists.tools;
    if (this.#byName?.tools !== tools) this.#byName = { tools, map: new Map(tools.map((t) => [t.name, t])) };
    return this.#byName.map.get(name);
  }

  /** Why nothing can be forwarded now. */
  #unavailable(what: string, detailed = false): UpstreamUnavailableError {
    const detail = detailed && this.#supervisor.lastError ? `: ${this.#supervisor.lastError}` : "";
    return new UpstreamUnavailableError(
      this.name,
      `Upstream '${this.name}' is ${this.state}${detail} (${what} not forwarded)`,
    );
  }

  /** The current link (connected: it has its lane), or the reason there is none. */
  #linkFor(what: string): UpstreamLink & Lane {
    const link = this.#supervisor.link;
    if (!link?.raw) throw this.#unavailable(what);
    return link as UpstreamLink & Lane;
  }

  /** Run a request of `ctx` on `link`: counted in flight (routing), and a broken link reconnects. */
  async #track<T>(ctx: RequestContext, link: UpstreamLink, fn: () => Promise<T>): Promise<T> {
    const end = this.#inflight.begin(ctx);
    try {
      try {
        return await fn();
      } catch (e) {
        // The upstream asked for a login (401 without usable tokens, or 403 for more scope).
        if (!this.#login?.requires(e) || ctx.signal.aborted) throw e;
        if (!(await this.#loginFor(ctx))) {
          throw new LoginRequiredError(`Upstream '${this.name}' refused the proxy's token: ${errorText(e)}`);
        }
        return await fn();
      }
    } catch (e) {
      if (isConnectionFailure(e) && !(e instanceof LoginRequiredError) && !ctx.signal.aborted) {
        this.#supervisor.lost(link, e);
      }
      throw e;
    } finally {
      end();
    }
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
    const resumed = resumed2026(ctx);
    if (resumed) return await resumed as CallToolResult;
    const link = this.#supervisor.link;
    if (!link?.raw) return toolErrorResult(this.#unavailable("call", true).message);
    const lane = link as UpstreamLink & Lane;
    // Its definition: whether it runs as a task, the headers a 2026 call mirrors its arguments in.
    const tool = this.#tool(name);
    const call = async (ctx: RequestContext): Promise<CallToolResult> => {
      try {
        // The fast lane (raw.ts): same connection, no SDK request machinery per call.
        const result = await this.#track(
          ctx,
          link,
          () => sendToolCall(lane, tool, name, args, ctx, timeoutSeconds),
        );
        // A 2026 upstream's round, forwarded to a 2026 caller as it is.
        if (result.resultType === "input_required") return result as unknown as CallToolResult;
        return toolCallResult(this.name, result);
      } catch (e) {
        return toolCallFailure(this.name, e, ctx, exposedName, timeoutSeconds);
      }
    };
    return parks(ctx, lane) ? await startParked(ctx, call) as CallToolResult : await call(ctx);
  }

  /** Read a resource from the upstream (URI unchanged). */
  async readResource(uri: string, ctx: RequestContext, timeoutSeconds: number): Promise<ReadResourceResult> {
    const resumed = resumed2026(ctx);
    if (resumed) return await resumed as ReadResourceResult;
    const link = this.#linkFor("resources/read");
    const read = (ctx: RequestContext) =>
      this.#track(ctx, link, () => readResource(link, uri, ctx, timeoutSeconds));
    return parks(ctx, link) ? await startParked(ctx, read) as ReadResourceResult : await read(ctx);
  }

  /** Get a prompt from the upstream (by its upstream name). */
  async getPrompt(
    name: string,
    args: Record<string, string> | undefined,
    ctx: RequestContext,
    timeoutSeconds: number,
  ): Promise<GetPromptResult> {
    const resumed = resumed2026(ctx);
    if (resumed) return await resumed as GetPromptResult;
    const link = this.#linkFor("prompts/get");
    const get = (ctx: RequestContext) =>
      this.#track(ctx, link, () => getPrompt(link, name, args, ctx, timeoutSeconds));
    return parks(ctx, link) ? await startParked(ctx, get) as GetPromptResult : await get(ctx);
  }

  /** Forward `completion/complete` (ref already translated to the upstream's names). */
  async complete(request: CompletionRequest, ctx: RequestContext): Promise<CompletionValues> {
    const link = this.#linkFor("completion/complete");
    if (!this.capabilities?.completions) return { values: [] };
    return await this.#track(ctx, link, () => complete(link, request, ctx));
  }

  // ---- standing asks of the clients

  #target(): AskTarget {
    const link = this.#supervisor.link;
    return { client: link?.client, capabilities: this.capabilities, era: link?.era };
  }

  /** Count a downstream subscription; the first one subscribes upstream. */
  subscribe(uri: string): Promise<void> {
    return this.#asks.subscribe(this.#target(), uri);
  }

  /** Release a downstream subscription; the last one unsubscribes upstream. */
  unsubscribe(uri: string): Promise<void> {
    return this.#asks.unsubscribe(this.#target(), uri);
  }

  /** Forward a log level (the most verbose any client asked for). */
  setLogLevel(level: LoggingLevel): Promise<void> {
    return this.#asks.setLogLevel(this.#target(), level);
  }

  /** Tell the upstream the client's roots changed (it will ask again with `roots/list`). */
  async rootsChanged(): Promise<void> {
    const link = this.#supervisor.link;
    // A 2026 upstream asks for roots within each call (input_required): nothing to tell it.
    if (!link || link.era === "modern") return;
    await link.client.sendRootsListChanged().catch((e) => this.#log.debug(`roots changed: ${errorText(e)}`));
  }

  /** Ping the upstream (health checks): `ping`, or `server/discover` on the 2026 wire (it has no ping). */
  async ping(): Promise<boolean> {
    const link = this.#supervisor.link;
    try {
      if (!link) return false;
      if (link.modern && link.raw) {
        await link.raw.call("server/discover", { _meta: link.modern.meta() }, {
          signal: AbortSignal.timeout(30_000),
          timeoutMs: 30_000,
        });
      } else {
        await link.client.ping();
      }
      return true;
    } catch {
      return false;
    }
  }
}
