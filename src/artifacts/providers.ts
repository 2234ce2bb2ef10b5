/**
 * Building the blob provider the settings name. Adding a provider means one new file beside
 * the others and one case here.
 *
 * @module
 */

import type { BlobStore } from "./blob.ts";
import { FilesystemBlobStore } from "./blob_filesystem.ts";
import { MemoryBlobStore } from "./blob_memory.ts";
import { SqliteBlobStore } from "./blob_sqlite.ts";
import type { ArtifactSettings } from "./settings.ts";

/**
 * The blob provider for `settings` (not yet initialised: call `init()`).
 *
 * @example
 * ```ts
 * import { createBlobStore, resolveArtifactSettings } from "@chuk/mcp-runtime/artifacts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { processEnv } from "@chuk/mcp-runtime/config";
 * const settings = resolveArtifactSettings(validateConfig({}, "inline"), processEnv, Deno.cwd());
 * const blobs = await createBlobStore(settings);
 * await blobs.init();
 * ```
 */
export async function createBlobStore(settings: ArtifactSettings): Promise<BlobStore> {
  switch (settings.storage) {
    case "memory":
      return new MemoryBlobStore(settings.bucket);
    case "filesystem":
      return new FilesystemBlobStore(settings.root, settings.bucket);
    case "sqlite":
      return new SqliteBlobStore(settings.sqlitePath, settings.bucket);
    case "s3":
      // The AWS SDK is large: load it only when S3 storage is configured.
      return new (await import("./blob_s3.ts")).S3BlobStore({ bucket: settings.bucket, ...settings.s3 });
  }
}

/**
 * Report the bytes of every successful `put` to `onWrite` (the `mcp_artifact_bytes_written_total`
 * metric). The provider object stays the same one; only its `put` is wrapped.
 *
 * @example
 * ```ts
 * import { countWrites, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * const blobs = countWrites(new MemoryBlobStore("demo"), (provider, n) => console.log(provider, n));
 * await blobs.put("demo/0f8fad5b-d9cb-469f-a165-70867728950e", new Uint8Array(3), { mime: "text/plain" });
 * // memory 3
 * ```
 */
export function countWrites(blobs: BlobStore, onWrite: (provider: string, bytes: number) => void): BlobStore {
  const put = blobs.put.bind(blobs);
  blobs.put = async (key, data, info) => {
    await put(key, data, info);
    onWrite(blobs.provider, data.length);
  };
  return blobs;
}
