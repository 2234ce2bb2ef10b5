/**
 * Routing an upstream's server→client traffic back to the caller.
 *
 * - progress: exact — the downstream call's progress token maps to its own upstream request
 *   (`requests.ts`);
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

import type { Connection } from "../core/connection.ts";
import type { RequestContext } from "../core/context.ts";
import { ErrorCode, errorText, ProtocolError } from "../errors.ts";
import { type Logger, logMethodFor } from "../log/logger.ts";
import type { Client } from "../sdk/client.ts";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from "../sdk/types.ts";

/** The calls in flight on one upstream, with their callers' contexts. */
export class InFlight {
  readonly #calls = new Map<number, RequestContext>();
  #next = 0;
  /** When the last call started or ended (ms epoch), for idle reaping. */
  lastUsed: number = Date.now();

  /** How many calls are in flight. */
  get size(): number {
    return this.#calls.size;
  }

  /** Their contexts, oldest first. */
  contexts(): RequestContext[] {
    return [...this.#calls.values()];
  }

  /** Count a call of `ctx` until the returned function is called. */
  begin(ctx: RequestContext): () => void {
    const id = this.#next++;
    this.#calls.set(id, ctx);
    this.lastUsed = Date.now();
    return () => {
      this.#calls.delete(id);
      this.lastUsed = Date.now();
    };
  }
}

/** Who a server→client message is for. */
export interface Recipient {
  /** The call that caused it (one session has calls in flight). */
  ctx?: RequestContext;
  /** The owner's connection (per-session instance, no call in flight). */
  connection?: Connection;
  /** Several sessions could have caused it. */
  ambiguous: boolean;
}

/** Where server→client traffic of one upstream may go. */
export interface RoutingScope {
  /** The upstream's name (in messages and as the default logger). */
  readonly name: string;
  /** Its calls in flight. */
  readonly inflight: InFlight;
  /** Live client connections. */
  readonly connections: ReadonlySet<Connection>;
  /** The session that owns a per-session instance. */
  readonly ownerSessionId?: string;
  /** The upstream's log. */
  readonly log: Logger;
}

/**
 * Who may hear a server→client message of the upstream now.
 *
 * @example
 * ```ts
 * import { InFlight, recipientOf } from "./routing.ts";
 * import { getLogger } from "../log/logger.ts";
 * const to = recipientOf({ name: "fx", inflight: new InFlight(), connections: new Set(), log: getLogger("proxy") });
 * console.log(to); // { ambiguous: false }: nobody
 * ```
 */
export function recipientOf(scope: RoutingScope): Recipient {
  const contexts = scope.inflight.contexts();
  if (contexts.length > 0) {
    // A call whose session could not be resolved (store down) is a caller of its own.
    const sessions = new Set(contexts.map((c) => c.sessionId ?? c));
    if (sessions.size === 1) return { ctx: contexts[contexts.length - 1], ambiguous: false };
    return { ambiguous: true };
  }
  // No call in flight: only the owner of a per-session instance may hear from it. A shared
  // upstream's message now belongs to nobody connected (its caller has left).
  const owner = scope.ownerSessionId;
  if (owner === undefined) return { ambiguous: false };
  const live = [...scope.connections].filter((c) => !c.closed && c.binding.sessionId === owner);
  if (live.length === 1) return { connection: live[0], ambiguous: false };
  return { ambiguous: live.length > 1 };
}

/**
 * Answer the upstream's sampling, elicitation and roots requests, and pass on its log messages,
 * as {@linkcode recipientOf} decides.
 *
 * @example
 * ```ts
 * import { InFlight, routeServerToClient } from "./routing.ts";
 * import { getLogger } from "../log/logger.ts";
 * declare const client: import("../sdk/client.ts").Client;
 * routeServerToClient(client, { name: "fx", inflight: new InFlight(), connections: new Set(), log: getLogger("proxy") });
 * ```
 */
export function routeServerToClient(client: Client, scope: RoutingScope): void {
  const { name, log } = scope;
  const unroutable = (what: string, ambiguous: boolean) => {
    const why = ambiguous
      ? `upstream '${name}' is shared by several clients with calls in flight ` +
        `(set isolation: per-session for this server)`
      : `no client call is in flight on upstream '${name}'`;
    log.warn(`refused ${what}: ${why}`);
    return new ProtocolError(ErrorCode.InternalError, `cannot route ${what}: ${why}`);
  };

  client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => {
    const to = recipientOf(scope);
    if (to.ctx) return await to.ctx.sample(req.params);
    if (to.connection) return await to.connection.sample(req.params, extra.signal);
    throw unroutable("sampling request", to.ambiguous);
  });

  client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
    const to = recipientOf(scope);
    if (to.ctx) return await to.ctx.elicit(req.params);
    if (to.connection) return await to.connection.elicit(req.params, extra.signal);
    throw unroutable("elicitation request", to.ambiguous);
  });

  client.setRequestHandler(ListRootsRequestSchema, async (_req, extra) => {
    const to = recipientOf(scope);
    try {
      if (to.ctx) return await to.ctx.listRoots();
      if (to.connection?.clientCapabilities?.roots) return await to.connection.listRoots(extra.signal);
    } catch (e) {
      log.debug(`roots/list not answered by the client: ${errorText(e)}`);
    }
    // Roots are advisory: with no single caller to ask, the proxy exposes none.
    return { roots: [] };
  });

  client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
    const to = recipientOf(scope);
    if (to.ctx) return void (await to.ctx.log(n.params.level, n.params.data, n.params.logger ?? name));
    if (to.connection) {
      if (to.connection.wantsLog(n.params.level)) {
        await to.connection.notify({
          method: "notifications/message",
          params: { ...n.params, logger: n.params.logger ?? name },
        });
      }
      return;
    }
    // Kept in our own log only, at the level the upstream gave it.
    log[logMethodFor(n.params.level)](
      `log from upstream '${name}' (not routed${to.ambiguous ? ": several clients" : ""}): ${
        JSON.stringify(n.params.data)
      }`,
    );
  });
}
