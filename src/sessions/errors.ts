/**
 * Errors of the sessions layer. They extend `ToolError`, so a tool that needs a session and
 * cannot have one fails with exactly this message.
 *
 * @module
 */

import { ToolError } from "../errors.ts";

/**
 * A call needed a session and could not have one.
 *
 * @example
 * ```ts
 * import { SessionError } from "@chuk/mcp-runtime/sessions";
 * throw new SessionError("No session context available");
 * ```
 */
export class SessionError extends ToolError {
  /** `message` is what the caller is told. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SessionError";
  }
}

/**
 * The session does not exist, has expired, or belongs to someone else (never told apart, so
 * nobody learns which ids other users hold).
 *
 * @example
 * ```ts
 * import { SessionNotFoundError } from "@chuk/mcp-runtime/sessions";
 * const e = new SessionNotFoundError("sess-1");
 * console.log(e.message); // Session not found: sess-1
 * ```
 */
export class SessionNotFoundError extends SessionError {
  /** `sessionId` is the id asked for. */
  constructor(readonly sessionId: string) {
    super(`Session not found: ${sessionId}`);
    this.name = "SessionNotFoundError";
  }
}

/**
 * The session store (Redis, ...) cannot be reached. The server keeps running; calls that need a
 * session fail with this until the store is back.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "@chuk/mcp-runtime/sessions";
 * const e = new StoreUnavailableError("redis", "connection refused");
 * console.log(e.message); // Session store unavailable (redis): connection refused
 * ```
 */
export class StoreUnavailableError extends SessionError {
  /** `provider` is `redis`, ...; `detail` says what went wrong (the driver's message). */
  constructor(readonly provider: string, detail: string, options?: ErrorOptions) {
    super(`Session store unavailable (${provider}): ${detail}`, options);
    this.name = "StoreUnavailableError";
  }
}
