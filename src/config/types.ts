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
  /** Long-lived connections (stateful sessions, SSE streams) held at most. */
  max_sessions: number;
  /** Connections one authenticated user holds at most. */
  max_sessions_per_user: number;
  /** On SIGTERM, seconds `/health` answers 503 before the listener stops accepting. */
  drain_seconds: number;
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
  /** Bytes of answers queued for a client that does not read its stream before it is disconnected. */
  max_queue_bytes: number;
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
  /** Stateful SSE streams can be resumed with `Last-Event-ID` (SEP-1699). */
  resumable: boolean;
  /** Events kept per stream for resumption. */
  max_stream_events: number;
  /** The `retry:` (ms) resumable streams tell clients to wait before reconnecting. */
  sse_retry_ms: number;
  /** Share stateful sessions and streams with the other instances through Redis. */
  fleet: boolean;
}

/** Caching hints of 2026-07-28 results (SEP-2549). */
export interface CacheHintConfig {
  /** How long (ms) a client may reuse the result; 0 = do not reuse. */
  ttl_ms: number;
  /** `private`: per authorization context; `public`: anyone may share it. */
  scope: "public" | "private";
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
  /** Caching hints for what the module serves (2026-07-28 clients); default `0` / `private`. */
  cache?: CacheHintConfig;
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

/** `tool_overrides.<tool>.arguments.<arg>`: a default, and whether the argument is hidden. */
export interface ArgumentOverrideConfig {
  /** Filled in when the caller leaves the argument out (always, when hidden). */
  default?: unknown;
  /** Drop the argument from the listed schema; the server gets `default` (or nothing). */
  hide: boolean;
  /** Replacement description of the argument. */
  description?: string;
}

/** `tool_overrides.<tool>`: how one tool is shown. */
export interface ToolOverrideConfig {
  /** New name (for an upstream: before namespacing). */
  name?: string;
  /** Replacement title. */
  title?: string;
  /** Replacement description. */
  description?: string;
  /** Merged over the tool's own annotations. */
  annotations?: Record<string, unknown>;
  /** Argument defaults and hiding, by argument name. */
  arguments: Record<string, ArgumentOverrideConfig>;
}

/** Which of a server's tools, prompts and resources are served (globs), and how its tools are shown. */
export interface ServerSurfaceConfig {
  /** Tools served (globs over the server's own names); omitted = all. */
  include_tools?: string[];
  /** Tools not served; wins over `include_tools`. */
  exclude_tools: string[];
  /** Prompts served; omitted = all. */
  include_prompts?: string[];
  /** Prompts not served. */
  exclude_prompts: string[];
  /** Resources and templates served (globs over URIs and URI templates); omitted = all. */
  include_resources?: string[];
  /** Resources and templates not served. */
  exclude_resources: string[];
  /** Renames, descriptions and argument defaults, by the server's own tool name. */
  tool_overrides: Record<string, ToolOverrideConfig>;
}

/** One `access.rules` item. */
export interface AccessRuleConfig {
  /** Exposed tool names the rule covers (globs). */
  tools?: string[];
  /** Exposed prompt names the rule covers (globs). */
  prompts?: string[];
  /** Resource URIs and URI templates the rule covers (globs). */
  resources?: string[];
  /** Claim → accepted values: a caller needs every claim, with one accepted value each. */
  claims: Record<string, (string | number | boolean)[]>;
}

/** `access:` section. */
export interface AccessConfig {
  /** For names no rule covers, and for every name when the caller has no token. */
  default: "allow" | "deny";
  /** Rules; every rule that covers a name must be satisfied. */
  rules: AccessRuleConfig[];
}

/** One `views.<name>` entry: a focused endpoint at `<mcp_path>/<name>`. */
export interface ViewConfig {
  /** Exposed tool names in the view (globs). */
  tools: string[];
  /** Exposed prompt names in the view (globs). */
  prompts: string[];
  /** Resource URIs and URI templates in the view (globs). */
  resources: string[];
  /** Sent as the `initialize` instructions of the view's endpoint. */
  description?: string;
}

/** `tools.search:` section. */
export interface ToolSearchConfig {
  /** Add the `search_tools` tool. */
  enabled: boolean;
  /** List only `search_tools` and `call_tool`. */
  lazy: boolean;
}

/** `mcp_servers.<name>.oauth`: how the proxy logs in to a protected remote upstream. */
export interface UpstreamOAuthConfig {
  /** `authorization_code` (a user logs in in a browser) or `client_credentials` (machine identity). */
  grant: "authorization_code" | "client_credentials";
  /** Pre-registered client id. */
  client_id?: string;
  /** Pre-registered client secret. */
  client_secret?: string;
  /** Token endpoint authentication method. */
  token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt";
  /** PEM private key (`private_key_jwt`). */
  private_key?: string;
  /** File holding the PEM private key (relative to the config file). */
  private_key_file?: string;
  /** JWS algorithm of the `private_key_jwt` assertion. */
  signing_algorithm: string;
  /** HTTPS URL of the Client ID Metadata Document. */
  client_metadata_url?: string;
  /** Client name shown on consent screens. */
  client_name: string;
  /** Scopes to ask for (default: from the upstream's challenge or metadata). */
  scopes?: string[];
  /** Loopback URL the browser returns to after login. */
  redirect_uri: string;
  /** Authorization servers this upstream may use (empty: any it names). */
  authorization_servers: string[];
  /** Tokens per calling user. */
  per_user: boolean;
  /** Seconds a login may take. */
  authorization_timeout: number;
}

/** `oauth:` section: the runtime as an OAuth 2.1 protected resource. */
export interface OAuthResourceConfig {
  /** Canonical URI of this server (the audience tokens must carry). */
  resource: string;
  /** Issuer URLs of the authorization servers. */
  authorization_servers: string[];
  /** Scopes advertised in the metadata. */
  scopes_supported?: string[];
  /** Scopes every request needs. */
  required_scopes: string[];
  /** Scopes per tool-name pattern. */
  tool_scopes: Record<string, string[]>;
  /** JWKS URL (default: each authorization server's `jwks_uri`). */
  jwks_url?: string;
  /** Token introspection (RFC 7662) for opaque tokens. */
  introspection?: { url?: string; client_id: string; client_secret?: string };
  /** Audiences accepted besides `resource`. */
  audiences: string[];
  /** Human-readable name in the metadata. */
  resource_name?: string;
  /** Documentation URL in the metadata. */
  resource_documentation?: string;
  /** Clock skew tolerated, in seconds. */
  leeway_seconds: number;
}

/** One `mcp_servers.<name>` entry. */
export interface McpServerConfig extends ServerSurfaceConfig {
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
  /** OAuth 2.1 login to a protected remote upstream. */
  oauth?: UpstreamOAuthConfig;
  /** `shared`: one upstream for every client; `per-session`: one per client session. */
  isolation: "shared" | "per-session";
  /** Most upstream instances at once (`per-session`). */
  max_instances?: number;
  /** Seconds an idle `per-session` instance lives. */
  idle_timeout?: number;
  /** Timeout of calls to this upstream, in seconds. */
  timeout?: number;
  /** Longest line a stdio upstream may write (bytes); default the served transport's `max_body_bytes`. */
  max_line_bytes?: number;
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
  server: {
    type: "stdio" | "sse" | "streamable-http";
    auth: "none" | "bearer";
    /** Signs 2026-07-28 `requestState`; default `$REQUEST_STATE_KEY`, else random per process. */
    request_state_key: string | null;
  };
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
    search: ToolSearchConfig;
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
    user_ttl_seconds: number | null;
    max_ttl_hours: number;
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
  /** `access:` section: who may see and call what. */
  access: AccessConfig;
  /** `views:` section: focused endpoints, by name. */
  views: Record<string, ViewConfig>;
  /** `oauth:` section: inbound OAuth 2.1 (this server as a protected resource). */
  oauth?: OAuthResourceConfig;
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
  & Omit<DeepPartial<RuntimeConfig>, "server" | "mcp_servers" | "views" | "oauth">
  & {
    server?: {
      type?: RuntimeConfig["server"]["type"];
      auth?: RuntimeConfig["server"]["auth"] | null;
      request_state_key?: string | null;
    };
    mcp_servers?: Record<string, McpServerConfigInput>;
    views?: Record<string, Partial<ViewConfig>>;
    oauth?:
      & Omit<DeepPartial<OAuthResourceConfig>, "resource" | "authorization_servers" | "introspection">
      & {
        resource: string;
        authorization_servers: string[];
        introspection?: { url?: string; client_id: string; client_secret?: string };
      };
  };

/** What a `tool_overrides.<tool>` entry may contain. */
export type ToolOverrideConfigInput =
  & Omit<Partial<ToolOverrideConfig>, "arguments">
  & { arguments?: Record<string, Partial<ArgumentOverrideConfig>> };

/** What an `mcp_servers.<name>` entry may contain (a module slot must name its module). */
export type McpServerConfigInput =
  & Omit<DeepPartial<McpServerConfig>, "tools" | "resources" | "prompts" | "tool_overrides">
  & {
    tools?: { enabled?: boolean; module: string; cache?: Partial<CacheHintConfig> };
    resources?: { enabled?: boolean; module: string; cache?: Partial<CacheHintConfig> };
    prompts?: { enabled?: boolean; module: string; cache?: Partial<CacheHintConfig> };
    tool_overrides?: Record<string, ToolOverrideConfigInput>;
  };

/** The active transport. */
export type TransportType = RuntimeConfig["server"]["type"];
