/**
 * How many long-lived connections (stateful streamable-HTTP sessions, SSE streams) a server holds:
 * at most `max_sessions` in all, and at most `max_sessions_per_user` for one authenticated user.
 * A connection over either limit is refused with a clear JSON-RPC error — `503` when the server
 * is full, `429` when the user is — and counts for nothing; a slot frees when its connection
 * closes (ended by the client, or reaped when idle). Anonymous clients are bounded by the total.
 *
 * @module
 */

import type { UserIdentity } from "../../auth/types.ts";
import { jsonRpcErrorResponse } from "../../http/responses.ts";

/** The limits, and the config section they come from (for the error message). */
export interface SessionLimitSettings {
  /** Connections the server holds at most. */
  maxSessions: number;
  /** Connections one authenticated user holds at most. */
  maxSessionsPerUser: number;
  /** The config section (`streamable-http`, `sse`), named in refusals. */
  section: string;
}

/**
 * The connection count of one transport.
 *
 * @example
 * ```ts
 * import { SessionLimits } from "./session_limits.ts";
 * const limits = new SessionLimits({ maxSessions: 1, maxSessionsPerUser: 1, section: "sse" });
 * const release = limits.admit(undefined);
 * console.log(typeof release, limits.admit(undefined) instanceof Response); // function true
 * ```
 */
export class SessionLimits {
  #total = 0;
  readonly #perUser = new Map<string, number>();
  readonly #settings: SessionLimitSettings;

  /** A count under `settings`. */
  constructor(settings: SessionLimitSettings) {
    this.#settings = settings;
  }

  /** Connections held now. */
  get size(): number {
    return this.#total;
  }

  /**
   * Take a slot for a new connection of `user`: the function that gives it back (call it once,
   * when the connection closes), or the refusal to answer with.
   */
  admit(user: UserIdentity | undefined): (() => void) | Response {
    const { maxSessions, maxSessionsPerUser, section } = this.#settings;
    const held = user ? this.#perUser.get(user.id) ?? 0 : 0;
    if (user && held >= maxSessionsPerUser) {
      return jsonRpcErrorResponse(
        429,
        -32000,
        `Too many sessions: user '${user.id}' has ${held}, the most allowed (${section}.max_sessions_per_user); ` +
          "close one (DELETE) or wait for an idle one to expire",
      );
    }
    if (this.#total >= maxSessions) {
      return jsonRpcErrorResponse(
        503,
        -32000,
        `Too many sessions: the server holds ${this.#total}, the most allowed (${section}.max_sessions); try again later`,
        { "retry-after": "5" },
      );
    }
    this.#total++;
    if (user) this.#perUser.set(user.id, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      if (!user) return;
      const left = (this.#perUser.get(user.id) ?? 1) - 1;
      if (left > 0) this.#perUser.set(user.id, left);
      else this.#perUser.delete(user.id);
    };
  }
}
