/**
 * # @chuk/mcp-runtime
 *
 * A Deno-native runtime for the Model Context Protocol: host TypeScript tools, resources and
 * prompts, proxy other MCP servers behind one endpoint, and serve it all over stdio, SSE or
 * streamable HTTP.
 *
 * Run it:
 *
 * ```sh
 * deno run -A jsr:@chuk/mcp-runtime --config config.yaml
 * ```
 *
 * Write a tool module (point `tools.modules_to_import` or `mcp_servers.<name>.tools.module` at it):
 *
 * @example
 * ```ts
 * import { defineTool } from "jsr:@chuk/mcp-runtime";
 *
 * export const greet = defineTool({
 *   name: "greet",
 *   description: "Say hello",
 *   inputSchema: { type: "object", properties: { name: { type: "string" } } },
 *   handler: ({ name }) => `Hello, ${name ?? "world"}!`,
 * });
 * ```
 *
 * Or embed the runtime in a program:
 *
 * @example
 * ```ts
 * import { collectDefinitions, defineTool, runServer } from "jsr:@chuk/mcp-runtime";
 *
 * const hello = defineTool({ name: "hello", inputSchema: { type: "object" }, handler: () => "hi" });
 * const server = await runServer({
 *   fallbackConfig: { server: { type: "stdio" } },
 *   definitions: [{ source: "main.ts", definitions: collectDefinitions({ hello }) }],
 * });
 * await server.done;
 * ```
 *
 * @module
 */

// Authoring API (also available alone as `define.ts`, the `./define` export)
export * from "./define.ts";

// Results and schemas
export {
  toCallToolResult,
  toGetPromptResult,
  toolErrorResult,
  toReadResourceResult,
} from "./src/tools/result.ts";
export { compileSchema, sharedJsonSchemaValidator } from "./src/tools/schema.ts";
export type { CompiledSchema, ValidationResult } from "./src/tools/schema.ts";

// Errors
export { ConfigError, DuplicateNameError, ModuleLoadError, RuntimeError } from "./src/errors.ts";
export type { ConfigErrorLocation } from "./src/errors.ts";

// Configuration
export {
  loadConfig,
  resolveLogLevel,
  resolveSandboxId,
  resolveToolTimeout,
  validateConfig,
} from "./src/config/load.ts";
export { parseConfigText } from "./src/config/parse.ts";
export type { ConfigOverrides, LoadConfigOptions, LoadedConfig } from "./src/config/load.ts";
export { ARTIFACT_TOOL_NAMES, configSchema, SESSION_TOOL_NAMES } from "./src/config/schema.ts";
export type {
  McpServerConfig,
  RuntimeConfig,
  RuntimeConfigInput,
  TransportType,
} from "./src/config/schema.ts";
export type {
  ArtifactToolName,
  BuiltinToolSwitch,
  DeepPartial,
  DenoPermissionsConfig,
  HttpSectionConfig,
  McpServerConfigInput,
  MetricsSectionConfig,
  ModuleSlotConfig,
  SseSectionConfig,
  StorageProviderName,
  StreamableHttpSectionConfig,
} from "./src/config/types.ts";
export { envFromObject, loadDotEnv, parseDotEnv, processEnv } from "./src/config/env.ts";
export { resolveArtifactRoot, resolveSqlitePath } from "./src/config/paths.ts";
export type { EnvSource } from "./src/config/env.ts";

// Logging
export {
  configureLogging,
  DEFAULT_LOG_FORMAT,
  getLogger,
  JSON_LOG_FORMAT,
  jsonLogging,
  LOG_LEVELS,
  parseLogLevel,
} from "./src/log/logger.ts";
export type { Logger, LoggingOptions, LogLevelName } from "./src/log/logger.ts";
export { currentLogFields, withLogFields } from "./src/log/context.ts";
export type { LogFields } from "./src/log/context.ts";

// Registry and loading
export { Registry } from "./src/registry/registry.ts";
export type {
  CompletionContext,
  CompletionValues,
  ListKind,
  PromptEntry,
  ResourceEntry,
  ResourceProvider,
  ResourceTemplateEntry,
  ToolEntry,
} from "./src/registry/registry.ts";
export {
  collectDefinitions,
  importDefinitions,
  registerDefinitions,
  resolveModulePath,
} from "./src/tools/loader.ts";
export type { CollectedDefinitions, ModuleSlot } from "./src/tools/loader.ts";
export {
  localPromptEntry,
  localResourceEntry,
  localTemplateEntry,
  localToolEntry,
} from "./src/tools/local.ts";
export type { LocalToolOptions } from "./src/tools/local.ts";

// Runtime and serving
export { Runtime } from "./src/server/runtime.ts";
export type { RuntimeEvents, RuntimeOptions, RuntimePlugin } from "./src/server/runtime.ts";
export { DownstreamSession } from "./src/server/session.ts";
export type { SessionInit } from "./src/server/session.ts";
export { serve } from "./src/server/serve.ts";
export type { ServeHandle, ServeOptions } from "./src/server/serve.ts";
export { buildRuntime, runServer } from "./src/server/run.ts";
export type { RunServerOptions } from "./src/server/run.ts";
export { lazyPlugin, pluginsFor } from "./src/server/plugins.ts";

// Transports
export { StdioTransport } from "./src/transports/stdio.ts";
export type { StdioTransportOptions } from "./src/transports/stdio.ts";
export {
  checkHostAndOrigin,
  healthResponse,
  isJsonContentType,
  isLoopback,
  jsonRpcErrorResponse,
  listenHttp,
  readJsonBody,
} from "./src/transports/http_common.ts";
export type { HttpHygiene, HttpListener, JsonBody } from "./src/transports/http_common.ts";
export { createStreamableHttpHandler } from "./src/transports/streamable_http.ts";
export type { HttpHandler, StreamableHttpSettings } from "./src/transports/streamable_http.ts";
export { createSseHandler, SseServerTransport } from "./src/transports/sse.ts";
export type { SseSettings } from "./src/transports/sse.ts";

// Storage seam (sessions, artifact metadata)
export { MemoryKeyValueStore } from "./src/sessions/kv.ts";
export type { KeyValueStore } from "./src/sessions/kv.ts";
export { SqliteKeyValueStore } from "./src/sessions/sqlite_kv.ts";
export type { SqliteKeyValueStoreOptions } from "./src/sessions/sqlite_kv.ts";

// Artifacts (scoped file storage, its tools and artifact:// resources)
export { ArtifactStore, mimeMatches } from "./src/artifacts/store.ts";
export type {
  ArtifactCaller,
  ArtifactInput,
  ArtifactMetadata,
  ArtifactScope,
  ArtifactStoreOptions,
  ArtifactUpdate,
  UserListFilter,
} from "./src/artifacts/store.ts";
export {
  ArtifactError,
  ArtifactIdentityError,
  ArtifactNotFoundError,
  ArtifactPermissionError,
  ArtifactTooLargeError,
} from "./src/artifacts/errors.ts";
export { assertBlobKey } from "./src/artifacts/blob.ts";
export type { BlobInfo, BlobStore } from "./src/artifacts/blob.ts";
export { MemoryBlobStore } from "./src/artifacts/blob_memory.ts";
export { FilesystemBlobStore } from "./src/artifacts/blob_filesystem.ts";
export type { FilesystemBlobStoreOptions } from "./src/artifacts/blob_filesystem.ts";
// The S3 provider is not re-exported: importing it loads the AWS SDK (~50 ms). `createBlobStore`
// loads it on demand; import `src/artifacts/blob_s3.ts` directly to use the class.
export type { S3BlobStoreOptions } from "./src/artifacts/blob_s3.ts";
export { SqliteBlobStore } from "./src/artifacts/blob_sqlite.ts";
export { countWrites, createBlobStore } from "./src/artifacts/providers.ts";
export {
  IBM_COS_DEFAULT_ENDPOINT,
  resolveArtifactNamespace,
  resolveArtifactSettings,
  STORAGE_ALIASES,
} from "./src/artifacts/settings.ts";
export type {
  ArtifactSettings,
  MetadataProviderName,
  S3Settings,
  StorageKind,
} from "./src/artifacts/settings.ts";
export { callerOf } from "./src/artifacts/caller.ts";
export { artifactToolDefinitions, PRESIGN_EXPIRY } from "./src/artifacts/tools.ts";
export { ARTIFACT_URI_PREFIX, artifactResourceProvider, isTextMime } from "./src/artifacts/resources.ts";
export { artifactAudience, ArtifactsPlugin, artifactsPlugin } from "./src/artifacts/plugin.ts";
export type { ArtifactsPluginOptions } from "./src/artifacts/plugin.ts";

// Proxy naming and OpenAI export (the proxy itself starts from config: `proxy.enabled`)
export { MAX_NAME_LENGTH, proxiedNames, shortenName, toOpenAIName } from "./src/proxy/naming.ts";
export type { ListedName, NamingOptions } from "./src/proxy/naming.ts";
export { toOpenAITools } from "./src/proxy/openai.ts";
export type { OpenAIToolDefinition } from "./src/proxy/openai.ts";

// Auth seam
export { noAuth } from "./src/auth/types.ts";
export type { Authenticator, AuthOutcome } from "./src/auth/types.ts";

// Identity: bearer JWT
export {
  HMAC_ALGORITHMS,
  JwtAuthenticator,
  PUBLIC_KEY_ALGORITHMS,
  TokenError,
  USER_ID_CLAIMS,
  userFromClaims,
} from "./src/auth/jwt.ts";
export type { JwtAuthOptions, TokenFailure } from "./src/auth/jwt.ts";
export { createAuthenticator, jwtOptionsFromEnv } from "./src/auth/config.ts";

// Sessions: per-client sessions over memory / Redis / Redis Cluster
export { attachBinding, bindingOf, SessionBinding, SessionManager } from "./src/sessions/manager.ts";
export type { BindOptions, SessionManagerOptions, SessionRecord } from "./src/sessions/manager.ts";
export { SessionError, SessionNotFoundError, StoreUnavailableError } from "./src/sessions/errors.ts";
export { keyNamespace, NamespacedKeyValueStore } from "./src/sessions/namespace.ts";
export {
  DEFAULT_REDIS_URL,
  parseRedisUrl,
  RedisKeyValueStore,
  redisOptionsFromEnv,
} from "./src/sessions/redis_kv.ts";
export type { ParsedRedisUrl, RedisKeyValueStoreOptions } from "./src/sessions/redis_kv.ts";
export { createKeyValueStore, resolveSessionProvider } from "./src/sessions/factory.ts";
export type { SessionProviderName, SessionToolName } from "./src/config/types.ts";
export { enabledSessionTools, sessionToolDefinitions, sessionToolsPlugin } from "./src/sessions/tools.ts";

// Telemetry seam (the Prometheus side is the `./telemetry` export: it loads prom-client)
export { noTelemetry } from "./src/telemetry/types.ts";
export type { MetricsEndpoint, ObservedConnection, Telemetry } from "./src/telemetry/types.ts";
export { tracingRegistered } from "./src/telemetry/detect.ts";
export { telemetryWanted } from "./src/telemetry/wanted.ts";
export { DEFAULT_METRICS_PORT, metricsListenPort } from "./src/telemetry/settings.ts";

// Hot reload: what changed between two configurations and the steps that apply it
export { diffConfig, planReload } from "./src/reload/diff.ts";
export type { ConfigDiff, ModuleRef, ReloadPlan, ReloadStep, UpstreamChanges } from "./src/reload/diff.ts";
export { watchFiles } from "./src/reload/watch.ts";
export type { FileWatch, WatchOptions } from "./src/reload/watch.ts";

// Permissions and deployment (least-privilege flags, startup check, sandboxed stdio servers)
export {
  displayPath,
  envReferences,
  LIBRARY_ENV_PROBES,
  netHost,
  requiredPermissions,
} from "./src/permissions/required.ts";
export type { RequiredPermissionsOptions } from "./src/permissions/required.ts";
export { entrySpec, permissionFlags, shellJoin } from "./src/permissions/flags.ts";
export type { PermissionFlagOptions } from "./src/permissions/flags.ts";
export {
  assertPermissions,
  missingPermissions,
  preflightConfigPermissions,
} from "./src/permissions/check.ts";
export type { AssertPermissionsOptions, PreflightOptions } from "./src/permissions/check.ts";
export { PERMISSION_KINDS, PermissionError } from "./src/permissions/types.ts";
export type { PermissionGrant, PermissionKind, RequiredPermissions } from "./src/permissions/types.ts";
export {
  BASE_CHILD_ENV,
  BASE_CHILD_ENV_WINDOWS,
  DENO_CHILD_ENV,
  DENO_PATH_ENV,
  denoExecutable,
  stdioLaunchSpec,
  upstreamType,
} from "./src/permissions/sandbox.ts";
export type { StdioLaunchOptions, StdioLaunchSpec } from "./src/permissions/sandbox.ts";
export { bakedModule, bakeModules, configuredModules, moduleCandidates } from "./src/tools/loader.ts";
export type { ConfiguredModule } from "./src/tools/loader.ts";
export { isCompiledBinary } from "./src/util/compiled.ts";
export { PERMISSIONS_USAGE, permissionsCommand, permissionsReport } from "./src/cli/permissions.ts";
export type { PermissionsReport } from "./src/cli/permissions.ts";

// Utilities
export { Emitter } from "./src/util/emitter.ts";
export { VERSION } from "./src/version.ts";

if (import.meta.main) {
  // `deno run -A mod.ts --config x.yaml` runs the CLI. Loaded lazily (and not awaited at top
  // level) so tool modules that import this file never wait on a running server.
  import("./cli.ts").then(({ runCli }) => runCli(Deno.args)).then((code) => Deno.exit(code));
}
