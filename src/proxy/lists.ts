/**
 * What an upstream serves: its tools, prompts, resources and templates, fetched page by page —
 * and, from a 2026-07-28 upstream, the caching hints of each list (`ttlMs`, `cacheScope`).
 *
 * @module
 */

import type { Prompt, Resource, ResourceTemplate, ServerCapabilities, Tool } from "../protocol.ts";
import { getLogger } from "../log/logger.ts";
import { headerDeclarations } from "./param_headers.ts";

/** How long a list may be cached and by whom (SEP-2549), as an upstream said it. */
export interface ListHint {
  /** Milliseconds the list stays fresh. */
  ttlMs: number;
  /** `public`: any client may share it; `private`: per authorization context. */
  cacheScope: "public" | "private";
}

/** What an upstream serves, as last listed. */
export interface UpstreamLists {
  /** Its tools, as it listed them. */
  tools: Tool[];
  /** Its prompts. */
  prompts: Prompt[];
  /** Its fixed resources. */
  resources: Resource[];
  /** Its resource templates. */
  templates: ResourceTemplate[];
  /** The caching hints of each list (2026-07-28 upstreams; the most cautious of its pages). */
  hints?: Partial<Record<"tools" | "prompts" | "resources" | "templates", ListHint>>;
}

/** Nothing listed (yet). */
export function emptyLists(): UpstreamLists {
  return { tools: [], prompts: [], resources: [], templates: [] };
}

/** One page of a list method: `params` (`{ cursor }`) in, the result out. */
export type PageFetcher = (
  method: string,
  params: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** Options of {@linkcode fetchLists}. */
export interface FetchListsOptions {
  /**
   * Leave out tools whose `x-mcp-header` declarations are invalid (a 2026-07-28 client over
   * streamable HTTP must: it could not send their headers).
   */
  checkHeaders?: boolean;
  /** Who is listed (in the warnings). */
  upstream?: string;
}

/** At most this many pages are fetched per list (a misbehaving server cannot loop us forever). */
const MAX_PAGES = 100;

const log = getLogger("proxy");

function hintOf(page: Record<string, unknown>): ListHint | undefined {
  const ttl = page.ttlMs;
  const scope = page.cacheScope;
  if (typeof ttl !== "number" && scope === undefined) return undefined;
  return {
    ttlMs: typeof ttl === "number" && Number.isFinite(ttl) && ttl >= 0 ? Math.floor(ttl) : 0,
    cacheScope: scope === "public" ? "public" : "private",
  };
}

/**
 * The more cautious of two hints: private if either is, the shorter life.
 *
 * @example
 * ```ts
 * import { mergeHints } from "./lists.ts";
 * mergeHints({ ttlMs: 60_000, cacheScope: "public" }, { ttlMs: 5_000, cacheScope: "private" });
 * // { ttlMs: 5000, cacheScope: "private" }
 * ```
 */
export function mergeHints(a: ListHint | undefined, b: ListHint | undefined): ListHint | undefined {
  if (!a || !b) return a ?? b;
  return {
    ttlMs: Math.min(a.ttlMs, b.ttlMs),
    cacheScope: a.cacheScope === "private" || b.cacheScope === "private" ? "private" : "public",
  };
}

/**
 * Every list the upstream's capabilities announce, all pages of each.
 *
 * @example
 * ```ts
 * import { fetchLists } from "./lists.ts";
 * declare const page: import("./lists.ts").PageFetcher;
 * const { tools } = await fetchLists(page, { tools: {} });
 * ```
 */
export async function fetchLists(
  page: PageFetcher,
  caps: ServerCapabilities,
  options: FetchListsOptions = {},
): Promise<UpstreamLists> {
  const hints: NonNullable<UpstreamLists["hints"]> = {};
  const all = async <T>(method: string, key: string, kind: keyof typeof hints): Promise<T[]> => {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const r = await page(method, cursor ? { cursor } : {});
      const items = r[key];
      if (!Array.isArray(items)) throw new Error(`${method}: the answer has no '${key}' list`);
      out.push(...items.filter((i): i is T => typeof i === "object" && i !== null));
      const hint = mergeHints(hints[kind], hintOf(r));
      if (hint) hints[kind] = hint;
      cursor = typeof r.nextCursor === "string" && r.nextCursor ? r.nextCursor : undefined;
      if (!cursor) break;
    }
    return out;
  };
  const [tools, prompts, resources, templates] = await Promise.all([
    caps.tools ? all<Tool>("tools/list", "tools", "tools") : [],
    caps.prompts ? all<Prompt>("prompts/list", "prompts", "prompts") : [],
    caps.resources ? all<Resource>("resources/list", "resources", "resources") : [],
    caps.resources ? all<ResourceTemplate>("resources/templates/list", "resourceTemplates", "templates") : [],
  ]);
  const usable = options.checkHeaders
    ? tools.filter((tool) => {
      const scan = headerDeclarations(tool.inputSchema);
      if (scan.ok) return true;
      log.warn(`upstream '${options.upstream}': tool '${tool.name}' left out: ${scan.reason}`);
      return false;
    })
    : tools;
  return {
    tools: usable,
    prompts,
    resources,
    templates,
    ...(Object.keys(hints).length ? { hints } : {}),
  };
}
