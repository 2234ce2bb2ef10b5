/**
 * The runtime: configuration, the registry, the live client connections and the plugins (proxy,
 * built-in tools, ...) that add to the registry. It is the host of every seam of the core: era
 * adapters open connections on it ({@linkcode ConnectionHost}) and hand it requests
 * ({@linkcode DispatchHost}); plugins see it as a {@linkcode PluginHost}. It tells every
 * connection when a list changes.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import { type Authenticator, noAuth } from "../auth/types.ts";
import { type EnvSource, processEnv } from "../config/env.ts";
import { resolveLogLevel, resolveSandboxId, resolveToolTimeout } from "../config/load.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import { configureLogging, DEFAULT_LOG_FORMAT, getLogger } from "../log/logger.ts";
import { Registry } from "./registry.ts";
import type { Implementation, LoggingLevel } from "../protocol.ts";
import { type BindOptions, type SessionBinding, SessionManager } from "../sessions/manager.ts";
import { Emitter } from "../util/emitter.ts";
import { VERSION } from "../version.ts";
import type { CallerArtifacts } from "./artifacts.ts";
import { ChangeBus } from "./bus.ts";
import type { Connection } from "./connection.ts";
import type { RequestContext } from "./context.ts";
import { type Call, dispatch, type DispatchHost, type Params, type RequestObserver } from "./dispatch.ts";
import type { ConnectionHost } from "./host.ts";
import type { PluginHost, RuntimeEvents, RuntimePlugin } from "./plugin.ts";
import { type Surface, surfaceFor } from "./surface.ts";

const log = getLogger("runtime");

/** Options of the {@linkcode Runtime} constructor. */
export interface RuntimeOptions {
  /** The validated configuration. */
  config: RuntimeConfig;
  /** Directory relative paths in the config resolve against; default the cwd. */
  baseDir?: string;
  /** Environment to read; default the process environment. */
  env?: EnvSource;
  /** Plugins, in start order (the configured modules come in one: see `pluginsFor`). */
  plugins?: RuntimePlugin[];
  /** How HTTP transports authenticate callers; default anonymous. */
  authenticator?: Authenticator;
  /** Server instructions sent in the `initialize` answer. */
  instructions?: string;
  /** Runtime sessions; default: built from the config and environment (`SessionManager.fromConfig`). */
  sessionManager?: SessionManager;
  /** Sees every request and connection (metrics, traces, request logs); default none. */
  observer?: RequestObserver;
}

/**
 * The runtime core. Create it, `start()` it, hand it to a transport, `stop()` it.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * await runtime.start();
 * console.log(runtime.registry.listTools().length);
 * await runtime.stop();
 * ```
 */
export class Runtime implements ConnectionHost, DispatchHost, PluginHost {
  /** Every tool, resource and prompt served. */
  readonly registry: Registry = new Registry();
  /**
   * What each caller sees of the registry: `access`, `views`, `tools.search` (see `dispatch`).
   * Replaced as a whole when those sections change.
   */
  surface: Surface;
  /** `serverInfo` sent to clients. */
  readonly serverInfo: Implementation;
  /** The sandbox (deployment unit) id. */
  readonly sandboxId: string;
  /** Default tool timeout in seconds (`0` = none). */
  readonly defaultToolTimeout: number;
  /** Directory relative config paths resolve against. */
  readonly baseDir: string;
  /** Lifecycle and subscription events. */
  readonly events: Emitter<RuntimeEvents> = new Emitter<RuntimeEvents>();
  /** What changed, for clients listening without a connection (2026 `subscriptions/listen`). */
  readonly changes: ChangeBus = new ChangeBus();
  /** How HTTP transports authenticate callers. */
  authenticator: Authenticator;
  /**
   * Runtime sessions: which session each call belongs to, and the session records in the session
   * provider. Its `store` (namespaced `{ENVIRONMENT}:{DEPLOYMENT_ID}:`) is shared with other
   * features such as artifact metadata. (Not to be confused with {@linkcode Runtime.connections},
   * the live client connections.)
   */
  readonly sessionManager: SessionManager;
  /** Server instructions for `initialize`. */
  readonly instructions: string | undefined;
  /** Sees every request and connection (metrics, traces, request logs). */
  readonly observer: RequestObserver | undefined;
  /**
   * Set when the server starts shutting down: `/health` then answers 503 (`status: draining`) so
   * a load balancer stops sending new requests while those in flight finish.
   */
  draining = false;
  /** When the runtime was created (ms epoch), for uptime. */
  readonly startedAt: number = Date.now();
  #config: RuntimeConfig;
  readonly #env: EnvSource;
  readonly #plugins: RuntimePlugin[];
  readonly #started: RuntimePlugin[] = [];
  readonly #connections = new Set<Connection>();
  #artifacts: ((ctx: RequestContext) => CallerArtifacts) | undefined;
  #stopping: Promise<void> | undefined;
  #inflight = 0;
  #idle: (() => void)[] = [];

  /** Create a runtime; nothing starts until {@linkcode Runtime.start}. */
  constructor(options: RuntimeOptions) {
    this.#config = options.config;
    this.#env = options.env ?? processEnv;
    this.baseDir = options.baseDir ?? Deno.cwd();
    this.#plugins = options.plugins ?? [];
    this.authenticator = options.authenticator ?? noAuth;
    this.instructions = options.instructions;
    this.observer = options.observer;
    this.serverInfo = { name: this.config.host.name, version: VERSION };
    this.sandboxId = resolveSandboxId(this.config, this.#env);
    this.defaultToolTimeout = resolveToolTimeout(this.config, this.#env);
    this.sessionManager = options.sessionManager ??
      SessionManager.fromConfig(this.config, this.#env, this.sandboxId, this.baseDir);
    this.surface = surfaceFor(this.config);
    this.registry.onChange((kind) => this.#broadcastListChanged(kind));
  }

  /** The configuration in force. */
  get config(): RuntimeConfig {
    return this.#config;
  }

  /**
   * Put a new configuration in force (a live reload): what reads `config` from now on sees it, and
   * logging follows it at once. Everything else a reload changes (upstreams, modules, names) the
   * composition applies through the plugins; keys that cannot change live must be kept as they were.
   */
  reconfigure(config: RuntimeConfig): void {
    this.#config = config;
    this.#configureLogging();
  }

  /** The environment the runtime reads. */
  get env(): EnvSource {
    return this.#env;
  }

  /** Live client connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** Configure logging, open the session store, start plugins. */
  async start(): Promise<void> {
    this.#configureLogging();
    await this.sessionManager.start();
    for (const plugin of this.#plugins) await this.addPlugin(plugin);
    for (const name of this.surface.ownToolNames) {
      const shadowed = this.registry.tools.get(name);
      if (shadowed) {
        log.warn(`tool '${name}' of ${shadowed.source} is hidden by tools.search's own '${name}'`);
      }
    }
    const c = this.config;
    if (c.access.rules.length > 0 && c.server.type !== "stdio" && c.server.auth === "none") {
      log.warn(
        "access.rules need tokens (server.auth: bearer): without one every caller gets access.default " +
          `(${c.access.default})`,
      );
    }
    log.debug(
      `ready: ${this.registry.listTools().length} tool(s), ${this.registry.resources.entries().length} resource(s), ` +
        `${this.registry.listPrompts().length} prompt(s)`,
    );
  }

  /**
   * Start `plugin` and keep it until the runtime stops (after `start()`: a plugin a live reload
   * switched on). Throwing leaves it out.
   */
  async addPlugin(plugin: RuntimePlugin): Promise<void> {
    if (plugin.start) await plugin.start(this);
    this.#started.push(plugin);
  }

  /** The started plugin called `name`, if any. */
  plugin(name: string): RuntimePlugin | undefined {
    return this.#started.find((p) => p.name === name);
  }

  #configureLogging(): void {
    const logging = this.#config.logging;
    configureLogging({
      level: resolveLogLevel(this.#config),
      format: logging.format ?? DEFAULT_LOG_FORMAT,
      loggers: logging.loggers,
    });
  }

  /** The runtime session a new connection (or stateless request) uses. */
  bindSession(options: BindOptions): SessionBinding {
    return this.sessionManager.bind(options);
  }

  /** Serve one MCP request (see {@linkcode dispatch}). */
  dispatch(method: string, params: Params | undefined, call: Call): Promise<unknown> {
    return dispatch(this, method, params, call);
  }

  /** Track a new client connection until it closes. */
  connectionOpened(connection: Connection): void {
    this.#connections.add(connection);
    connection.onClose(() => {
      this.#connections.delete(connection);
      for (const uri of connection.subscriptions) this.events.emit("unsubscribe", { connection, uri });
      this.events.emit("connectionClosed", connection);
    });
    this.observer?.connectionOpened(connection);
    this.events.emit("connectionOpened", connection);
  }

  /** A connection finished the `initialize` handshake. */
  connectionInitialized(connection: Connection): void {
    this.events.emit("connectionInitialized", connection);
  }

  /** A client said its roots changed. */
  rootsChanged(connection: Connection): void {
    this.events.emit("rootsChanged", connection);
  }

  /** A connection subscribed to `uri`. */
  subscribed(connection: Connection, uri: string): void {
    this.events.emit("subscribe", { connection, uri });
  }

  /** A connection unsubscribed from `uri`. */
  unsubscribed(connection: Connection, uri: string): void {
    this.events.emit("unsubscribe", { connection, uri });
  }

  /** A connection set its log level. */
  logLevelSet(connection: Connection, level: LoggingLevel): void {
    this.events.emit("logLevel", { connection, level });
  }

  /** Give handlers `ctx.artifacts` (the artifacts plugin does); `undefined` takes it away. */
  provideArtifacts(provider: ((ctx: RequestContext) => CallerArtifacts) | undefined): void {
    this.#artifacts = provider;
  }

  /** The artifact store as the caller of `ctx` sees it, when a plugin provides one. */
  artifactsFor(ctx: RequestContext): CallerArtifacts | undefined {
    return this.#artifacts?.(ctx);
  }

  /**
   * Count a request as in flight until `end()` is called; {@linkcode Runtime.drain} waits for
   * these during graceful shutdown.
   */
  beginRequest(): () => void {
    this.#inflight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#inflight === 0) { for (const r of this.#idle.splice(0)) r(); }
    };
  }

  /** Requests being served right now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Wait until no request is in flight, or `timeoutMs` passed. Resolves `true` when drained. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Send `notifications/resources/updated` to every connection subscribed to `uri`. */
  async resourceUpdated(uri: string): Promise<void> {
    this.changes.emit("resourceUpdated", uri);
    const targets = [...this.#connections].filter((c) => c.subscriptions.has(uri));
    await Promise.all(
      targets.map((s) => s.notify({ method: "notifications/resources/updated", params: { uri } })),
    );
  }

  /** Tell every client a list changed (connections, listen streams). */
  listChanged(kind: "tools" | "prompts" | "resources"): void {
    this.registry.touch(kind);
  }

  #broadcastListChanged(kind: "tools" | "resources" | "prompts"): void {
    const method = `notifications/${kind}/list_changed` as const;
    // Only to clients that finished `initialize` (on stdio a 2026 client never does: it hears
    // of changes on its subscriptions/listen stream instead).
    for (const c of this.#connections) if (c.clientCapabilities) void c.notify({ method });
    this.changes.emit("listChanged", kind);
  }

  /** A small status document for `/health`. */
  health(): Record<string, unknown> {
    const plugins: Record<string, unknown> = {};
    for (const p of this.#started) if (p.health) plugins[p.name] = p.health();
    return {
      status: this.draining ? "draining" : "ok",
      name: this.serverInfo.name,
      version: this.serverInfo.version,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 100) / 10,
      // The key predates the word "connection"; /health readers rely on it.
      sessions: this.#connections.size,
      tools: this.registry.listTools().length,
      session_store: this.sessionManager.health(),
      ...plugins,
    };
  }

  /** Close every connection and stop plugins (children, upstreams). Safe to call twice. */
  stop(): Promise<void> {
    return this.#stopping ??= this.#stop();
  }

  async #stop(): Promise<void> {
    await Promise.allSettled([...this.#connections].map((c) => c.close()));
    for (const plugin of this.#started.splice(0).reverse()) {
      try {
        await plugin.stop?.();
      } catch (e) {
        log.warn(`plugin ${plugin.name} did not stop cleanly: ${errorText(e)}`);
      }
    }
    await this.sessionManager.close().catch((e) => log.warn(`session store did not close cleanly: ${e}`));
  }
}
