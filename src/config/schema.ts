/**
 * The configuration schema: the single source of truth for what a config file may say, its
 * TypeScript types and its defaults. Sections reject unknown keys so typos fail loudly.
 *
 * Key names follow the reference runtime (`streamable-http`, `mcp_servers`, `session_tools`, ...)
 * so existing YAML files load unchanged.
 *
 * @module
 */

import { z } from "zod";
import { LOG_LEVELS, parseLogLevel } from "../log/logger.ts";
import type { RuntimeConfig } from "./types.ts";

/** Mebibyte, for byte-size defaults. */
const MiB = 1024 * 1024;

const logLevel = z.preprocess(
  (v) => (typeof v === "string" ? parseLogLevel(v) ?? v : v),
  z.enum(LOG_LEVELS),
);

const port = z.number().int().min(0).max(65535);
const httpPath = z.string().startsWith("/", { message: "must start with '/'" });
const byteSize = z.number().int().positive();

/** `host:` section. */
const hostSchema = z.strictObject({
  name: z.string().min(1).default("generic-mcp-server"),
  log_level: logLevel.optional(),
});

/** `server:` section. */
const serverSchema = z.strictObject({
  type: z.enum(["stdio", "sse", "streamable-http"]).default("stdio"),
  // `null` and `none` both mean no authentication. The reference also accepted `api_key` and then
  // checked nothing; that silently leaves a server open, so it is rejected here.
  auth: z.enum(["none", "bearer"]).nullable().default(null).transform((v) => v ?? "none"),
});

/** Settings both HTTP transports share: request hygiene and limits. */
const httpCommon = {
  health_path: httpPath.nullable().default("/health").transform((v) => v ?? "/health"),
  log_level: logLevel.nullable().optional(),
  access_log: z.boolean().default(false),
  /** Largest request body accepted; larger ones get 413 without being read whole. */
  max_body_bytes: byteSize.default(8 * MiB),
  /** Seconds a request body may take to arrive; a slower one gets 408. */
  body_timeout: z.number().positive().default(30),
  /** Extra `Host` header values accepted on a loopback bind (DNS-rebinding protection). */
  allowed_hosts: z.array(z.string()).default([]),
  /** Extra `Origin` header values accepted on a loopback bind. */
  allowed_origins: z.array(z.string()).default([]),
};

/** `sse:` section (the older HTTP+SSE transport). */
const sseSchema = z.strictObject({
  // The reference listened on 0.0.0.0; loopback is the safe default, widen it on purpose.
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(8000),
  sse_path: httpPath.default("/sse"),
  message_path: httpPath.default("/messages/"),
  ...httpCommon,
});

/** `streamable-http:` section. */
const streamableHttpSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(3000),
  mcp_path: httpPath.default("/mcp"),
  json_response: z.boolean().default(true),
  stateless: z.boolean().default(true),
  /** Stateful sessions idle longer than this are closed (seconds). */
  session_idle_timeout: z.number().positive().default(1800),
  ...httpCommon,
});

/** `logging:` section. */
const loggingSchema = z.strictObject({
  level: logLevel.optional(),
  format: z.string().optional(),
  reset_handlers: z.boolean().default(true),
  quiet_libraries: z.boolean().default(true),
  loggers: z.record(z.string(), logLevel).default({}),
});

/** `metrics:` section (Prometheus). */
const metricsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  path: httpPath.default("/metrics"),
  /** Address of the metrics listener of its own (stdio servers, or any transport with `port`). */
  host: z.string().min(1).default("127.0.0.1"),
  /** Port of that listener; null: HTTP transports answer on their own listener, stdio uses 9464. */
  port: port.nullable().default(null),
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  bearer_token: z.string().min(1).nullable().default(null),
});

/** `tools:` section. */
const toolsSchema = z.strictObject({
  /** Accepted for compatibility with reference configs; a Python registry means nothing here. */
  registry_module: z.string().optional(),
  registry_attr: z.string().optional(),
  /** Global tool timeout in seconds; `0` disables the timeout. */
  timeout: z.number().min(0).nullable().optional(),
  /** Extra tool/resource/prompt modules (file paths relative to the config file). */
  modules_to_import: z.array(z.string().min(1)).default([]),
});

/** `sessions:` section. */
const sessionsSchema = z.strictObject({
  sandbox_id: z.string().min(1).nullable().default(null),
  default_ttl_hours: z.number().positive().default(24),
  auto_extend_threshold: z.number().min(0).max(1).default(0.1),
});

/** Names of the built-in session tools. */
export const SESSION_TOOL_NAMES = [
  "get_current_session",
  "set_session",
  "clear_session",
  "list_sessions",
  "get_session_info",
  "create_session",
] as const;

/** Names of the built-in artifact tools. */
export const ARTIFACT_TOOL_NAMES = [
  "upload_file",
  "write_file",
  "read_file",
  "delete_file",
  "list_session_files",
  "list_directory",
  "copy_file",
  "move_file",
  "get_file_metadata",
  "get_presigned_url",
  "get_storage_stats",
  "write_session_file",
  "upload_session_file",
  "write_user_file",
  "upload_user_file",
  "list_user_files",
] as const;

const builtinToolSwitch = z.strictObject({
  enabled: z.boolean().default(false),
  description: z.string().optional(),
});

/** A `tools:` map whose keys must be among `names`; unknown names are config errors. */
function toolSwitches<const N extends readonly string[]>(names: N) {
  const shape = Object.fromEntries(names.map((n) => [n, builtinToolSwitch.optional()])) as {
    [K in N[number]]: z.ZodOptional<typeof builtinToolSwitch>;
  };
  return z.strictObject(shape).default({} as never);
}

/** `session_tools:` section. */
const sessionToolsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  tools: toolSwitches(SESSION_TOOL_NAMES),
});

/** Storage providers and the spellings the reference README uses for them. */
export const STORAGE_PROVIDERS = [
  "memory",
  "filesystem",
  "s3",
  "ibm_cos",
  "ibm-cos",
  "sqlite",
  "vfs-memory",
  "vfs-filesystem",
  "vfs-s3",
  "vfs-sqlite",
] as const;

/** Session/metadata providers. */
export const SESSION_PROVIDERS = ["memory", "redis", "sqlite"] as const;

/** `artifacts:` section. */
const artifactsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  storage_provider: z.enum(STORAGE_PROVIDERS).default("memory"),
  session_provider: z.enum(SESSION_PROVIDERS).default("memory"),
  bucket: z.string().min(1).nullable().default(null),
  filesystem_root: z.string().min(1).nullable().default(null),
  filesystem: z.strictObject({ base_path: z.string().min(1).optional() }).optional(),
  sqlite_path: z.string().min(1).nullable().default(null),
  s3: z.strictObject({
    endpoint_url: z.string().url().optional(),
    region: z.string().optional(),
    force_path_style: z.boolean().optional(),
  }).optional(),
  /** Largest artifact accepted, in bytes (default 100 MiB). */
  max_file_bytes: byteSize.default(100 * MiB),
  /** Default lifetime of session-scope artifacts, in seconds (15 min). */
  session_ttl_seconds: z.number().int().positive().default(900),
  /** Default lifetime of user-scope artifacts, in seconds (365 days). */
  user_ttl_seconds: z.number().int().positive().default(365 * 24 * 3600),
  /** How often expired artifacts' blobs are removed, in seconds. */
  cleanup_interval_seconds: z.number().positive().default(60),
  tools: toolSwitches(ARTIFACT_TOOL_NAMES),
});

/** `proxy:` section. */
const proxySchema = z.strictObject({
  enabled: z.boolean().default(false),
  namespace: z.string().min(1).default("proxy"),
  keep_root_aliases: z.boolean().default(false),
  openai_compatible: z.boolean().default(false),
  only_openai_tools: z.boolean().default(false),
});

const moduleSlot = z.strictObject({
  enabled: z.boolean().default(true),
  module: z.string().min(1),
});

/** Deno permission grants for a sandboxed stdio upstream (`deno: true`). */
const denoPermissions = z.strictObject({
  read: z.array(z.string()).optional(),
  write: z.array(z.string()).optional(),
  net: z.array(z.string()).optional(),
  env: z.array(z.string()).optional(),
  run: z.array(z.string()).optional(),
  sys: z.array(z.string()).optional(),
  ffi: z.array(z.string()).optional(),
  import: z.array(z.string()).optional(),
});

/**
 * One `mcp_servers.<name>` entry. An entry is either local code (`location` plus `tools` /
 * `resources` / `prompts` modules) or an upstream MCP server to proxy (`type` + `command` or
 * `url`); the proxy only starts upstreams when `proxy.enabled` is true.
 */
const mcpServerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  type: z.enum(["stdio", "sse", "streamable-http"]).optional(),
  // Local modules
  location: z.string().min(1).optional(),
  tools: moduleSlot.optional(),
  resources: moduleSlot.optional(),
  prompts: moduleSlot.optional(),
  // stdio upstream
  command: z.string().min(1).optional(),
  args: z.array(z.string()).default([]),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  // remote upstream
  url: z.string().url().optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  // upstream behaviour
  isolation: z.enum(["shared", "per-session"]).default("shared"),
  max_instances: z.number().int().positive().optional(),
  idle_timeout: z.number().positive().optional(),
  timeout: z.number().min(0).optional(),
  // Deno sandbox for stdio upstreams
  deno: z.boolean().default(false),
  permissions: denoPermissions.optional(),
});

/** The schema as built (its inferred types are checked against `types.ts` by a test). */
export const configSchemaDefinition = z.strictObject({
  host: hostSchema.prefault({}),
  server: serverSchema.prefault({}),
  sse: sseSchema.prefault({}),
  "streamable-http": streamableHttpSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  metrics: metricsSchema.prefault({}),
  tools: toolsSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
  session_tools: sessionToolsSchema.prefault({}),
  artifacts: artifactsSchema.prefault({}),
  proxy: proxySchema.prefault({}),
  mcp_servers: z.record(z.string().min(1), mcpServerSchema).default({}),
  // Keys the reference's Python module loader used. Accepted so old files load; they do nothing here.
  core: z.unknown().optional(),
  auto_discover: z.unknown().optional(),
  auto_discover_servers: z.unknown().optional(),
});

/**
 * The whole configuration file: validates, fills defaults. Use {@linkcode validateConfig} for
 * error messages that name the key path.
 *
 * @example
 * ```ts
 * import { configSchema } from "./schema.ts";
 * const ok = configSchema.safeParse({ server: { type: "sse" } }).success; // true
 * ```
 */
export const configSchema: z.ZodType<RuntimeConfig, unknown> = configSchemaDefinition as z.ZodType<
  RuntimeConfig,
  unknown
>;

export type { McpServerConfig, RuntimeConfig, RuntimeConfigInput, TransportType } from "./types.ts";
