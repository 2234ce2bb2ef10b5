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
  /**
   * Key that signs the state 2026-07-28 clients carry between `input_required` rounds (at least
   * 16 characters). Default: `$REQUEST_STATE_KEY`, else a random key per process.
   */
  request_state_key: z.string().min(16).nullable().default(null),
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
  /** Long-lived connections (stateful sessions, SSE streams) held at most; more get 503. */
  max_sessions: z.number().int().positive().default(1000),
  /** Connections one authenticated user holds at most; more get 429. */
  max_sessions_per_user: z.number().int().positive().default(100),
  /**
   * On SIGTERM, seconds `/health` answers 503 (draining) while requests are still served, so a
   * load balancer takes the instance out before it stops accepting.
   */
  drain_seconds: z.number().min(0).default(0),
};

/** `sse:` section (the older HTTP+SSE transport). */
const sseSchema = z.strictObject({
  // The reference listened on 0.0.0.0; loopback is the safe default, widen it on purpose.
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(8000),
  sse_path: httpPath.default("/sse"),
  message_path: httpPath.default("/messages/"),
  /** Bytes of answers queued for a client that does not read its stream; past it, it is disconnected. */
  max_queue_bytes: byteSize.default(8 * MiB),
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
  /**
   * Stateful SSE streams can be resumed (`Last-Event-ID`, SEP-1699): events are kept in a bounded
   * store and each stream starts with a priming event.
   */
  resumable: z.boolean().default(true),
  /** Events kept per stream for resumption (the oldest go first). */
  max_stream_events: z.number().int().positive().default(1000),
  /** The `retry:` (ms) a resumable stream tells clients to wait before reconnecting. */
  sse_retry_ms: z.number().int().min(0).default(1000),
  /**
   * Share stateful sessions, their streams and the answers to server→client requests with the
   * other instances through Redis (`SESSION_REDIS_URL` / `REDIS_URL`): any instance serves any
   * request, no sticky load balancer.
   */
  fleet: z.boolean().default(false),
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

/** Name of the tool `tools.search` adds (it finds tools). */
export const SEARCH_TOOL_NAME = "search_tools";
/** Name of the tool `tools.search.lazy` adds (it calls a tool by name: `{ name, arguments }`). */
export const CALL_TOOL_NAME = "call_tool";

/** `tools.search:` — find tools by text instead of listing them all. */
const searchSchema = z.strictObject({
  /** Add the `search_tools` tool. */
  enabled: z.boolean().default(false),
  /** List only `search_tools` and `call_tool`; every other tool is found and called through them. */
  lazy: z.boolean().default(false),
}).refine((s) => s.enabled || !s.lazy, {
  message: "lazy: true needs enabled: true (lazy lists only the search tools)",
  path: ["lazy"],
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
  search: searchSchema.prefault({}),
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
  /** Default lifetime of user-scope artifacts, in seconds (null: 365 days, or max_ttl_hours if shorter). */
  user_ttl_seconds: z.number().int().positive().nullable().default(null),
  /** The longest any artifact may live, in hours; longer requested lifetimes are cut to it. */
  max_ttl_hours: z.number().positive().default(720),
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

/** Caching hints of 2026-07-28 results (SEP-2549): how long, and for whom, a client may reuse them. */
const cacheHint = z.strictObject({
  ttl_ms: z.number().int().min(0).default(0),
  scope: z.enum(["public", "private"]).default("private"),
});

const moduleSlot = z.strictObject({
  enabled: z.boolean().default(true),
  module: z.string().min(1),
  cache: cacheHint.optional(),
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

/** Globs over names or URIs (`*` any run of characters, `?` one). */
const globs = z.array(z.string().min(1));

/** A tool name as MCP clients accept it. */
const toolName = z.string().regex(/^[A-Za-z0-9_.\-/]{1,128}$/, {
  message: "expected a tool name (1-128 of A-Z a-z 0-9 _ - . /)",
});

/** `tool_overrides.<tool>.arguments.<arg>`: a default, and whether the argument is hidden. */
const argumentOverride = z.strictObject({
  /** Filled in when the caller leaves the argument out (always, when hidden). */
  default: z.unknown().optional(),
  /** Drop the argument from the listed schema; the upstream gets `default` (or nothing). */
  hide: z.boolean().default(false),
  /** Replacement description of the argument. */
  description: z.string().optional(),
});

/** `tool_overrides.<tool>`: how one tool is shown. */
const toolOverride = z.strictObject({
  /** New name, before namespacing. */
  name: toolName.optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  /** Merged over the tool's own annotations. */
  annotations: z.record(z.string(), z.unknown()).optional(),
  arguments: z.record(z.string().min(1), argumentOverride).default({}),
});

/** Which of a server's tools, prompts and resources are served, and how its tools are shown. */
const surfaceKeys = {
  include_tools: globs.optional(),
  exclude_tools: globs.default([]),
  include_prompts: globs.optional(),
  exclude_prompts: globs.default([]),
  include_resources: globs.optional(),
  exclude_resources: globs.default([]),
  tool_overrides: z.record(z.string().min(1), toolOverride).default({}),
};

/** A URL with no fragment (RFC 8707: resource indicators and issuers carry none). */
const urlNoFragment = z.string().url().refine((u) => !u.includes("#"), {
  message: "must not contain a fragment (#)",
});

/**
 * `mcp_servers.<name>.oauth`: the proxy logs in to this remote upstream with OAuth 2.1 (authorization
 * code + PKCE, or client credentials). Everything is optional: `oauth: {}` discovers the
 * authorization server from the upstream's 401 and registers dynamically.
 */
const upstreamOAuthSchema = z.strictObject({
  /** `authorization_code` (a user logs in once, in a browser) or `client_credentials` (a machine identity). */
  grant: z.enum(["authorization_code", "client_credentials"]).default("authorization_code"),
  /** A pre-registered client (else: Client ID Metadata Document, else dynamic registration). */
  client_id: z.string().min(1).optional(),
  client_secret: z.string().min(1).optional(),
  /** How the client authenticates at the token endpoint (default: what the server and the client allow). */
  token_endpoint_auth_method: z.enum(["client_secret_basic", "client_secret_post", "none", "private_key_jwt"])
    .optional(),
  /** PEM private key for `private_key_jwt` (client credentials); or a file holding it. */
  private_key: z.string().min(1).optional(),
  private_key_file: z.string().min(1).optional(),
  /** JWS algorithm of the `private_key_jwt` assertion. */
  signing_algorithm: z.string().min(1).default("RS256"),
  /** HTTPS URL of this client's metadata document (CIMD), used as client_id where the server supports it. */
  client_metadata_url: z.string().url().optional(),
  /** Name shown by the authorization server's consent screen. */
  client_name: z.string().min(1).default("chuk-mcp-runtime proxy"),
  /** Scopes to ask for; default: what the upstream's challenge or its metadata names. */
  scopes: z.array(z.string().min(1)).optional(),
  /** Where the browser returns after login: a loopback listener of the proxy catches the code. */
  redirect_uri: z.string().url().default("http://127.0.0.1:33418/callback"),
  /** Authorization servers this upstream may use (also their network grants); empty: any it names. */
  authorization_servers: z.array(urlNoFragment).default([]),
  /** Tokens per calling user (each user logs in); else one login for the upstream. */
  per_user: z.boolean().default(false),
  /** How long a login may take before it is abandoned, in seconds. */
  authorization_timeout: z.number().positive().default(300),
});

/**
 * `oauth:` section: the runtime is an OAuth 2.1 protected resource (RFC 9728). HTTP requests need
 * an access token issued for `resource` by one of `authorization_servers`.
 */
const oauthSchema = z.strictObject({
  /** Canonical URI of this server (what tokens carry as audience), e.g. `https://mcp.example.com/mcp`. */
  resource: urlNoFragment,
  /** Issuer URLs of the authorization servers clients log in with. */
  authorization_servers: z.array(urlNoFragment).min(1),
  /** Scopes advertised in the protected resource metadata. */
  scopes_supported: z.array(z.string().min(1)).optional(),
  /** Scopes every request needs (named in the 401 challenge). */
  required_scopes: z.array(z.string().min(1)).default([]),
  /** Scopes a tool needs, by tool-name pattern (`*` any characters): a token without them gets 403. */
  tool_scopes: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
  /** JWKS of the token signatures; default: each authorization server's `jwks_uri`. */
  jwks_url: z.string().url().optional(),
  /** Token introspection (RFC 7662) for opaque tokens; `url` defaults to the server's endpoint. */
  introspection: z.strictObject({
    url: z.string().url().optional(),
    client_id: z.string().min(1),
    client_secret: z.string().min(1).optional(),
  }).optional(),
  /** Audiences accepted besides `resource`. */
  audiences: z.array(z.string().min(1)).default([]),
  /** Human-readable name in the metadata. */
  resource_name: z.string().min(1).optional(),
  /** Documentation URL in the metadata. */
  resource_documentation: z.string().url().optional(),
  /** Clock skew tolerated for `exp`/`nbf`, in seconds. */
  leeway_seconds: z.number().min(0).default(30),
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
  oauth: upstreamOAuthSchema.optional(),
  // upstream behaviour
  isolation: z.enum(["shared", "per-session"]).default("shared"),
  max_instances: z.number().int().positive().optional(),
  idle_timeout: z.number().positive().optional(),
  timeout: z.number().min(0).optional(),
  /** Longest line a stdio upstream may write, in bytes (default: the served transport's max_body_bytes). */
  max_line_bytes: byteSize.optional(),
  // Deno sandbox for stdio upstreams
  deno: z.boolean().default(false),
  permissions: denoPermissions.optional(),
  // what is served of it
  ...surfaceKeys,
});

/** One `access.rules` item: names it covers, and the claims a caller needs for them. */
const accessRule = z.strictObject({
  tools: globs.optional(),
  prompts: globs.optional(),
  resources: globs.optional(),
  /** Claim → accepted values; a caller needs every claim (any one accepted value of each). */
  claims: z.record(z.string().min(1), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1))
    .default({}),
}).refine((r) => r.tools || r.prompts || r.resources, {
  message: "a rule needs at least one of tools, prompts, resources",
});

/** `access:` section: who may see and call what. */
const accessSchema = z.strictObject({
  /** For names no rule covers, and for callers without a token (stdio, `auth: none`). */
  default: z.enum(["allow", "deny"]).default("allow"),
  rules: z.array(accessRule).default([]),
});

/** One `views.<name>`: a focused endpoint at `<mcp_path>/<name>`. */
const viewSchema = z.strictObject({
  tools: globs.default([]),
  prompts: globs.default([]),
  resources: globs.default([]),
  /** Sent as the `initialize` instructions of the view's endpoint. */
  description: z.string().optional(),
});

/** A view name: one URL path segment. */
const viewName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
  message: "expected a view name (1-64 of A-Z a-z 0-9 _ -)",
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
  access: accessSchema.prefault({}),
  views: z.record(viewName, viewSchema).default({}),
  oauth: oauthSchema.optional(),
  // Keys the reference's Python module loader used. Accepted so old files load; they do nothing here.
  core: z.unknown().optional(),
  auto_discover: z.unknown().optional(),
  auto_discover_servers: z.unknown().optional(),
}).superRefine((config, ctx) => {
  // Rules across sections, for OAuth (each names the key to change).
  if (config.oauth && config.server.auth === "bearer") {
    ctx.addIssue({
      code: "custom",
      path: ["server", "auth"],
      message: "'bearer' verifies tokens with the JWT_* keys and an oauth: section with its authorization " +
        "servers; choose one (remove server.auth to use oauth:)",
    });
  }
  for (const [name, e] of Object.entries(config.mcp_servers)) {
    const o = e.oauth;
    if (!o) continue;
    const at = (...p: string[]) => ["mcp_servers", name, ...p];
    if (!e.url) {
      ctx.addIssue({
        code: "custom",
        path: at("oauth"),
        message: "oauth is for remote upstreams (with url)",
      });
    }
    if (e.api_key !== undefined || Object.keys(e.headers).some((h) => h.toLowerCase() === "authorization")) {
      ctx.addIssue({
        code: "custom",
        path: at(e.api_key !== undefined ? "api_key" : "headers"),
        message: "the OAuth login sends the Authorization header; remove api_key / Authorization",
      });
    }
    if (o.client_metadata_url && !/^https:\/\/[^/]+\/.+/.test(o.client_metadata_url)) {
      ctx.addIssue({
        code: "custom",
        path: at("oauth", "client_metadata_url"),
        message: "expected an https URL with a path (the client id document)",
      });
    }
    if (
      o.token_endpoint_auth_method === "private_key_jwt" &&
      (!o.client_id || !(o.private_key || o.private_key_file))
    ) {
      ctx.addIssue({
        code: "custom",
        path: at("oauth", "token_endpoint_auth_method"),
        message: "private_key_jwt needs client_id and private_key (or private_key_file)",
      });
    }
    if (
      o.per_user && (config.server.type === "stdio" || (config.server.auth !== "bearer" && !config.oauth))
    ) {
      ctx.addIssue({
        code: "custom",
        path: at("oauth", "per_user"),
        message:
          "per-user logins need to know who calls: serve HTTP with server.auth: bearer or an oauth: section",
      });
    }
  }
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
