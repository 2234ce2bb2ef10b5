/**
 * Artifacts: scoped file storage (session, user, sandbox) over a blob provider (memory,
 * filesystem, S3, SQLite) with metadata in the session store, its tools and its `artifact://`
 * resources.
 *
 * @example
 * ```ts
 * import { ArtifactStore, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const store = new ArtifactStore({ blobs: new MemoryBlobStore("demo"), kv: new MemoryKeyValueStore() });
 * await store.close();
 * ```
 *
 * @module
 */

export { ArtifactStore, mimeMatches } from "./store.ts";
export type {
  ArtifactCaller,
  ArtifactInput,
  ArtifactMetadata,
  ArtifactScope,
  ArtifactStoreOptions,
  ArtifactUpdate,
  UserListFilter,
} from "./store.ts";
export {
  ArtifactError,
  ArtifactIdentityError,
  ArtifactNotFoundError,
  ArtifactPermissionError,
  ArtifactTooLargeError,
} from "./errors.ts";
export { assertBlobKey, assertBlobPrefix, childNames } from "./blob.ts";
export type { BlobInfo, BlobStore } from "./blob.ts";
export { MemoryBlobStore } from "./blob_memory.ts";
export { FilesystemBlobStore } from "./blob_filesystem.ts";
export type { FilesystemBlobStoreOptions } from "./blob_filesystem.ts";
// The S3 provider's class is not re-exported: importing it loads the AWS SDK (~50 ms).
// `createBlobStore` loads it on demand.
export type { S3BlobStoreOptions } from "./blob_s3.ts";
export { SqliteBlobStore } from "./blob_sqlite.ts";
export { countWrites, createBlobStore } from "./providers.ts";
export {
  IBM_COS_DEFAULT_ENDPOINT,
  resolveArtifactNamespace,
  resolveArtifactSettings,
  sandboxNamespace,
  STORAGE_ALIASES,
} from "./settings.ts";
export type { ArtifactSettings, MetadataProviderName, S3Settings, StorageKind } from "./settings.ts";
export { callerArtifacts, callerOf, type CallerSession, callerWriting } from "./caller.ts";
export { artifactStoreOf, openArtifactStore } from "./open.ts";
export type { ArtifactStoreSource } from "./open.ts";
export type { ArtifactWrite, CallerArtifacts } from "../core/artifacts.ts";
export { artifactToolDefinitions, type ArtifactToolOptions, PRESIGN_EXPIRY } from "./tools.ts";
export { ARTIFACT_URI_PREFIX, artifactResourceProvider, isTextMime } from "./resources.ts";
export { artifactAudience, ArtifactsPlugin, artifactsPlugin } from "./plugin.ts";
export type { ArtifactsPluginOptions } from "./plugin.ts";
