/**
 * The MCP protocol types the runtime's API speaks in — tools, resources, prompts, content, the
 * requests a server sends its client — written out once, from the MCP specification (2025-11-25),
 * for everything outside `src/sdk/`. Objects are open (`[key: string]: unknown`): what a peer adds
 * passes through.
 *
 * @example
 * ```ts
 * import type { CallToolResult } from "@chuk/mcp-runtime/protocol";
 * const result: CallToolResult = { content: [{ type: "text", text: "done" }] };
 * ```
 *
 * @module
 */

/** A JSON-RPC request id. */
export type RequestId = string | number;

/** Extra data attached to a protocol object (`_meta`). */
export type Meta = Record<string, unknown>;

/** A protocol object is open: fields a peer adds (newer revisions, extensions) pass through. */
export interface Open {
  /** Any other field. */
  [key: string]: unknown;
}

/** Who a message or content is for, or from. */
export type Role = "user" | "assistant";

/** The severity of a log message, as syslog names them (`debug` lowest, `emergency` highest). */
export type LoggingLevel =
  | "debug"
  | "info"
  | "notice"
  | "warning"
  | "error"
  | "critical"
  | "alert"
  | "emergency";

/** An icon a client may show for a server, tool, resource or prompt. */
export interface Icon extends Open {
  /** Where the icon is (an `https:` or `data:` URI). */
  src: string;
  /** Its MIME type. */
  mimeType?: string;
  /** Sizes it fits, such as `48x48` or `any`. */
  sizes?: string[];
  /** The theme it is for. */
  theme?: "light" | "dark";
}

/** The name and version of an MCP client or server. */
export interface Implementation extends Open {
  /** Its programmatic name. */
  name: string;
  /** Its version. */
  version: string;
  /** Its display name. */
  title?: string;
  /** Its icons. */
  icons?: Icon[];
  /** Its website. */
  websiteUrl?: string;
}

/** Hints to the client about how to use or show an object. */
export interface Annotations extends Open {
  /** Who it is meant for. */
  audience?: Role[];
  /** How important it is, from 0 (least) to 1 (most). */
  priority?: number;
  /** When it last changed (ISO 8601). */
  lastModified?: string;
}

/** Text content. */
export interface TextContent extends Open {
  /** Always `text`. */
  type: "text";
  /** The text. */
  text: string;
  /** Hints for the client. */
  annotations?: Annotations;
  /** Extra data. */
  _meta?: Meta;
}

/** An image, base64-encoded. */
export interface ImageContent extends Open {
  /** Always `image`. */
  type: "image";
  /** The image bytes, base64. */
  data: string;
  /** Its MIME type (`image/png`, ...). */
  mimeType: string;
  /** Hints for the client. */
  annotations?: Annotations;
  /** Extra data. */
  _meta?: Meta;
}

/** Audio, base64-encoded. */
export interface AudioContent extends Open {
  /** Always `audio`. */
  type: "audio";
  /** The audio bytes, base64. */
  data: string;
  /** Its MIME type (`audio/wav`, ...). */
  mimeType: string;
  /** Hints for the client. */
  annotations?: Annotations;
  /** Extra data. */
  _meta?: Meta;
}

/** The contents of a resource as text. */
export interface TextResourceContents extends Open {
  /** The resource's URI. */
  uri: string;
  /** Its MIME type. */
  mimeType?: string;
  /** The text. */
  text: string;
  /** Extra data. */
  _meta?: Meta;
}

/** The contents of a resource as bytes. */
export interface BlobResourceContents extends Open {
  /** The resource's URI. */
  uri: string;
  /** Its MIME type. */
  mimeType?: string;
  /** The bytes, base64. */
  blob: string;
  /** Extra data. */
  _meta?: Meta;
}

/** A resource's contents, text or bytes. */
export type ResourceContents = TextResourceContents | BlobResourceContents;

/** A resource embedded in a message or a tool result. */
export interface EmbeddedResource extends Open {
  /** Always `resource`. */
  type: "resource";
  /** Its contents. */
  resource: ResourceContents;
  /** Hints for the client. */
  annotations?: Annotations;
  /** Extra data. */
  _meta?: Meta;
}

/** A resource the server can read, as `resources/list` shows it. */
export interface Resource extends Open {
  /** Its URI. */
  uri: string;
  /** Its programmatic name. */
  name: string;
  /** Its display name. */
  title?: string;
  /** What it holds. */
  description?: string;
  /** Its MIME type. */
  mimeType?: string;
  /** Its size in bytes, when known. */
  size?: number;
  /** Hints for the client. */
  annotations?: Annotations;
  /** Its icons. */
  icons?: Icon[];
  /** Extra data. */
  _meta?: Meta;
}

/** A link to a resource, as tool-result content. */
export interface ResourceLink extends Resource {
  /** Always `resource_link`. */
  type: "resource_link";
}

/** One piece of content in a tool result or a prompt message. */
export type ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource;

/** Hints about what a tool does (not guarantees: clients must not trust them from untrusted servers). */
export interface ToolAnnotations extends Open {
  /** A display name. */
  title?: string;
  /** It changes nothing. */
  readOnlyHint?: boolean;
  /** It may destroy or overwrite data. */
  destructiveHint?: boolean;
  /** Calling it twice with the same arguments does nothing more. */
  idempotentHint?: boolean;
  /** It reaches outside the server (the web, other systems). */
  openWorldHint?: boolean;
}

/** A JSON Schema for an object (the shape of a tool's arguments or structured result). */
export interface ObjectSchema {
  /** Always `object`. */
  type: "object";
  /** The properties, by name (each a JSON Schema). */
  properties?: Record<string, object>;
  /** Names of the properties that must be present. */
  required?: string[];
  /** Any other JSON Schema keyword. */
  [keyword: string]: unknown;
}

/** A tool, as `tools/list` shows it. */
export interface Tool extends Open {
  /** Its name, what clients call it by. */
  name: string;
  /** Its display name. */
  title?: string;
  /** What it does, for the model. */
  description?: string;
  /** Its arguments. */
  inputSchema: ObjectSchema;
  /** The shape of its `structuredContent`. */
  outputSchema?: ObjectSchema;
  /** Hints about its behaviour. */
  annotations?: ToolAnnotations;
  /** How it runs: `taskSupport` says whether calls may run as tasks (SEP-2663). */
  execution?: { taskSupport?: "forbidden" | "optional" | "required" };
  /** Its icons. */
  icons?: Icon[];
  /** Extra data. */
  _meta?: Meta;
}

/** The answer to `tools/call`. */
export interface CallToolResult extends Open {
  /** What the tool returned. */
  content: ContentBlock[];
  /** The same as a JSON object, when the tool returns structured data. */
  structuredContent?: Record<string, unknown>;
  /** The call failed (the content says why); the model may try again. */
  isError?: boolean;
  /** Extra data. */
  _meta?: Meta;
}

/** A template of resource URIs (RFC 6570), as `resources/templates/list` shows it. */
export interface ResourceTemplate extends Open {
  /** The URI template. */
  uriTemplate: string;
  /** Its programmatic name. */
  name: string;
  /** Its display name. */
  title?: string;
  /** What its resources hold. */
  description?: string;
  /** The MIME type of its resources, when they all share one. */
  mimeType?: string;
  /** Hints for the client. */
  annotations?: Annotations;
  /** Its icons. */
  icons?: Icon[];
  /** Extra data. */
  _meta?: Meta;
}

/** The answer to `resources/read`. */
export interface ReadResourceResult extends Open {
  /** The contents (one resource may have several parts). */
  contents: ResourceContents[];
  /** Extra data. */
  _meta?: Meta;
}

/** An argument a prompt takes. */
export interface PromptArgument extends Open {
  /** Its name. */
  name: string;
  /** Its display name. */
  title?: string;
  /** What it is for. */
  description?: string;
  /** Whether it must be given. */
  required?: boolean;
}

/** A prompt, as `prompts/list` shows it. */
export interface Prompt extends Open {
  /** Its name. */
  name: string;
  /** Its display name. */
  title?: string;
  /** What it is for. */
  description?: string;
  /** The arguments it takes. */
  arguments?: PromptArgument[];
  /** Its icons. */
  icons?: Icon[];
  /** Extra data. */
  _meta?: Meta;
}

/** One message of a rendered prompt. */
export interface PromptMessage extends Open {
  /** Who says it. */
  role: Role;
  /** What is said. */
  content: ContentBlock;
}

/** The answer to `prompts/get`. */
export interface GetPromptResult extends Open {
  /** What the prompt is for. */
  description?: string;
  /** The rendered messages. */
  messages: PromptMessage[];
  /** Extra data. */
  _meta?: Meta;
}

/** The answer to `completion/complete`. */
export interface CompleteResult extends Open {
  /** The candidates. */
  completion: {
    /** Candidate values (at most 100). */
    values: string[];
    /** How many candidates there are in all. */
    total?: number;
    /** Whether there are more than those sent. */
    hasMore?: boolean;
  };
  /** Extra data. */
  _meta?: Meta;
}

/** What a client can do, as it declared in `initialize`. */
export interface ClientCapabilities extends Open {
  /** It answers `sampling/createMessage`. */
  sampling?: object;
  /** It answers `elicitation/create`. */
  elicitation?: object;
  /** It answers `roots/list` (and may say when its roots change). */
  roots?: {
    /** It sends `notifications/roots/list_changed`. */
    listChanged?: boolean;
    /** Anything else the peer sent. */
    [key: string]: unknown;
  };
  /** Experimental capabilities. */
  experimental?: Record<string, object>;
}

/** What a server can do, as it declared in `initialize`. */
export interface ServerCapabilities extends Open {
  /** It serves tools. */
  tools?: {
    /** It sends `notifications/tools/list_changed`. */
    listChanged?: boolean;
    /** Anything else the peer sent. */
    [key: string]: unknown;
  };
  /** It serves resources. */
  resources?: Open & {
    /** It accepts `resources/subscribe`. */
    subscribe?: boolean;
    /** It sends `notifications/resources/list_changed`. */
    listChanged?: boolean;
    /** Anything else the peer sent. */
    [key: string]: unknown;
  };
  /** It serves prompts. */
  prompts?: {
    /** It sends `notifications/prompts/list_changed`. */
    listChanged?: boolean;
    /** Anything else the peer sent. */
    [key: string]: unknown;
  };
  /** It sends log messages and accepts `logging/setLevel`. */
  logging?: object;
  /** It answers `completion/complete`. */
  completions?: object;
  /** Experimental capabilities. */
  experimental?: Record<string, object>;
}

/** One message of a sampling conversation. */
export interface SamplingMessage extends Open {
  /** Who says it. */
  role: Role;
  /** What is said (text, image or audio; tool use and results in tool-enabled sampling). */
  content: SamplingContent | SamplingContent[];
  /** Extra data. */
  _meta?: Meta;
}

/** Content of a sampling message. */
export type SamplingContent = TextContent | ImageContent | AudioContent | {
  /** Another kind of content (`tool_use`, `tool_result`). */
  type: string;
  /** Its fields. */
  [key: string]: unknown;
};

/** Parameters of `sampling/createMessage`: the server asks the client's model for a completion. */
export interface CreateMessageRequestParams extends Open {
  /** The conversation so far. */
  messages: SamplingMessage[];
  /** The most tokens the model may produce. */
  maxTokens: number;
  /** A system prompt the client may use. */
  systemPrompt?: string;
  /** Which model the server would like (the client decides). */
  modelPreferences?: object;
  /** Whether to include context from MCP servers. */
  includeContext?: "none" | "thisServer" | "allServers";
  /** Sampling temperature. */
  temperature?: number;
  /** Sequences that end the completion. */
  stopSequences?: string[];
  /** Provider-specific metadata. */
  metadata?: object;
  /** Extra data. */
  _meta?: Meta;
}

/** The answer to `sampling/createMessage`. */
export interface CreateMessageResult extends Open {
  /** Who says it (the assistant). */
  role: Role;
  /** What the model produced. */
  content: TextContent | ImageContent | AudioContent;
  /** The model that produced it. */
  model: string;
  /** Why it stopped (`endTurn`, `stopSequence`, `maxTokens`, ...). */
  stopReason?: string;
  /** Extra data. */
  _meta?: Meta;
}

/** Parameters of `elicitation/create`: the server asks the user for input, through the client. */
export interface ElicitRequestParams extends Open {
  /** What to ask. */
  message: string;
  /** `form` (answer in the client, `requestedSchema`) or `url` (answer on a web page). */
  mode?: "form" | "url";
  /** The shape of the answer (form mode): a flat object schema. */
  requestedSchema?: ObjectSchema;
  /** The page to open (url mode). */
  url?: string;
  /** The id of the elicitation (url mode). */
  elicitationId?: string;
  /** Extra data. */
  _meta?: Meta;
}

/** The answer to `elicitation/create`. */
export interface ElicitResult extends Open {
  /** What the user did. */
  action: "accept" | "decline" | "cancel";
  /** The answer (with `accept`). */
  content?: Record<string, string | number | boolean | string[]>;
  /** Extra data. */
  _meta?: Meta;
}

/** A root: a folder or place the client lets servers work in. */
export interface Root extends Open {
  /** Its URI (`file://` for now). */
  uri: string;
  /** Its name. */
  name?: string;
  /** Extra data. */
  _meta?: Meta;
}

/** The answer to `roots/list`. */
export interface ListRootsResult extends Open {
  /** The client's roots. */
  roots: Root[];
  /** Extra data. */
  _meta?: Meta;
}

/** A notification the server sends its client (`notifications/progress`, `notifications/message`, ...). */
export interface ServerNotification {
  /** The method. */
  method: string;
  /** Its parameters. */
  params?: Record<string, unknown>;
}
