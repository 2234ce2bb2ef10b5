/**
 * `artifact://<id>` resources: every artifact the caller may read is listed (name = filename,
 * description = summary, mimeType = the stored MIME type) and can be read back. Text comes back
 * as `text` for `text/*` and JSON types, everything else as a base64 `blob`. Someone else's
 * artifact reads exactly like a missing one.
 *
 * @module
 */

import type { ResourceProvider } from "../core/registry.ts";
import type { ReadResourceResult, Resource } from "../protocol.ts";
import { toBase64 } from "../tools/content.ts";
import { callerOf } from "./caller.ts";
import { ArtifactNotFoundError } from "./errors.ts";
import type { ArtifactStore } from "./store.ts";

/** URI scheme prefix of artifact resources. */
export const ARTIFACT_URI_PREFIX = "artifact://";

/**
 * Whether content of `mime` is returned as text (`text/*`, JSON and `+json` types).
 *
 * @example
 * ```ts
 * import { isTextMime } from "@chuk/mcp-runtime/artifacts";
 * isTextMime("application/ld+json"); // true
 * isTextMime("image/png"); // false
 * ```
 */
export function isTextMime(mime: string): boolean {
  const m = mime.split(";")[0].trim().toLowerCase();
  return m.startsWith("text/") || m === "application/json" || m.endsWith("+json") ||
    m === "application/x-ndjson";
}

/**
 * The resource provider for `artifact://` URIs over `store`.
 *
 * @example
 * ```ts
 * import { artifactResourceProvider, ArtifactStore, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * import { createTestContext } from "@chuk/mcp-runtime";
 * const store = new ArtifactStore({ blobs: new MemoryBlobStore(), kv: new MemoryKeyValueStore() });
 * const provider = artifactResourceProvider(store);
 * console.log(await provider.list(createTestContext({ sessionId: "s1" }))); // []
 * ```
 */
export function artifactResourceProvider(store: ArtifactStore): ResourceProvider {
  return {
    source: "builtin artifacts",
    async list(ctx): Promise<Resource[]> {
      const files = await store.listReadable(callerOf(ctx));
      return files.map((m) => ({
        uri: `${ARTIFACT_URI_PREFIX}${m.artifact_id}`,
        name: m.filename,
        ...(m.summary ? { description: m.summary } : {}),
        mimeType: m.mime,
        size: m.bytes,
      }));
    },
    async read(uri, ctx): Promise<ReadResourceResult | undefined> {
      if (!uri.startsWith(ARTIFACT_URI_PREFIX)) return undefined;
      const id = uri.slice(ARTIFACT_URI_PREFIX.length).replace(/\/+$/, "");
      let found;
      try {
        found = await store.read(callerOf(ctx), id);
      } catch (e) {
        // Missing, expired and not-yours are one answer: "Resource not found".
        if (e instanceof ArtifactNotFoundError) return undefined;
        throw e;
      }
      const { metadata: m, data } = found;
      if (isTextMime(m.mime)) {
        try {
          const text = new TextDecoder("utf-8", { fatal: true }).decode(data);
          return { contents: [{ uri, mimeType: m.mime, text }] };
        } catch {
          // not valid UTF-8 after all: send the bytes
        }
      }
      return { contents: [{ uri, mimeType: m.mime, blob: toBase64(data) }] };
    },
  };
}
