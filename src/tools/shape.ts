/**
 * What one server (an upstream, or a local `mcp_servers.<name>` module) shows of itself: which of
 * its tools, prompts and resources are served (`include_*` / `exclude_*` globs over its own names,
 * exclude wins), and how each tool is shown (`tool_overrides`: name, title, description,
 * annotations, argument defaults and hidden arguments). Decided here, once, for the proxy and the
 * module loader alike: what is filtered out is never registered, so a call to it is an unknown
 * tool like any other.
 *
 * @module
 */

import type { ArgumentOverrideConfig, ServerSurfaceConfig, ToolOverrideConfig } from "../config/types.ts";
import type { ToolEntry } from "../core/registry.ts";
import type { ObjectSchema, Tool } from "../protocol.ts";
import { globMatcher } from "../util/glob.ts";

/** Arguments as a client sends them. */
export type ToolArguments = Record<string, unknown> | undefined;

/** A tool as it is shown, and how a call's arguments are completed before the tool gets them. */
export interface ShapedTool {
  /** The definition as listed (before any namespacing). */
  readonly tool: Tool;
  /** The server's own name of the tool (what it is called by). */
  readonly original: string;
  /** Fill defaults and hidden arguments into a caller's arguments. */
  readonly args: (args: ToolArguments) => ToolArguments;
  /** The override applied, if the tool has one (anything differs from the server's definition). */
  readonly override?: ToolOverrideConfig;
}

/**
 * One server's filter and overrides.
 *
 * @example
 * ```ts
 * import { ServerShape } from "./shape.ts";
 * const shape = new ServerShape({
 *   exclude_tools: ["delete_*"], exclude_prompts: [], exclude_resources: [],
 *   tool_overrides: { echo: { name: "say", arguments: { loud: { default: false, hide: true } } } },
 * });
 * console.log(shape.tool("delete_all"), shape.tool("echo")); // false true
 * const say = shape.shapeTool({ name: "echo", inputSchema: { type: "object" } });
 * console.log(say.tool.name, say.args({ text: "hi" })); // say { text: "hi", loud: false }
 * ```
 */
export class ServerShape {
  /** Whether tool `name` (the server's own name) is served. */
  readonly tool: (name: string) => boolean;
  /** Whether prompt `name` is served. */
  readonly prompt: (name: string) => boolean;
  /** Whether the resource URI (or URI template) is served. */
  readonly resource: (uri: string) => boolean;
  readonly #overrides: Record<string, ToolOverrideConfig>;

  /** The filter and overrides `config` (an `mcp_servers.<name>` entry) asks for. */
  constructor(config: Partial<ServerSurfaceConfig>) {
    this.tool = filter(config.include_tools, config.exclude_tools);
    this.prompt = filter(config.include_prompts, config.exclude_prompts);
    this.resource = filter(config.include_resources, config.exclude_resources);
    this.#overrides = config.tool_overrides ?? {};
  }

  /** Whether the server's items are served as they are (nothing filtered, nothing overridden). */
  get plain(): boolean {
    return this.tool === passAll && this.prompt === passAll && this.resource === passAll &&
      Object.keys(this.#overrides).length === 0;
  }

  /** Tool `tool` as shown (its override applied, if it has one). */
  shapeTool(tool: Tool): ShapedTool {
    const override = Object.hasOwn(this.#overrides, tool.name) ? this.#overrides[tool.name] : undefined;
    if (!override) return { tool, original: tool.name, args: (a) => a };
    return {
      tool: overridden(tool, override),
      original: tool.name,
      args: completer(override.arguments),
      override,
    };
  }

  /**
   * A registry entry shown as its override says, whose calls get their arguments completed
   * first (local tools: the entry still validates what it receives).
   */
  shapeEntry(entry: ToolEntry): ToolEntry {
    const shaped = this.shapeTool(entry.tool);
    if (!shaped.override) return entry;
    return {
      tool: shaped.tool,
      source: entry.source,
      call: (args, ctx) => entry.call(shaped.args(args), ctx),
    };
  }
}

const passAll = () => true;

function filter(include: readonly string[] | undefined, exclude: readonly string[] | undefined) {
  if (!include && !exclude?.length) return passAll;
  const inc = include ? globMatcher(include) : passAll;
  const exc = globMatcher(exclude ?? []);
  return (name: string) => inc(name) && !exc(name);
}

function overridden(tool: Tool, o: ToolOverrideConfig): Tool {
  const out: Tool = { ...tool };
  if (o.name !== undefined) out.name = o.name;
  if (o.title !== undefined) out.title = o.title;
  if (o.description !== undefined) out.description = o.description;
  if (o.annotations) out.annotations = { ...tool.annotations, ...o.annotations };
  if (Object.keys(o.arguments).length > 0) out.inputSchema = schemaOf(tool.inputSchema, o.arguments);
  return out;
}

/** The listed schema: hidden arguments gone; a default shown, and no longer required. */
function schemaOf(schema: ObjectSchema, args: Record<string, ArgumentOverrideConfig>): ObjectSchema {
  const properties: Record<string, object> = { ...schema.properties };
  const drop = new Set<string>();
  for (const [name, a] of Object.entries(args)) {
    if (a.hide) {
      delete properties[name];
      drop.add(name);
      continue;
    }
    const prop = { ...(properties[name] ?? {}) } as Record<string, unknown>;
    if (a.description !== undefined) prop.description = a.description;
    if (a.default !== undefined) {
      prop.default = a.default;
      drop.add(name);
    }
    properties[name] = prop;
  }
  const out: ObjectSchema = { ...schema, properties };
  if (schema.required) {
    const required = schema.required.filter((r) => !drop.has(r));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

/** Fill what the caller left out; a hidden argument always takes its default (or is dropped). */
function completer(args: Record<string, ArgumentOverrideConfig>): (a: ToolArguments) => ToolArguments {
  const entries = Object.entries(args);
  if (!entries.some(([, a]) => a.hide || a.default !== undefined)) return (a) => a;
  return (given) => {
    const out: Record<string, unknown> = { ...given };
    for (const [name, a] of entries) {
      if (a.hide) {
        if (a.default !== undefined) out[name] = structuredClone(a.default);
        else delete out[name];
      } else if (a.default !== undefined && out[name] === undefined) {
        out[name] = structuredClone(a.default);
      }
    }
    return out;
  };
}
