/**
 * Who is calling, for the artifact store: taken from the request context only (the transport's
 * session and the authenticated user), never from tool arguments.
 *
 * @module
 */

import type { CallerArtifacts } from "../core/artifacts.ts";
import type { RequestContext } from "../core/context.ts";
import type { ArtifactCaller, ArtifactStore } from "./store.ts";

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

/**
 * `store` on behalf of the caller of `ctx`: what handlers get as `ctx.artifacts`, with the rules
 * of the artifact tools (the caller is never admin; what it writes or copies into its session
 * expires no later than the session, resolved by `sessionOf` as the tools do).
 *
 * @example
 * ```ts
 * import { ArtifactStore, callerArtifacts, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * import { createTestContext } from "@chuk/mcp-runtime";
 * const store = new ArtifactStore({ blobs: new MemoryBlobStore("demo"), kv: new MemoryKeyValueStore() });
 * const mine = callerArtifacts(store, createTestContext({ sessionId: "s1" }));
 * await mine.write({ data: "hello", filename: "hello.txt", mime: "text/plain" });
 * console.log((await mine.list()).map((a) => a.filename)); // ["hello.txt"]
 * await store.close();
 * ```
 */
export function callerArtifacts(
  store: ArtifactStore,
  ctx: RequestContext,
  sessionOf?: (ctx: RequestContext) => Promise<CallerSession>,
): CallerArtifacts {
  const who = callerOf(ctx);
  return {
    write: async ({ data, ...input }) =>
      store.write(await callerWriting(ctx, sessionOf), {
        ...input,
        data: typeof data === "string" ? new TextEncoder().encode(data) : data,
      }),
    read: (id) => store.read(who, id),
    get: (id) => store.get(who, id),
    update: (id, change) => store.update(who, id, change),
    copy: async (id, change) => store.copy(await callerWriting(ctx, sessionOf), id, change),
    delete: (id) => store.delete(who, id),
    list: () => store.listReadable(who),
    listSession: () => store.listSession(who),
    listUser: (filter) => store.listUser(who, filter),
  };
}
