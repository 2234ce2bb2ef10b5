/**
 * The proxy plugin: starts every upstream named in `mcp_servers` (stdio children, SSE and
 * streamable-HTTP remotes) in parallel, keeps the registry in step with what they serve
 * (`names.ts`, `resources.ts`), and passes on what clients ask of them: subscriptions, log levels,
 * roots changes.
 *
 * @module
 */

import type { Connection } from "../core/connection.ts";
import type { PluginHost, RuntimePlugin } from "../core/plugin.ts";
import { getLogger, MCP_LOG_LEVELS } from "../log/logger.ts";
import type { LoggingLevel } from "../protocol.ts";
import type { Transport } from "../sdk/server.ts";
import { raceTimeout } from "../util/timeout.ts";
import type { McpServerConfig } from "../config/types.ts";
import type { OAuthRecordStore } from "../oauth/client/token_store.ts";
import { upstreamType } from "./launch.ts";
import { upstreamLineLimit } from "./sandbox.ts";
import { type Collision, ProxiedNames } from "./names.ts";
import type { NamingOptions } from "./naming.ts";
import { UpstreamPool } from "./pool.ts";
import { ResourceRoutes } from "./resources.ts";
import { Upstream, type UpstreamHost } from "./upstream.ts";

export type { Collision };

/**
 * What the proxy tells an observer (telemetry) about its upstreams.
 *
 * @example
 * ```ts
 * import type { UpstreamObserver } from "@chuk/mcp-runtime/proxy";
 * const observer: UpstreamObserver = {
 *   upstreamTransport: (_name, transport) => transport,
 *   upstreamState: (name, state) => console.error(`${name}: ${state}`),
 * };
 * ```
 */
export interface UpstreamObserver {
  /**
   * The client transport of one connection attempt to `upstream` (`url` for remote ones), or a
   * wrapper (the MCP SDK's transport, which the package does not export).
   *
   * @internal
   */
  upstreamTransport(upstream: string, transport: Transport, url?: string): Transport;
  /** The state of `upstream` changed (`stopped`: it is gone). */
  upstreamState(upstream: string, state: string): void;
}

/** Upstream names by what a new configuration does to them. */
export interface UpstreamChanges {
  /** Start these (new, or newly enabled). */
  added: readonly string[];
  /** Stop these (gone, or disabled). */
  removed: readonly string[];
  /** Restart these with their new settings. */
  changed: readonly string[];
}

const log = getLogger("proxy");

/** Options of {@linkcode ProxyPlugin}. */
export interface ProxyPluginOptions {
  /**
   * Per-upstream transport overrides (tests, sandboxes).
   *
   * @internal
   */
  transportFactories?: Record<string, () => Transport>;
  /** How long startup waits for upstreams before serving anyway (ms, default 30 000). */
  startupWaitMs?: number;
  /** Told about upstream transports and states (telemetry). */
  observer?: UpstreamObserver;
}

/**
 * The proxy as a runtime plugin.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../mod.ts";
 * import { ProxyPlugin } from "./plugin.ts";
 * const config = validateConfig({
 *   proxy: { enabled: true },
 *   mcp_servers: { echo: { type: "stdio", command: "deno", args: ["run", "echo_server.ts"] } },
 * }, "inline");
 * const runtime = new Runtime({ config, plugins: [new ProxyPlugin()] });
 * await runtime.start();
 * await runtime.stop();
 * ```
 */
export class ProxyPlugin implements RuntimePlugin {
  /** Name in logs and `/health`. */
  readonly name = "proxy";
  readonly #options: ProxyPluginOptions;
  readonly #pools = new Map<string, UpstreamPool>();
  readonly #names = new ProxiedNames();
  #host: PluginHost | undefined;
  /** The OAuth logins' token store (opened when some upstream has `oauth`). */
  #oauth: OAuthRecordStore | undefined;
  #unsubscribe: (() => void)[] = [];

  /** The plugin; `options` override transports and the startup wait (tests, sandboxes). */
  constructor(options: ProxyPluginOptions = {}) {
    this.#options = options;
  }

  /**
   * The upstreams by name (for tests and tools).
   *
   * @internal
   */
  get upstreams(): ReadonlyMap<string, Upstream> {
    return new Map([...this.#pools].map(([n, p]) => [n, p.shared]));
  }

  /** Name clashes found at the last sync. */
  get collisions(): readonly Collision[] {
    return this.#names.collisions;
  }

  /**
   * The token store of the OAuth logins, when some upstream has `oauth` (its modules load only
   * then): the session store, encrypted with `TOKEN_ENCRYPTION_KEY`.
   */
  async #oauthStore(host: PluginHost): Promise<OAuthRecordStore | undefined> {
    const any = Object.values(host.config.mcp_servers).some((e) =>
      e.enabled && e.oauth && upstreamType(e) !== "stdio"
    );
    if (!any) return undefined;
    const { openOAuthRecordStore } = await import("../oauth/client/token_store.ts");
    const store = await openOAuthRecordStore(host.sessionManager.store, host.env);
    store.onUnreadable = (key) =>
      log.warn(`stored OAuth record ${key} does not decrypt with TOKEN_ENCRYPTION_KEY; logging in again`);
    return store;
  }

  /** Start every upstream, wait for them (bounded), list what they serve. */
  async start(host: PluginHost): Promise<void> {
    this.#host = host;
    const config = host.config;
    if (config.proxy.only_openai_tools && !config.proxy.openai_compatible) {
      log.warn("proxy.only_openai_tools has no effect without proxy.openai_compatible");
    }
    this.#oauth = await this.#oauthStore(host);
    for (const [name, entry] of Object.entries(config.mcp_servers)) {
      if (entry.enabled && upstreamType(entry)) this.#addPool(name, entry);
    }
    if (this.#pools.size === 0) {
      log.warn("proxy.enabled is true but mcp_servers names no upstream (entries need command or url)");
    }
    const resources = new ResourceRoutes(host.registry, this.#pools, this.#names, (p) => this.#timeout(p));
    this.#unsubscribe.push(
      host.events.on(
        "subscribe",
        ({ connection, uri }) => void this.#subscription(resources, connection, uri, true),
      ),
      host.events.on(
        "unsubscribe",
        ({ connection, uri }) => void this.#subscription(resources, connection, uri, false),
      ),
      host.events.on("logLevel", ({ connection, level }) => void this.#logLevel(connection, level)),
      // Roots belong to the client: when one connects or its roots change, upstreams ask again.
      host.events.on("connectionInitialized", (connection) => {
        if (connection.clientCapabilities?.roots) void this.#rootsChanged(connection);
        // An upstream waiting for its operator's login asks the local client (see offerLogin).
        for (const pool of this.#pools.values()) void pool.shared.offerLogin(connection);
      }),
      host.events.on("rootsChanged", (connection) => void this.#rootsChanged(connection)),
      host.events.on("connectionClosed", (connection) => this.#connectionClosed(connection)),
      host.registry.addResourceProvider(resources.provider()),
    );
    // All upstreams connect in parallel; a slow or broken one does not hold up the others for
    // longer than the startup wait (its tools appear later, with list_changed).
    await raceTimeout(
      Promise.allSettled([...this.#pools.values()].map((p) => p.shared.start())),
      this.#options.startupWaitMs ?? 30_000,
    );
    this.#sync();
    for (const [name, p] of this.#pools) {
      if (p.shared.state !== "ready") {
        log.warn(
          `upstream '${name}' is ${p.shared.state}: ${p.shared.status().last_error ?? "still connecting"}`,
        );
      }
    }
  }

  /** Stop listening and stop every upstream instance. */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.allSettled([...this.#pools.keys()].map((name) => this.#removePool(name)));
  }

  /**
   * Apply a new configuration (the one `host.config` now holds) to the upstreams: stop the removed
   * ones, restart the changed ones, start the added ones — in parallel, without waiting for them
   * to be ready (their tools appear with `list_changed`, as at startup; a restarted one keeps its
   * last lists meanwhile) — and list every name again in the new `mcp_servers` order, with the new
   * naming options. Clients stay connected.
   */
  async reconfigure(changes: UpstreamChanges): Promise<void> {
    const host = this.#host;
    if (!host) return;
    // A restarted upstream keeps its last lists until the new one has listed (as after a crash):
    // its tools stay listed, and calls meanwhile get "connecting" as a tool error.
    const lastLists = new Map(changes.changed.map((name) => [name, this.#pools.get(name)?.shared.lists]));
    await Promise.allSettled([...changes.removed, ...changes.changed].map((name) => this.#removePool(name)));
    const config = host.config;
    // An upstream with `oauth` may be the first one: the token store opens then.
    this.#oauth ??= await this.#oauthStore(host);
    for (const name of [...changes.changed, ...changes.added]) {
      const entry = config.mcp_servers[name];
      if (!entry?.enabled || !upstreamType(entry) || this.#pools.has(name)) continue;
      const pool = this.#addPool(name, entry);
      const lists = lastLists.get(name);
      if (lists) pool.shared.lists = lists;
      void pool.shared.start();
    }
    // Clashes are decided in mcp_servers order: keep the pools in it.
    const order = Object.keys(config.mcp_servers);
    const sorted = [...this.#pools].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
    this.#pools.clear();
    for (const [name, pool] of sorted) this.#pools.set(name, pool);
    this.#sync();
  }

  /**
   * Take every proxied name out of the registry until the next {@linkcode ProxyPlugin.resync}
   * (a live reload swaps local modules in between: local names win every clash).
   */
  releaseNames(): void {
    if (this.#host) this.#names.release(this.#host.registry);
  }

  /** List every proxied name again (the naming options or the local names changed). */
  resync(): void {
    this.#sync();
  }

  /** Build the pool of upstream `name` and follow its shared instance (not started). */
  #addPool(name: string, entry: McpServerConfig): UpstreamPool {
    const host = this.#host!;
    const upstreamHost: UpstreamHost = {
      connections: host.connections,
      env: host.env,
      baseDir: host.baseDir,
      oauthStore: this.#oauth,
      maxLineBytes: upstreamLineLimit(host.config, entry),
    };
    const transportFactory = this.#options.transportFactories?.[name];
    const observer = this.#options.observer;
    // Every connection attempt's transport goes through the observer (trace context upstream).
    const wrapTransport = observer
      ? (transport: Transport) => observer.upstreamTransport(name, transport, entry.url)
      : undefined;
    const make = (label?: string, owner?: string, userId?: string) =>
      new Upstream(name, entry, upstreamHost, {
        transportFactory,
        wrapTransport,
        label,
        ownerSessionId: owner,
        // `per_user`: the instance logs in as its user.
        ...(userId !== undefined && entry.oauth?.per_user ? { loginSubject: `user:${userId}` } : {}),
      });
    const shared = make();
    // The id's random tail tells instances apart in logs (ids start with `sess-<unix time>-`).
    const pool = new UpstreamPool(
      name,
      entry,
      shared,
      (key, userId) =>
        key.startsWith("user:")
          ? make(`user-${key.slice(5, 13)}`, undefined, userId)
          : make(`session-${key.slice(-8)}`, key, userId),
    );
    this.#pools.set(name, pool);
    const current = () => this.#pools.get(name) === pool;
    let wasReady = false;
    if (observer) observer.upstreamState(name, shared.state);
    shared.events.on("state", (state) => {
      observer?.upstreamState(name, state);
      if (!current()) return;
      // Back after a crash: clients re-list (the lists may be the same, the tools work again).
      if (state === "ready" && wasReady) {
        host.registry.batch(() => {
          for (const kind of ["tools", "prompts", "resources"] as const) host.registry.touch(kind);
        });
      }
      if (state === "ready") wasReady = true;
    });
    shared.events.on("lists", () => {
      if (current()) this.#sync();
    });
    shared.events.on("resourceUpdated", (uri) => {
      if (current()) void host.resourceUpdated(uri);
    });
    return pool;
  }

  /** Stop every instance of upstream `name` and forget it (its names go at the next sync). */
  async #removePool(name: string): Promise<void> {
    const pool = this.#pools.get(name);
    if (!pool) return;
    this.#pools.delete(name);
    await pool.stop();
  }

  /** The upstreams' status and the name clashes, for `/health`. */
  health(): unknown {
    const upstreams: Record<string, unknown> = {};
    for (const [name, p] of this.#pools) upstreams[name] = p.status();
    return { upstreams, collisions: this.#names.collisions };
  }

  #naming(): NamingOptions {
    const p = this.#host!.config.proxy;
    return {
      namespace: p.namespace,
      keepRootAliases: p.keep_root_aliases,
      openaiCompatible: p.openai_compatible,
      onlyOpenaiTools: p.only_openai_tools,
    };
  }

  #timeout(pool: UpstreamPool): number {
    return pool.entry.timeout ?? this.#host!.defaultToolTimeout;
  }

  #sync(): void {
    const host = this.#host;
    if (host) this.#names.sync(host.registry, this.#pools, this.#naming(), (p) => this.#timeout(p));
  }

  /**
   * Per-session instances follow the runtime session (ctx.sessionId). A stateless request closing
   * is not its session ending (idle_timeout reaps those), and another connection may still use
   * the same session.
   */
  #connectionClosed(connection: Connection): void {
    const sid = connection.binding.sessionId;
    if (!sid || connection.binding.followsUser) return;
    if ([...this.#host!.connections].some((c) => c !== connection && c.binding.sessionId === sid)) return;
    for (const p of this.#pools.values()) void p.release(sid, "session ended");
  }

  async #subscription(
    resources: ResourceRoutes,
    connection: Connection,
    uri: string,
    on: boolean,
  ): Promise<void> {
    const up = resources.poolOf(uri)?.instanceOf(connection.binding.sessionId);
    if (up) await (on ? up.subscribe(uri) : up.unsubscribe(uri));
  }

  async #rootsChanged(connection: Connection): Promise<void> {
    for (const p of this.#pools.values()) await p.instanceOf(connection.binding.sessionId)?.rootsChanged();
  }

  async #logLevel(connection: Connection, level: LoggingLevel): Promise<void> {
    // A shared upstream gets the most verbose level any live client asked for; each client's own
    // level is applied again when the messages are routed to it.
    const levels = [...this.#host!.connections].map((c) => c.logLevel).filter((l): l is LoggingLevel => !!l);
    const most = levels.sort((a, b) => MCP_LOG_LEVELS.indexOf(a) - MCP_LOG_LEVELS.indexOf(b))[0] ?? level;
    for (const p of this.#pools.values()) {
      await p.instanceOf(connection.binding.sessionId)?.setLogLevel(p.perSession ? level : most);
    }
  }
}
