/**
 * The plugin seam: a part of the runtime that starts with it and adds to the registry (the proxy,
 * the session tools, the artifact store) sees the runtime only as a {@linkcode PluginHost}.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { LoggingLevel } from "../protocol.ts";
import type { SessionManager } from "../sessions/manager.ts";
import type { Emitter } from "../util/emitter.ts";
import type { CallerArtifacts } from "./artifacts.ts";
import type { Connection } from "./connection.ts";
import type { RequestContext } from "./context.ts";
import type { Registry } from "./registry.ts";

/**
 * Events the runtime emits about client connections.
 *
 * @example
 * ```ts
 * import type { RuntimeEvents } from "@chuk/mcp-runtime";
 * const onOpen = (c: RuntimeEvents["connectionOpened"]) => console.log(`client on ${c.transport}`);
 * ```
 */
export interface RuntimeEvents extends Record<string, unknown> {
  /** A client connection opened. */
  connectionOpened: Connection;
  /** A client connection ended. */
  connectionClosed: Connection;
  /** A client subscribed to a resource URI. */
  subscribe: { connection: Connection; uri: string };
  /** A client unsubscribed from a resource URI. */
  unsubscribe: { connection: Connection; uri: string };
  /** A client finished the `initialize` handshake (its capabilities are known). */
  connectionInitialized: Connection;
  /** A client said its roots changed (`notifications/roots/list_changed`). */
  rootsChanged: Connection;
  /** A client set its log level (`logging/setLevel`). */
  logLevel: { connection: Connection; level: LoggingLevel };
}

/**
 * What a plugin sees of the runtime.
 *
 * @example
 * ```ts
 * import type { PluginHost } from "@chuk/mcp-runtime";
 * function toolCount(host: PluginHost): number {
 *   return host.registry.listTools().length;
 * }
 * ```
 */
export interface PluginHost {
  /** The configuration in force. */
  readonly config: RuntimeConfig;
  /** The environment the runtime reads. */
  readonly env: EnvSource;
  /** Directory relative config paths resolve against. */
  readonly baseDir: string;
  /** Every tool, resource and prompt served. */
  readonly registry: Registry;
  /** Runtime sessions; its `store` is shared with features such as artifact metadata. */
  readonly sessionManager: SessionManager;
  /** Default tool timeout in seconds (`0` = none). */
  readonly defaultToolTimeout: number;
  /** Live client connections. */
  readonly connections: ReadonlySet<Connection>;
  /** Connection events. */
  readonly events: Emitter<RuntimeEvents>;
  /** Send `notifications/resources/updated` to every connection subscribed to `uri`. */
  resourceUpdated(uri: string): Promise<void>;
  /**
   * Give handlers `ctx.artifacts`: `provider` is the artifact store as one request's caller sees
   * it (`undefined` takes it away). The artifacts plugin offers it.
   */
  provideArtifacts?(provider: ((ctx: RequestContext) => CallerArtifacts) | undefined): void;
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
 *   start(host) {
 *     host.registry.tools.add({
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
  start?(host: PluginHost): Promise<void>;
  /** Release everything (children, sockets). Called once, in reverse start order. */
  stop?(): Promise<void>;
  /** Extra fields for `/health` under the plugin's name. */
  health?(): unknown;
}
