/**
 * The authoring API: `defineTool`, `defineResource`, `defineResourceTemplate`, `definePrompt`.
 *
 * Each only adds types and checks: a definition is a plain object, so a module may also export
 * plain objects of the same shape without importing this package (that is what lets tool modules
 * load into a bundled or compiled runtime, which has no import map).
 *
 * @module
 */

import type { RequestContext } from "../core/context.ts";
import type { CacheHint } from "../core/registry.ts";
import type {
  ContentBlock,
  GetPromptResult,
  PromptMessage,
  ReadResourceResult,
  Resource,
  ToolAnnotations,
} from "../protocol.ts";

/** A JSON Schema for an object (what MCP requires of `inputSchema`). */
export interface JsonObjectSchema {
  /** Always `object`: MCP tools take named arguments. */
  type: "object";
  /** The arguments, by name. */
  properties?: Record<string, unknown>;
  /** Names of the arguments that must be given. */
  required?: string[];
  /** Any other JSON Schema keyword. */
  [keyword: string]: unknown;
}

/**
 * A schema in the Standard Schema form (`~standard`), as zod 4 schemas are: its output type is
 * what a handler receives.
 */
export interface StandardSchema<Output = unknown> {
  /** The Standard Schema interface. */
  readonly "~standard": {
    /** The interface version. */
    readonly version: 1;
    /** The library (`zod`, ...). */
    readonly vendor: string;
    /** Input and output types, for type inference only. */
    readonly types?: {
      /** What the schema accepts. */
      readonly input: unknown;
      /** What it produces. */
      readonly output: Output;
    } | undefined;
  };
}

/** A raw zod shape: schemas by argument name (`{ a: z.number() }`). */
export type SchemaShape = Record<string, StandardSchema>;

/** A zod object schema (`z.object({...})`) or a raw zod shape (`{ a: z.number() }`). */
export type ZodObjectLike = StandardSchema<Record<string, unknown>> | SchemaShape;

/** Any schema `defineTool` accepts: JSON Schema, a zod object, or a zod shape. */
export type ToolSchema = JsonObjectSchema | ZodObjectLike;

/** The arguments type a schema implies (`Record<string, unknown>` for JSON Schema). */
export type ArgsOf<S> = S extends StandardSchema<infer O> ? O
  : S extends SchemaShape ? { [K in keyof S]: S[K] extends StandardSchema<infer O> ? O : unknown }
  : Record<string, unknown>;

/**
 * What a tool handler may return:
 * - a string → one text item;
 * - a plain object → its JSON as text **and** `structuredContent`;
 * - an object with a `content` array (a CallToolResult) → as is;
 * - a content block (`text(...)`, `image(...)`, ...) or an array of them → that content;
 * - anything else JSON-serialisable → JSON text.
 */
export type ToolReturn = unknown;

/** A tool definition (what `defineTool` returns, or a plain object of the same shape). */
export interface ToolDefinition<Args = Record<string, unknown>> {
  /** Optional tag; set by `defineTool`. Lets loaders tell a tool from a prompt without guessing. */
  kind?: "tool";
  /** Unique tool name: 1-128 of letters, digits, `_`, `-`, `.`, `/`. */
  name: string;
  /** Human-friendly name. */
  title?: string;
  /** What the tool does, for the model. */
  description?: string;
  /** Arguments: JSON Schema, zod object or zod shape. Default: an object with no declared keys. */
  inputSchema?: ToolSchema;
  /** Shape of `structuredContent`, when the tool returns structured data. */
  outputSchema?: ToolSchema;
  /** MCP tool annotations (`readOnlyHint`, `destructiveHint`, ...). */
  annotations?: ToolAnnotations;
  /** Per-tool timeout in seconds (beats `tools.timeout` and the environment). `0` = none. */
  timeout?: number;
  /** Extra `_meta` listed with the tool. */
  _meta?: Record<string, unknown>;
  /**
   * How the tool runs (listed with it). `taskSupport: "optional"` or `"required"` lets a call run
   * as a task (the MCP tasks extension, SEP-2663) for clients that declare it; `required` tools
   * refuse other clients (`-32021`).
   */
  execution?: { taskSupport?: "forbidden" | "optional" | "required" };
  /**
   * When a task-supporting call becomes a task: `immediately` (default) before the handler runs,
   * or `handler` when it calls `ctx.startTask()` — what it asks before that reaches the client as
   * `input_required` rounds of the call itself. `ttlMs`: how long a finished task is kept (default
   * one hour); `pollIntervalMs`: how often clients should poll (default 1000).
   */
  task?: { start?: "immediately" | "handler"; ttlMs?: number; pollIntervalMs?: number };
  /** Caching hint of `tools/list` for 2026-07-28 clients; default: the module's, else `0` / `private`. */
  cache?: CacheHint;
  /** The implementation. Sync or async. `ctx.signal` aborts on cancel or timeout. */
  handler: (args: Args, ctx: RequestContext) => ToolReturn | Promise<ToolReturn>;
}

/**
 * Define a tool. Arguments are validated against `inputSchema` before the handler runs; with a
 * zod schema the handler's `args` are typed from it.
 *
 * @example
 * ```ts
 * import { defineTool } from "@chuk/mcp-runtime";
 * import { z } from "zod";
 *
 * export const add = defineTool({
 *   name: "add",
 *   description: "Add two numbers",
 *   inputSchema: { a: z.number(), b: z.number() },
 *   handler: ({ a, b }) => ({ sum: a + b }),
 * });
 * ```
 */
export function defineTool<S extends SchemaShape>(
  def: Omit<ToolDefinition<ArgsOf<S>>, "inputSchema"> & { inputSchema: S },
): ToolDefinition;
/** Define a tool whose `inputSchema` is a zod object schema (`z.object({...})`). */
export function defineTool<S extends StandardSchema<Record<string, unknown>>>(
  def: Omit<ToolDefinition<ArgsOf<S>>, "inputSchema"> & { inputSchema: S },
): ToolDefinition;
/** Define a tool whose `inputSchema` is a JSON Schema. */
export function defineTool(def: ToolDefinition): ToolDefinition;
export function defineTool(def: ToolDefinition): ToolDefinition {
  if (!def || typeof def.name !== "string" || def.name.length === 0) {
    throw new TypeError("defineTool: 'name' must be a non-empty string");
  }
  if (typeof def.handler !== "function") {
    throw new TypeError(`defineTool '${def.name}': 'handler' must be a function`);
  }
  if (def.timeout !== undefined && !(typeof def.timeout === "number" && def.timeout >= 0)) {
    throw new TypeError(`defineTool '${def.name}': 'timeout' must be a number of seconds >= 0`);
  }
  const support = def.execution?.taskSupport;
  if (support !== undefined && !["forbidden", "optional", "required"].includes(support)) {
    throw new TypeError(
      `defineTool '${def.name}': 'execution.taskSupport' must be forbidden, optional or required`,
    );
  }
  return { ...def, kind: "tool" } as ToolDefinition;
}

/** What a resource handler may return. */
export type ResourceReturn =
  | string
  | Uint8Array
  | { text: string; mimeType?: string }
  | { blob: string | Uint8Array; mimeType?: string }
  | ReadResourceResult;

/** A fixed resource (one URI). */
export interface ResourceDefinition {
  /** Optional tag; set by `defineResource`. */
  kind?: "resource";
  /** The resource URI, e.g. `config://database`. */
  uri: string;
  /** Display name; default the URI. */
  name?: string;
  /** Human-readable title. */
  title?: string;
  /** What the resource holds. */
  description?: string;
  /** MIME type; kept in the read result (default `text/plain` for text, octet-stream for bytes). */
  mimeType?: string;
  /** Size in bytes, when known up front. */
  size?: number;
  /** MCP annotations (audience, priority, last modified). */
  annotations?: Resource["annotations"];
  /** Extra metadata passed through as `_meta`. */
  _meta?: Record<string, unknown>;
  /** Caching hint of reading it, for 2026-07-28 clients; default: the module's, else `0` / `private`. */
  cache?: CacheHint;
  /** Produce the content. Sync or async. */
  handler: (uri: URL, ctx: RequestContext) => ResourceReturn | Promise<ResourceReturn>;
}

/**
 * Define a fixed resource.
 *
 * @example
 * ```ts
 * import { defineResource } from "@chuk/mcp-runtime";
 * export const dbConfig = defineResource({
 *   uri: "config://database",
 *   name: "Database configuration",
 *   mimeType: "application/json",
 *   handler: () => JSON.stringify({ host: "localhost", port: 5432 }),
 * });
 * ```
 */
export function defineResource(def: ResourceDefinition): ResourceDefinition {
  if (!def || typeof def.uri !== "string" || !URL.canParse(def.uri)) {
    throw new TypeError(`defineResource: 'uri' must be an absolute URI, got ${JSON.stringify(def?.uri)}`);
  }
  if (typeof def.handler !== "function") {
    throw new TypeError(`defineResource '${def.uri}': 'handler' must be a function`);
  }
  return { ...def, kind: "resource" };
}

/** Completion callback: candidate values for one argument, given what the user typed so far. */
export type CompleteFn = (
  value: string,
  context: { arguments?: Record<string, string> },
) => string[] | Promise<string[]>;

/** A family of resources addressed by an RFC 6570 URI template. */
export interface ResourceTemplateDefinition {
  /** Optional tag; set by `defineResourceTemplate`. */
  kind?: "resourceTemplate";
  /** RFC 6570 template, e.g. `users://{id}/profile`. */
  uriTemplate: string;
  /** Display name; default the template. */
  name?: string;
  /** Human-readable title. */
  title?: string;
  /** What the resources hold. */
  description?: string;
  /** MIME type of every resource of the template. */
  mimeType?: string;
  /** MCP annotations (audience, priority, last modified). */
  annotations?: Resource["annotations"];
  /** Extra metadata passed through as `_meta`. */
  _meta?: Record<string, unknown>;
  /** Optional enumeration of concrete resources, merged into `resources/list`. */
  list?: (ctx: RequestContext) => Resource[] | Promise<Resource[]>;
  /** Completions per template variable (`completion/complete`). */
  complete?: Record<string, CompleteFn>;
  /** Caching hint of reading its resources (2026-07-28); default: the module's, else `0` / `private`. */
  cache?: CacheHint;
  /** Produce the content of one concrete URI. `variables` holds the template's matches. */
  handler: (
    uri: URL,
    variables: Record<string, string | string[]>,
    ctx: RequestContext,
  ) => ResourceReturn | Promise<ResourceReturn>;
}

/**
 * Define a resource template.
 *
 * @example
 * ```ts
 * import { defineResourceTemplate } from "@chuk/mcp-runtime";
 * export const userProfile = defineResourceTemplate({
 *   uriTemplate: "users://{id}/profile",
 *   name: "User profile",
 *   mimeType: "application/json",
 *   complete: { id: (prefix) => ["alice", "bob"].filter((u) => u.startsWith(prefix)) },
 *   handler: (_uri, { id }) => JSON.stringify({ id }),
 * });
 * ```
 */
export function defineResourceTemplate(def: ResourceTemplateDefinition): ResourceTemplateDefinition {
  if (!def || typeof def.uriTemplate !== "string" || def.uriTemplate.length === 0) {
    throw new TypeError("defineResourceTemplate: 'uriTemplate' must be a non-empty string");
  }
  if (typeof def.handler !== "function") {
    throw new TypeError(`defineResourceTemplate '${def.uriTemplate}': 'handler' must be a function`);
  }
  return { ...def, kind: "resourceTemplate" };
}

/** One declared prompt argument. */
export interface PromptArgumentDefinition {
  /** Argument name. */
  name: string;
  /** What the argument means. */
  description?: string;
  /** Whether the caller must give it. */
  required?: boolean;
}

/** What a prompt handler may return: text (one user message), messages, or a full result. */
export type PromptReturn = string | PromptMessage[] | GetPromptResult;

/** A prompt template. */
export interface PromptDefinition {
  /** Optional tag; set by `definePrompt`. */
  kind?: "prompt";
  /** Prompt name (unique in the server). */
  name: string;
  /** Human-readable title. */
  title?: string;
  /** What the prompt is for. */
  description?: string;
  /** Declared arguments; required ones are checked before the handler runs. */
  arguments?: PromptArgumentDefinition[];
  /** Completions per argument (`completion/complete`). */
  complete?: Record<string, CompleteFn>;
  /** Extra metadata passed through as `_meta`. */
  _meta?: Record<string, unknown>;
  /** Caching hint of `prompts/list` (2026-07-28); default: the module's, else `0` / `private`. */
  cache?: CacheHint;
  /** Build the prompt's messages from the arguments. Sync or async. */
  handler: (args: Record<string, string>, ctx: RequestContext) => PromptReturn | Promise<PromptReturn>;
}

/**
 * Define a prompt.
 *
 * @example
 * ```ts
 * import { definePrompt } from "@chuk/mcp-runtime";
 * export const review = definePrompt({
 *   name: "code_review",
 *   description: "Review a piece of code",
 *   arguments: [{ name: "code", required: true }],
 *   handler: ({ code }) => `Please review this code:\n\n${code}`,
 * });
 * ```
 */
export function definePrompt(def: PromptDefinition): PromptDefinition {
  if (!def || typeof def.name !== "string" || def.name.length === 0) {
    throw new TypeError("definePrompt: 'name' must be a non-empty string");
  }
  if (typeof def.handler !== "function") {
    throw new TypeError(`definePrompt '${def.name}': 'handler' must be a function`);
  }
  return { ...def, kind: "prompt" };
}

/** Any definition a module may export. */
export type Definition = ToolDefinition | ResourceDefinition | ResourceTemplateDefinition | PromptDefinition;

/** Content blocks for tool results; re-exported protocol type. */
export type { ContentBlock };
