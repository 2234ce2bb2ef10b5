/**
 * What one caller sees of the registry, decided in one place that every era and transport passes
 * through (`dispatch`): the access rules and the view of the endpoint filter every list and every
 * lookup by name, and `tools.search` adds the tools that find (`search_tools`) and call
 * (`call_tool`) the rest. A name the caller may not see answers exactly as a name that does not
 * exist — only the audit log (`access` logger) tells them apart.
 *
 * The `./surface` entry of the package: embedders build a surface from configuration sections
 * ({@linkcode surfaceFor}) or by hand, and rank tools with {@linkcode ToolIndex}.
 *
 * @example
 * ```ts
 * import { surfaceFor } from "@chuk/mcp-runtime/surface";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const surface = surfaceFor(validateConfig({ tools: { search: { enabled: true, lazy: true } } }, "inline"));
 * console.log(surface.lazy); // true
 * ```
 *
 * @module
 */

import { CALL_TOOL_NAME, SEARCH_TOOL_NAME } from "../config/schema.ts";
import type { AccessConfig, RuntimeConfig, ToolSearchConfig, ViewConfig } from "../config/types.ts";
import { getLogger } from "../log/logger.ts";
import type { CallToolResult, Prompt, Resource, ResourceTemplate, Tool } from "../protocol.ts";
import { AccessPolicy, type Caller, type ItemKind } from "./access.ts";
import type { RequestContext } from "./context.ts";
import type { PromptEntry, Registry, ToolEntry } from "./registry.ts";
import { ToolIndex } from "./search.ts";

export { AccessPolicy, ToolIndex };
export type { Caller, ItemKind };
export type { Verdict } from "./access.ts";
export type { ToolHit } from "./search.ts";

const log = getLogger("access");

/** Name of the tool that finds tools. */
export const SEARCH_TOOL: string = SEARCH_TOOL_NAME;
/** Name of the tool that calls a tool by name (lazy listing). */
export const CALL_TOOL: string = CALL_TOOL_NAME;
/** Tools `search_tools` returns when the caller gives no limit, and the most it returns. */
const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 50;
/** Longest query searched (longer ones are cut: the cost of a search stays bounded). */
const MAX_QUERY = 1000;

/** What a {@linkcode Surface} is made of: the `access`, `views` and `tools.search` sections. */
export interface SurfaceOptions {
  /** `access:` (default: everyone sees everything). */
  access?: AccessConfig;
  /** `views:`. */
  views?: Record<string, ViewConfig>;
  /** `tools.search:`. */
  search?: ToolSearchConfig;
}

function textResult(text: string, isError = false): CallToolResult {
  return { content: [{ type: "text", text }], ...(isError ? { isError } : {}) };
}

function searchTool(lazy: boolean): Tool {
  return {
    name: SEARCH_TOOL,
    title: "Search tools",
    description: "Find the tools that can do a task: describe it in a few words. Returns the best " +
      "matching tools with their input schemas" +
      (lazy ? `; run one with ${CALL_TOOL}.` : "; call one by its name."),
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "What you want to do, in a few words" },
        limit: {
          type: "integer",
          minimum: 1,
          maximum: MAX_LIMIT,
          description: `Most tools returned (default ${DEFAULT_LIMIT})`,
        },
      },
      required: ["query"],
    },
    outputSchema: {
      type: "object",
      properties: { tools: { type: "array", items: { type: "object" } } },
      required: ["tools"],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
}

const CALL_TOOL_DEFINITION: Tool = {
  name: CALL_TOOL,
  title: "Call a tool",
  description: `Run a tool found with ${SEARCH_TOOL}: its name, and its arguments as its input schema says.`,
  inputSchema: {
    type: "object",
    properties: {
      name: { type: "string", description: `The tool's name, as ${SEARCH_TOOL} gave it` },
      arguments: { type: "object", description: "The tool's arguments" },
    },
    required: ["name"],
  },
};

/**
 * The access rules, views and tool search of a configuration, applied per caller.
 *
 * @example
 * ```ts
 * import { Registry } from "./registry.ts";
 * import { Surface } from "./surface.ts";
 * const registry = new Registry();
 * registry.tools.add({
 *   tool: { name: "add", inputSchema: { type: "object" } },
 *   source: "example",
 *   call: () => Promise.resolve({ content: [{ type: "text", text: "3" }] }),
 * });
 * const surface = new Surface({ search: { enabled: true, lazy: true } });
 * console.log(surface.listTools(registry, {}).map((t) => t.name)); // ["search_tools", "call_tool"]
 * ```
 */
export class Surface {
  /** The access rules and views. */
  readonly policy: AccessPolicy;
  /** Whether `search_tools` is served. */
  readonly search: boolean;
  /** Whether `tools/list` shows only `search_tools` and `call_tool`. */
  readonly lazy: boolean;
  readonly #searchTool: Tool;
  #index: ToolIndex | undefined;

  /** The surface `options` describe. */
  constructor(options: SurfaceOptions = {}) {
    this.policy = new AccessPolicy(options.access ?? { default: "allow", rules: [] }, options.views ?? {});
    this.search = options.search?.enabled ?? false;
    this.lazy = this.search && (options.search?.lazy ?? false);
    this.#searchTool = searchTool(this.lazy);
  }

  /** The names the surface's own tools take (a registered tool by one of them is shadowed). */
  get ownToolNames(): string[] {
    return this.lazy ? [SEARCH_TOOL, CALL_TOOL] : this.search ? [SEARCH_TOOL] : [];
  }

  /** Whether `caller` may see `kind` `name` (nothing is logged: listing is not a call). */
  sees(kind: ItemKind, name: string, caller: Caller): boolean {
    return this.policy.judge(kind, name, caller).allowed;
  }

  /** Whether `caller` may use `kind` `name`; a refusal is logged with the caller and the rule. */
  #admits(kind: ItemKind, name: string, caller: Caller): boolean {
    const verdict = this.policy.judge(kind, name, caller);
    if (!verdict.allowed) {
      log.warn(
        `denied ${kind} '${name}' to ${
          caller.user ? `user '${caller.user.id}'` : "a caller without a token"
        }` +
          `${caller.view !== undefined ? ` at view '${caller.view}'` : ""}: ${verdict.why}`,
      );
    }
    return verdict.allowed;
  }

  /** Whether `caller` sees the registry as it is (no rules, no view): lists pass unfiltered. */
  #seesAll(caller: Caller): boolean {
    return this.policy.open && caller.view === undefined;
  }

  #visibleTools(registry: Registry, caller: Caller): Tool[] {
    const all = registry.listTools();
    if (this.#seesAll(caller) && !this.search) return all;
    const own = new Set(this.ownToolNames);
    return all.filter((t) => !own.has(t.name) && this.sees("tool", t.name, caller));
  }

  /** The `tools/list` answer for `caller`. */
  listTools(registry: Registry, caller: Caller): Tool[] {
    if (this.lazy) return [this.#searchTool, CALL_TOOL_DEFINITION];
    const tools = this.#visibleTools(registry, caller);
    return this.search ? [...tools, this.#searchTool] : tools;
  }

  /** The entry `caller` calls by `name`, or `undefined` — for a name that does not exist and for one the caller may not use alike. */
  tool(registry: Registry, name: string, caller: Caller): ToolEntry | undefined {
    if (this.search && name === SEARCH_TOOL) return this.#searchEntry(registry, caller);
    if (this.lazy && name === CALL_TOOL) return this.#callEntry(registry, caller);
    const entry = registry.tools.get(name);
    if (!entry || !this.#admits("tool", name, caller)) return undefined;
    return entry;
  }

  /** The `prompts/list` answer for `caller`. */
  listPrompts(registry: Registry, caller: Caller): Prompt[] {
    const all = registry.listPrompts();
    return this.#seesAll(caller) ? all : all.filter((p) => this.sees("prompt", p.name, caller));
  }

  /** The prompt `caller` gets by `name`, or `undefined` (does not exist, or not for this caller). */
  prompt(registry: Registry, name: string, caller: Caller): PromptEntry | undefined {
    const entry = registry.prompts.get(name);
    if (!entry || !this.#admits("prompt", name, caller)) return undefined;
    return entry;
  }

  /** The resources of a `resources/list` answer that `caller` may see. */
  resources(resources: Resource[], caller: Caller): Resource[] {
    return this.#seesAll(caller) ? resources : resources.filter((r) => this.sees("resource", r.uri, caller));
  }

  /** The templates of a `resources/templates/list` answer that `caller` may see. */
  templates(templates: ResourceTemplate[], caller: Caller): ResourceTemplate[] {
    return this.#seesAll(caller)
      ? templates
      : templates.filter((t) => this.sees("resource", t.uriTemplate, caller));
  }

  /** Whether `caller` may read (or subscribe to, or complete) resource `uri`; refusals are logged. */
  resource(uri: string, caller: Caller): boolean {
    return this.#admits("resource", uri, caller);
  }

  #searchEntry(registry: Registry, caller: Caller): ToolEntry {
    return {
      tool: this.#searchTool,
      source: "tools.search",
      call: (args) => Promise.resolve(this.#runSearch(registry, args ?? {}, caller)),
    };
  }

  #runSearch(registry: Registry, args: Record<string, unknown>, caller: Caller): CallToolResult {
    const { query, limit } = args;
    if (typeof query !== "string" || query.trim() === "") {
      return textResult("query must be a non-empty string", true);
    }
    if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1)) {
      return textResult("limit must be a positive integer", true);
    }
    const all = registry.listTools();
    if (this.#index?.tools !== all) this.#index = new ToolIndex(all);
    const own = new Set(this.ownToolNames);
    const hits = this.#index.search(
      query.slice(0, MAX_QUERY),
      Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT),
      (t) => !own.has(t.name) && this.sees("tool", t.name, caller),
    );
    const tools = hits.map(({ tool }) => ({
      name: tool.name,
      ...(tool.title !== undefined ? { title: tool.title } : {}),
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      inputSchema: tool.inputSchema,
    }));
    return { content: [{ type: "text", text: JSON.stringify({ tools }) }], structuredContent: { tools } };
  }

  #callEntry(registry: Registry, caller: Caller): ToolEntry {
    return {
      tool: CALL_TOOL_DEFINITION,
      source: "tools.search",
      call: (args, ctx: RequestContext) => {
        const { name, arguments: inner } = args ?? {};
        if (typeof name !== "string") return Promise.resolve(textResult("name must be a string", true));
        if (inner !== undefined && (inner === null || typeof inner !== "object" || Array.isArray(inner))) {
          return Promise.resolve(textResult("arguments must be an object", true));
        }
        // The surface's own tools are not reached through call_tool (no loops).
        const target = name === SEARCH_TOOL
          ? this.#searchEntry(registry, caller)
          : name === CALL_TOOL
          ? undefined
          : this.tool(registry, name, caller);
        if (!target) return Promise.resolve(textResult(`Unknown tool: ${name}`, true));
        return target.call(inner as Record<string, unknown> | undefined, ctx);
      },
    };
  }
}

/**
 * The surface (access rules, views, tool search) a configuration asks for.
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { surfaceFor } from "./surface.ts";
 * const surface = surfaceFor(validateConfig({ tools: { search: { enabled: true } } }, "inline"));
 * console.log(surface.search); // true
 * ```
 */
export function surfaceFor(config: RuntimeConfig): Surface {
  return new Surface({ access: config.access, views: config.views, search: config.tools.search });
}
