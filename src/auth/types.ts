/**
 * The authentication seam: HTTP transports ask an {@linkcode Authenticator} who is calling before
 * anything reaches MCP. stdio never authenticates (it is a local pipe).
 *
 * @module
 */

/**
 * Who is calling, when the transport authenticated the caller.
 *
 * @example
 * ```ts
 * import type { UserIdentity } from "@chuk/mcp-runtime";
 * const alice: UserIdentity = { id: "alice", claims: { sub: "alice", scope: "read" } };
 * ```
 */
export interface UserIdentity {
  /** User id: the first of the JWT claims `sub`, `user_id`, `uid`, `id`. */
  readonly id: string;
  /** All verified claims of the token. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Result of authenticating one HTTP request. */
export type AuthOutcome =
  | { ok: true; user?: UserIdentity; token?: string }
  | { ok: false; response: Response };

/**
 * Decides who sent an HTTP request.
 *
 * @example
 * ```ts
 * import type { Authenticator } from "@chuk/mcp-runtime";
 * const apiKeyAuth: Authenticator = {
 *   scheme: "api-key",
 *   authenticate: (req) =>
 *     Promise.resolve(
 *       req.headers.get("x-api-key") === "secret"
 *         ? { ok: true }
 *         : { ok: false, response: new Response("unauthorized", { status: 401 }) },
 *     ),
 * };
 * ```
 */
export interface Authenticator {
  /** Short name for logs and `/health` (`none`, `bearer`, ...). */
  readonly scheme: string;
  /** Identify the caller, or return the response to send instead (401). */
  authenticate(req: Request): Promise<AuthOutcome>;
  /**
   * Answer a request under `/.well-known/` itself, without credentials (an OAuth protected
   * resource's metadata). `undefined`: not one of its documents (the transport answers 404).
   */
  wellKnown?(req: Request, url: URL): Response | undefined;
  /**
   * Decide whether the authenticated caller may send this JSON-RPC message (or batch), after the
   * body is read: a response refuses it (403 `insufficient_scope`, so the client can step up).
   */
  authorize?(message: unknown, user: UserIdentity | undefined): Response | undefined;
}

/**
 * The authenticator that lets everyone in anonymously (`server.auth: none`).
 *
 * @example
 * ```ts
 * import { noAuth } from "@chuk/mcp-runtime";
 * const outcome = await noAuth.authenticate(new Request("http://127.0.0.1/mcp"));
 * console.log(outcome.ok); // true
 * ```
 */
export const noAuth: Authenticator = {
  scheme: "none",
  authenticate: () => Promise.resolve({ ok: true }),
};
