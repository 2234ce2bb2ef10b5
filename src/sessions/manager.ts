/**
 * Runtime sessions: which session a call belongs to, and the session records in the session
 * provider (memory, Redis, ...).
 *
 * A session belongs to one client connection — the stdio process, one SSE connection, one
 * streamable-HTTP `Mcp-Session-Id` — or, in stateless HTTP, to the authenticated user, so one
 * user's calls share state. Anonymous stateless calls get a session per request. Two clients
 * never share a session unless they are the same authenticated user and chose to (stateless
 * HTTP, or `set_session` to a session of their own). There is no process-wide "last session".
 *
 * Records are created lazily (the first time a call needs one), expire after
 * `sessions.default_ttl_hours`, and are extended on use once less than
 * `sessions.auto_extend_threshold` of that lifetime remains.
 *
 * Keys (inside the `{ENVIRONMENT}:{DEPLOYMENT_ID}:` namespace):
 * - `session:<id>` — the record (JSON), expiring with the session;
 * - `user:<user>:sessions` — set of the user's session ids;
 * - `user:<user>:current` — the user's current session in stateless HTTP;
 * - `claim:<id>` — who created the session (`{"user": <id or null>}`). It outlives the record by
 *   {@linkcode CLAIM_GRACE_SECONDS}, so an expired or deleted session's id cannot be created again
 *   by anyone else while files stored under it may still exist (session files expire with their
 *   session). An anonymous creator's id comes back only to the connection that held it.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import { type EnvSource, processEnv } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import { getLogger } from "../log/logger.ts";
import { SessionError, SessionNotFoundError } from "./errors.ts";
import { createKeyValueStore } from "./factory.ts";
import type { KeyValueStore } from "./kv.ts";
import { keyNamespace, NamespacedKeyValueStore } from "./namespace.ts";

const log = getLogger("sessions");

/** One session as stored. Timestamps are ISO-8601 UTC. */
export interface SessionRecord {
  /** Session id (`sess-<unix seconds>-<24 hex>` unless chosen by `create_session`). */
  id: string;
  /** The sandbox (deployment unit) that created it. */
  sandboxId: string;
  /** Owner: the authenticated user, or null for an anonymous client. */
  userId: string | null;
  /** When it was created. */
  createdAt: string;
  /** When a call last used it (refreshed at most once a minute). */
  lastAccessedAt: string;
  /** When it expires unless used (and so extended) before. */
  expiresAt: string;
  /** Free-form data (`create_session`'s metadata, artifact bookkeeping, ...). */
  metadata: Record<string, unknown>;
}

/** Options of {@linkcode SessionManager}. */
export interface SessionManagerOptions {
  /** Where records live; keys given to it are already namespaced (see `NamespacedKeyValueStore`). */
  store: KeyValueStore;
  /** The sandbox id recorded in new sessions. */
  sandboxId: string;
  /** Session lifetime in hours (default 24). */
  defaultTtlHours?: number;
  /** Extend a used session when less than this fraction of its lifetime remains (default 0.1). */
  autoExtendThreshold?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
}

/** What a connection tells {@linkcode SessionManager.bind}. */
export interface BindOptions {
  /** The authenticated user, or null. */
  userId: string | null;
  /**
   * The session follows the user rather than the connection (stateless HTTP with an authenticated
   * user): every request of the user finds the same session.
   */
  followUser?: boolean;
}

/**
 * What the session manager reads of a call: its session id and its caller. A handler's
 * `SessionCaller` is one.
 */
export interface SessionCaller {
  /** The call's session id, as its context reports it. */
  readonly sessionId: string | undefined;
  /** The authenticated caller, if any. */
  readonly user: { readonly id: string } | undefined;
}

/** Explicit session ids (`create_session`) must look like this. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const BINDING = Symbol.for("@chuk/mcp-runtime/session-binding");
/** A record's `lastAccessedAt` is rewritten at most this often (ms), to keep stores quiet. */
const TOUCH_INTERVAL_MS = 60_000;
/**
 * How long (seconds) a session id stays bound to its creator after the record expires: longer
 * than anything stored under the id may live (session files expire with their session; their
 * metadata lingers an hour), with room for clocks that disagree between instances.
 */
export const CLAIM_GRACE_SECONDS = 24 * 3600;

/**
 * Which runtime session one client connection (or one stateless request) uses. Created by
 * {@linkcode SessionManager.bind}; the session tools switch it.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore, SessionManager } from "@chuk/mcp-runtime/sessions";
 * const manager = new SessionManager({ store: new MemoryKeyValueStore(), sandboxId: "demo" });
 * const binding = manager.bind({ userId: "alice" });
 * await binding.ready();
 * console.log(binding.sessionId); // sess-<unix seconds>-<24 hex>
 * ```
 */
export class SessionBinding {
  /** Owner of the sessions this binding may use (null = anonymous). */
  readonly userId: string | null;
  /** True when the session follows the user (stateless HTTP). */
  readonly followsUser: boolean;
  /** Session ids this connection has held (an anonymous client may only return to these). */
  readonly held: Set<string> = new Set();
  #sessionId: string | undefined;
  #error: unknown;
  #ready: Promise<void> | undefined;
  readonly #resolve: ((b: SessionBinding) => Promise<void>) | undefined;

  /**
   * A binding for one connection (made by {@linkcode SessionManager.bind}).
   *
   * @param userId the connection's user (null = anonymous)
   * @param sessionId the session to start with (connections)
   * @param resolve looks the session up on `ready()` (stateless HTTP: the user's current session)
   */
  constructor(
    userId: string | null,
    sessionId: string | undefined,
    resolve?: (b: SessionBinding) => Promise<void>,
  ) {
    this.userId = userId;
    this.followsUser = resolve !== undefined;
    this.#resolve = resolve;
    if (sessionId !== undefined) this.use(sessionId);
  }

  /** The current session id (undefined only while unresolved, or when the store was unreachable). */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** Why the session could not be resolved (the store was unreachable), if it could not. */
  get error(): unknown {
    return this.#error;
  }

  /** Switch to `id` (ownership is checked by the manager). */
  use(id: string): void {
    this.#sessionId = id;
    this.held.add(id);
  }

  /** Resolve the session id (stateless: look up the user's current session). Never rejects. */
  ready(): Promise<void> {
    if (!this.#resolve) return Promise.resolve();
    return this.#ready ??= this.#resolve(this).catch((e) => {
      this.#error = e;
    });
  }
}

/**
 * The binding of the call `ctx` describes, when the context was built by a runtime connection.
 *
 * @example
 * ```ts
 * import { bindingOf } from "@chuk/mcp-runtime/sessions";
 * import { createTestContext } from "@chuk/mcp-runtime";
 * console.log(bindingOf(createTestContext())); // undefined: not built by a connection
 * ```
 */
export function bindingOf(ctx: SessionCaller): SessionBinding | undefined {
  return (ctx as unknown as Record<symbol, SessionBinding | undefined>)[BINDING];
}

/**
 * Attach `binding` to a context (connections do this for every call; handlers' copies of the
 * context keep it).
 *
 * @example
 * ```ts
 * import { attachBinding, bindingOf, SessionManager, MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * import { createTestContext } from "@chuk/mcp-runtime";
 * const manager = new SessionManager({ store: new MemoryKeyValueStore(), sandboxId: "demo" });
 * const binding = manager.bind({ userId: null });
 * const ctx = attachBinding(createTestContext(), binding);
 * console.log(bindingOf(ctx) === binding); // true
 * ```
 */
export function attachBinding<T extends SessionCaller>(ctx: T, binding: SessionBinding): T {
  (ctx as unknown as Record<symbol, SessionBinding>)[BINDING] = binding;
  return ctx;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `bytes` random bytes as hex (a table lookup per byte: ids are made for every connection). */
function hex(bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of random) out += HEX[b];
  return out;
}

function userKey(userId: string): string {
  return encodeURIComponent(userId);
}

/**
 * Runtime sessions over a {@linkcode KeyValueStore}. The runtime has one, as
 * `runtime.sessionManager`; its `store` (already namespaced) is where other features (artifact
 * metadata) keep their keys too.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore, SessionManager } from "@chuk/mcp-runtime/sessions";
 * const sessions = new SessionManager({ store: new MemoryKeyValueStore(), sandboxId: "demo" });
 * const s = await sessions.create({ userId: "alice", metadata: { project: "x" } });
 * console.log((await sessions.get(s.id))?.userId); // "alice"
 * await sessions.close();
 * ```
 */
export class SessionManager {
  /** The namespaced store sessions (and artifact metadata) live in. */
  readonly store: KeyValueStore;
  /** The sandbox id recorded in new sessions. */
  readonly sandboxId: string;
  /** Session lifetime in seconds. */
  readonly ttlSeconds: number;
  /** Fraction of the lifetime below which a used session is extended. */
  readonly autoExtendThreshold: number;
  readonly #now: () => number;

  /** A manager over `options.store` (see {@linkcode SessionManager.fromConfig} for the usual one). */
  constructor(options: SessionManagerOptions) {
    this.store = options.store;
    this.sandboxId = options.sandboxId;
    this.ttlSeconds = (options.defaultTtlHours ?? 24) * 3600;
    this.autoExtendThreshold = options.autoExtendThreshold ?? 0.1;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The manager a configuration asks for: provider from `SESSION_PROVIDER` /
   * `ARTIFACT_SESSION_PROVIDER` / `artifacts.session_provider`, keys under
   * `{ENVIRONMENT}:{DEPLOYMENT_ID}:`, TTL and extension from `sessions:`.
   *
   * @example
   * ```ts
   * import { validateConfig } from "@chuk/mcp-runtime";
   * import { envFromObject } from "@chuk/mcp-runtime/config";
   * import { SessionManager } from "@chuk/mcp-runtime/sessions";
   * const m = SessionManager.fromConfig(validateConfig({}, "inline"), envFromObject({}), "demo");
   * console.log(m.provider, m.namespace); // memory dev:default:
   * await m.close();
   * ```
   */
  static fromConfig(
    config: RuntimeConfig,
    env: EnvSource = processEnv,
    sandboxId = "default",
    baseDir: string = Deno.cwd(),
  ): SessionManager {
    const store = new NamespacedKeyValueStore(createKeyValueStore(config, env, baseDir), keyNamespace(env));
    return new SessionManager({
      store,
      sandboxId,
      defaultTtlHours: config.sessions.default_ttl_hours,
      autoExtendThreshold: config.sessions.auto_extend_threshold,
    });
  }

  /** Provider name (`memory`, `redis`, ...). */
  get provider(): string {
    return this.store.provider;
  }

  /** The key prefix (`dev:default:`), or `""` when the store is not namespaced. */
  get namespace(): string {
    return this.store instanceof NamespacedKeyValueStore ? this.store.prefix : "";
  }

  #raw(): KeyValueStore {
    return this.store instanceof NamespacedKeyValueStore ? this.store.inner : this.store;
  }

  /** Check the store answers; an unreachable one is logged, not fatal (calls fail until it is back). */
  async start(): Promise<void> {
    const raw = this.#raw() as KeyValueStore & { ping?: () => Promise<void> };
    if (!raw.ping) return;
    try {
      await raw.ping();
      log.debug(`session store ${this.provider} ready (keys under ${this.namespace || "(no prefix)"})`);
    } catch (e) {
      log.warn(`session store ${this.provider} is not reachable yet: ${errorText(e)}`);
    }
  }

  /** A small status document for `/health`. */
  health(): Record<string, unknown> {
    const status = (this.#raw() as { status?: string }).status ?? "ready";
    return { provider: this.provider, status };
  }

  /** Release the store's connections. */
  async close(): Promise<void> {
    await this.store.close();
  }

  /** A fresh session id. */
  newId(): string {
    return `sess-${Math.floor(this.#now() / 1000)}-${hex(12)}`;
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  #remaining(record: SessionRecord): number {
    return (Date.parse(record.expiresAt) - this.#now()) / 1000;
  }

  async #write(record: SessionRecord): Promise<void> {
    const ttl = this.#remaining(record);
    await this.store.set(`session:${record.id}`, JSON.stringify(record), ttl);
    await this.store.set(
      `claim:${record.id}`,
      JSON.stringify({ user: record.userId }),
      ttl + CLAIM_GRACE_SECONDS,
    );
    if (record.userId !== null) {
      await this.store.addToSet(`user:${userKey(record.userId)}:sessions`, record.id, ttl);
    }
  }

  /** The session `id`, or undefined when it does not exist or has expired. */
  async get(id: string): Promise<SessionRecord | undefined> {
    const text = await this.store.get(`session:${id}`);
    if (text === undefined) return undefined;
    let record: SessionRecord;
    try {
      record = JSON.parse(text);
    } catch {
      return undefined;
    }
    return this.#remaining(record) > 0 ? record : undefined;
  }

  /**
   * Whether `userId` (with `binding`, the connection asking) may create a session under `id`:
   * nobody has claimed it, or its creator was this user, or this anonymous connection.
   */
  async #claimable(id: string, userId: string | null, binding?: SessionBinding): Promise<boolean> {
    const raw = await this.store.get(`claim:${id}`);
    if (raw === undefined) return true;
    let owner: string | null;
    try {
      owner = (JSON.parse(raw) as { user: string | null }).user;
    } catch {
      return false;
    }
    return owner === userId && (userId !== null || binding?.held.has(id) === true);
  }

  /**
   * Create a session. With an explicit `id`, an existing session of that id is an error, and so
   * is an id another user (or another anonymous connection) created before, for as long as files
   * stored under it may live.
   *
   * @throws {SessionError} the id is malformed or taken.
   */
  async create(
    options: { id?: string; userId?: string | null; metadata?: Record<string, unknown>; ttlHours?: number } =
      {},
  ): Promise<SessionRecord> {
    return await this.#createChecked(options);
  }

  async #createChecked(
    options: { id?: string; userId?: string | null; metadata?: Record<string, unknown>; ttlHours?: number },
    binding?: SessionBinding,
  ): Promise<SessionRecord> {
    const id = options.id ?? this.newId();
    if (options.id !== undefined) {
      if (!SESSION_ID.test(id)) {
        throw new SessionError(
          `Invalid session id ${
            JSON.stringify(id)
          }: use 1-128 of A-Z a-z 0-9 _ . : - (starting with a letter or digit)`,
        );
      }
      if (await this.get(id) || !(await this.#claimable(id, options.userId ?? null, binding))) {
        throw new SessionError(`Session already exists: ${id}`);
      }
    }
    return await this.#create(id, options.userId ?? null, options.metadata ?? {}, options.ttlHours);
  }

  async #create(
    id: string,
    userId: string | null,
    metadata: Record<string, unknown>,
    ttlHours?: number,
  ): Promise<SessionRecord> {
    const now = this.#now();
    const ttl = ttlHours !== undefined ? ttlHours * 3600 : this.ttlSeconds;
    const record: SessionRecord = {
      id,
      sandboxId: this.sandboxId,
      userId,
      createdAt: this.#iso(now),
      lastAccessedAt: this.#iso(now),
      expiresAt: this.#iso(now + ttl * 1000),
      metadata,
    };
    await this.#write(record);
    return record;
  }

  /** Merge `patch` into the session's metadata. */
  async updateMetadata(id: string, patch: Record<string, unknown>): Promise<SessionRecord> {
    const record = await this.get(id);
    if (!record) throw new SessionNotFoundError(id);
    record.metadata = { ...record.metadata, ...patch };
    await this.#write(record);
    return record;
  }

  /** Push the expiry out to `hours` (default the configured lifetime) from now. */
  async extend(id: string, hours?: number): Promise<SessionRecord> {
    const record = await this.get(id);
    if (!record) throw new SessionNotFoundError(id);
    record.expiresAt = this.#iso(this.#now() + (hours !== undefined ? hours * 3600 : this.ttlSeconds) * 1000);
    await this.#write(record);
    return record;
  }

  /** Delete a session record. Resolves whether it existed. */
  async delete(id: string): Promise<boolean> {
    const record = await this.get(id);
    const existed = await this.store.delete(`session:${id}`);
    if (record?.userId) await this.store.removeFromSet(`user:${userKey(record.userId)}:sessions`, id);
    return existed;
  }

  /** The live sessions of `userId`, oldest first. */
  async listForUser(userId: string): Promise<SessionRecord[]> {
    const key = `user:${userKey(userId)}:sessions`;
    const out: SessionRecord[] = [];
    for (const id of await this.store.members(key)) {
      const record = await this.get(id);
      if (record && record.userId === userId) out.push(record);
      else await this.store.removeFromSet(key, id);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Record a use: refresh `lastAccessedAt` now and then; extend when little lifetime is left. */
  async #touch(record: SessionRecord, binding?: SessionBinding): Promise<SessionRecord> {
    const now = this.#now();
    const left = this.#remaining(record);
    if (left < this.autoExtendThreshold * this.ttlSeconds) {
      record.expiresAt = this.#iso(now + this.ttlSeconds * 1000);
      record.lastAccessedAt = this.#iso(now);
      await this.#write(record);
      if (binding?.followsUser && binding.userId !== null) {
        await this.store.expire(`user:${userKey(binding.userId)}:current`, this.ttlSeconds);
      }
    } else if (now - Date.parse(record.lastAccessedAt) > TOUCH_INTERVAL_MS) {
      record.lastAccessedAt = this.#iso(now);
      await this.#write(record);
    }
    return record;
  }

  // ---- Connections -------------------------------------------------------------------------

  /**
   * Bind a new client connection (or stateless request) to a session. Connections get a fresh
   * session id at once (its record is created when first needed); `followUser` bindings look up
   * the user's current session on `ready()`.
   */
  bind(options: BindOptions): SessionBinding {
    const userId = options.userId;
    if (options.followUser && userId !== null) {
      return new SessionBinding(userId, undefined, (b) => this.#resolveUser(b, userId));
    }
    return new SessionBinding(userId, this.newId());
  }

  async #resolveUser(binding: SessionBinding, userId: string): Promise<void> {
    const key = `user:${userKey(userId)}:current`;
    const id = await this.store.get(key);
    if (id !== undefined) {
      binding.use(id);
      return;
    }
    const fresh = this.newId();
    await this.store.set(key, fresh, this.ttlSeconds);
    binding.use(fresh);
  }

  async #setCurrent(binding: SessionBinding, id: string): Promise<void> {
    if (binding.followsUser && binding.userId !== null) {
      await this.store.set(`user:${userKey(binding.userId)}:current`, id, this.ttlSeconds);
    }
    binding.use(id);
  }

  /** Whether `binding`'s client may use `record`: same user; an anonymous one only its own sessions. */
  owns(binding: SessionBinding, record: SessionRecord): boolean {
    return record.userId === binding.userId && (binding.userId !== null || binding.held.has(record.id));
  }

  async #binding(ctx: SessionCaller): Promise<SessionBinding> {
    const binding = bindingOf(ctx);
    if (!binding) throw new SessionError("No session context available");
    await binding.ready();
    if (binding.error !== undefined) {
      throw binding.error instanceof SessionError
        ? binding.error
        : new SessionError(`Cannot resolve the session: ${binding.error}`);
    }
    return binding;
  }

  /**
   * The session of the call `ctx` describes, created if it does not exist yet, and marked as
   * used. This is what a tool that needs session state calls.
   *
   * @throws {SessionError} no session context, or the store is unreachable (`StoreUnavailableError`).
   */
  async current(ctx: SessionCaller): Promise<SessionRecord> {
    const binding = bindingOf(ctx);
    if (!binding) {
      // A context not built by a connection (unit tests, embedding): trust its sessionId.
      if (!ctx.sessionId) throw new SessionError("No session context available");
      const record = await this.get(ctx.sessionId);
      if (record && record.userId === (ctx.user?.id ?? null)) return await this.#touch(record);
      if (record) throw new SessionNotFoundError(ctx.sessionId);
      return await this.#create(ctx.sessionId, ctx.user?.id ?? null, {});
    }
    const b = await this.#binding(ctx);
    let id = b.sessionId ?? this.newId();
    const record = await this.get(id);
    if (record && this.owns(b, record)) return await this.#touch(record, b);
    // Gone (expired, deleted, store restarted): recreate it under the same id — unless someone
    // else holds or created that id, then never touch theirs and start a fresh one.
    if (record || !(await this.#claimable(id, b.userId, b))) id = this.newId();
    const created = await this.#create(id, b.userId, {});
    await this.#setCurrent(b, id);
    return created;
  }

  /** Switch the caller to one of its own sessions (`set_session`). */
  async switchTo(ctx: SessionCaller, id: string): Promise<SessionRecord> {
    const b = await this.#binding(ctx);
    const record = await this.get(id);
    if (!record || !this.owns(b, record)) throw new SessionNotFoundError(id);
    await this.#setCurrent(b, id);
    return await this.#touch(record, b);
  }

  /** Create a session owned by the caller and make it current (`create_session`). */
  async createFor(
    ctx: SessionCaller,
    options: { id?: string; metadata?: Record<string, unknown> } = {},
  ): Promise<SessionRecord> {
    const b = await this.#binding(ctx);
    const record = await this.#createChecked(
      { id: options.id, userId: b.userId, metadata: options.metadata },
      b,
    );
    await this.#setCurrent(b, record.id);
    return record;
  }

  /** Start over with a fresh session (`clear_session`); resolves the previous id. */
  async clear(ctx: SessionCaller): Promise<string | undefined> {
    const b = await this.#binding(ctx);
    const previous = b.sessionId;
    await this.#setCurrent(b, this.newId());
    return previous;
  }

  /** The caller's session `id`, or undefined when it does not exist or is not the caller's. */
  async infoFor(ctx: SessionCaller, id: string): Promise<SessionRecord | undefined> {
    const b = await this.#binding(ctx);
    const record = await this.get(id);
    return record && this.owns(b, record) ? record : undefined;
  }

  /** The caller's sessions: the user's, or (anonymous) those this connection held. */
  async listFor(ctx: SessionCaller): Promise<SessionRecord[]> {
    const b = await this.#binding(ctx);
    if (b.userId !== null) return await this.listForUser(b.userId);
    const out: SessionRecord[] = [];
    for (const id of b.held) {
      const record = await this.get(id);
      if (record && this.owns(b, record)) out.push(record);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
