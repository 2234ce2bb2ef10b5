/**
 * A {@linkcode KeyValueStore} in one SQLite file, on Deno's built-in `node:sqlite`: sessions and
 * artifact metadata that survive a restart without any external service (the single-binary
 * deployment). Several processes may open the same file (WAL mode, busy timeout); they then
 * share the data like instances sharing Redis, on one machine.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
import type { KeyValueStore } from "./kv.ts";

/** Options of {@linkcode SqliteKeyValueStore}. */
export interface SqliteKeyValueStoreOptions {
  /** Clock in ms (for tests); default `Date.now`. */
  now?: () => number;
  /** How long a writer waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Key-value store with expiry and sets in a SQLite database file.
 *
 * @example
 * ```ts
 * import { SqliteKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const kv = new SqliteKeyValueStore(await Deno.makeTempFile({ suffix: ".sqlite" }));
 * await kv.set("dev:default:session:abc", "{}", 3600);
 * console.log(await kv.get("dev:default:session:abc")); // "{}"
 * await kv.close();
 * ```
 */
export class SqliteKeyValueStore implements KeyValueStore {
  readonly provider = "sqlite";
  /** The database file (`:memory:` for a private in-memory database). */
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #q: Record<string, StatementSync>;
  #closed = false;

  /** Open (or create) the SQLite file at `path`. */
  constructor(path: string, options: SqliteKeyValueStoreOptions = {}) {
    this.path = path;
    this.#now = options.now ?? Date.now;
    if (path !== ":memory:") Deno.mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // WAL + synchronous=NORMAL: commits are atomic and survive a killed process; only a power
    // loss can drop the last few. FULL would fsync every one of the store's small writes.
    if (path !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS kv_values (
        key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER);
      CREATE TABLE IF NOT EXISTS kv_sets (
        key TEXT PRIMARY KEY, expires_at INTEGER);
      CREATE TABLE IF NOT EXISTS kv_set_members (
        key TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (key, member));
      CREATE INDEX IF NOT EXISTS kv_values_expiry ON kv_values (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX IF NOT EXISTS kv_sets_expiry ON kv_sets (expires_at) WHERE expires_at IS NOT NULL;
    `);
    const p = (sql: string) => this.#db.prepare(sql);
    this.#q = {
      getValue: p("SELECT value, expires_at FROM kv_values WHERE key = ?"),
      setValue: p(
        "INSERT INTO kv_values (key, value, expires_at) VALUES (?, ?, ?) " +
          "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
      ),
      deleteValue: p("DELETE FROM kv_values WHERE key = ?"),
      expireValue: p("UPDATE kv_values SET expires_at = ? WHERE key = ?"),
      getSet: p("SELECT expires_at FROM kv_sets WHERE key = ?"),
      insertSet: p("INSERT INTO kv_sets (key, expires_at) VALUES (?, ?)"),
      expireSet: p("UPDATE kv_sets SET expires_at = ? WHERE key = ?"),
      deleteSet: p("DELETE FROM kv_sets WHERE key = ?"),
      deleteMembers: p("DELETE FROM kv_set_members WHERE key = ?"),
      addMember: p("INSERT OR IGNORE INTO kv_set_members (key, member) VALUES (?, ?)"),
      removeMember: p("DELETE FROM kv_set_members WHERE key = ? AND member = ?"),
      members: p("SELECT member FROM kv_set_members WHERE key = ? ORDER BY rowid"),
      purgeValues: p("DELETE FROM kv_values WHERE expires_at IS NOT NULL AND expires_at <= ?"),
      purgeMembers: p(
        "DELETE FROM kv_set_members WHERE key IN " +
          "(SELECT key FROM kv_sets WHERE expires_at IS NOT NULL AND expires_at <= ?)",
      ),
      purgeSets: p("DELETE FROM kv_sets WHERE expires_at IS NOT NULL AND expires_at <= ?"),
    };
    this.purgeExpired();
  }

  #expiry(ttlSeconds: number | undefined): number | null {
    return ttlSeconds && ttlSeconds > 0 ? this.#now() + Math.ceil(ttlSeconds * 1000) : null;
  }

  #expired(expiresAt: unknown): boolean {
    return typeof expiresAt === "number" && expiresAt <= this.#now();
  }

  /** The live set's expiry row, dropping the set when it has expired. */
  #liveSet(key: string): { expires_at: number | null } | undefined {
    const row = this.#q.getSet.get(key) as { expires_at: number | null } | undefined;
    if (!row) return undefined;
    if (this.#expired(row.expires_at)) {
      this.#tx(() => {
        this.#q.deleteSet.run(key);
        this.#q.deleteMembers.run(key);
      });
      return undefined;
    }
    return row;
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Run a synchronous database step as a promise (errors become rejections, never throws). */
  #run<T>(fn: () => T): Promise<T> {
    try {
      if (this.#closed) throw new Error("SqliteKeyValueStore is closed");
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #getValue(key: string): string | undefined {
    const row = this.#q.getValue.get(key) as { value: string; expires_at: number | null } | undefined;
    if (!row) return undefined;
    if (this.#expired(row.expires_at)) {
      this.#q.deleteValue.run(key);
      return undefined;
    }
    return row.value;
  }

  get(key: string): Promise<string | undefined> {
    return this.#run(() => this.#getValue(key));
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    return this.#run(() => void this.#q.setValue.run(key, value, this.#expiry(ttlSeconds)));
  }

  delete(key: string): Promise<boolean> {
    return this.#run(() => {
      const had = this.#getValue(key) !== undefined || this.#liveSet(key) !== undefined;
      this.#tx(() => {
        this.#q.deleteValue.run(key);
        this.#q.deleteSet.run(key);
        this.#q.deleteMembers.run(key);
      });
      return had;
    });
  }

  expire(key: string, ttlSeconds: number): Promise<void> {
    return this.#run(() => {
      const at = this.#expiry(ttlSeconds);
      if (this.#getValue(key) !== undefined) this.#q.expireValue.run(at, key);
      else if (this.#liveSet(key)) this.#q.expireSet.run(at, key);
    });
  }

  addToSet(key: string, member: string, ttlSeconds?: number): Promise<void> {
    return this.#run(() => {
      const want = this.#expiry(ttlSeconds);
      const slot = this.#liveSet(key);
      this.#tx(() => {
        if (!slot) this.#q.insertSet.run(key, want);
        // Same rules as the memory store: no TTL makes the set permanent; a TTL only extends.
        else if (want === null) this.#q.expireSet.run(null, key);
        else if (slot.expires_at !== null && want > slot.expires_at) this.#q.expireSet.run(want, key);
        this.#q.addMember.run(key, member);
      });
    });
  }

  removeFromSet(key: string, member: string): Promise<void> {
    return this.#run(() => {
      if (this.#liveSet(key)) this.#q.removeMember.run(key, member);
    });
  }

  members(key: string): Promise<string[]> {
    return this.#run(() => {
      if (!this.#liveSet(key)) return [];
      const rows = this.#q.members.all(key) as { member: string }[];
      return rows.map((r) => r.member);
    });
  }

  /** Delete every expired value and set now (reads also skip them lazily). */
  purgeExpired(): void {
    if (this.#closed) throw new Error("SqliteKeyValueStore is closed");
    const now = this.#now();
    this.#tx(() => {
      this.#q.purgeValues.run(now);
      this.#q.purgeMembers.run(now);
      this.#q.purgeSets.run(now);
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }
}
