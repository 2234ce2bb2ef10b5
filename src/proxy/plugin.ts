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
import { upstreamType } from "./launch.ts";
import { upstreamLineLimit } from "./sandbox.ts";
import { type Collision, ProxiedNames } from "./names.ts";
import type { NamingOptions } from "./naming.ts";
import { UpstreamPool } from "./pool.ts";
import { ResourceRoutes } from "./resources.ts";
import { Upstream } from "./upstream.ts";

export type { Collision };

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
  async #oauthStore(host: PluginHost) {
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
    const oauthStore = await this.#oauthStore(host);
    for (const [name, entry] of Object.entries(config.mcp_servers)) {
      if (!entry.enabled || !upstreamType(entry)) continue;
      const upstreamHost = {
        connections: host.connections,
        env: host.env,
        baseDir: host.baseDir,
        oauthStore,
        maxLineBytes: upstreamLineLimit(config, entry),
      };
      const factory = this.#options.transportFactories?.[name];
      const make = (label?: string, owner?: string, userId?: string) =>
        new Upstream(name, entry, upstreamHost, {
          transportFactory: factory,
          label,
          ownerSessionId: owner,
          // `per_user`: the instance logs in as its user.
          ...(userId !== undefined && entry.oauth?.per_user ? { loginSubject: `user:${userId}` } : {}),
        });
      const shared = make();
      // The id's random tail tells instances apart in logs (ids start with `sess-<unix time>-`).
      this.#pools.set(
        name,
        new UpstreamPool(
          name,
          entry,
          shared,
          (key, userId) =>
            key.startsWith("user:")
              ? make(`user-${key.slice(5, 13)}`, undefined, userId)
              : make(`session-${key.slice(-8)}`, key, userId),
        ),
      );
      let wasReady = false;
      shared.events.on("lists", () => this.#sync());
      shared.events.on("state", (state) => {
        // Back after a crash: clients re-list (the lists may be the same, the tools work again).
        if (state === "ready" && wasReady) {
          host.registry.batch(() => {
            for (const kind of ["tools", "prompts", "resources"] as const) host.registry.touch(kind);
          });
        }
        if (state === "ready") wasReady = true;
      });
      shared.events.on("resourceUpdated", (uri) => void host.resourceUpdated(uri));
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
    await Promise.allSettled([...this.#pools.values()].map((p) => p.stop()));
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
