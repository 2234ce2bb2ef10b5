/**
 * Blobs as files under `<root>/<bucket>/<key>`. Every write goes to a temporary file in
 * `<root>/<bucket>/.tmp/` first and is renamed into place once complete and flushed, so a crash
 * (even `kill -9`) never leaves a half-written blob under a real key. Stale temporary files are
 * removed by the periodic sweep.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { assertBlobKey, assertBlobPrefix, type BlobInfo, type BlobStore } from "./blob.ts";

/** Options of {@linkcode FilesystemBlobStore}. */
export interface FilesystemBlobStoreOptions {
  /** Temporary files older than this are deleted by `sweep()` (ms; default 10 minutes). */
  staleTempMs?: number;
  /**
   * Called after the temporary file is complete and flushed, right before the rename that makes
   * it visible. For crash tests; leave unset otherwise.
   */
  beforeCommit?: (tempPath: string, finalPath: string) => Promise<void>;
}

const CHUNK = 1 << 20;

/**
 * Filesystem {@linkcode BlobStore}. The root directory is created when missing.
 *
 * @example
 * ```ts
 * import { FilesystemBlobStore } from "@chuk/mcp-runtime/artifacts";
 * const blobs = new FilesystemBlobStore(await Deno.makeTempDir(), "demo");
 * await blobs.init();
 * await blobs.put("ns/a", new TextEncoder().encode("hi"), { mime: "text/plain" });
 * console.log(await blobs.get("ns/a"));
 * ```
 */
export class FilesystemBlobStore implements BlobStore {
  readonly provider = "filesystem";
  readonly bucket: string;
  /** Absolute root directory. */
  readonly root: string;
  /** `<root>/<bucket>`. */
  readonly dir: string;
  readonly #tmp: string;
  readonly #staleMs: number;
  readonly #beforeCommit: FilesystemBlobStoreOptions["beforeCommit"];

  /** Blobs under `<root>/<bucket>/` (created when missing). */
  constructor(root: string, bucket = "mcp-runtime", options: FilesystemBlobStoreOptions = {}) {
    assertBlobKey(bucket);
    this.root = resolve(root);
    this.bucket = bucket;
    this.dir = join(this.root, bucket);
    this.#tmp = join(this.dir, ".tmp");
    this.#staleMs = options.staleTempMs ?? 10 * 60_000;
    this.#beforeCommit = options.beforeCommit;
  }

  async init(): Promise<void> {
    await Deno.mkdir(this.#tmp, { recursive: true });
    await this.sweep();
  }

  #path(key: string): string {
    assertBlobKey(key);
    return join(this.dir, ...key.split("/"));
  }

  async put(key: string, data: Uint8Array, _info: BlobInfo): Promise<void> {
    const final = this.#path(key);
    await this.#writeAtomically(final, async (file) => {
      for (let off = 0; off < data.length; off += CHUNK) {
        await writeAll(file, data.subarray(off, Math.min(data.length, off + CHUNK)));
      }
    });
  }

  async #writeAtomically(final: string, fill: (file: Deno.FsFile) => Promise<void>): Promise<void> {
    await Deno.mkdir(dirname(final), { recursive: true });
    await Deno.mkdir(this.#tmp, { recursive: true });
    const temp = join(this.#tmp, `${crypto.randomUUID()}.part`);
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
    try {
      try {
        await fill(file);
        await file.syncData();
      } finally {
        file.close();
      }
      if (this.#beforeCommit) await this.#beforeCommit(temp, final);
      await Deno.rename(temp, final);
    } catch (e) {
      await Deno.remove(temp).catch(() => {});
      throw e;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.#path(key));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      await Deno.remove(this.#path(key));
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  }

  async copy(from: string, to: string, _info: BlobInfo): Promise<boolean> {
    const src = this.#path(from);
    const final = this.#path(to);
    let source: Deno.FsFile;
    try {
      source = await Deno.open(src, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
    try {
      await this.#writeAtomically(final, async (file) => {
        for await (const chunk of source.readable) await writeAll(file, chunk);
      });
    } finally {
      try {
        source.close();
      } catch {
        // the readable stream closed it already
      }
    }
    return true;
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    const out: string[] = [];
    try {
      for await (const e of Deno.readDir(this.#path(prefix.slice(0, -1)))) out.push(e.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return out;
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertBlobPrefix(prefix);
    const dir = this.#path(prefix.slice(0, -1));
    let n = 0;
    const count = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        if (e.isDirectory) await count(join(d, e.name));
        else n++;
      }
    };
    try {
      await count(dir);
      await Deno.remove(dir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return n;
  }

  /** Remove temporary files left behind by crashed writers. */
  async sweep(): Promise<void> {
    const cutoff = Date.now() - this.#staleMs;
    try {
      for await (const entry of Deno.readDir(this.#tmp)) {
        if (!entry.isFile || !entry.name.endsWith(".part")) continue;
        const path = join(this.#tmp, entry.name);
        try {
          const st = await Deno.stat(path);
          if ((st.mtime?.getTime() ?? 0) <= cutoff) await Deno.remove(path);
        } catch {
          // gone already, or another process is renaming it
        }
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await file.write(data.subarray(off));
}
