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
