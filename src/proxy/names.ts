/**
 * Which name of which upstream the registry lists, decided here, once, from all upstreams' lists
 * in `mcp_servers` order:
 * - what an entry filters out (`include_tools`, `exclude_prompts`, ...) is not listed at all, and a
 *   tool an entry renames (`tool_overrides`) is named from its new name;
 * - tools and prompts are listed under the names of `naming.ts` (namespaced, OpenAI-style, root);
 * - resources keep their URIs; each is routed to the upstream that listed it;
 * - on a clash, local definitions win over proxied ones; among upstreams every qualified name
 *   (namespaced, OpenAI-style) is taken before any root alias, and otherwise the one listed first
 *   in `mcp_servers` wins — whatever order they happen to connect in ({@linkcode claim}). Every
 *   clash is logged with both sources and shown under `collisions` in `/health`;
 * - an upstream cannot claim another's names: the names it lists must be valid tool names (as
 *   local ones), and a root alias that looks like a qualified name (inside the proxy namespace,
 *   or `<other server>_…` with OpenAI names) is not listed. Each dropped name is warned once.
 *
 * @module
 */

import type { PromptEntry, Registry, ResourceTemplateEntry, ToolEntry } from "../core/registry.ts";
import { getLogger } from "../log/logger.ts";
import { proxiedPrompt, proxiedTemplate, proxiedTool, upstreamSource } from "./entries.ts";
import { isValidToolName } from "../tools/local.ts";
import { aliasSpoof, type NamingOptions, proxiedNames } from "./naming.ts";
import type { UpstreamPool } from "./pool.ts";

const log = getLogger("proxy");

/** One name clash and how it was decided. */
export interface Collision {
  /** What kind of name. */
  kind: "tool" | "prompt" | "resource" | "resource template";
  /** The name (or URI). */
  name: string;
  /** The source that keeps it. */
  kept: string;
  /** The source that lost it. */
  dropped: string;
}

/** Something that claims a name: where it comes from. */
interface Claimant {
  readonly source: string;
}

/**
 * The rule of every clash: whoever holds `name` already — a local definition, or an upstream
 * listed earlier — keeps it; the claim of `source` is recorded as a collision. Otherwise `name`
 * goes to `make()`.
 *
 * @example
 * ```ts
 * import { claim, type Collision } from "./names.ts";
 * const want = new Map<string, { source: string }>();
 * const collisions: Collision[] = [];
 * claim("tool", "now", "upstream 'a'", undefined, want, () => ({ source: "upstream 'a'" }), collisions);
 * claim("tool", "now", "upstream 'b'", undefined, want, () => ({ source: "upstream 'b'" }), collisions);
 * console.log(collisions[0].kept); // upstream 'a'
 * ```
 */
export function claim<T extends Claimant>(
  kind: Collision["kind"],
  name: string,
  source: string,
  local: Claimant | undefined,
  want: Map<string, T>,
  make: () => T,
  collisions: Collision[],
): void {
  const holder = local ?? want.get(name);
  if (holder) collisions.push({ kind, name, kept: holder.source, dropped: source });
  else want.set(name, make());
}

/** A registered entry, and what it was made from (to tell whether it changed). */
interface Registered<E> extends Claimant {
  entry: E;
  key: string;
}

/** A number per pool: an upstream restarted with new settings is a new pool, and new entries. */
const poolIds = new WeakMap<UpstreamPool, number>();
let nextPoolId = 0;

function registered<E extends Claimant>(pool: UpstreamPool, made: unknown, entry: E): Registered<E> {
  let id = poolIds.get(pool);
  if (id === undefined) poolIds.set(pool, id = ++nextPoolId);
  return { entry, key: `${pool.name}#${id}\n${JSON.stringify(made)}`, source: entry.source };
}

/** Replace `current` by `want` in the registry, touching only what changed. */
function apply<E>(
  current: Map<string, Registered<E>>,
  want: Map<string, Registered<E>>,
  remove: (name: string) => void,
  add: (entry: E) => void,
): Map<string, Registered<E>> {
  for (const [name, reg] of current) {
    const next = want.get(name);
    if (!next || next.key !== reg.key) remove(name);
  }
  for (const [name, reg] of want) {
    const prev = current.get(name);
    if (!prev || prev.key !== reg.key) add(reg.entry);
    else want.set(name, prev); // keep the registered object
  }
  return want;
}

/**
 * The proxied names in the registry, kept in step with the upstreams' lists.
 *
 * @example
 * ```ts
 * import { ProxiedNames } from "./names.ts";
 * import { Registry } from "../core/registry.ts";
 * const names = new ProxiedNames();
 * names.sync(new Registry(), new Map(), {
 *   namespace: "proxy", keepRootAliases: false, openaiCompatible: false, onlyOpenaiTools: false,
 * }, () => 60);
 * console.log(names.collisions); // []
 * ```
 */
export class ProxiedNames {
  #tools = new Map<string, Registered<ToolEntry>>();
  #prompts = new Map<string, Registered<PromptEntry>>();
  #templates = new Map<string, Registered<ResourceTemplateEntry>>();
  /** Resource URI → the upstream (name) that serves it (first listed wins). */
  #owners = new Map<string, string>();
  #resourcesKey = "";
  #collisions: Collision[] = [];
  readonly #reported = new Set<string>();

  /** Name clashes found at the last sync. */
  get collisions(): readonly Collision[] {
    return this.#collisions;
  }

  /** The upstream that listed resource `uri`, if one did. */
  ownerOf(uri: string): string | undefined {
    return this.#owners.get(uri);
  }

  /** Whether `uriTemplate` is one of the proxy's templates. */
  hasTemplate(uriTemplate: string): boolean {
    return this.#templates.has(uriTemplate);
  }

  /**
   * Recompute every proxied name from all upstreams' lists (config order) and update the
   * registry.
   */
  sync(
    registry: Registry,
    pools: ReadonlyMap<string, UpstreamPool>,
    naming: NamingOptions,
    timeoutOf: (pool: UpstreamPool) => number,
  ): void {
    const collisions: Collision[] = [];
    const tools = new Map<string, Registered<ToolEntry>>();
    const prompts = new Map<string, Registered<PromptEntry>>();
    const templates = new Map<string, Registered<ResourceTemplateEntry>>();
    const owners = new Map<string, Claimant & { server: string }>();
    // A registry entry not registered by us is local (or another plugin's): it wins.
    const localOf = <E extends Claimant>(
      mine: Map<string, unknown>,
      name: string,
      get: (n: string) => E | undefined,
    ) => mine.has(name) ? undefined : get(name);

    const servers = [...pools.keys()];
    // Names an upstream lists are held to the rule local tools follow.
    const valid = (server: string, kind: "tool" | "prompt", name: string) => {
      if (isValidToolName(name)) return true;
      this.#warnOnce(
        `invalid|${server}|${kind}|${name}`,
        `upstream '${server}' lists an invalid ${kind} name ${JSON.stringify(name)} ` +
          "(use 1-128 of A-Z a-z 0-9 _ - . /); it is not listed",
      );
      return false;
    };
    // Qualified names of every upstream first, root aliases after: an alias never takes a name
    // that stands for another upstream's tool, and one that only looks like one is not listed.
    const namesOf = (server: string, kind: "tool" | "prompt", item: string, pass: "qualified" | "root") =>
      proxiedNames(server, item, naming).filter(({ name, kind: form }) => {
        if ((form === "root") !== (pass === "root")) return false;
        const spoof = form === "root" ? aliasSpoof(name, server, servers, naming) : undefined;
        if (spoof === undefined) return true;
        this.#warnOnce(
          `spoof|${server}|${kind}|${name}`,
          `${kind} alias '${name}' of upstream '${server}' ${spoof}; it is listed only under its qualified names`,
        );
        return false;
      });

    for (const pass of ["qualified", "root"] as const) {
      for (const [server, pool] of pools) {
        const lists = pool.shared.lists;
        const source = upstreamSource(server);
        const timeout = timeoutOf(pool);
        const shape = pool.shape;
        for (const tool of lists.tools) {
          // Filtered out: never registered, so a call to it is an unknown tool like any other.
          if (!shape.tool(tool.name)) continue;
          // A rename comes before namespacing: `echo` renamed `say` is listed as `<ns>.<server>.say`.
          const shaped = shape.shapeTool(tool);
          const made = shaped.override ? [tool, shaped.override] : tool;
          if (!valid(server, "tool", shaped.tool.name)) continue;
          for (const { name } of namesOf(server, "tool", shaped.tool.name, pass)) {
            const local = localOf(this.#tools, name, (n) => registry.tools.get(n));
            claim(
              "tool",
              name,
              source,
              local,
              tools,
              () => registered(pool, made, proxiedTool(pool, tool, name, timeout, shaped)),
              collisions,
            );
          }
        }
        for (const prompt of lists.prompts) {
          if (!shape.prompt(prompt.name)) continue;
          if (!valid(server, "prompt", prompt.name)) continue;
          for (const { name } of namesOf(server, "prompt", prompt.name, pass)) {
            const local = localOf(this.#prompts, name, (n) => registry.prompts.get(n));
            claim(
              "prompt",
              name,
              source,
              local,
              prompts,
              () => registered(pool, prompt, proxiedPrompt(pool, prompt.name, { ...prompt, name }, timeout)),
              collisions,
            );
          }
        }
      }
    }

    for (const [server, pool] of pools) {
      const lists = pool.shared.lists;
      const source = upstreamSource(server);
      const timeout = timeoutOf(pool);
      const shape = pool.shape;
      for (const template of lists.templates) {
        if (!shape.resource(template.uriTemplate)) continue;
        const key = template.uriTemplate;
        const local = localOf(this.#templates, key, (n) => registry.templates.get(n));
        claim(
          "resource template",
          key,
          source,
          local,
          templates,
          () => registered(pool, template, proxiedTemplate(pool, template, timeout)),
          collisions,
        );
      }
      for (const resource of lists.resources) {
        if (!shape.resource(resource.uri)) continue;
        const local = registry.resources.get(resource.uri);
        claim("resource", resource.uri, source, local, owners, () => ({ source, server }), collisions);
      }
    }

    for (const c of collisions) this.#report(c);
    this.#collisions = collisions;
    const resourcesKey = JSON.stringify(
      [...pools].map(([server, pool]) => [
        server,
        pool.shared.lists.resources.filter((r) => owners.get(r.uri)?.server === server),
      ]),
    );
    const resourcesChanged = resourcesKey !== this.#resourcesKey;
    this.#resourcesKey = resourcesKey;
    registry.batch(() => {
      this.#tools = apply(this.#tools, tools, (n) => registry.tools.remove(n), (e) => registry.tools.add(e));
      this.#prompts = apply(
        this.#prompts,
        prompts,
        (n) => registry.prompts.remove(n),
        (e) => registry.prompts.add(e),
      );
      this.#templates = apply(
        this.#templates,
        templates,
        (n) => registry.templates.remove(n),
        (e) => registry.templates.add(e),
      );
      this.#owners = new Map([...owners].map(([uri, o]) => [uri, o.server]));
      if (resourcesChanged) registry.resourcesChanged();
    });
  }

  /**
   * Take every proxied name out of the registry (a live reload swaps local modules meanwhile, and
   * the next {@linkcode ProxiedNames.sync} decides every clash again). Only entries the registry
   * still holds as registered here are removed.
   */
  release(registry: Registry): void {
    const drop = <E>(
      mine: Map<string, Registered<E>>,
      table: { get(k: string): E | undefined; remove(k: string): boolean },
    ) => {
      for (const [name, reg] of mine) if (table.get(name) === reg.entry) table.remove(name);
      mine.clear();
    };
    registry.batch(() => {
      drop(this.#tools, registry.tools);
      drop(this.#prompts, registry.prompts);
      drop(this.#templates, registry.templates);
    });
  }

  #report(c: Collision): void {
    this.#warnOnce(
      `${c.kind}|${c.name}|${c.kept}|${c.dropped}`,
      `${c.kind} name '${c.name}' is claimed by ${c.kept} and by ${c.dropped}; ${c.kept} wins`,
    );
  }

  /** Log `message` the first time `key` comes up (an upstream changing its lists may repeat it). */
  #warnOnce(key: string, message: string): void {
    if (this.#reported.has(key)) return;
    // Bounded: an upstream inventing new bad names forever must not grow the proxy.
    if (this.#reported.size >= 10_000) this.#reported.clear();
    this.#reported.add(key);
    log.warn(message);
  }
}
