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
  /** Log level of this transport's request log. */
  log_level?: LogLevelName | null;
  /** Log one line per HTTP request. */
  access_log: boolean;
  /** Largest request body accepted (bytes); larger ones get 413. */
  max_body_bytes: number;
  /** Seconds a request body may take to arrive; a slower one gets 408. */
  body_timeout: number;
  /** Extra `Host` values accepted on a loopback bind. */
  allowed_hosts: string[];
  /** Extra `Origin` values accepted on a loopback bind. */
  allowed_origins: string[];
}

/** `sse:` section. */
export interface SseSectionConfig extends HttpSectionConfig {
  /** Listen address. */
  host: string;
  /** Listen port (0 = any free port). */
  port: number;
  /** Path of the SSE stream (GET). */
  sse_path: string;
  /** Path clients POST messages to. */
  message_path: string;
}

/** `streamable-http:` section. */
export interface StreamableHttpSectionConfig extends HttpSectionConfig {
  /** Listen address. */
  host: string;
  /** Listen port (0 = any free port). */
  port: number;
  /** Path of the MCP endpoint. */
  mcp_path: string;
  /** Plain JSON answers instead of SSE streams when no notifications are needed. */
  json_response: boolean;
  /** No `Mcp-Session-Id`: every request stands alone. */
  stateless: boolean;
  /** Seconds of inactivity before a stateful session is closed. */
  session_idle_timeout: number;
}

/** `metrics:` section. */
export interface MetricsSectionConfig {
  /** Serve Prometheus metrics. */
  enabled: boolean;
  /** Path of the metrics endpoint. */
  path: string;
  /** Listen address of the metrics listener of its own. */
  host: string;
  /**
   * Port of a metrics listener of its own; `null`: HTTP transports answer at `path` on their own
   * listener and stdio servers listen on 9464.
   */
  port: number | null;
  /** Bearer token scrapes must send; `null`: no authentication. */
  bearer_token: string | null;
}

/** An on/off switch for one built-in tool. */
export interface BuiltinToolSwitch {
  /** Whether the tool is offered. */
  enabled: boolean;
  /** Replacement description. */
  description?: string;
}

/** A module slot of an `mcp_servers` entry (`tools:`, `resources:`, `prompts:`). */
export interface ModuleSlotConfig {
  /** Whether the module is loaded. */
  enabled: boolean;
  /** Module file (relative to the entry's `location`). */
  module: string;
}

/** Deno permission grants for a sandboxed stdio upstream. */
export interface DenoPermissionsConfig {
  /** Paths the server may read (`--allow-read`). */
  read?: string[];
  /** Paths the server may write (`--allow-write`). */
  write?: string[];
  /** Hosts (`host[:port]`) the server may connect to (`--allow-net`). */
  net?: string[];
  /** Environment variables the server may read, passed on from the runtime (`--allow-env`). */
  env?: string[];
  /** Programs the server may run (`--allow-run`). */
  run?: string[];
  /** System information the server may read (`--allow-sys`). */
  sys?: string[];
  /** Native libraries the server may load (`--allow-ffi`). */
  ffi?: string[];
  /** Hosts the server may import code from (`--allow-import`). */
  import?: string[];
}

/** One `mcp_servers.<name>` entry. */
export interface McpServerConfig {
  /** Whether the entry is used at all. */
  enabled: boolean;
  /** Upstream transport (proxy); omitted for local-module entries. */
  type?: "stdio" | "sse" | "streamable-http";
  /** Folder the entry's modules are relative to (relative to the config file). */
  location?: string;
  /** Tool module of a local entry. */
  tools?: ModuleSlotConfig;
  /** Resource module of a local entry. */
  resources?: ModuleSlotConfig;
  /** Prompt module of a local entry. */
  prompts?: ModuleSlotConfig;
  /** Program (or, with `deno: true`, module spec) a stdio upstream runs. */
  command?: string;
  /** Arguments of the stdio upstream. */
  args: string[];
  /** Working directory of the stdio upstream (relative to the config file). */
  cwd?: string;
  /** Environment given to the stdio upstream (on top of PATH, HOME, LANG). */
  env: Record<string, string>;
  /** URL of a remote (SSE or streamable HTTP) upstream. */
  url?: string;
  /** API key sent to a remote upstream as a bearer token. */
  api_key?: string;
  /** Extra HTTP headers sent to a remote upstream. */
  headers: Record<string, string>;
  /** `shared`: one upstream for every client; `per-session`: one per client session. */
  isolation: "shared" | "per-session";
  /** Most upstream instances at once (`per-session`). */
  max_instances?: number;
  /** Seconds an idle `per-session` instance lives. */
  idle_timeout?: number;
  /** Timeout of calls to this upstream, in seconds. */
  timeout?: number;
  /** Run the stdio upstream under Deno's permission model (`deno run` with `permissions`). */
  deno: boolean;
  /** Deno permissions of a sandboxed upstream (`deno: true`); none by default. */
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
  /** `host:` section: server name and log level. */
  host: { name: string; log_level?: LogLevelName };
  /** `server:` section: transport and authentication. */
  server: { type: "stdio" | "sse" | "streamable-http"; auth: "none" | "bearer" };
  /** `sse:` section. */
  sse: SseSectionConfig;
  /** `streamable-http:` section. */
  "streamable-http": StreamableHttpSectionConfig;
  /** `logging:` section. */
  logging: {
    level?: LogLevelName;
    format?: string;
    reset_handlers: boolean;
    quiet_libraries: boolean;
    loggers: Record<string, LogLevelName>;
  };
  /** `metrics:` section: the Prometheus endpoint. */
  metrics: MetricsSectionConfig;
  /** `tools:` section: modules and the default timeout. */
  tools: {
    registry_module?: string;
    registry_attr?: string;
    timeout?: number | null;
    modules_to_import: string[];
  };
  /** `sessions:` section. */
  sessions: { sandbox_id: string | null; default_ttl_hours: number; auto_extend_threshold: number };
  /** `session_tools:` section. */
  session_tools: { enabled: boolean; tools: { [K in SessionToolName]?: BuiltinToolSwitch } };
  /** `artifacts:` section. */
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
  /** `proxy:` section. */
  proxy: {
    enabled: boolean;
    namespace: string;
    keep_root_aliases: boolean;
    openai_compatible: boolean;
    only_openai_tools: boolean;
  };
  /** `mcp_servers:` section: local modules and upstream servers, by name. */
  mcp_servers: Record<string, McpServerConfig>;
  /** Accepted for compatibility with the reference; ignored. */
  core?: unknown;
  /** Accepted for compatibility with the reference; ignored. */
  auto_discover?: unknown;
  /** Accepted for compatibility with the reference; ignored. */
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
