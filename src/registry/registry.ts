/**
 * The registry: the one place that knows every tool, resource, resource template and prompt the
 * runtime serves and where each came from (a local module, a built-in, an upstream server).
 * Transports and sessions only ask it; local code and the proxy only add to it.
 *
 * @module
 */

import type { RequestContext } from "../context/request_context.ts";
import { DuplicateNameError } from "../errors.ts";
import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from "../sdk/types.ts";
import { UriTemplate } from "../sdk/server.ts";

/** A callable tool as the registry holds it. */
export interface ToolEntry {
  /** The protocol definition, with the name clients call it by. */
  readonly tool: Tool;
  /** Where it came from, for error messages (`examples/tools.ts`, `upstream time`, `builtin`). */
  readonly source: string;
  /** The upstream server a proxied tool forwards to (metrics and traces label calls with it). */
  readonly upstream?: string;
  /** Run the tool. Must not throw for tool-level failures: return `isError: true` instead. */
  call(args: Record<string, unknown> | undefined, ctx: RequestContext): Promise<CallToolResult>;
}

/** Context handed to completion callbacks (the `context` of `completion/complete`). */
export interface CompletionContext {
  /** Values of the other arguments already given. */
  arguments?: Record<string, string>;
}

/** Candidate values for one argument, as `completion/complete` returns them. */
export interface CompletionValues {
  /** Candidate values (at most 100 are sent). */
  values: string[];
  /** Total number of candidates, when more exist than are sent. */
  total?: number;
  /** Whether more candidates exist than are sent. */
  hasMore?: boolean;
}

/** A prompt as the registry holds it. */
export interface PromptEntry {
  /** The prompt as `prompts/list` shows it. */
  readonly prompt: Prompt;
  /** Where it came from (module, plugin, upstream), for messages. */
  readonly source: string;
  /** Render the prompt (`prompts/get`). */
  get(args: Record<string, string> | undefined, ctx: RequestContext): Promise<GetPromptResult>;
  /** Complete an argument value (`completion/complete`). */
  complete?(
    argument: string,
    value: string,
    context: CompletionContext,
    ctx: RequestContext,
  ): Promise<CompletionValues>;
}

/** A fixed resource as the registry holds it. */
export interface ResourceEntry {
  /** The resource as `resources/list` shows it. */
  readonly resource: Resource;
  /** Where it came from (module, plugin, upstream), for messages. */
  readonly source: string;
  /** Read its content (`resources/read`). */
  read(uri: string, ctx: RequestContext): Promise<ReadResourceResult>;
}

/** A resource template as the registry holds it. */
export interface ResourceTemplateEntry {
  /** The template as `resources/templates/list` shows it. */
  readonly template: ResourceTemplate;
  /** Where it came from (module, plugin, upstream), for messages. */
  readonly source: string;
  /** Concrete resources to add to `resources/list`, if the template can enumerate them. */
  list?(ctx: RequestContext): Promise<Resource[]>;
  /** Read one concrete URI; `variables` holds the template's matches. */
  read(
    uri: string,
    variables: Record<string, string | string[]>,
    ctx: RequestContext,
  ): Promise<ReadResourceResult>;
  /** Complete a template variable (`completion/complete`). */
  complete?(
    argument: string,
    value: string,
    context: CompletionContext,
    ctx: RequestContext,
  ): Promise<CompletionValues>;
}

/**
 * Resources whose list depends on the caller or changes all the time (artifacts, upstreams):
 * asked on every `resources/list` and, for reads, before the templates.
 */
export interface ResourceProvider {
  /** For error messages. */
  readonly source: string;
  /** The resources this provider offers the caller (`resources/list`). */
  list(ctx: RequestContext): Promise<Resource[]>;
  /** Read `uri`, or return `undefined` when the URI is not this provider's. */
  read(uri: string, ctx: RequestContext): Promise<ReadResourceResult | undefined>;
}

/** Which list changed. */
export type ListKind = "tools" | "resources" | "prompts";

interface TemplateSlot {
  entry: ResourceTemplateEntry;
  matcher: UriTemplate;
}

/**
 * Holds definitions; tells listeners when a list changes so sessions can send `list_changed`.
 *
 * @example
 * ```ts
 * import { Registry } from "@chuk/mcp-runtime";
 * const registry = new Registry();
 * registry.onChange((kind) => console.log(`${kind} changed`));
 * registry.addTool({
 *   tool: { name: "ping", inputSchema: { type: "object" } },
 *   source: "example",
 *   call: () => Promise.resolve({ content: [{ type: "text", text: "pong" }] }),
 * });
 * console.log(registry.listTools().map((t) => t.name)); // ["ping"]
 * ```
 */
export class Registry {
  #tools = new Map<string, ToolEntry>();
  #prompts = new Map<string, PromptEntry>();
  #resources = new Map<string, ResourceEntry>();
  #templates = new Map<string, TemplateSlot>();
  #providers: ResourceProvider[] = [];
  #listeners = new Set<(kind: ListKind) => void>();
  #toolList: Tool[] | undefined;
  #batchDepth = 0;
  #pending = new Set<ListKind>();

  /** Subscribe to list changes. Returns an unsubscribe function. */
  onChange(listener: (kind: ListKind) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Make several changes and notify once per list at the end. */
  batch<T>(fn: () => T): T {
    this.#batchDepth++;
    try {
      return fn();
    } finally {
      if (--this.#batchDepth === 0) {
        const kinds = [...this.#pending];
        this.#pending.clear();
        for (const k of kinds) this.#emit(k);
      }
    }
  }

  #changed(kind: ListKind): void {
    if (kind === "tools") this.#toolList = undefined;
    if (this.#batchDepth > 0) this.#pending.add(kind);
    else this.#emit(kind);
  }

  #emit(kind: ListKind): void {
    for (const l of this.#listeners) {
      try {
        l(kind);
      } catch {
        // A failing listener must not break registration.
      }
    }
  }

  // ---- tools

  /** Add a tool; a name already taken is a {@linkcode DuplicateNameError} naming both sources. */
  addTool(entry: ToolEntry): void {
    const name = entry.tool.name;
    const existing = this.#tools.get(name);
    if (existing) throw new DuplicateNameError("tool", name, existing.source, entry.source);
    this.#tools.set(name, entry);
    this.#changed("tools");
  }

  /** Remove a tool by name. Returns whether it existed. */
  removeTool(name: string): boolean {
    const had = this.#tools.delete(name);
    if (had) this.#changed("tools");
    return had;
  }

  /** The tool called `name`, if any. */
  getTool(name: string): ToolEntry | undefined {
    return this.#tools.get(name);
  }

  /** Every tool entry, in registration order. */
  toolEntries(): ToolEntry[] {
    return [...this.#tools.values()];
  }

  /** The `tools/list` answer (cached until the next change). */
  listTools(): Tool[] {
    return this.#toolList ??= [...this.#tools.values()].map((e) => e.tool);
  }

  // ---- prompts

  /** Add a prompt; duplicates are an error naming both sources. */
  addPrompt(entry: PromptEntry): void {
    const name = entry.prompt.name;
    const existing = this.#prompts.get(name);
    if (existing) throw new DuplicateNameError("prompt", name, existing.source, entry.source);
    this.#prompts.set(name, entry);
    this.#changed("prompts");
  }

  /** Remove a prompt by name. */
  removePrompt(name: string): boolean {
    const had = this.#prompts.delete(name);
    if (had) this.#changed("prompts");
    return had;
  }

  /** The prompt called `name`, if any. */
  getPrompt(name: string): PromptEntry | undefined {
    return this.#prompts.get(name);
  }

  /** Every prompt entry. */
  promptEntries(): PromptEntry[] {
    return [...this.#prompts.values()];
  }

  /** The `prompts/list` answer. */
  listPrompts(): Prompt[] {
    return [...this.#prompts.values()].map((e) => e.prompt);
  }

  // ---- resources

  /** Add a fixed resource; a URI already taken is an error naming both sources. */
  addResource(entry: ResourceEntry): void {
    const uri = entry.resource.uri;
    const existing = this.#resources.get(uri);
    if (existing) throw new DuplicateNameError("resource", uri, existing.source, entry.source);
    this.#resources.set(uri, entry);
    this.#changed("resources");
  }

  /** Remove a fixed resource by URI. */
  removeResource(uri: string): boolean {
    const had = this.#resources.delete(uri);
    if (had) this.#changed("resources");
    return had;
  }

  /** The fixed resource at `uri`, if any. */
  getResource(uri: string): ResourceEntry | undefined {
    return this.#resources.get(uri);
  }

  /** Every fixed resource entry. */
  resourceEntries(): ResourceEntry[] {
    return [...this.#resources.values()];
  }

  /** Add a resource template; the same template string twice is an error. */
  addTemplate(entry: ResourceTemplateEntry): void {
    const key = entry.template.uriTemplate;
    const existing = this.#templates.get(key);
    if (existing) throw new DuplicateNameError("resource template", key, existing.entry.source, entry.source);
    this.#templates.set(key, { entry, matcher: new UriTemplate(key) });
    this.#changed("resources");
  }

  /** Remove a template by its template string. */
  removeTemplate(uriTemplate: string): boolean {
    const had = this.#templates.delete(uriTemplate);
    if (had) this.#changed("resources");
    return had;
  }

  /** The template registered under `uriTemplate`, if any. */
  getTemplate(uriTemplate: string): ResourceTemplateEntry | undefined {
    return this.#templates.get(uriTemplate)?.entry;
  }

  /** Every template entry. */
  templateEntries(): ResourceTemplateEntry[] {
    return [...this.#templates.values()].map((s) => s.entry);
  }

  /** Add a dynamic resource provider. Returns a function that removes it. */
  addResourceProvider(provider: ResourceProvider): () => void {
    this.#providers.push(provider);
    this.#changed("resources");
    return () => {
      const i = this.#providers.indexOf(provider);
      if (i >= 0) {
        this.#providers.splice(i, 1);
        this.#changed("resources");
      }
    };
  }

  /** Tell sessions the resource list changed (for providers whose content changed). */
  resourcesChanged(): void {
    this.#changed("resources");
  }

  /** Tell sessions a list may have changed even though no entry did (e.g. an upstream came back). */
  touch(kind: ListKind): void {
    this.#changed(kind);
  }

  /** The `resources/list` answer for this caller: fixed, template-enumerated, then providers'. */
  async listResources(ctx: RequestContext): Promise<Resource[]> {
    const out = [...this.#resources.values()].map((e) => e.resource);
    for (const { entry } of this.#templates.values()) {
      if (entry.list) out.push(...await entry.list(ctx));
    }
    for (const p of this.#providers) out.push(...await p.list(ctx));
    return out;
  }

  /** The `resources/templates/list` answer. */
  listTemplates(): ResourceTemplate[] {
    return [...this.#templates.values()].map((s) => s.entry.template);
  }

  /**
   * Read `uri`: a fixed resource, else a provider that claims it, else the first template that
   * matches. `undefined` when nothing knows the URI.
   */
  async readResource(uri: string, ctx: RequestContext): Promise<ReadResourceResult | undefined> {
    const fixed = this.#resources.get(uri);
    if (fixed) return fixed.read(uri, ctx);
    for (const p of this.#providers) {
      const r = await p.read(uri, ctx);
      if (r) return r;
    }
    for (const { entry, matcher } of this.#templates.values()) {
      const vars = matcher.match(uri);
      if (vars) return entry.read(uri, vars, ctx);
    }
    return undefined;
  }
}
