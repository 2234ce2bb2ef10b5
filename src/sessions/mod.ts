/**
 * Runtime sessions: the store-backed record a client's calls belong to (it outlives a
 * connection and is shared by instances), the key-value stores it lives in (memory, Redis, Redis
 * Cluster, SQLite). (The built-in session tools are turned on in the configuration: `session_tools:`.)
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore, SessionManager } from "@chuk/mcp-runtime/sessions";
 * const sessions = new SessionManager({ store: new MemoryKeyValueStore(), sandboxId: "demo" });
 * const s = await sessions.create({ userId: "alice" });
 * console.log(s.id);
 * await sessions.close();
 * ```
 *
 * @module
 */

export { attachBinding, bindingOf, SessionBinding, SessionManager } from "./manager.ts";
export type { BindOptions, SessionCaller, SessionManagerOptions, SessionRecord } from "./manager.ts";
export { SessionError, SessionNotFoundError, StoreUnavailableError } from "./errors.ts";
export { MemoryKeyValueStore } from "./kv.ts";
export type { KeyValueStore } from "./kv.ts";
export { SqliteKeyValueStore } from "./sqlite_kv.ts";
export type { SqliteKeyValueStoreOptions } from "./sqlite_kv.ts";
export { DEFAULT_REDIS_URL, parseRedisUrl, RedisKeyValueStore, redisOptionsFromEnv } from "./redis_kv.ts";
export type { ParsedRedisUrl, RedisKeyValueStoreOptions } from "./redis_kv.ts";
export { keyNamespace, NamespacedKeyValueStore } from "./namespace.ts";
export { createKeyValueStore, resolveSessionProvider } from "./factory.ts";
