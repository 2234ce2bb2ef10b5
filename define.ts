/**
 * The authoring API alone: what a tool, resource or prompt module needs, without the runtime.
 * Importing `jsr:@chuk/mcp-runtime/define` instead of the package root keeps a tool module's
 * load light (the root also loads the server, proxy, storage and auth code).
 *
 * @example
 * ```ts
 * import { defineTool, sendProgress } from "jsr:@chuk/mcp-runtime/define";
 *
 * export const count = defineTool({
 *   name: "count",
 *   inputSchema: { type: "object", properties: { n: { type: "number" } } },
 *   handler: async ({ n }) => {
 *     for (let i = 1; i <= Number(n ?? 3); i++) await sendProgress(i, Number(n ?? 3));
 *     return "done";
 *   },
 * });
 * ```
 *
 * @module
 */

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
  SchemaShape,
  StandardSchema,
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
} from "./src/core/context.ts";
export type {
  AskOptions,
  ClientAsks,
  RequestContext,
  TestContextOptions,
  TransportKind,
  UserIdentity,
} from "./src/core/context.ts";
export type { CacheHint, TaskSettings } from "./src/core/registry.ts";
export { isValidToolName } from "./src/tools/local.ts";
export {
  ErrorCode,
  MissingClientCapabilityError,
  ProtocolError,
  RuntimeError,
  ToolError,
  ToolTimeoutError,
} from "./src/errors.ts";
