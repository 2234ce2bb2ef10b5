/**
 * A *connection* is one client's wire link: the stdio process, one SSE stream, one streamable-HTTP
 * `Mcp-Session-Id`, or one stateless request. The core and the plugins see it through the
 * {@linkcode Connection} interface; an era adapter implements it (the 2025 era with an SDK
 * `Server`, `src/eras/2025/connection.ts`). A connection is not a *session*: that is the runtime's
 * stored record (`src/sessions/`), which a connection is bound to and which outlives it.
 *
 * @module
 */

import type { SessionBinding } from "../sessions/manager.ts";
import type { ClientCapabilities, LoggingLevel, ServerNotification } from "../protocol.ts";
import type { ClientAsks, TransportKind, UserIdentity } from "./context.ts";

/**
 * What a transport knows about a new connection.
 *
 * @example
 * ```ts
 * import type { ConnectionInit } from "@chuk/mcp-runtime";
 * const init: ConnectionInit = { transport: "sse", headers: { "user-agent": "curl" } };
 * ```
 */
export interface ConnectionInit {
  /** The transport it arrived on. */
  transport: TransportKind;
  /** Connection id; the transport's own id when it has one (SSE, stateful HTTP). */
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
  /** The log level this caller set before (stateless HTTP remembers it per user). */
  logLevel?: LoggingLevel;
  /** The view whose endpoint the connection came to (`<mcp_path>/<view>`); none for the full surface. */
  view?: string;
  /** `initialize` instructions for this connection instead of the runtime's (a view's description). */
  instructions?: string;
}

/**
 * One client connection, as the core and the plugins see it.
 *
 * @example
 * ```ts
 * import type { Connection } from "@chuk/mcp-runtime";
 * function describe(c: Connection): string {
 *   return `${c.transport} ${c.id} (${c.user?.id ?? "anonymous"}), session ${c.binding.sessionId}`;
 * }
 * ```
 */
export interface Connection extends ClientAsks {
  /** The connection's id (the transport's: SSE session id, `Mcp-Session-Id`). */
  readonly id: string;
  /** The transport kind. */
  readonly transport: TransportKind;
  /** One request rather than a lasting link (stateless HTTP): not a connected client. */
  readonly stateless?: boolean;
  /** Identity established when the connection opened (per-request identity may refine it). */
  readonly user: UserIdentity | undefined;
  /** The view the connection serves (`views.<name>`); `undefined` for the full surface. */
  readonly view?: string;
  /** Which runtime session this connection's calls use; `ctx.sessionId` reports its id. */
  readonly binding: SessionBinding;
  /** Lowest log level the client asked for (`logging/setLevel`); undefined = everything. */
  logLevel: LoggingLevel | undefined;
  /** Resource URIs this client subscribed to. */
  readonly subscriptions: Set<string>;
  /** Whether the connection has ended. */
  readonly closed: boolean;
  /** What the client declared in `initialize` (undefined before, and for stateless requests). */
  readonly clientCapabilities: ClientCapabilities | undefined;
  /** Whether a log entry at `level` passes the level this client set. */
  wantsLog(level: LoggingLevel): boolean;
  /** Send a notification to this client if it is still connected; errors are logged, never thrown. */
  notify(notification: ServerNotification): Promise<void>;
  /** Run `fn` when the connection closes (once). */
  onClose(fn: () => void): void;
  /** Close the connection and release everything it holds. */
  close(): Promise<void>;
}
