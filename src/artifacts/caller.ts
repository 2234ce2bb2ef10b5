/**
 * Who is calling, for the artifact store: taken from the request context only (the transport's
 * session and the authenticated user), never from tool arguments.
 *
 * @module
 */

import type { RequestContext } from "../core/context.ts";
import type { ArtifactCaller } from "./store.ts";

/**
 * The caller of the current request.
 *
 * @example
 * ```ts
 * import { callerOf } from "@chuk/mcp-runtime/artifacts";
 * import { createTestContext } from "@chuk/mcp-runtime";
 * callerOf(createTestContext({ sessionId: "s1" })); // { sessionId: "s1", userId: undefined }
 * ```
 */
export function callerOf(ctx: RequestContext): ArtifactCaller {
  return { sessionId: ctx.sessionId, userId: ctx.user?.id };
}

/** The runtime session a call belongs to, as far as artifacts care. */
export interface CallerSession {
  /** Session id. */
  id: string;
  /** When it expires unless used (ISO time). */
  expiresAt: string;
}

/**
 * The caller of a request that stores files: like {@linkcode callerOf}, with the session resolved
 * by `sessionOf` (the runtime's session manager) so its files expire no later than it does.
 *
 * @example
 * ```ts
 * import { createTestContext } from "@chuk/mcp-runtime";
 * import { callerWriting } from "@chuk/mcp-runtime/artifacts";
 * const expiresAt = new Date(Date.now() + 3600_000).toISOString();
 * const caller = await callerWriting(createTestContext(), () => Promise.resolve({ id: "s1", expiresAt }));
 * console.log(caller.sessionId, caller.sessionExpiresAt === expiresAt); // s1 true
 * ```
 */
export async function callerWriting(
  ctx: RequestContext,
  sessionOf?: (ctx: RequestContext) => Promise<CallerSession>,
): Promise<ArtifactCaller> {
  if (!sessionOf) return callerOf(ctx);
  const session = await sessionOf(ctx);
  return { sessionId: session.id, userId: ctx.user?.id, sessionExpiresAt: session.expiresAt };
}
