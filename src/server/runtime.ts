/**
 * The runtime: configuration, the registry, the live client sessions and the plugins (proxy,
 * built-in tools, ...) that add to the registry. Transports open sessions on it; it tells every
 * session when a list changes.
 *
 * @module
 */

import { type Authenticator, noAuth } from "../auth/types.ts";
import { type EnvSource, processEnv } from "../config/env.ts";
import { resolveLogLevel, resolveSandboxId, resolveToolTimeout } from "../config/load.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import { configureLogging, DEFAULT_LOG_FORMAT, getLogger } from "../log/logger.ts";
import { Registry } from "../registry/registry.ts";
import { noTelemetry, type Telemetry } from "../telemetry/types.ts";
import { SessionManager } from "../sessions/manager.ts";
import type { Implementation, LoggingLevel } from "../sdk/types.ts";
import {
  bakedModule,
  collectDefinitions,
  type CollectedDefinitions,
  configuredModules,
  importDefinitions,
  type ModuleSlot,
  registerDefinitions,
  resolveModulePath,
} from "../tools/loader.ts";
import { Emitter } from "../util/emitter.ts";
import { VERSION } from "../version.ts";
import { DownstreamSession, type SessionInit } from "./session.ts";

const log = getLogger("runtime");

/** A configured module: its file, or (baked into a compiled binary) its namespace. */
interface ModuleToLoad {
  file: string;
  slot: ModuleSlot;
  source: string;
  namespace?: Record<string, unknown>;
}

/**
 * A part of the runtime that starts with it and adds to the registry: the proxy, the session
 * tools, the artifact store. One plugin, one job.
 *
 * @example
 * ```ts
 * import type { RuntimePlugin } from "@chuk/mcp-runtime";
 * const hello: RuntimePlugin = {
 *   name: "hello",
 *   start(runtime) {
 *     runtime.registry.addTool({
 *       tool: { name: "hello", inputSchema: { type: "object" } },
 *       source: "plugin hello",
 *       call: () => Promise.resolve({ content: [{ type: "text", text: "hi" }] }),
 *     });
 *     return Promise.resolve();
 *   },
 * };
 * ```
 */
export interface RuntimePlugin {
  /** Name in logs and `/health`. */
  readonly name: string;
  /** Register tools/resources/prompts, start connections. Throwing aborts startup. */
  start?(runtime: Runtime): Promise<void>;
  /** Release everything (children, sockets). Called once, in reverse start order. */
  stop?(): Promise<void>;
  /** Extra fields for `/health` under the plugin's name. */
  health?(): unknown;
}

/** Events the runtime emits. */
export interface RuntimeEvents extends Record<string, unknown> {
  /** A client connection opened. */
  sessionOpened: DownstreamSession;
  /** A client connection ended. */
  sessionClosed: DownstreamSession;
  /** A client subscribed to a resource URI. */
  subscribe: { session: DownstreamSession; uri: string };
  /** A client unsubscribed from a resource URI. */
  unsubscribe: { session: DownstreamSession; uri: string };
  /** A client finished the `initialize` handshake (its capabilities are known). */
  sessionInitialized: DownstreamSession;
  /** A client said its roots changed (`notifications/roots/list_changed`). */
  rootsChanged: DownstreamSession;
  /** A client set its log level (`logging/setLevel`). */
  logLevel: { session: DownstreamSession; level: LoggingLevel };
}

/** Options of the {@linkcode Runtime} constructor. */
export interface RuntimeOptions {
  /** The validated configuration. */
  config: RuntimeConfig;
  /** Directory relative paths in the config resolve against; default the cwd. */
  baseDir?: string;
  /** Label of the config for messages (the file path). */
  configLabel?: string;
  /** Environment to read; default the process environment. */
  env?: EnvSource;
  /** Definitions registered before the configured modules (e.g. the embedded examples). */
  definitions?: { source: string; definitions: CollectedDefinitions }[];
  /** Plugins started after local definitions are registered. */
  plugins?: RuntimePlugin[];
  /** How HTTP transports authenticate callers; default anonymous. */
  authenticator?: Authenticator;
  /** Server instructions sent in the `initialize` answer. */
  instructions?: string;
  /** Runtime sessions; default: built from the config and environment (`SessionManager.fromConfig`). */
  sessionManager?: SessionManager;
  /** Where metrics, spans and log fields go; default nowhere ({@linkcode noTelemetry}). */
  telemetry?: Telemetry;
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
export class Runtime {
  /** The configuration in force. */
  readonly config: RuntimeConfig;
  /** Every tool, resource and prompt served. */
  readonly registry: Registry = new Registry();
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
  /** How HTTP transports authenticate callers. */
  authenticator: Authenticator;
  /**
   * Runtime sessions: which session each call belongs to, and the session records in the session
   * provider. Its `store` (namespaced `{ENVIRONMENT}:{DEPLOYMENT_ID}:`) is shared with other
   * features such as artifact metadata. (Not to be confused with {@linkcode Runtime.sessions}, the
   * live client connections.)
   */
  readonly sessionManager: SessionManager;
  /** Server instructions for `initialize`. */
  readonly instructions: string | undefined;
  /** Metrics, traces and log fields: every part reports here (see `src/telemetry/types.ts`). */
  readonly telemetry: Telemetry;
  /** When the runtime was created (ms epoch), for uptime. */
  readonly startedAt: number = Date.now();
  readonly #env: EnvSource;
  readonly #configLabel: string;
  readonly #plugins: RuntimePlugin[];
  readonly #started: RuntimePlugin[] = [];
  readonly #definitions: { source: string; definitions: CollectedDefinitions }[];
  readonly #sessions = new Set<DownstreamSession>();
  #stopping: Promise<void> | undefined;
  #inflight = 0;
  #idle: (() => void)[] = [];

  /** Create a runtime; nothing starts until {@linkcode Runtime.start}. */
  constructor(options: RuntimeOptions) {
    this.config = options.config;
    this.#env = options.env ?? processEnv;
    this.baseDir = options.baseDir ?? Deno.cwd();
    this.#configLabel = options.configLabel ?? "<config>";
    this.#plugins = options.plugins ?? [];
    this.#definitions = options.definitions ?? [];
    this.authenticator = options.authenticator ?? noAuth;
    this.instructions = options.instructions;
    this.telemetry = options.telemetry ?? noTelemetry;
    this.serverInfo = { name: this.config.host.name, version: VERSION };
    this.sandboxId = resolveSandboxId(this.config, this.#env);
    this.defaultToolTimeout = resolveToolTimeout(this.config, this.#env);
    this.sessionManager = options.sessionManager ??
      SessionManager.fromConfig(this.config, this.#env, this.sandboxId, this.baseDir);
    this.registry.onChange((kind) => this.#broadcastListChanged(kind));
  }

  /** The environment the runtime reads. */
  get env(): EnvSource {
    return this.#env;
  }

  /** Live client sessions. */
  get sessions(): ReadonlySet<DownstreamSession> {
    return this.#sessions;
  }

  /** Configure logging, register local definitions and configured modules, start plugins. */
  async start(): Promise<void> {
    const logging = this.config.logging;
    configureLogging({
      level: resolveLogLevel(this.config),
      format: logging.format ?? DEFAULT_LOG_FORMAT,
      loggers: logging.loggers,
    });
    const toolOptions = { defaultTimeout: this.defaultToolTimeout };
    for (const { source, definitions } of this.#definitions) {
      registerDefinitions(this.registry, definitions, source, toolOptions);
    }
    for (const { file, slot, source, namespace } of await this.#configuredModules()) {
      const defs = namespace ? collectDefinitions(namespace, slot) : await importDefinitions(file, slot);
      registerDefinitions(this.registry, defs, source, toolOptions);
    }
    await this.sessionManager.start();
    for (const plugin of this.#plugins) {
      if (plugin.start) await plugin.start(this);
      this.#started.push(plugin);
    }
    log.debug(
      `ready: ${this.registry.listTools().length} tool(s), ${this.registry.resourceEntries().length} resource(s), ` +
        `${this.registry.listPrompts().length} prompt(s)`,
    );
  }

  async #configuredModules(): Promise<ModuleToLoad[]> {
    const out: ModuleToLoad[] = [];
    const file = this.#configLabel;
    for (const m of configuredModules(this.config, this.baseDir)) {
      // Baked in at build time (compiled binaries): no file to resolve or import.
      const namespace = bakedModule(m, this.baseDir);
      if (namespace) {
        out.push({ file: `${m.spec} (baked in)`, slot: m.slot, source: m.source, namespace });
        continue;
      }
      const abs = await resolveModulePath(m.spec, m.dir, { file, path: m.keyPath });
      out.push({ file: abs, slot: m.slot, source: m.source });
    }
    return out;
  }

  /** Open a session for a new client connection. The transport connects it. */
  openSession(init: SessionInit): DownstreamSession {
    const session = new DownstreamSession(this, init);
    this.#sessions.add(session);
    session.onClose(() => {
      this.#sessions.delete(session);
      for (const uri of session.subscriptions) this.events.emit("unsubscribe", { session, uri });
      this.events.emit("sessionClosed", session);
    });
    this.events.emit("sessionOpened", session);
    return session;
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

  /** Send `notifications/resources/updated` to every session subscribed to `uri`. */
  async resourceUpdated(uri: string): Promise<void> {
    const targets = [...this.#sessions].filter((s) => s.subscriptions.has(uri));
    await Promise.all(
      targets.map((s) => s.notify({ method: "notifications/resources/updated", params: { uri } })),
    );
  }

  #broadcastListChanged(kind: "tools" | "resources" | "prompts"): void {
    const method = `notifications/${kind}/list_changed` as const;
    for (const s of this.#sessions) void s.notify({ method });
  }

  /** A small status document for `/health`. */
  health(): Record<string, unknown> {
    const plugins: Record<string, unknown> = {};
    for (const p of this.#started) if (p.health) plugins[p.name] = p.health();
    return {
      status: "ok",
      name: this.serverInfo.name,
      version: this.serverInfo.version,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 100) / 10,
      sessions: this.#sessions.size,
      tools: this.registry.listTools().length,
      session_store: this.sessionManager.health(),
      ...plugins,
    };
  }

  /** Close every session and stop plugins (children, connections). Safe to call twice. */
  stop(): Promise<void> {
    return this.#stopping ??= this.#stop();
  }

  async #stop(): Promise<void> {
    await Promise.allSettled([...this.#sessions].map((s) => s.close()));
    for (const plugin of this.#started.splice(0).reverse()) {
      try {
        await plugin.stop?.();
      } catch (e) {
        log.warn(`plugin ${plugin.name} did not stop cleanly: ${e instanceof Error ? e.message : e}`);
      }
    }
    await this.sessionManager.close().catch((e) => log.warn(`session store did not close cleanly: ${e}`));
  }
}
