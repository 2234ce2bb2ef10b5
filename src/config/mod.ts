/**
 * Configuration: load and validate `config.yaml` (the reference runtime's keys), the environment
 * helpers, and the logging the configuration sets up.
 *
 * @example
 * ```ts
 * import { loadConfig } from "@chuk/mcp-runtime/config";
 * const { config, file } = await loadConfig({ path: "examples/config.http.yaml" });
 * console.log(file, config.server.type);
 * ```
 *
 * @module
 */

export { loadConfig, resolveLogLevel, resolveSandboxId, resolveToolTimeout } from "./load.ts";
export type { ConfigOverrides, LoadConfigOptions, LoadedConfig } from "./load.ts";
export { validateConfig } from "./validate.ts";
export { parseConfigDocument, parseConfigText } from "./parse.ts";
export type { ParsedConfig } from "./parse.ts";
export type { ConfigWarning } from "./warnings.ts";
export {
  ARTIFACT_TOOL_NAMES,
  CALL_TOOL_NAME,
  SEARCH_TOOL_NAME,
  SESSION_PROVIDERS,
  SESSION_TOOL_NAMES,
  STORAGE_PROVIDERS,
} from "./schema.ts";
export type {
  AccessConfig,
  AccessRuleConfig,
  ArgumentOverrideConfig,
  ArtifactToolName,
  BuiltinToolSwitch,
  CacheHintConfig,
  DeepPartial,
  DenoPermissionsConfig,
  HttpSectionConfig,
  McpServerConfig,
  McpServerConfigInput,
  MetricsSectionConfig,
  ModuleSlotConfig,
  OAuthResourceConfig,
  RuntimeConfig,
  RuntimeConfigInput,
  ServerSurfaceConfig,
  SessionProviderName,
  SessionToolName,
  SseSectionConfig,
  StorageProviderName,
  StreamableHttpSectionConfig,
  ToolOverrideConfig,
  ToolOverrideConfigInput,
  ToolSearchConfig,
  TransportType,
  UpstreamOAuthConfig,
  ViewConfig,
} from "./types.ts";
export { envFromObject, loadDotEnv, parseDotEnv, processEnv } from "./env.ts";
export type { EnvSource } from "./env.ts";
export { resolveArtifactRoot, resolveSqlitePath } from "./paths.ts";
export {
  configureLogging,
  DEFAULT_LOG_FORMAT,
  getLogger,
  JSON_LOG_FORMAT,
  jsonLogging,
  LOG_LEVELS,
  MCP_LOG_LEVELS,
  parseLogLevel,
} from "../log/logger.ts";
export type { Logger, LoggingOptions, LogLevelName, McpLogLevel } from "../log/logger.ts";
export { currentLogFields, withLogFields } from "../log/context.ts";
export type { LogFields } from "../log/context.ts";
