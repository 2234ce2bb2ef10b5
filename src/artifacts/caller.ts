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
