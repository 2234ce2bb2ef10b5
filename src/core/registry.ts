/**
 * The registry: the one place that knows every tool, resource, resource template and prompt the
 * runtime serves and where each came from (a local module, a built-in, an upstream server).
 * Transports and sessions only ask it; local code and the proxy only add to it.
 *
 * @module
 */

import type { RequestContext } from "./context.ts";
import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from "../protocol.ts";
import { UriTemplate } from "../sdk/server.ts";
import { Table } from "./table.ts";

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

/** Candidate values for an argument of a prompt or a template variable (`completion/complete`). */
export type Completer = (
  argument: string,
  value: string,
  context: CompletionContext,
  ctx: RequestContext,
) => Promise<CompletionValues>;

/** A prompt as the registry holds it. */
export interface PromptEntry {
  /** The prompt as `prompts/list` shows it. */
  readonly prompt: Prompt;
  /** Where it came from (module, plugin, upstream), for messages. */
  readonly source: string;
  /** Render the prompt (`prompts/get`). */
  get(args: Record<string, string> | undefined, ctx: RequestContext): Promise<GetPromptResult>;
  /** Complete an argument value (`completion/complete`). */
  readonly complete?: Completer;
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
  readonly complete?: Completer;
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

/**
 * Holds definitions in one {@linkcode Table} per kind; tells listeners when a list changes so
 * connections can send `list_changed`.
 *
 * @example
 * ```ts
 * import { Registry } from "@chuk/mcp-runtime";
 * const registry = new Registry();
 * registry.onChange((kind) => console.log(`${kind} changed`));
 * registry.tools.add({
 *   tool: { name: "ping", inputSchema: { type: "object" } },
 *   source: "example",
 *   call: () => Promise.resolve({ content: [{ type: "text", text: "pong" }] }),
 * });
 * console.log(registry.listTools().map((t) => t.name)); // ["ping"]
 * ```
 */
export class Registry {
  /** Tools by name. */
  readonly tools: Table<ToolEntry> = this.#table("tool", "tools", (e) => e.tool.name);
  /** Prompts by name. */
  readonly prompts: Table<PromptEntry> = this.#table("prompt", "prompts", (e) => e.prompt.name);
  /** Fixed resources by URI. */
  readonly resources: Table<ResourceEntry> = this.#table("resource", "resources", (e) => e.resource.uri);
  /** Resource templates by their template string, each compiled once when registered. */
  readonly templates: Table<ResourceTemplateEntry> = this.#table(
    "resource template",
    "resources",
    (e) => e.template.uriTemplate,
    (key) => void this.#matchers.set(key, new UriTemplate(key)),
  );
  readonly #matchers = new Map<string, UriTemplate>();
  #providers: ResourceProvider[] = [];
  #listeners = new Set<(kind: ListKind) => void>();
  #toolList: Tool[] | undefined;
  #batchDepth = 0;
  #pending = new Set<ListKind>();

  #table<E extends { readonly source: string }>(
    kind: string,
    list: ListKind,
    keyOf: (entry: E) => string,
    prepare?: (key: string) => void,
  ): Table<E> {
    return new Table<E>({
      kind,
      keyOf,
      sourceOf: (e) => e.source,
      changed: () => this.#changed(list),
      prepare: prepare && ((_e, key) => prepare(key)),
    });
  }

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

  /** Tell connections the resource list changed (for providers whose content changed). */
  resourcesChanged(): void {
    this.#changed("resources");
  }

  /** Tell connections a list may have changed even though no entry did (e.g. an upstream came back). */
  touch(kind: ListKind): void {
    this.#changed(kind);
  }

  /** The `tools/list` answer (cached until the next change). */
  listTools(): Tool[] {
    return this.#toolList ??= this.tools.entries().map((e) => e.tool);
  }

  /** The `prompts/list` answer. */
  listPrompts(): Prompt[] {
    return this.prompts.entries().map((e) => e.prompt);
  }

  /** The `resources/list` answer for this caller: fixed, template-enumerated, then providers'. */
  async listResources(ctx: RequestContext): Promise<Resource[]> {
    const out = this.resources.entries().map((e) => e.resource);
    for (const entry of this.templates.values()) {
      if (entry.list) out.push(...await entry.list(ctx));
    }
    for (const p of this.#providers) out.push(...await p.list(ctx));
    return out;
  }

  /** The `resources/templates/list` answer. */
  listTemplates(): ResourceTemplate[] {
    return this.templates.entries().map((e) => e.template);
  }

  /**
   * Read `uri`: a fixed resource, else a provider that claims it, else the first template that
   * matches. `undefined` when nothing knows the URI.
   */
  async readResource(uri: string, ctx: RequestContext): Promise<ReadResourceResult | undefined> {
    const fixed = this.resources.get(uri);
    if (fixed) return fixed.read(uri, ctx);
    for (const p of this.#providers) {
      const r = await p.read(uri, ctx);
      if (r) return r;
    }
    for (const entry of this.templates.values()) {
      const vars = this.#matchers.get(entry.template.uriTemplate)!.match(uri);
      if (vars) return entry.read(uri, vars, ctx);
    }
    return undefined;
  }
}
