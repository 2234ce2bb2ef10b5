/**
 * What a connection needs of the runtime: a narrow {@linkcode ConnectionHost}, so an era adapter
 * depends on the core's seams, not on the whole `Runtime`.
 *
 * @module
 */

import type { Implementation } from "../protocol.ts";
import type { BindOptions, SessionBinding } from "../sessions/manager.ts";
import type { Connection } from "./connection.ts";
import type { Call, Params, RequestObserver } from "./dispatch.ts";

/**
 * The runtime as a connection sees it.
 *
 * @example
 * ```ts
 * import { type ConnectionHost, Runtime, validateConfig } from "@chuk/mcp-runtime";
 * const host: ConnectionHost = new Runtime({ config: validateConfig({}, "inline") });
 * console.log(host.serverInfo.name);
 * ```
 */
export interface ConnectionHost {
  /** `serverInfo` sent to clients. */
  readonly serverInfo: Implementation;
  /** Server instructions for `initialize`. */
  readonly instructions: string | undefined;
  /** The sandbox (deployment unit) id. */
  readonly sandboxId: string;
  /** The runtime session a new connection (or stateless request) uses. */
  bindSession(options: BindOptions): SessionBinding;
  /** Serve one MCP request (see `dispatch`). */
  dispatch(method: string, params: Params | undefined, call: Call): Promise<unknown>;
  /** Send `notifications/resources/updated` to every connection subscribed to `uri`. */
  resourceUpdated(uri: string): Promise<void>;
  /** Tell every client a list changed (a handler's `ctx.listChanged`). */
  listChanged(kind: "tools" | "prompts" | "resources"): void;
  /** A connection opened: the runtime tracks it until it closes. */
  connectionOpened(connection: Connection): void;
  /** A connection finished the `initialize` handshake. */
  connectionInitialized(connection: Connection): void;
  /** A client said its roots changed. */
  rootsChanged(connection: Connection): void;
  /** Sees every request; an era calls it for the methods it answers itself (2025: `initialize`). */
  readonly observer?: RequestObserver;
}
