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

/**
 * A caching hint of MCP 2026-07-28 results (SEP-2549): how long a client may reuse a list or a
 * read, and whether caches may share it across authorization contexts.
 */
export interface CacheHint {
  /** Milliseconds the result may be reused; `0` = do not reuse. */
  readonly ttlMs: number;
  /** `private`: per authorization context; `public`: any cache may share it. */
  readonly scope: "public" | "private";
}

/** The hint of anything that says nothing: do not reuse, not shared. */
export const NO_CACHE: CacheHint = { ttlMs: 0, scope: "private" };

/** The hint of a list of entries: the shortest time, and `public` only when every entry is. */
function combined(hints: (CacheHint | undefined)[]): CacheHint {
  if (hints.length === 0) return NO_CACHE;
  let ttlMs = Infinity;
  let scope: CacheHint["scope"] = "public";
  for (const h of hints) {
    const hint = h ?? NO_CACHE;
    ttlMs = Math.min(ttlMs, hint.ttlMs);
    if (hint.scope === "private") scope = "private";
  }
  return { ttlMs, scope };
}

/** How a tool may run as a task (the MCP tasks extension, SEP-2663). */
export interface TaskSettings {
  /** `optional`: a task when the client can take one; `required`: only as a task. */
  readonly support: "optional" | "required";
  /** `immediately`: the call is a task before the handler runs; `handler`: from `ctx.startTask()`. */
  readonly start: "immediately" | "handler";
  /** How long a finished task's record is kept (ms). */
  readonly ttlMs?: number;
  /** How often clients should poll (ms). */
  readonly pollIntervalMs?: number;
}

/** A callable tool as the registry holds it. */
export interface ToolEntry {
  /** The protocol definition, with the name clients call it by. */
  readonly tool: Tool;
  /** Where it came from, for error messages (`examples/tools.ts`, `upstream time`, `builtin`). */
  readonly source: string;
  /** The upstream server a proxied tool forwards to (metrics and traces label calls with it). */
  readonly upstream?: string;
  /** Caching hint of `tools/list` for this tool (the list takes the strictest of its tools). */
  readonly cache?: CacheHint;
  /** Whether (and how) calls may run as tasks; none = never. */
  readonly task?: TaskSettings;
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
  /** Caching hint of `prompts/list` for this prompt. */
  readonly cache?: CacheHint;
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
  /** Caching hint of reading it, and of `resources/list`. */
  readonly cache?: CacheHint;
  /** Read its content (`resources/read`). */
  read(uri: string, ctx: RequestContext): Promise<ReadResourceResult>;
}

/** A resource template as the registry holds it. */
export interface ResourceTemplateEntry {
  /** The template as `resources/templates/list` shows it. */
  readonly template: ResourceTemplate;
  /** Where it came from (module, plugin, upstream), for messages. */
  readonly source: string;
  /** Caching hint of reading its resources, and of the lists it appears in. */
  readonly cache?: CacheHint;
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
   * The caching hint of a list: the strictest of its entries' (providers' resources, which carry
   * none, make `resources/list` uncacheable).
   */
  listCacheHint(list: "tools" | "prompts" | "resources" | "templates"): CacheHint {
    switch (list) {
      case "tools":
        return combined(this.tools.entries().map((e) => e.cache));
      case "prompts":
        return combined(this.prompts.entries().map((e) => e.cache));
      case "templates":
        return combined(this.templates.entries().map((e) => e.cache));
      case "resources":
        if (this.#providers.length) return NO_CACHE;
        return combined([...this.resources.entries(), ...this.templates.entries()].map((e) => e.cache));
    }
  }

  /** The caching hint of reading `uri` (as {@linkcode Registry.readResource} would find it). */
  readCacheHint(uri: string): CacheHint {
    const fixed = this.resources.get(uri);
    if (fixed) return fixed.cache ?? NO_CACHE;
    if (this.#providers.length) return NO_CACHE;
    for (const entry of this.templates.values()) {
      if (this.#matchers.get(entry.template.uriTemplate)!.match(uri)) return entry.cache ?? NO_CACHE;
    }
    return NO_CACHE;
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
