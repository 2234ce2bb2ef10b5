/**
 * The configuration's TypeScript types, written out explicitly so the public API has no inferred
 * ("slow") types. `schema.ts` stays the single source of truth: `tests/config/types_test.ts`
 * fails to type-check the moment these types and the schema's inferred types differ.
 *
 * @module
 */

import type { LogLevelName } from "../log/logger.ts";

/** Settings both HTTP transports share. */
export interface HttpSectionConfig {
  /** Health endpoint (GET/HEAD, never authenticated). */
  health_path: string;
  log_level?: LogLevelName | null;
  /** Log one line per HTTP request. */
  access_log: boolean;
  /** Largest request body accepted (bytes); larger ones get 413. */
  max_body_bytes: number;
  /** Extra `Host` values accepted on a loopback bind. */
  allowed_hosts: string[];
  /** Extra `Origin` values accepted on a loopback bind. */
  allowed_origins: string[];
}

/** `sse:` section. */
export interface SseSectionConfig extends HttpSectionConfig {
  host: string;
  port: number;
  sse_path: string;
  message_path: string;
}

/** `streamable-http:` section. */
export interface StreamableHttpSectionConfig extends HttpSectionConfig {
  host: string;
  port: number;
  mcp_path: string;
  json_response: boolean;
  stateless: boolean;
  /** Seconds of inactivity before a stateful session is closed. */
  session_idle_timeout: number;
}

/** An on/off switch for one built-in tool. */
export interface BuiltinToolSwitch {
  enabled: boolean;
  description?: string;
}

/** A module slot of an `mcp_servers` entry (`tools:`, `resources:`, `prompts:`). */
export interface ModuleSlotConfig {
  enabled: boolean;
  module: string;
}

/** Deno permission grants for a sandboxed stdio upstream. */
export interface DenoPermissionsConfig {
  read?: string[];
  write?: string[];
  net?: string[];
  env?: string[];
  run?: string[];
  sys?: string[];
  ffi?: string[];
  import?: string[];
}

/** One `mcp_servers.<name>` entry. */
export interface McpServerConfig {
  enabled: boolean;
  type?: "stdio" | "sse" | "streamable-http";
  location?: string;
  tools?: ModuleSlotConfig;
  resources?: ModuleSlotConfig;
  prompts?: ModuleSlotConfig;
  command?: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  url?: string;
  api_key?: string;
  headers: Record<string, string>;
  isolation: "shared" | "per-session";
  max_instances?: number;
  idle_timeout?: number;
  timeout?: number;
  deno: boolean;
  permissions?: DenoPermissionsConfig;
}

/** Storage provider names (with the reference README's aliases). */
export type StorageProviderName =
  | "memory"
  | "filesystem"
  | "s3"
  | "ibm_cos"
  | "ibm-cos"
  | "sqlite"
  | "vfs-memory"
  | "vfs-filesystem"
  | "vfs-s3"
  | "vfs-sqlite";

/** Session/metadata provider names. */
export type SessionProviderName = "memory" | "redis" | "sqlite";

/** Names of the built-in session tools. */
export type SessionToolName =
  | "get_current_session"
  | "set_session"
  | "clear_session"
  | "list_sessions"
  | "get_session_info"
  | "create_session";

/** Names of the built-in artifact tools. */
export type ArtifactToolName =
  | "upload_file"
  | "write_file"
  | "read_file"
  | "delete_file"
  | "list_session_files"
  | "list_directory"
  | "copy_file"
  | "move_file"
  | "get_file_metadata"
  | "get_presigned_url"
  | "get_storage_stats"
  | "write_session_file"
  | "upload_session_file"
  | "write_user_file"
  | "upload_user_file"
  | "list_user_files";

/** A validated configuration with every default filled in. */
export interface RuntimeConfig {
  host: { name: string; log_level?: LogLevelName };
  server: { type: "stdio" | "sse" | "streamable-http"; auth: "none" | "bearer" };
  sse: SseSectionConfig;
  "streamable-http": StreamableHttpSectionConfig;
  logging: {
    level?: LogLevelName;
    format?: string;
    reset_handlers: boolean;
    quiet_libraries: boolean;
    loggers: Record<string, LogLevelName>;
  };
  tools: {
    registry_module?: string;
    registry_attr?: string;
    timeout?: number | null;
    modules_to_import: string[];
  };
  sessions: { sandbox_id: string | null; default_ttl_hours: number; auto_extend_threshold: number };
  session_tools: { enabled: boolean; tools: { [K in SessionToolName]?: BuiltinToolSwitch } };
  artifacts: {
    enabled: boolean;
    storage_provider: StorageProviderName;
    session_provider: SessionProviderName;
    bucket: string | null;
    filesystem_root: string | null;
    filesystem?: { base_path?: string };
    sqlite_path: string | null;
    s3?: { endpoint_url?: string; region?: string; force_path_style?: boolean };
    max_file_bytes: number;
    session_ttl_seconds: number;
    user_ttl_seconds: number;
    cleanup_interval_seconds: number;
    tools: { [K in ArtifactToolName]?: BuiltinToolSwitch };
  };
  proxy: {
    enabled: boolean;
    namespace: string;
    keep_root_aliases: boolean;
    openai_compatible: boolean;
    only_openai_tools: boolean;
  };
  mcp_servers: Record<string, McpServerConfig>;
  core?: unknown;
  auto_discover?: unknown;
  auto_discover_servers?: unknown;
}

/** Make every property optional, recursively (what a config file or object may leave out). */
export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[]
  : T extends object ? string extends keyof T ? T : { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

/** What a configuration file (or an object given to the API) may contain. */
export type RuntimeConfigInput =
  & Omit<DeepPartial<RuntimeConfig>, "server" | "mcp_servers">
  & {
    server?: { type?: RuntimeConfig["server"]["type"]; auth?: RuntimeConfig["server"]["auth"] | null };
    mcp_servers?: Record<string, McpServerConfigInput>;
  };

/** What an `mcp_servers.<name>` entry may contain (a module slot must name its module). */
export type McpServerConfigInput =
  & Omit<DeepPartial<McpServerConfig>, "tools" | "resources" | "prompts">
  & {
    tools?: { enabled?: boolean; module: string };
    resources?: { enabled?: boolean; module: string };
    prompts?: { enabled?: boolean; module: string };
  };

/** The active transport. */
export type TransportType = RuntimeConfig["server"]["type"];
