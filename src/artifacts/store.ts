/**
 * The artifact store: scoped files with metadata. Bytes go to a {@linkcode BlobStore}; metadata
 * and the indexes ("artifacts of session X", "of user Y") go to a {@linkcode KeyValueStore}, so
 * server instances sharing Redis and S3 see the same artifacts, and `sqlite` metadata survives
 * a restart.
 *
 * Scopes and who may do what:
 *
 * | scope | default TTL | read | modify / delete |
 * |---|---|---|---|
 * | `session` | 15 min | the session that wrote it (as the same user) | the same session |
 * | `user` | 1 year | its owner (authenticated user) | its owner |
 * | `sandbox` | none | everyone in the sandbox | only the embedding program (`admin`) |
 *
 * An artifact the caller may not read is reported exactly like a missing one.
 *
 * @module
 */

import type {
  ArtifactInput,
  ArtifactMetadata,
  ArtifactScope,
  ArtifactUpdate,
  UserListFilter,
} from "../core/artifacts.ts";
import type { KeyValueStore } from "../sessions/kv.ts";
import type { BlobStore } from "./blob.ts";
import {
  ArtifactError,
  ArtifactIdentityError,
  ArtifactNotFoundError,
  ArtifactPermissionError,
  ArtifactTooLargeError,
} from "./errors.ts";

export type { ArtifactInput, ArtifactMetadata, ArtifactScope, ArtifactUpdate, UserListFilter };

/** Who is asking. Comes from the request context, never from tool arguments. */
export interface ArtifactCaller {
  /** The caller's session. */
  sessionId?: string;
  /** The authenticated user. */
  userId?: string;
  /** The embedding program itself: may write and delete sandbox artifacts, reads everything. */
  admin?: boolean;
  /**
   * When the caller's session ends (ISO time): its session files expire no later, so they never
   * outlive their owner's access.
   */
  sessionExpiresAt?: string;
}

/** Options of {@linkcode ArtifactStore}. */
export interface ArtifactStoreOptions {
  /** Where contents go. */
  blobs: BlobStore;
  /** Where metadata goes (the session provider's store). */
  kv: KeyValueStore;
  /** Sandbox namespace of keys and blobs (default `default`). */
  namespace?: string;
  /** Largest artifact in bytes (default 100 MiB). */
  maxFileBytes?: number;
  /** Default TTLs in seconds (session 900, user 31 536 000). */
  ttl?: { session?: number; user?: number };
  /** The longest lifetime of any artifact in seconds (default 720 h); longer ones are cut to it. */
  maxTtl?: number;
  /** Name of the storage provider as configured (e.g. `ibm_cos`); default the blob provider's. */
  storageName?: string;
  /** Clock in ms (for tests). */
  now?: () => number;
  /** Called with the artifact after every change (write, delete, copy, update, expiry). */
  onChange?: (artifact: ArtifactMetadata) => void;
  /** Close `kv` in {@linkcode ArtifactStore.close} (default true; false when it is shared). */
  closeKv?: boolean;
  /**
   * The metadata dies with this process (a memory key-value store) while the blobs would not: the
   * blobs then live in a run directory of their own (`<namespace>/run-<id>/`), removed when the
   * store closes; a lease in it (`lease`, renewed by every sweep) tells other processes' sweeps it
   * is alive, and the run directory of a process that died without closing is removed by the next
   * sweep that finds its lease expired.
   */
  ephemeral?: boolean;
  /** How long a run directory's lease lasts without renewal (ms; default 10 min). */
  leaseMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long an unfinished write protects its blob from the sweeper (seconds). */
const PENDING_TTL = 3600;
/**
 * Metadata outlives the artifact by this much (seconds) in the key-value store, so the store
 * itself sees the expiry and removes the blob at once; past it the sweep still finds the blob.
 */
const EXPIRY_GRACE = 3600;
/** Expiry buckets are this wide (ms): the sweep reads only the buckets that have come due. */
const BUCKET_MS = 3600_000;
/** Buckets outlive their hour by this much (seconds), in case no sweeper runs for a while. */
const BUCKET_GRACE = 31 * 24 * 3600;

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * Does `mime` match a `mime_prefix` filter (`text/*`, `text/`, `text`, `*`)?
 *
 * @example
 * ```ts
 * import { mimeMatches } from "@chuk/mcp-runtime/artifacts";
 * mimeMatches("text/markdown", "text/*"); // true
 * mimeMatches("image/png", "text/*"); // false
 * ```
 */
export function mimeMatches(mime: string, prefix: string | undefined): boolean {
  if (!prefix) return true;
  const p = prefix.trim().toLowerCase();
  if (p === "*" || p === "*/*") return true;
  const m = mime.toLowerCase();
  if (p.endsWith("/*")) return m.startsWith(p.slice(0, -1));
  if (p.endsWith("*")) return m.startsWith(p.slice(0, -1));
  if (!p.includes("/")) return m.startsWith(p + "/");
  return m.startsWith(p);
}

/**
 * Scoped artifact storage.
 *
 * @example
 * ```ts
 * import { ArtifactStore, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const store = new ArtifactStore({ blobs: new MemoryBlobStore(), kv: new MemoryKeyValueStore() });
 * const alice = { sessionId: "s1", userId: "alice" };
 * const meta = await store.write(alice, {
 *   data: new TextEncoder().encode("# Notes"),
 *   filename: "notes.md",
 *   mime: "text/markdown",
 *   scope: "user",
 * });
 * const { data } = await store.read(alice, meta.artifact_id);
 * console.log(new TextDecoder().decode(data)); // # Notes
 * await store.close();
 * ```
 */
export class ArtifactStore {
  /** The blob provider. */
  readonly blobs: BlobStore;
  /** The metadata provider. */
  readonly kv: KeyValueStore;
  /** Sandbox namespace. */
  readonly namespace: string;
  /** Largest artifact in bytes. */
  readonly maxFileBytes: number;
  /** Default TTLs (seconds). */
  readonly ttl: { readonly session: number; readonly user: number };
  /** The longest lifetime of any artifact (seconds). */
  readonly maxTtl: number;
  /** Storage provider name as configured. */
  readonly storageName: string;
  readonly #now: () => number;
  readonly #onChange: ((artifact: ArtifactMetadata) => void) | undefined;
  readonly #prefix: string;
  readonly #closeKv: boolean;
  /** This process's run directory (ephemeral metadata only). */
  readonly #run: string | undefined;
  readonly #leaseMs: number;
  #leased: Promise<void> | undefined;
  /** Run directories seen without a lease, and when first (a writer may be just creating one). */
  readonly #unleased = new Map<string, number>();

  /** A store over `options.blobs` and `options.kv`. */
  constructor(options: ArtifactStoreOptions) {
    this.blobs = options.blobs;
    this.kv = options.kv;
    this.namespace = options.namespace ?? "default";
    this.maxFileBytes = options.maxFileBytes ?? 100 * 1024 * 1024;
    this.ttl = { session: options.ttl?.session ?? 900, user: options.ttl?.user ?? 365 * 24 * 3600 };
    this.maxTtl = options.maxTtl ?? 720 * 3600;
    this.storageName = options.storageName ?? options.blobs.provider;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
    this.#prefix = `artifact:${this.namespace}:`;
    this.#closeKv = options.closeKv ?? true;
    this.#leaseMs = options.leaseMs ?? 10 * 60_000;
    this.#run = options.ephemeral
      ? `run-${this.#now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`
      : undefined;
  }

  // ---- keys

  #metaKey(id: string): string {
    return `${this.#prefix}meta:${id}`;
  }
  #pendingKey(id: string): string {
    return `${this.#prefix}pending:${id}`;
  }
  /** Ids whose write began and has not finished (or crashed): the sweep checks them. */
  #inflightKey(): string {
    return `${this.#prefix}inflight`;
  }
  /** Ids expiring during hour `h` (ms epoch / BUCKET_MS). */
  #bucketKey(h: number): string {
    return `${this.#prefix}exp:${h}`;
  }
  #cursorKey(): string {
    return `${this.#prefix}exp-cursor`;
  }
  #bucketOf(m: ArtifactMetadata): number | undefined {
    return m.expires_at === null ? undefined : Math.floor(Date.parse(m.expires_at) / BUCKET_MS);
  }
  #indexKey(scope: ArtifactScope, owner: string | null): string {
    if (scope === "sandbox") return `${this.#prefix}sandbox`;
    return `${this.#prefix}${scope}:${encodeURIComponent(owner ?? "")}`;
  }
  #blobKey(id: string): string {
    return this.#run ? `${this.namespace}/${this.#run}/${id}` : `${this.namespace}/${id}`;
  }

  /** Write (or renew) this process's lease. */
  async #renewLease(): Promise<void> {
    const lease = JSON.stringify({ updated: this.#now(), ttl: this.#leaseMs });
    await this.blobs.put(`${this.namespace}/${this.#run}/lease`, new TextEncoder().encode(lease), {
      mime: "application/json",
    });
  }

  /**
   * Remove the run directories of processes that died without closing (their lease expired, or
   * there has been none for a lease's length). Resolves with the number of blobs removed.
   */
  async #sweepRuns(): Promise<number> {
    const blobs = this.blobs;
    if (!this.#run || !blobs.list || !blobs.deletePrefix) return 0;
    if (this.#leased) await this.#renewLease();
    const now = this.#now();
    let removed = 0;
    for (const name of await blobs.list(`${this.namespace}/`)) {
      if (!name.startsWith("run-") || name === this.#run) continue;
      let lease: { updated?: unknown; ttl?: unknown } | undefined;
      try {
        const raw = await blobs.get(`${this.namespace}/${name}/lease`);
        lease = raw ? JSON.parse(new TextDecoder().decode(raw)) : undefined;
      } catch {
        lease = undefined; // unreadable: judged like a missing one
      }
      if (lease && typeof lease.updated === "number" && typeof lease.ttl === "number") {
        this.#unleased.delete(name);
        if (now <= lease.updated + lease.ttl) continue;
      } else {
        const first = this.#unleased.get(name);
        if (first === undefined) this.#unleased.set(name, now);
        if (first === undefined || now - first <= this.#leaseMs) continue;
      }
      removed += await blobs.deletePrefix(`${this.namespace}/${name}/`);
      this.#unleased.delete(name);
    }
    return removed;
  }

  #changed(m: ArtifactMetadata): void {
    try {
      this.#onChange?.(m);
    } catch {
      // listeners must not break storage
    }
  }

  // ---- access rules

  #canRead(m: ArtifactMetadata, c: ArtifactCaller): boolean {
    if (m.sandbox_id !== this.namespace) return false;
    if (c.admin) return true;
    switch (m.scope) {
      case "session":
        // The user too: a session id can come to another user once its record has expired
        // (`create_session` with the same explicit id) while its files live on.
        return !!c.sessionId && m.session_id === c.sessionId && m.owner_id === (c.userId ?? null);
      case "user":
        return !!c.userId && m.owner_id === c.userId;
      case "sandbox":
        return true;
    }
  }

  #expired(m: ArtifactMetadata): boolean {
    return m.expires_at !== null && Date.parse(m.expires_at) <= this.#now();
  }

  /** Load metadata without access checks; expired artifacts are purged and read as missing. */
  async #load(id: string): Promise<ArtifactMetadata | undefined> {
    if (!UUID.test(id)) return undefined;
    const m = this.#parse(await this.kv.get(this.#metaKey(id)));
    if (!m) return undefined;
    if (this.#expired(m)) {
      await this.#purge(m);
      return undefined;
    }
    return m;
  }

  async #purge(m: ArtifactMetadata): Promise<void> {
    await this.kv.delete(this.#metaKey(m.artifact_id));
    await this.kv.removeFromSet(this.#indexKey(m.scope, this.#indexOwner(m)), m.artifact_id);
    try {
      await this.blobs.delete(m.key);
    } catch {
      // The artifact is gone either way; the next sweep retries the blob.
      await this.kv.addToSet(this.#inflightKey(), m.artifact_id);
    }
    const bucket = this.#bucketOf(m);
    if (bucket !== undefined) await this.kv.removeFromSet(this.#bucketKey(bucket), m.artifact_id);
    this.#changed(m);
  }

  #indexOwner(m: ArtifactMetadata): string | null {
    return m.scope === "session" ? m.session_id : m.scope === "user" ? m.owner_id : null;
  }

  /** Key-value TTL for `m`'s records: what is left of its life plus the grace period. */
  #kvTtl(m: ArtifactMetadata): number | undefined {
    if (m.expires_at === null) return undefined;
    return Math.max(1, Math.ceil((Date.parse(m.expires_at) - this.#now()) / 1000)) + EXPIRY_GRACE;
  }

  /**
   * The metadata of `id`, if the caller may read it.
   * @throws {ArtifactNotFoundError} when missing, expired or not the caller's.
   */
  async get(caller: ArtifactCaller, id: string): Promise<ArtifactMetadata> {
    const m = await this.#load(id);
    if (!m || !this.#canRead(m, caller)) throw new ArtifactNotFoundError(id);
    return m;
  }

  /**
   * Metadata and content of `id`.
   * @throws {ArtifactNotFoundError} when missing, expired or not the caller's.
   */
  async read(caller: ArtifactCaller, id: string): Promise<{ metadata: ArtifactMetadata; data: Uint8Array }> {
    const metadata = await this.get(caller, id);
    const data = await this.blobs.get(metadata.key);
    if (data === undefined) throw new ArtifactNotFoundError(id);
    return { metadata, data };
  }

  #scopeOwner(
    caller: ArtifactCaller,
    scope: ArtifactScope,
  ): { session: string | null; owner: string | null } {
    switch (scope) {
      case "session":
        if (!caller.sessionId) throw ArtifactIdentityError.noSession();
        return { session: caller.sessionId, owner: caller.userId ?? null };
      case "user":
        if (!caller.userId) throw ArtifactIdentityError.noUser();
        return { session: caller.sessionId ?? null, owner: caller.userId };
      case "sandbox":
        if (!caller.admin) {
          throw new ArtifactPermissionError("Cannot write to sandbox scope through tools (admin only)");
        }
        return { session: caller.sessionId ?? null, owner: null };
      default:
        throw new ArtifactError(
          `Invalid scope: ${JSON.stringify(scope)} (expected session, user or sandbox)`,
        );
    }
  }

  #defaultTtl(scope: ArtifactScope): number {
    return scope === "session" ? this.ttl.session : scope === "user" ? this.ttl.user : 0;
  }

  /**
   * Lifetime (seconds) and expiry of a new artifact: what was asked (else the scope's default),
   * at most `maxTtl`, and for session files no later than the caller's session.
   */
  #lifetime(scope: ArtifactScope, requested: number | undefined, caller: ArtifactCaller, now: number) {
    let ttl = requested && requested > 0 ? Math.ceil(requested) : this.#defaultTtl(scope);
    if (ttl === 0) return { ttl, expires_at: null };
    ttl = Math.min(ttl, this.maxTtl);
    let end = now + ttl * 1000;
    const sessionEnd = scope === "session" && caller.sessionExpiresAt !== undefined
      ? Date.parse(caller.sessionExpiresAt)
      : NaN;
    if (sessionEnd < end) {
      end = Math.max(now + 1000, sessionEnd);
      ttl = Math.ceil((end - now) / 1000);
    }
    return { ttl, expires_at: new Date(end).toISOString() };
  }

  /** Throw {@linkcode ArtifactTooLargeError} when `bytes` exceeds the limit. */
  checkSize(bytes: number): void {
    if (bytes > this.maxFileBytes) throw new ArtifactTooLargeError(bytes, this.maxFileBytes);
  }

  /**
   * Store a new artifact; resolves with its metadata.
   * @throws {ArtifactIdentityError} when the scope needs a session or user the caller lacks.
   * @throws {ArtifactTooLargeError} above `maxFileBytes`.
   */
  async write(caller: ArtifactCaller, input: ArtifactInput): Promise<ArtifactMetadata> {
    const scope = input.scope ?? "session";
    const { session, owner } = this.#scopeOwner(caller, scope);
    this.checkSize(input.data.length);
    const id = crypto.randomUUID();
    const now = this.#now();
    const lifetime = this.#lifetime(scope, input.ttl, caller, now);
    const iso = new Date(now).toISOString();
    const m: ArtifactMetadata = {
      artifact_id: id,
      scope,
      session_id: session,
      owner_id: owner,
      sandbox_id: this.namespace,
      key: this.#blobKey(id),
      filename: input.filename,
      mime: input.mime || "application/octet-stream",
      summary: input.summary ?? "",
      meta: input.meta ?? {},
      bytes: input.data.length,
      sha256: await sha256Hex(input.data),
      stored_at: iso,
      updated_at: iso,
      ...lifetime,
      storage_provider: this.storageName,
      session_provider: this.kv.provider,
    };
    await this.#commit(m, () => this.blobs.put(m.key, input.data, { mime: m.mime, filename: m.filename }));
    return m;
  }

  /** Write the blob with `putBlob`, then the metadata; the sweep cleans up after a crash. */
  async #commit(m: ArtifactMetadata, putBlob: () => Promise<unknown>): Promise<void> {
    const id = m.artifact_id;
    // The lease exists before the run directory's first blob does.
    if (this.#run) {
      await (this.#leased ??= this.#renewLease().catch((e) => {
        this.#leased = undefined;
        throw e;
      }));
    }
    // Order matters: "pending" before "inflight", so a sweep never takes a blob being written.
    await this.kv.set(this.#pendingKey(id), "1", PENDING_TTL);
    await this.kv.addToSet(this.#inflightKey(), id);
    try {
      await putBlob();
      await this.kv.set(this.#metaKey(id), JSON.stringify(m), this.#kvTtl(m));
      await this.kv.addToSet(this.#indexKey(m.scope, this.#indexOwner(m)), id, this.#kvTtl(m));
      const bucket = this.#bucketOf(m);
      if (bucket !== undefined) {
        const ttl = Math.ceil(((bucket + 1) * BUCKET_MS - this.#now()) / 1000) + BUCKET_GRACE;
        await this.kv.addToSet(this.#bucketKey(bucket), id, ttl);
      }
      await this.kv.removeFromSet(this.#inflightKey(), id);
    } catch (e) {
      await this.kv.delete(this.#metaKey(id)).catch(() => false);
      // If this fails too, the id stays "inflight" and the sweep removes the blob later.
      if (await this.blobs.delete(m.key).then(() => true, () => false)) {
        await this.kv.removeFromSet(this.#inflightKey(), id).catch(() => {});
      }
      throw e;
    } finally {
      await this.kv.delete(this.#pendingKey(id)).catch(() => false);
    }
    this.#changed(m);
  }

  /**
   * Delete `id`. Resolves `false` when it is missing or not the caller's.
   * @throws {ArtifactPermissionError} for sandbox artifacts unless the caller is admin.
   */
  async delete(caller: ArtifactCaller, id: string): Promise<boolean> {
    const m = await this.#load(id);
    if (!m || !this.#canRead(m, caller)) return false;
    if (m.scope === "sandbox" && !caller.admin) {
      throw new ArtifactPermissionError("Cannot delete sandbox artifacts through tools (admin only)");
    }
    await this.#purge(m);
    return true;
  }

  /**
   * Change filename, summary or meta of `id` (a move/rename: the id and content stay).
   * @throws {ArtifactNotFoundError} when missing or not the caller's.
   */
  async update(caller: ArtifactCaller, id: string, change: ArtifactUpdate): Promise<ArtifactMetadata> {
    const m = await this.get(caller, id);
    if (m.scope === "sandbox" && !caller.admin) {
      throw new ArtifactPermissionError("Cannot modify sandbox artifacts through tools (admin only)");
    }
    const next: ArtifactMetadata = {
      ...m,
      ...(change.filename !== undefined ? { filename: change.filename } : {}),
      ...(change.summary !== undefined ? { summary: change.summary } : {}),
      meta: change.meta ? { ...m.meta, ...change.meta } : m.meta,
      updated_at: new Date(this.#now()).toISOString(),
    };
    await this.kv.set(this.#metaKey(id), JSON.stringify(next), this.#kvTtl(m));
    this.#changed(next);
    return next;
  }

  /**
   * Copy `id` into a new artifact. Session and user artifacts copy into the same scope and
   * owner; sandbox artifacts copy into the caller's session. The copy gets the scope's default
   * TTL.
   * @throws {ArtifactNotFoundError} when missing or not the caller's.
   */
  async copy(caller: ArtifactCaller, id: string, change: ArtifactUpdate = {}): Promise<ArtifactMetadata> {
    const src = await this.get(caller, id);
    const scope: ArtifactScope = src.scope === "sandbox" ? "session" : src.scope;
    const { session, owner } = src.scope === "sandbox"
      ? this.#scopeOwner(caller, "session")
      : { session: src.session_id, owner: src.owner_id };
    const newId = crypto.randomUUID();
    const now = this.#now();
    const iso = new Date(now).toISOString();
    const m: ArtifactMetadata = {
      ...src,
      artifact_id: newId,
      scope,
      session_id: session,
      owner_id: owner,
      key: this.#blobKey(newId),
      filename: change.filename ?? `${src.filename}_copy`,
      summary: change.summary ?? `Copy of ${src.summary}`,
      meta: { ...src.meta, ...(change.meta ?? {}), copied_from: src.artifact_id, copy_timestamp: iso },
      stored_at: iso,
      updated_at: iso,
      ...this.#lifetime(scope, undefined, caller, now),
    };
    await this.#commit(m, async () => {
      if (!(await this.blobs.copy(src.key, m.key, { mime: m.mime, filename: m.filename }))) {
        throw new ArtifactNotFoundError(id);
      }
    });
    return m;
  }

  /**
   * A URL anyone can GET for `expiresInSeconds`.
   * @throws {ArtifactNotFoundError} when missing or not the caller's.
   * @throws {ArtifactError} when the storage provider cannot presign (only S3 can).
   */
  async presign(caller: ArtifactCaller, id: string, expiresInSeconds: number): Promise<string> {
    const m = await this.get(caller, id);
    if (!this.blobs.presign) {
      throw new ArtifactError(
        `Presigned URLs need the s3 storage provider; this server stores artifacts in '${this.storageName}'`,
      );
    }
    return await this.blobs.presign(m.key, expiresInSeconds, { mime: m.mime, filename: m.filename });
  }

  async #listIndex(key: string, caller: ArtifactCaller): Promise<ArtifactMetadata[]> {
    const out: ArtifactMetadata[] = [];
    for (const id of await this.kv.members(key)) {
      const m = await this.#load(id);
      if (!m) {
        await this.kv.removeFromSet(key, id);
        continue;
      }
      if (this.#canRead(m, caller)) out.push(m);
    }
    return out.sort((a, b) =>
      a.stored_at.localeCompare(b.stored_at) || a.artifact_id.localeCompare(b.artifact_id)
    );
  }

  /**
   * Session-scope artifacts of the caller's session.
   * @throws {ArtifactIdentityError} without a session.
   */
  async listSession(caller: ArtifactCaller): Promise<ArtifactMetadata[]> {
    if (!caller.sessionId) throw ArtifactIdentityError.noSession();
    return await this.#listIndex(this.#indexKey("session", caller.sessionId), caller);
  }

  /**
   * User-scope artifacts of the caller, filtered.
   * @throws {ArtifactIdentityError} without an authenticated user.
   */
  async listUser(caller: ArtifactCaller, filter: UserListFilter = {}): Promise<ArtifactMetadata[]> {
    if (!caller.userId) throw ArtifactIdentityError.noUser();
    const all = await this.#listIndex(this.#indexKey("user", caller.userId), caller);
    const want = filter.metaFilter ? Object.entries(filter.metaFilter) : [];
    return all.filter((m) =>
      mimeMatches(m.mime, filter.mimePrefix) &&
      want.every(([k, v]) => stableJson(m.meta?.[k]) === stableJson(v))
    );
  }

  /** Sandbox-scope artifacts (shared, read-only through tools). */
  async listSandbox(caller: ArtifactCaller = {}): Promise<ArtifactMetadata[]> {
    return await this.#listIndex(this.#indexKey("sandbox", null), caller);
  }

  /** Everything the caller may read: its session's, its user's, the sandbox's. */
  async listReadable(caller: ArtifactCaller): Promise<ArtifactMetadata[]> {
    const out: ArtifactMetadata[] = [];
    if (caller.sessionId) out.push(...await this.listSession(caller));
    if (caller.userId) out.push(...await this.listUser(caller));
    out.push(...await this.listSandbox(caller));
    return out;
  }

  /** Counts and sizes for the caller's session and user. */
  async stats(caller: ArtifactCaller): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {
      storage_provider: this.storageName,
      session_provider: this.kv.provider,
      bucket: this.blobs.bucket,
      sandbox_id: this.namespace,
      max_file_bytes: this.maxFileBytes,
      default_ttl_seconds: { session: this.ttl.session, user: this.ttl.user },
      max_ttl_seconds: this.maxTtl,
    };
    const sum = (list: ArtifactMetadata[]) => list.reduce((n, m) => n + m.bytes, 0);
    if (caller.sessionId) {
      const files = await this.listSession(caller);
      Object.assign(out, {
        session_id: caller.sessionId,
        session_file_count: files.length,
        session_total_bytes: sum(files),
      });
    }
    if (caller.userId) {
      const files = await this.listUser(caller);
      Object.assign(out, {
        user_id: caller.userId,
        user_file_count: files.length,
        user_total_bytes: sum(files),
      });
    }
    const shared = await this.listSandbox(caller);
    Object.assign(out, { sandbox_file_count: shared.length, sandbox_total_bytes: sum(shared) });
    return out;
  }

  /**
   * Remove expired artifacts, and blobs whose metadata is gone (expired from the key-value store
   * while no sweep ran, or never written because the writer crashed). Reads only the expiry
   * buckets that came due since the last sweep, so its cost follows the number of expiring
   * artifacts, not the number stored. Resolves with the number of artifacts removed.
   */
  async sweep(): Promise<number> {
    let removed = 0;
    // 1. Writes that began and never finished.
    for (const id of await this.kv.members(this.#inflightKey())) {
      try {
        if (await this.kv.get(this.#pendingKey(id)) !== undefined) continue; // still being written
        if (await this.kv.get(this.#metaKey(id)) === undefined) {
          await this.blobs.delete(this.#blobKey(id));
          removed++;
        }
        await this.kv.removeFromSet(this.#inflightKey(), id);
      } catch {
        // try again next sweep
      }
    }
    // 2. Expiry buckets from the cursor up to the current hour.
    const nowHour = Math.floor(this.#now() / BUCKET_MS);
    const raw = await this.kv.get(this.#cursorKey());
    const cursor = raw !== undefined && Number.isFinite(Number(raw)) ? Number(raw) : nowHour - 1;
    if (raw === undefined) await this.kv.set(this.#cursorKey(), String(cursor));
    for (let h = cursor + 1; h <= nowHour; h++) {
      let clean = true;
      for (const id of await this.kv.members(this.#bucketKey(h))) {
        try {
          const m = this.#parse(await this.kv.get(this.#metaKey(id)));
          if (m && !this.#expired(m)) continue; // later this hour
          if (m) await this.#purge(m);
          else {
            await this.blobs.delete(this.#blobKey(id));
            await this.kv.removeFromSet(this.#bucketKey(h), id);
          }
          removed++;
        } catch {
          clean = false;
        }
      }
      // A past hour is done once every id in it is handled; the current one is read again.
      if (h < nowHour && clean) await this.kv.set(this.#cursorKey(), String(h));
      else break;
    }
    await this.blobs.sweep?.();
    removed += await this.#sweepRuns();
    return removed;
  }

  #parse(raw: string | undefined): ArtifactMetadata | undefined {
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as ArtifactMetadata;
    } catch {
      return undefined;
    }
  }

  /**
   * Close the blob provider and (unless shared, see `closeKv`) the key-value store. With
   * ephemeral metadata, the run directory goes first: nothing could reach its blobs any more.
   */
  async close(): Promise<void> {
    if (this.#run && this.#leased) {
      await this.blobs.deletePrefix?.(`${this.namespace}/${this.#run}/`).catch(() => 0);
    }
    await this.blobs.close();
    if (this.#closeKv) await this.kv.close();
  }
}
