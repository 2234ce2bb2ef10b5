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

/**
 * `store` on behalf of `caller`: what handlers get as `ctx.artifacts`, with the rules of the
 * artifact tools (the caller is never admin).
 *
 * @example
 * ```ts
 * import { ArtifactStore, callerArtifacts, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const store = new ArtifactStore({ blobs: new MemoryBlobStore("demo"), kv: new MemoryKeyValueStore() });
 * const mine = callerArtifacts(store, { sessionId: "s1" });
 * const m = await mine.write({ data: "hello", filename: "hello.txt", mime: "text/plain" });
 * console.log((await mine.list()).map((a) => a.filename)); // ["hello.txt"]
 * await store.close();
 * ```
 */
export function callerArtifacts(store: ArtifactStore, caller: ArtifactCaller): CallerArtifacts {
  const who: ArtifactCaller = { sessionId: caller.sessionId, userId: caller.userId };
  return {
    write: ({ data, ...input }) =>
      store.write(who, { ...input, data: typeof data === "string" ? new TextEncoder().encode(data) : data }),
    read: (id) => store.read(who, id),
    get: (id) => store.get(who, id),
    update: (id, change) => store.update(who, id, change),
    copy: (id, change) => store.copy(who, id, change),
    delete: (id) => store.delete(who, id),
    list: () => store.listReadable(who),
    listSession: () => store.listSession(who),
    listUser: (filter) => store.listUser(who, filter),
  };
}
