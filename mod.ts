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
 * Or embed the runtime in a program (the other parts have their own entries: `./config`,
 * `./sessions`, `./artifacts`, `./proxy`, `./auth`, `./http`, `./permissions`, `./protocol`,
 * `./cli`):
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

// Authoring (also alone as `./define`)
export {
  audio,
  createTestContext,
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineTool,
  embeddedResource,
  fromBase64,
  getRequestContext,
  getRequestHeaders,
  image,
  resourceLink,
  runWithRequestContext,
  sendProgress,
  text,
  toBase64,
  ToolError,
  ToolTimeoutError,
} from "./define.ts";
export type {
  ArgsOf,
  ClientAsks,
  CompleteFn,
  ContentBlock,
  Definition,
  JsonObjectSchema,
  PromptArgumentDefinition,
  PromptDefinition,
  PromptReturn,
  RequestContext,
  ResourceDefinition,
  ResourceReturn,
  ResourceTemplateDefinition,
  SchemaShape,
  StandardSchema,
  TestContextOptions,
  ToolDefinition,
  ToolReturn,
  ToolSchema,
  TransportKind,
  UserIdentity,
  ZodObjectLike,
} from "./define.ts";
export { collectDefinitions, registerDefinitions } from "./src/tools/loader.ts";
export type { CollectedDefinitions, ModuleSlot } from "./src/tools/loader.ts";
export { localToolEntry } from "./src/tools/local.ts";
export type { LocalToolOptions } from "./src/tools/local.ts";
export { toolErrorResult } from "./src/tools/result.ts";

// Running
export { buildRuntime, runServer } from "./src/app/run.ts";
export type { RunServerOptions } from "./src/app/run.ts";
export { httpHandler, serve } from "./src/app/serve.ts";
export type { HttpHandler, ServeHandle, ServeOptions } from "./src/app/serve.ts";
export { pluginsFor } from "./src/app/plugins.ts";
export type { DefinitionSource, ModulesPluginOptions } from "./src/app/modules.ts";
export { Runtime } from "./src/core/runtime.ts";
export type { RuntimeOptions } from "./src/core/runtime.ts";
export { loadConfig } from "./src/config/load.ts";
export { validateConfig } from "./src/config/validate.ts";

// The seams: plugins, connections, dispatch, the registry, authentication, storage
export type { PluginHost, RuntimeEvents, RuntimePlugin } from "./src/core/plugin.ts";
export type { Connection, ConnectionInit } from "./src/core/connection.ts";
export type { ConnectionHost } from "./src/core/host.ts";
export { dispatch } from "./src/core/dispatch.ts";
export type { Call, DispatchHost, Params } from "./src/core/dispatch.ts";
export { Registry } from "./src/core/registry.ts";
export type {
  Completer,
  CompletionContext,
  CompletionValues,
  ListKind,
  PromptEntry,
  ResourceEntry,
  ResourceProvider,
  ResourceTemplateEntry,
  ToolEntry,
} from "./src/core/registry.ts";
export { Table } from "./src/core/table.ts";
export type { TableOptions } from "./src/core/table.ts";
export { Emitter } from "./src/util/emitter.ts";
export { ChangeBus } from "./src/core/bus.ts";
export { noAuth } from "./src/auth/types.ts";
export type { Authenticator, AuthOutcome } from "./src/auth/types.ts";
export type { KeyValueStore } from "./src/sessions/kv.ts";
export type { BlobInfo, BlobStore } from "./src/artifacts/blob.ts";

// Errors
export {
  ConfigError,
  DuplicateNameError,
  ErrorCode,
  ModuleLoadError,
  ProtocolError,
  RuntimeError,
} from "./src/errors.ts";
export type { ConfigErrorLocation } from "./src/errors.ts";
export { VERSION } from "./src/version.ts";

if (import.meta.main) {
  // `deno run -A mod.ts --config x.yaml` runs the CLI. Loaded lazily (and not awaited at top
  // level) so tool modules that import this file never wait on a running server.
  import("./cli.ts").then(({ runCli }) => runCli(Deno.args)).then((code) => Deno.exit(code));
}

// Types the signatures above use, exported so the root documents itself (`deno doc --lint mod.ts`).
export type { ConfigSource } from "./src/app/load.ts";
export type { EnvSource } from "./src/config/env.ts";
export type { LoadConfigOptions, LoadedConfig } from "./src/config/load.ts";
export type { RuntimeConfig } from "./src/config/types.ts";
export type { CallerArtifacts } from "./src/core/artifacts.ts";
export type { AskOptions } from "./src/core/context.ts";
export type { RequestObserver } from "./src/core/dispatch.ts";
export type { CacheHint, TaskSettings } from "./src/core/registry.ts";
export type { Surface } from "./src/core/surface.ts";
export type {
  AudioContent,
  CallToolResult,
  ClientCapabilities,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestParams,
  ElicitResult,
  EmbeddedResource,
  GetPromptResult,
  ImageContent,
  Implementation,
  ListRootsResult,
  LoggingLevel,
  Prompt,
  PromptMessage,
  ReadResourceResult,
  RequestId,
  Resource,
  ResourceLink,
  ResourceTemplate,
  ServerNotification,
  TextContent,
  Tool,
  ToolAnnotations,
} from "./src/protocol.ts";
export type { BindOptions, SessionBinding, SessionManager } from "./src/sessions/manager.ts";
export type { MetricsEndpoint, Telemetry } from "./src/telemetry/types.ts";
export type { ConfigOverrides } from "./src/config/load.ts";
export type {
  AccessConfig,
  ArtifactToolName,
  BuiltinToolSwitch,
  McpServerConfig,
  MetricsSectionConfig,
  OAuthResourceConfig,
  RuntimeConfigInput,
  SessionProviderName,
  SessionToolName,
  SseSectionConfig,
  StorageProviderName,
  StreamableHttpSectionConfig,
  ToolSearchConfig,
  ViewConfig,
} from "./src/config/types.ts";
export type { ConfigWarning } from "./src/config/warnings.ts";
export type { AccessPolicy, Caller, ItemKind } from "./src/core/access.ts";
export type {
  ArtifactMetadata,
  ArtifactUpdate,
  ArtifactWrite,
  UserListFilter,
} from "./src/core/artifacts.ts";
export type { ObservedRequest } from "./src/core/dispatch.ts";
export type { LogLevelName } from "./src/log/logger.ts";
export type {
  Annotations,
  Icon,
  Meta,
  ObjectSchema,
  Open,
  PromptArgument,
  ResourceContents,
  Role,
  Root,
  SamplingMessage,
} from "./src/protocol.ts";
export type { SessionCaller, SessionRecord } from "./src/sessions/manager.ts";
export type {
  AccessRuleConfig,
  DeepPartial,
  DenoPermissionsConfig,
  HttpSectionConfig,
  McpServerConfigInput,
  ModuleSlotConfig,
  ServerSurfaceConfig,
  TransportType,
  UpstreamOAuthConfig,
} from "./src/config/types.ts";
export type { Verdict } from "./src/core/access.ts";
export type { ArtifactInput, ArtifactScope } from "./src/core/artifacts.ts";
export type { BlobResourceContents, SamplingContent, TextResourceContents } from "./src/protocol.ts";
export type { CacheHintConfig, ToolOverrideConfig, ToolOverrideConfigInput } from "./src/config/types.ts";
export type { ArgumentOverrideConfig } from "./src/config/types.ts";
