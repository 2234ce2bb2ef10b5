/**
 * The 16 artifact tools. Arguments, defaults and result texts follow the reference runtime
 * (seed-spec §8.2), with its defects fixed: every tool checks ownership, `move_file` renames,
 * `copy_file` copies, `mime_prefix: "text/*"` matches, identity comes only from the request
 * context (unknown arguments such as `session_id` are rejected), and a denied artifact reads
 * as not found.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import { z } from "zod";
import type { ArtifactToolName } from "../config/types.ts";
import type { RequestContext } from "../core/context.ts";
import { fromBase64, toBase64 } from "../tools/content.ts";
import { defineTool, type ToolDefinition } from "../tools/define.ts";
import { callerOf, type CallerSession, callerWriting } from "./caller.ts";
import { ArtifactError } from "./errors.ts";
import type { ArtifactMetadata, ArtifactScope, ArtifactStore } from "./store.ts";

/** Presign lifetimes by name (seconds). */
export const PRESIGN_EXPIRY: Readonly<Record<string, number>> = { short: 900, medium: 3600, long: 86400 };

/** Run `fn`; storage failures become `Failed to <verb>: ...`, store errors keep their text. */
async function attempt<T>(verb: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ArtifactError) throw e;
    throw new Error(`Failed to ${verb}: ${errorText(e)}`, { cause: e });
  }
}

function listing(m: ArtifactMetadata) {
  return {
    artifact_id: m.artifact_id,
    filename: m.filename,
    mime: m.mime,
    bytes: m.bytes,
    summary: m.summary,
    scope: m.scope,
    created: m.stored_at,
  };
}

const id = z.string().min(1).max(256).describe("Artifact id (as returned when the file was stored)");
const filename = z.string().min(1).max(1024).describe("File name (metadata only; never a path on disk)");
const ttl = z.number().int().min(0).nullable().optional().describe(
  "Lifetime in seconds; 0 or absent = the scope's default",
);
const meta = z.record(z.string(), z.unknown()).nullable().optional().describe("Extra metadata to store");
const scope = z.enum(["session", "user", "sandbox"]).default("session").describe(
  "session (ephemeral, this session only) or user (persistent, needs an authenticated user)",
);

/** Exact base64 length → byte count, so oversized uploads fail before decoding. */
function base64Bytes(b64: string): number {
  const s = b64.replace(/\s+/g, "");
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return Math.floor((s.length * 3) / 4) - pad;
}

interface WriteArgs {
  content: string;
  filename: string;
  mime: string;
  summary: string;
  scope: ArtifactScope;
  ttl?: number | null;
  meta?: Record<string, unknown> | null;
}

/** Options of {@linkcode artifactToolDefinitions}. */
export interface ArtifactToolOptions {
  /**
   * The caller's runtime session (created if needed), so session files expire with it; the
   * artifacts plugin passes the session manager's. Without it, `ctx.sessionId` is trusted.
   */
  sessionOf?: (ctx: RequestContext) => Promise<CallerSession>;
}

/**
 * Definitions of all 16 artifact tools over `store`.
 *
 * @example
 * ```ts
 * import { artifactToolDefinitions, ArtifactStore, MemoryBlobStore } from "@chuk/mcp-runtime/artifacts";
 * import { MemoryKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * import { createTestContext } from "@chuk/mcp-runtime";
 * const store = new ArtifactStore({ blobs: new MemoryBlobStore(), kv: new MemoryKeyValueStore() });
 * const tools = artifactToolDefinitions(store);
 * const ctx = createTestContext({ sessionId: "s1" });
 * console.log(await tools.write_file.handler({ content: "hi", filename: "a.txt" }, ctx));
 * ```
 */
export function artifactToolDefinitions(
  store: ArtifactStore,
  options: ArtifactToolOptions = {},
): Record<ArtifactToolName, ToolDefinition> {
  const writer = (ctx: RequestContext) => callerWriting(ctx, options.sessionOf);
  async function upload(args: WriteArgs, ctx: RequestContext): Promise<string> {
    return await attempt("upload file", async () => {
      await ctx.sendProgress(1, 4, "Decoding content");
      store.checkSize(base64Bytes(args.content));
      const data = fromBase64(args.content);
      await ctx.sendProgress(2, 4, `Preparing ${data.length} bytes`);
      await ctx.sendProgress(3, 4, `Uploading to ${store.storageName} storage`);
      const m = await store.write(await writer(ctx), {
        data,
        filename: args.filename,
        mime: args.mime,
        summary: args.summary,
        scope: args.scope,
        ttl: args.ttl ?? undefined,
        meta: { uploaded_via: "mcp", upload_time: new Date().toISOString(), scope: args.scope, ...args.meta },
      });
      await ctx.sendProgress(4, 4, "Upload complete");
      return `File uploaded to ${m.scope} storage. Artifact ID: ${m.artifact_id}`;
    });
  }

  async function write(args: WriteArgs, ctx: RequestContext): Promise<string> {
    return await attempt("write file", async () => {
      await ctx.sendProgress(1, 3, "Preparing content");
      const data = new TextEncoder().encode(args.content);
      store.checkSize(data.length);
      await ctx.sendProgress(2, 3, `Writing ${data.length} bytes`);
      const m = await store.write(await writer(ctx), {
        data,
        filename: args.filename,
        mime: args.mime,
        summary: args.summary,
        scope: args.scope,
        ttl: args.ttl ?? undefined,
        meta: {
          created_via: "mcp",
          creation_time: new Date().toISOString(),
          scope: args.scope,
          ...args.meta,
        },
      });
      await ctx.sendProgress(3, 3, "File created");
      return `File created in ${m.scope} storage. Artifact ID: ${m.artifact_id}`;
    });
  }

  const writeShape = (mime: string, summary: string) => ({
    content: z.string().describe("Text content"),
    filename,
    mime: z.string().min(1).max(255).default(mime).describe("MIME type"),
    summary: z.string().max(4096).default(summary).describe("Short description"),
    ttl,
    meta,
  });
  const uploadShape = (summary: string) => ({
    content: z.string().describe("Content, base64-encoded"),
    filename,
    mime: z.string().min(1).max(255).default("application/octet-stream").describe("MIME type"),
    summary: z.string().max(4096).default(summary).describe("Short description"),
    ttl,
    meta,
  });

  const tools: Record<ArtifactToolName, ToolDefinition> = {
    upload_file: defineTool({
      name: "upload_file",
      description: "Upload a binary file (base64 content) to session (default) or user storage.",
      inputSchema: z.strictObject({ ...uploadShape("File uploaded via MCP"), scope }),
      handler: (args, ctx) => upload(args, ctx),
    }),
    write_file: defineTool({
      name: "write_file",
      description: "Create a text file in session (default) or user storage.",
      inputSchema: z.strictObject({ ...writeShape("text/plain", "File created via MCP"), scope }),
      handler: (args, ctx) => write(args, ctx),
    }),
    read_file: defineTool({
      name: "read_file",
      description: "Read a file you may access: as text (default) or as base64 with its metadata.",
      inputSchema: z.strictObject({
        artifact_id: id,
        as_text: z.boolean().default(true).describe("Return UTF-8 text instead of base64 + metadata"),
      }),
      annotations: { readOnlyHint: true },
      handler: async ({ artifact_id, as_text }, ctx) => {
        const { metadata: m, data } = await attempt(
          "read file",
          () => store.read(callerOf(ctx), artifact_id),
        );
        if (as_text) return new TextDecoder().decode(data);
        return {
          content: toBase64(data),
          filename: m.filename,
          mime: m.mime,
          size: m.bytes,
          scope: m.scope,
          owner: m.scope === "session" ? m.session_id : m.owner_id ?? m.session_id,
          metadata: m,
        };
      },
    }),
    delete_file: defineTool({
      name: "delete_file",
      description: "Delete a file you own.",
      inputSchema: z.strictObject({ artifact_id: id }),
      annotations: { destructiveHint: true, idempotentHint: true },
      handler: async ({ artifact_id }, ctx) => {
        const done = await attempt("delete file", () => store.delete(callerOf(ctx), artifact_id));
        return done
          ? `File deleted successfully: ${artifact_id}`
          : `File not found or already deleted: ${artifact_id}`;
      },
    }),
    list_session_files: defineTool({
      name: "list_session_files",
      description: "List the files of the current session.",
      inputSchema: z.strictObject({
        include_metadata: z.boolean().default(false).describe("Return full metadata records"),
      }),
      annotations: { readOnlyHint: true },
      handler: async ({ include_metadata }, ctx) => {
        const files = await attempt("list session files", () => store.listSession(callerOf(ctx)));
        return include_metadata ? files : files.map(listing);
      },
    }),
    list_directory: defineTool({
      name: "list_directory",
      description: "List the current session's files whose filename starts with directory_path.",
      inputSchema: z.strictObject({
        directory_path: z.string().max(1024).describe("Filename prefix, e.g. 'reports/'"),
      }),
      annotations: { readOnlyHint: true },
      handler: async ({ directory_path }, ctx) => {
        const norm = (s: string) => s.replace(/^(\.\/|\/)+/, "");
        const prefix = norm(directory_path);
        const files = await attempt("list directory", () => store.listSession(callerOf(ctx)));
        return files.filter((m) => norm(m.filename).startsWith(prefix)).map((m) => {
          const { scope: _s, created: _c, ...rest } = listing(m);
          return rest;
        });
      },
    }),
    copy_file: defineTool({
      name: "copy_file",
      description:
        "Copy a file you may read into a new file (same scope; sandbox files copy into your session).",
      inputSchema: z.strictObject({
        artifact_id: id,
        new_filename: filename,
        new_summary: z.string().max(4096).nullable().optional().describe("Summary of the copy"),
        meta,
      }),
      handler: async ({ artifact_id, new_filename, new_summary, meta }, ctx) => {
        const m = await attempt("copy file", async () =>
          store.copy(await writer(ctx), artifact_id, {
            filename: new_filename,
            summary: new_summary ?? undefined,
            meta: {
              copied_via: "mcp",
              copy_time: new Date().toISOString(),
              original_artifact_id: artifact_id,
              ...meta,
            },
          }));
        return `File copied successfully. New artifact ID: ${m.artifact_id}`;
      },
    }),
    move_file: defineTool({
      name: "move_file",
      description: "Rename (move) a file you own; its id and content stay the same.",
      inputSchema: z.strictObject({
        artifact_id: id,
        new_filename: filename,
        new_summary: z.string().max(4096).nullable().optional().describe("New summary"),
        meta,
      }),
      annotations: { destructiveHint: false, idempotentHint: true },
      handler: async ({ artifact_id, new_filename, new_summary, meta }, ctx) => {
        await attempt("move file", () =>
          store.update(callerOf(ctx), artifact_id, {
            filename: new_filename,
            summary: new_summary ?? undefined,
            meta: { moved_via: "mcp", move_time: new Date().toISOString(), ...meta },
          }));
        return `File moved successfully: ${artifact_id} -> ${new_filename}`;
      },
    }),
    get_file_metadata: defineTool({
      name: "get_file_metadata",
      description: "Metadata of a file you may read.",
      inputSchema: z.strictObject({ artifact_id: id }),
      annotations: { readOnlyHint: true },
      handler: async ({ artifact_id }, ctx) => {
        return await attempt("get file metadata", () => store.get(callerOf(ctx), artifact_id));
      },
    }),
    get_presigned_url: defineTool({
      name: "get_presigned_url",
      description: "A temporary download URL for a file you may read (short 15 min, medium 1 h, long 24 h).",
      inputSchema: z.strictObject({
        artifact_id: id,
        expires_in: z.string().default("medium").describe("short | medium | long"),
      }),
      annotations: { readOnlyHint: true },
      handler: async ({ artifact_id, expires_in }, ctx) => {
        const seconds = PRESIGN_EXPIRY[expires_in] ?? PRESIGN_EXPIRY.medium;
        return await attempt(
          "generate presigned URL",
          () => store.presign(callerOf(ctx), artifact_id, seconds),
        );
      },
    }),
    get_storage_stats: defineTool({
      name: "get_storage_stats",
      description: "Storage providers, and file counts and sizes for your session and user.",
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true },
      handler: async (_args, ctx) => await attempt("get storage stats", () => store.stats(callerOf(ctx))),
    }),
    write_session_file: defineTool({
      name: "write_session_file",
      description: "Create a text file in ephemeral session storage.",
      inputSchema: z.strictObject(writeShape("text/plain", "Session file")),
      handler: (args, ctx) => write({ ...args, scope: "session" }, ctx),
    }),
    upload_session_file: defineTool({
      name: "upload_session_file",
      description: "Upload a binary file (base64) to ephemeral session storage.",
      inputSchema: z.strictObject(uploadShape("Session upload")),
      handler: (args, ctx) => upload({ ...args, scope: "session" }, ctx),
    }),
    write_user_file: defineTool({
      name: "write_user_file",
      description: "Create a text file in your persistent user storage (needs authentication).",
      inputSchema: z.strictObject(writeShape("text/plain", "User file")),
      handler: (args, ctx) => write({ ...args, scope: "user" }, ctx),
    }),
    upload_user_file: defineTool({
      name: "upload_user_file",
      description: "Upload a binary file (base64) to your persistent user storage (needs authentication).",
      inputSchema: z.strictObject(uploadShape("User upload")),
      handler: (args, ctx) => upload({ ...args, scope: "user" }, ctx),
    }),
    list_user_files: defineTool({
      name: "list_user_files",
      description: "List or search your persistent user files.",
      inputSchema: z.strictObject({
        mime_prefix: z.string().max(255).nullable().optional().describe("e.g. 'text/*' or 'image/'"),
        meta_filter: z.record(z.string(), z.unknown()).nullable().optional().describe(
          "Only files whose meta has these exact values",
        ),
        include_metadata: z.boolean().default(false).describe("Return full metadata records"),
      }),
      annotations: { readOnlyHint: true },
      handler: async ({ mime_prefix, meta_filter, include_metadata }, ctx) => {
        const files = await attempt("list user files", () =>
          store.listUser(callerOf(ctx), {
            mimePrefix: mime_prefix ?? undefined,
            metaFilter: meta_filter ?? undefined,
          }));
        return include_metadata ? files : files.map(listing);
      },
    }),
  };
  return tools;
}
