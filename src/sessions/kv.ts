/**
 * The storage seam for sessions and artifact metadata: a small key-value store with TTLs and
 * sets (for indexes such as "artifacts of session X"). One provider per file: memory here;
 * Redis and SQLite beside it. Keys passed in are already namespaced by the caller.
 *
 * @module
 */

/**
 * A key-value store with expiry and sets.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const kv = new MemoryKeyValueStore();
 * await kv.set("dev:default:session:abc", JSON.stringify({ id: "abc" }), 3600);
 * console.log(await kv.get("dev:default:session:abc"));
 * await kv.close();
 * ```
 */
export interface KeyValueStore {
  /** Provider name (`memory`, `redis`, `sqlite`). */
  readonly provider: string;
  /** The value at `key`, or undefined when missing or expired. */
  get(key: string): Promise<string | undefined>;
  /** Set `key`; `ttlSeconds` > 0 makes it expire. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Delete `key`; resolves whether it existed. */
  delete(key: string): Promise<boolean>;
  /** Reset the expiry of `key` (no-op when missing). */
  expire(key: string, ttlSeconds: number): Promise<void>;
  /** Add `member` to the set at `key` (the set's expiry is extended to at least `ttlSeconds`). */
  addToSet(key: string, member: string, ttlSeconds?: number): Promise<void>;
  /** Remove `member` from the set at `key`. */
  removeFromSet(key: string, member: string): Promise<void>;
  /** Members of the set at `key` (empty when missing). */
  members(key: string): Promise<string[]>;
  /** Release connections. */
  close(): Promise<void>;
}

interface Slot<T> {
  value: T;
  expiresAt: number | undefined;
}

/**
 * In-process store (the default): fast, lost on restart, not shared between processes.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const kv = new MemoryKeyValueStore();
 * await kv.addToSet("idx", "a");
 * console.log(await kv.members("idx")); // ["a"]
 * ```
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly provider = "memory";
  #values = new Map<string, Slot<string>>();
  #sets = new Map<string, Slot<Set<string>>>();
  readonly #now: () => number;

  /** An empty store; `now` is the clock TTLs are measured with (tests pass a fake one). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #live<T>(map: Map<string, Slot<T>>, key: string): Slot<T> | undefined {
    const slot = map.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt !== undefined && slot.expiresAt <= this.#now()) {
      map.delete(key);
      return undefined;
    }
    return slot;
  }

  #expiry(ttlSeconds: number | undefined): number | undefined {
    return ttlSeconds && ttlSeconds > 0 ? this.#now() + ttlSeconds * 1000 : undefined;
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.#live(this.#values, key)?.value);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.#values.set(key, { value, expiresAt: this.#expiry(ttlSeconds) });
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    const had = this.#live(this.#values, key) !== undefined || this.#live(this.#sets, key) !== undefined;
    this.#values.delete(key);
    this.#sets.delete(key);
    return Promise.resolve(had);
  }

  expire(key: string, ttlSeconds: number): Promise<void> {
    const slot = this.#live(this.#values, key) ?? this.#live(this.#sets, key);
    if (slot) slot.expiresAt = this.#expiry(ttlSeconds);
    return Promise.resolve();
  }

  addToSet(key: string, member: string, ttlSeconds?: number): Promise<void> {
    let slot = this.#live(this.#sets, key);
    if (!slot) this.#sets.set(key, slot = { value: new Set(), expiresAt: undefined });
    slot.value.add(member);
    const want = this.#expiry(ttlSeconds);
    if (want === undefined) slot.expiresAt = undefined;
    else if (slot.expiresAt !== undefined && want > slot.expiresAt) slot.expiresAt = want;
    else if (slot.expiresAt === undefined && slot.value.size === 1) slot.expiresAt = want;
    return Promise.resolve();
  }

  removeFromSet(key: string, member: string): Promise<void> {
    this.#live(this.#sets, key)?.value.delete(member);
    return Promise.resolve();
  }

  members(key: string): Promise<string[]> {
    return Promise.resolve([...(this.#live(this.#sets, key)?.value ?? [])]);
  }

  close(): Promise<void> {
    this.#values.clear();
    this.#sets.clear();
    return Promise.resolve();
  }
}
