/**
 * What an upstream serves: its tools, prompts, resources and templates, fetched page by page.
 *
 * @module
 */

import { z } from "zod";
import type { Prompt, Resource, ResourceTemplate, Tool } from "../protocol.ts";
import type { Client } from "../sdk/client.ts";

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
}

/** Nothing listed (yet). */
export function emptyLists(): UpstreamLists {
  return { tools: [], prompts: [], resources: [], templates: [] };
}

const looseList = <K extends string>(key: K) =>
  z.looseObject(
    { [key]: z.array(z.looseObject({})), nextCursor: z.string().optional() } as Record<K, z.ZodArray>,
  );
const ToolsPage = looseList("tools");
const PromptsPage = looseList("prompts");
const ResourcesPage = looseList("resources");
const TemplatesPage = looseList("resourceTemplates");

/** At most this many pages are fetched per list (a misbehaving server cannot loop us forever). */
const MAX_PAGES = 100;

/**
 * Every list the upstream's capabilities announce, all pages of each.
 *
 * @example
 * ```ts
 * import { fetchLists } from "./lists.ts";
 * declare const client: import("../sdk/client.ts").Client;
 * const { tools } = await fetchLists(client);
 * ```
 */
export async function fetchLists(client: Client): Promise<UpstreamLists> {
  const caps = client.getServerCapabilities() ?? {};
  const all = async <T>(method: string, schema: z.ZodType, key: string): Promise<T[]> => {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await client.request(
        { method, params: cursor ? { cursor } : {} } as never,
        schema as never,
      ) as Record<string, unknown>;
      out.push(...(r[key] as T[]));
      cursor = r.nextCursor as string | undefined;
      if (!cursor) break;
    }
    return out;
  };
  const [tools, prompts, resources, templates] = await Promise.all([
    caps.tools ? all<Tool>("tools/list", ToolsPage, "tools") : [],
    caps.prompts ? all<Prompt>("prompts/list", PromptsPage, "prompts") : [],
    caps.resources ? all<Resource>("resources/list", ResourcesPage, "resources") : [],
    caps.resources
      ? all<ResourceTemplate>("resources/templates/list", TemplatesPage, "resourceTemplates")
      : [],
  ]);
  return { tools, prompts, resources, templates };
}
