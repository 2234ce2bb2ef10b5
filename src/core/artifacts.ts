/**
 * The artifact store as a handler sees it: `ctx.artifacts` (when `artifacts.enabled`), scoped to
 * the caller exactly like the built-in artifact tools. The store itself is a plugin
 * (`src/artifacts/`); the core only knows this shape, so tool modules reach it without importing
 * the plugin.
 *
 * @module
 */

/** Where an artifact lives and who sees it. */
export type ArtifactScope = "session" | "user" | "sandbox";

/** The metadata record of one artifact (field names follow the reference runtime). */
export interface ArtifactMetadata {
  /** Random UUID. */
  artifact_id: string;
  /** Who sees it: `session`, `user` or `sandbox`. */
  scope: ArtifactScope;
  /** Session that wrote it (the owner for session scope). */
  session_id: string | null;
  /**
   * Owning user: the user of a user-scope artifact, the authenticated writer of a session-scope
   * one (null when anonymous); null for sandbox artifacts.
   */
  owner_id: string | null;
  /** Namespace (sandbox) it belongs to. */
  sandbox_id: string;
  /** Blob key (`<sandbox>/<id>`); never derived from the filename. */
  key: string;
  /** Display name; metadata only, never a path. */
  filename: string;
  /** MIME type. */
  mime: string;
  /** Short description. */
  summary: string;
  /** Caller-supplied metadata. */
  meta: Record<string, unknown>;
  /** Size in bytes. */
  bytes: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** ISO time of creation. */
  stored_at: string;
  /** ISO time of the last metadata change. */
  updated_at: string;
  /** Lifetime in seconds (0 = no expiry). */
  ttl: number;
  /** ISO expiry time, or null. */
  expires_at: string | null;
  /** Blob provider that holds the content. */
  storage_provider: string;
  /** Provider that holds this metadata. */
  session_provider: string;
}

/** What to store. */
export interface ArtifactInput {
  /** The content. */
  data: Uint8Array;
  /** Display name (metadata only, never a path). */
  filename: string;
  /** Default `application/octet-stream`. */
  mime?: string;
  /** Default empty. */
  summary?: string;
  /** Caller-supplied metadata. */
  meta?: Record<string, unknown>;
  /** Default `session`. */
  scope?: ArtifactScope;
  /** Seconds; absent or 0 = the scope's default. */
  ttl?: number;
}

/** Changes to an artifact's metadata (what `move_file` does: a rename). */
export interface ArtifactUpdate {
  /** New display name. */
  filename?: string;
  /** New description. */
  summary?: string;
  /** Merged into the existing `meta`. */
  meta?: Record<string, unknown>;
}

/** Filters of a user's artifact list. */
export interface UserListFilter {
  /** `text/` or `text/*` (both match `text/plain`); `*` or `*\/*` match everything. */
  mimePrefix?: string;
  /** Every key must equal (JSON-equal) the artifact's `meta` value. */
  metaFilter?: Record<string, unknown>;
}

/** What {@linkcode CallerArtifacts.write} takes: the content as bytes or text (stored as UTF-8). */
export interface ArtifactWrite extends Omit<ArtifactInput, "data"> {
  /** The content. */
  data: Uint8Array | string;
}

/**
 * The artifact store on behalf of one caller (its session and authenticated user, never
 * arguments): the same rules as the artifact tools. Session files need a session, user files an
 * authenticated user; sandbox files are read-only here. Errors are the store's typed errors
 * (`ArtifactNotFoundError` for anything the caller may not see, `ArtifactIdentityError`, ...).
 *
 * @example
 * ```ts
 * import { defineTool } from "@chuk/mcp-runtime";
 * export const report = defineTool({
 *   name: "save_report",
 *   inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
 *   handler: async ({ text }, ctx) => {
 *     if (!ctx.artifacts) return "artifacts are not enabled";
 *     const m = await ctx.artifacts.write({ data: String(text), filename: "report.md", mime: "text/markdown" });
 *     return `saved as ${m.artifact_id}`;
 *   },
 * });
 * ```
 */
export interface CallerArtifacts {
  /** Store a new artifact (scope `session` unless `scope: "user"`); resolves with its metadata. */
  write(input: ArtifactWrite): Promise<ArtifactMetadata>;
  /** Metadata and content of an artifact the caller may read. */
  read(id: string): Promise<{ metadata: ArtifactMetadata; data: Uint8Array }>;
  /** Metadata of an artifact the caller may read. */
  get(id: string): Promise<ArtifactMetadata>;
  /** Rename it or change its summary or `meta` (the caller's own artifacts). */
  update(id: string, change: ArtifactUpdate): Promise<ArtifactMetadata>;
  /** Copy it into a new artifact (into the caller's session for a sandbox artifact). */
  copy(id: string, change?: ArtifactUpdate): Promise<ArtifactMetadata>;
  /** Delete one of the caller's artifacts; `false` when it is missing or not the caller's. */
  delete(id: string): Promise<boolean>;
  /** Everything the caller may read: its session's, its user's and the sandbox's. */
  list(): Promise<ArtifactMetadata[]>;
  /** The caller's session artifacts. */
  listSession(): Promise<ArtifactMetadata[]>;
  /** The caller's user artifacts, filtered. */
  listUser(filter?: UserListFilter): Promise<ArtifactMetadata[]>;
}
