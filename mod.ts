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

// Authoring API
export { definePrompt, defineResource, defineResourceTemplate, defineTool } from "./src/tools/define.ts";
export type {
  ArgsOf,
  CompleteFn,
  ContentBlock,
  Definition,
  JsonObjectSchema,
  PromptArgumentDefinition,
  PromptDefinition,
  PromptReturn,
  ResourceDefinition,
  ResourceReturn,
  ResourceTemplateDefinition,
  ToolDefinition,
  ToolReturn,
  ToolSchema,
  ZodObjectLike,
} from "./src/tools/define.ts";
export {
  audio,
  embeddedResource,
  fromBase64,
  image,
  resourceLink,
  text,
  toBase64,
} from "./src/tools/content.ts";
export {
  createTestContext,
  getRequestContext,
  getRequestHeaders,
  runWithRequestContext,
  sendProgress,
} from "./src/context/request_context.ts";
export type {
  RequestContext,
  TestContextOptions,
  TransportKind,
  UserIdentity,
} from "./src/context/request_context.ts";

// Results and schemas
export {
  toCallToolResult,
  toGetPromptResult,
  toolErrorResult,
  toReadResourceResult,
} from "./src/tools/result.ts";
export { compileSchema } from "./src/tools/schema.ts";
export type { CompiledSchema, ValidationResult } from "./src/tools/schema.ts";

// Errors
export {
  ConfigError,
  DuplicateNameError,
  ModuleLoadError,
  RuntimeError,
  ToolError,
  ToolTimeoutError,
} from "./src/errors.ts";
export type { ConfigErrorLocation } from "./src/errors.ts";

// Configuration
export {
  loadConfig,
  parseConfigText,
  resolveLogLevel,
  resolveSandboxId,
  resolveToolTimeout,
  validateConfig,
} from "./src/config/load.ts";
export type { ConfigOverrides, LoadConfigOptions, LoadedConfig } from "./src/config/load.ts";
export { ARTIFACT_TOOL_NAMES, configSchema, SESSION_TOOL_NAMES } from "./src/config/schema.ts";
export type {
  McpServerConfig,
  RuntimeConfig,
  RuntimeConfigInput,
  TransportType,
} from "./src/config/schema.ts";
export { envFromObject, loadDotEnv, parseDotEnv, processEnv } from "./src/config/env.ts";
export type { EnvSource } from "./src/config/env.ts";

// Logging
export {
  configureLogging,
  DEFAULT_LOG_FORMAT,
  getLogger,
  LOG_LEVELS,
  parseLogLevel,
} from "./src/log/logger.ts";
export type { Logger, LoggingOptions, LogLevelName } from "./src/log/logger.ts";

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
export { runServer } from "./src/server/run.ts";
export type { RunServerOptions } from "./src/server/run.ts";
export { pluginsFor } from "./src/server/plugins.ts";

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

// Utilities
export { Emitter } from "./src/util/emitter.ts";
export { VERSION } from "./src/version.ts";

if (import.meta.main) {
  // `deno run -A mod.ts --config x.yaml` runs the CLI. Loaded lazily (and not awaited at top
  // level) so tool modules that import this file never wait on a running server.
  import("./cli.ts").then(({ runCli }) => runCli(Deno.args)).then((code) => Deno.exit(code));
}
