/**
 * The artifact store of a configuration, opened outside a server (a program, a script, a job that
 * seeds sandbox files): the same blobs, the same metadata store under the same key namespace, the
 * same sandbox — so what it writes is what a server with that configuration reads.
 *
 * @module
 */

import { type EnvSource, processEnv } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import { errorText } from "../errors.ts";
import { createKeyValueStore } from "../sessions/factory.ts";
import { keyNamespace, NamespacedKeyValueStore } from "../sessions/namespace.ts";
import type { KeyValueStore } from "../sessions/kv.ts";
import type { BlobStore } from "./blob.ts";
import { ArtifactError } from "./errors.ts";
import { createBlobStore } from "./providers.ts";
import { type ArtifactSettings, resolveArtifactSettings } from "./settings.ts";
import { ArtifactStore, type ArtifactStoreOptions } from "./store.ts";

/**
 * Start `blobs` and build the store `settings` describe over it and `kv` (the server and
 * {@linkcode openArtifactStore} build it the same way). A storage service that does not start is
 * an {@linkcode ArtifactError} naming it.
 *
 * @example
 * ```ts
 * import { artifactStoreOf, MemoryBlobStore, resolveArtifactSettings } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * import { processEnv, validateConfig } from "@chuk/mcp-runtime/config";
 * const settings = resolveArtifactSettings(validateConfig({}, "inline"), processEnv, ".");
 * const store = await artifactStoreOf(settings, new MemoryBlobStore("demo"), new MemoryKeyValueStore());
 * await store.close();
 * ```
 */
export async function artifactStoreOf(
  settings: ArtifactSettings,
  blobs: BlobStore,
  kv: KeyValueStore,
  options: Pick<ArtifactStoreOptions, "onChange" | "closeKv"> = {},
): Promise<ArtifactStore> {
  try {
    await blobs.init();
  } catch (e) {
    await blobs.close().catch(() => {});
    // A storage service that is down is a runtime failure (exit 1), not a bad config.
    throw new ArtifactError(
      `artifact storage '${settings.storageName}' failed to start: ${errorText(e)}`,
      { cause: e },
    );
  }
  return new ArtifactStore({
    blobs,
    kv,
    namespace: settings.namespace,
    maxFileBytes: settings.maxFileBytes,
    ttl: settings.ttl,
    maxTtl: settings.maxTtlSeconds,
    storageName: settings.storageName,
    // Metadata in memory dies with the process; blobs elsewhere must not outlive it.
    ephemeral: kv.provider === "memory" && blobs.provider !== "memory",
    leaseMs: Math.max(1000, 10 * settings.cleanupIntervalSeconds * 1000),
    ...options,
  });
}

/** Where {@linkcode openArtifactStore} finds its configuration (what `loadConfig` returns). */
export interface ArtifactStoreSource {
  /** The configuration a server would run with. */
  config: RuntimeConfig;
  /** Directory relative paths in it resolve against (the config file's); default the working directory. */
  baseDir?: string;
}

/**
 * Open the artifact store that a server with `source.config` uses (its storage and metadata
 * providers, key namespace and sandbox, from the file and `env` as the server reads them). Close
 * it when done. Files written as sandbox artifacts (`{ admin: true }`) are then read-only and
 * visible to every client of that server.
 *
 * @example
 * ```ts
 * import { openArtifactStore } from "@chuk/mcp-runtime/artifacts";
 * import { loadConfig } from "@chuk/mcp-runtime/config";
 * const store = await openArtifactStore(await loadConfig({ path: "examples/config.http.yaml" }));
 * console.log(store.storageName, store.namespace);
 * await store.close();
 * ```
 */
export async function openArtifactStore(
  source: ArtifactStoreSource,
  env: EnvSource = processEnv,
): Promise<ArtifactStore> {
  const baseDir = source.baseDir ?? Deno.cwd();
  const settings = resolveArtifactSettings(source.config, env, baseDir);
  // The server keeps artifact metadata in its session store, under its key namespace.
  const kv = new NamespacedKeyValueStore(createKeyValueStore(source.config, env, baseDir), keyNamespace(env));
  try {
    return await artifactStoreOf(settings, await createBlobStore(settings), kv);
  } catch (e) {
    await kv.close().catch(() => {});
    throw e;
  }
}
