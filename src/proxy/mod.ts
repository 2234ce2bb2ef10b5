/**
 * The proxy: many MCP servers behind one endpoint (it starts from configuration:
 * `proxy.enabled` and `mcp_servers`). Exported here: its plugin, its naming rules, the OpenAI
 * export of tool lists, and how a stdio upstream is launched.
 *
 * @example
 * ```ts
 * import { proxiedNames } from "@chuk/mcp-runtime/proxy";
 * proxiedNames("time", "now", {
 *   namespace: "proxy", keepRootAliases: false, openaiCompatible: true, onlyOpenaiTools: false,
 * }); // [{ name: "proxy.time.now", ... }, { name: "time_now", ... }]
 * ```
 *
 * @module
 */

export { ProxyPlugin } from "./plugin.ts";
export type { Collision, ProxyPluginOptions, UpstreamChanges, UpstreamObserver } from "./plugin.ts";
export { UpstreamUnavailableError } from "./errors.ts";
export { aliasSpoof, MAX_NAME_LENGTH, proxiedNames, shortenName, toOpenAIName } from "./naming.ts";
export type { ListedName, NamingOptions } from "./naming.ts";
export { toOpenAITools } from "./openai.ts";
export type { OpenAIToolDefinition } from "./openai.ts";
export {
  BASE_CHILD_ENV,
  BASE_CHILD_ENV_WINDOWS,
  DENO_CHILD_ENV,
  DENO_PATH_ENV,
  denoExecutable,
  stdioLaunchSpec,
  upstreamType,
} from "./sandbox.ts";
export type { StdioLaunchOptions, StdioLaunchSpec } from "./sandbox.ts";
