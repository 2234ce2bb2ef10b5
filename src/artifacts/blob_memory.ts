/**
 * Blobs in process memory: fast, lost on restart, not shared between processes. For tests,
 * demos and single-process development.
 *
 * @module
 */

import {
  assertBlobKey,
  assertBlobPrefix,
  type BlobInfo,
  type BlobStore,
  childNames,
  settle,
} from "./blob.ts";

/**
 * In-memory {@linkcode BlobStore}.
 *
 * @example
 * ```ts
 * import { MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * const blobs = new MemoryBlobStore("demo");
 * await blobs.init();
 * await blobs.put("ns/a", new TextEncoder().encode("hi"), { mime: "text/plain" });
 * console.log(await blobs.copy("ns/a", "ns/b", { mime: "text/plain" })); // true
 * ```
 */
export class MemoryBlobStore implements BlobStore {
  readonly provider = "memory";
  readonly bucket: string;
  readonly #blobs = new Map<string, Uint8Array>();

  /** An empty in-memory store for `bucket`. */
  constructor(bucket = "mcp-runtime") {
    this.bucket = bucket;
  }

  init(): Promise<void> {
    return Promise.resolve();
  }

  put(key: string, data: Uint8Array, _info: BlobInfo): Promise<void> {
    return settle(() => {
      assertBlobKey(key);
      // Copy: the caller may reuse its buffer.
      this.#blobs.set(key, data.slice());
    });
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return settle(() => {
      assertBlobKey(key);
      return this.#blobs.get(key)?.slice();
    });
  }

  delete(key: string): Promise<boolean> {
    return settle(() => {
      assertBlobKey(key);
      return this.#blobs.delete(key);
    });
  }

  copy(from: string, to: string, _info: BlobInfo): Promise<boolean> {
    return settle(() => {
      assertBlobKey(from);
      assertBlobKey(to);
      const data = this.#blobs.get(from);
      if (!data) return false;
      this.#blobs.set(to, data.slice());
      return true;
    });
  }

  list(prefix: string): Promise<string[]> {
    return settle(() => {
      assertBlobPrefix(prefix);
      return childNames(this.#blobs.keys(), prefix);
    });
  }

  deletePrefix(prefix: string): Promise<number> {
    return settle(() => {
      assertBlobPrefix(prefix);
      let n = 0;
      for (const key of [...this.#blobs.keys()]) if (key.startsWith(prefix) && this.#blobs.delete(key)) n++;
      return n;
    });
  }

  /** Number of blobs held (for tests and stats). */
  get size(): number {
    return this.#blobs.size;
  }

  close(): Promise<void> {
    this.#blobs.clear();
    return Promise.resolve();
  }
}
