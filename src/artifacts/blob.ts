/**
 * The blob seam: where artifact bytes live. One provider per file (memory, filesystem, s3,
 * sqlite); the store keeps metadata elsewhere (the key-value store), so a provider only moves
 * bytes by key.
 *
 * Keys are made by the store, never by callers: `<namespace>/<artifact id>`, each part limited
 * to `[A-Za-z0-9._-]` (see {@linkcode assertBlobKey}). Filenames never become keys.
 *
 * @module
 */

/** What the store tells a provider about the bytes it writes. */
export interface BlobInfo {
  /** MIME type (S3 serves it as `Content-Type`). */
  mime: string;
  /** Display filename (used only for `Content-Disposition` of presigned URLs). */
  filename?: string;
}

/**
 * Where artifact bytes are stored.
 *
 * @example
 * ```ts
 * import { MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * const blobs = new MemoryBlobStore("demo");
 * await blobs.put("default/0f8fad5b-d9cb-469f-a165-70867728950e", new Uint8Array([1, 2]), { mime: "application/octet-stream" });
 * console.log(await blobs.get("default/0f8fad5b-d9cb-469f-a165-70867728950e"));
 * ```
 */
export interface BlobStore {
  /** Provider name: `memory`, `filesystem`, `s3` or `sqlite`. */
  readonly provider: string;
  /** Bucket (S3), directory (filesystem) or table namespace the blobs go to. */
  readonly bucket: string;
  /** Prepare (create the directory or bucket, check access). Called once before use. */
  init(): Promise<void>;
  /** Store `data` at `key`, replacing what is there. Either all bytes land or none do. */
  put(key: string, data: Uint8Array, info: BlobInfo): Promise<void>;
  /** The bytes at `key`, or `undefined` when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Delete `key`; resolves whether something was there (best effort for S3). */
  delete(key: string): Promise<boolean>;
  /** Copy `from` to `to` inside the provider; `false` when `from` is missing. */
  copy(from: string, to: string, info: BlobInfo): Promise<boolean>;
  /**
   * A URL anyone can GET for `expiresInSeconds` without credentials, when the provider can make
   * one (S3). Providers without it leave it out.
   */
  presign?(key: string, expiresInSeconds: number, info: BlobInfo): Promise<string>;
  /** Housekeeping (stale temporary files); called by the store's periodic sweep. */
  sweep?(): Promise<void>;
  /**
   * The names one level below `prefix` (a key prefix ending in `/`): the next segment of every
   * key under it, each once. With {@linkcode BlobStore.deletePrefix} it lets the store remove
   * what processes whose metadata died with them left behind; providers without it leave both out.
   */
  list?(prefix: string): Promise<string[]>;
  /** Delete every blob whose key starts with `prefix` (ending in `/`); resolves how many. */
  deletePrefix?(prefix: string): Promise<number>;
  /** Release connections and handles. */
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Throw unless `prefix` is a valid key followed by `/` (what `list` and `deletePrefix` take).
 *
 * @example
 * ```ts
 * import { assertBlobPrefix } from "@chuk/mcp-runtime/artifacts";
 * assertBlobPrefix("default/"); // ok
 * ```
 */
export function assertBlobPrefix(prefix: string): void {
  if (!prefix.endsWith("/")) throw new TypeError(`invalid blob prefix ${JSON.stringify(prefix)}`);
  assertBlobKey(prefix.slice(0, -1));
}

/**
 * The distinct next segments of `keys` below `prefix` (for providers that list whole keys).
 *
 * @example
 * ```ts
 * import { childNames } from "@chuk/mcp-runtime/artifacts";
 * childNames(["ns/a/1", "ns/a/2", "ns/b"], "ns/"); // ["a", "b"]
 * ```
 */
export function childNames(keys: Iterable<string>, prefix: string): string[] {
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf("/");
    out.add(slash < 0 ? rest : rest.slice(0, slash));
  }
  return [...out];
}

/**
 * Throw unless `key` is `segment/segment...` of safe characters (no `..`, no absolute paths).
 * Providers call it so that no key, however built, can escape their root.
 *
 * @example
 * ```ts
 * import { assertBlobKey } from "@chuk/mcp-runtime/artifacts";
 * assertBlobKey("default/0f8fad5b-d9cb-469f-a165-70867728950e"); // ok
 * ```
 */
export function assertBlobKey(key: string): void {
  const parts = key.split("/");
  if (parts.length < 1 || parts.length > 8 || !parts.every((p) => SEGMENT.test(p) && !/^\.+$/.test(p))) {
    throw new TypeError(`invalid blob key ${JSON.stringify(key)}`);
  }
}

/**
 * Run a synchronous step as a promise: a throw becomes a rejection (for synchronous providers,
 * whose callers expect rejections, not throws).
 *
 * @example
 * ```ts
 * import { settle } from "./blob.ts";
 * await settle(() => 42); // 42
 * ```
 */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}
