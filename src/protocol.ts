/**
 * The MCP protocol types the runtime's API speaks in (tools, resources, prompts, content, client
 * requests), from one place. Everything outside `src/sdk/` takes them from here.
 *
 * @module
 */

export type {
  CallToolResult,
  ClientCapabilities,
  CompleteResult,
  ContentBlock,
  CreateMessageResult,
  ElicitResult,
  GetPromptResult,
  Implementation,
  JSONRPCMessage,
  ListRootsResult,
  LoggingLevel,
  Prompt,
  PromptArgument,
  PromptMessage,
  ReadResourceResult,
  RequestId,
  Resource,
  ResourceTemplate,
  ServerCapabilities,
  ServerNotification,
  Tool,
  ToolAnnotations,
} from "./sdk/types.ts";
import type { CreateMessageRequest, ElicitRequest } from "./sdk/types.ts";

/** Parameters of `sampling/createMessage`. */
export type CreateMessageRequestParams = CreateMessageRequest["params"];
/** Parameters of `elicitation/create`. */
export type ElicitRequestParams = ElicitRequest["params"];
