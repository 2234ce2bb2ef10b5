/**
 * Blobs in a SQLite database file (the reference README's `vfs-sqlite`), on Deno's built-in
 * `node:sqlite`. One row per blob; a write is one statement, so it lands whole or not at all.
 * Together with the `sqlite` metadata provider this is a complete persistent store in one file,
 * with no external service.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
import {
  assertBlobKey,
  assertBlobPrefix,
  type BlobInfo,
  type BlobStore,
  childNames,
  settle,
} from "./blob.ts";

/**
 * SQLite {@linkcode BlobStore}. The database file and its directory are created when missing.
 *
 * @example
 * ```ts
 * import { SqliteBlobStore } from "@chuk/mcp-runtime/artifacts";
 * const blobs = new SqliteBlobStore(await Deno.makeTempFile({ suffix: ".sqlite" }), "demo");
 * await blobs.init();
 * await blobs.put("ns/a", new TextEncoder().encode("hi"), { mime: "text/plain" });
 * console.log(await blobs.get("ns/a"));
 * await blobs.close();
 * ```
 */
export class SqliteBlobStore implements BlobStore {
  readonly provider = "sqlite";
  readonly bucket: string;
  /** The database file. */
  readonly path: string;
  #db: DatabaseSync | undefined;
  #q: Record<string, StatementSync> | undefined;

  /** Blobs in the SQLite file at `path`, under `bucket`. */
  constructor(path: string, bucket = "mcp-runtime") {
    assertBlobKey(bucket);
    this.path = path;
    this.bucket = bucket;
  }

  init(): Promise<void> {
    return settle(() => this.#open());
  }

  #open(): void {
    if (this.#db) return;
    if (this.path !== ":memory:") Deno.mkdirSync(dirname(this.path), { recursive: true });
    const db = new DatabaseSync(this.path);
    db.exec("PRAGMA busy_timeout = 5000");
    // Atomic and crash-safe for a killed process; see SqliteKeyValueStore for the trade-off.
    if (this.path !== ":memory:") db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    db.exec(`CREATE TABLE IF NOT EXISTS artifact_blobs (
      bucket TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, mime TEXT,
      stored_at INTEGER NOT NULL, PRIMARY KEY (bucket, key))`);
    this.#q = {
      put: db.prepare(
        "INSERT INTO artifact_blobs (bucket, key, data, mime, stored_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT(bucket, key) DO UPDATE SET data = excluded.data, mime = excluded.mime, " +
          "stored_at = excluded.stored_at",
      ),
      get: db.prepare("SELECT data FROM artifact_blobs WHERE bucket = ? AND key = ?"),
      delete: db.prepare("DELETE FROM artifact_blobs WHERE bucket = ? AND key = ?"),
      keysUnder: db.prepare(
        "SELECT key FROM artifact_blobs WHERE bucket = ? AND substr(key, 1, length(?)) = ?",
      ),
      deleteUnder: db.prepare(
        "DELETE FROM artifact_blobs WHERE bucket = ? AND substr(key, 1, length(?)) = ?",
      ),
      copy: db.prepare(
        "INSERT INTO artifact_blobs (bucket, key, data, mime, stored_at) " +
          "SELECT bucket, ?, data, ?, ? FROM artifact_blobs WHERE bucket = ? AND key = ? " +
          "ON CONFLICT(bucket, key) DO UPDATE SET data = excluded.data, mime = excluded.mime, " +
          "stored_at = excluded.stored_at",
      ),
    };
    this.#db = db;
  }

  #statements(): Record<string, StatementSync> {
    if (!this.#q) throw new Error("SqliteBlobStore: call init() first");
    return this.#q;
  }

  put(key: string, data: Uint8Array, info: BlobInfo): Promise<void> {
    return settle(() => {
      assertBlobKey(key);
      this.#statements().put.run(this.bucket, key, data, info.mime, Date.now());
    });
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return settle(() => {
      assertBlobKey(key);
      const row = this.#statements().get.get(this.bucket, key) as { data: Uint8Array } | undefined;
      return row ? new Uint8Array(row.data) : undefined;
    });
  }

  delete(key: string): Promise<boolean> {
    return settle(() => {
      assertBlobKey(key);
      return Number(this.#statements().delete.run(this.bucket, key).changes) > 0;
    });
  }

  copy(from: string, to: string, info: BlobInfo): Promise<boolean> {
    return settle(() => {
      assertBlobKey(from);
      assertBlobKey(to);
      const r = this.#statements().copy.run(to, info.mime, Date.now(), this.bucket, from);
      return Number(r.changes) > 0;
    });
  }

  list(prefix: string): Promise<string[]> {
    return settle(() => {
      assertBlobPrefix(prefix);
      const rows = this.#statements().keysUnder.all(this.bucket, prefix, prefix) as { key: string }[];
      return childNames(rows.map((r) => r.key), prefix);
    });
  }

  deletePrefix(prefix: string): Promise<number> {
    return settle(() => {
      assertBlobPrefix(prefix);
      return Number(this.#statements().deleteUnder.run(this.bucket, prefix, prefix).changes);
    });
  }

  close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    this.#q = undefined;
    return Promise.resolve();
  }
}
