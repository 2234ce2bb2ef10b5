/**
 * Routing resources to upstreams: which upstream serves a URI — the one that listed it, else (for
 * a URI nobody listed) the only upstream that serves resources, or the one whose template matches.
 *
 * @module
 */

import type { RequestContext } from "../core/context.ts";
import type { Registry, ResourceProvider } from "../core/registry.ts";
import type { ReadResourceResult, Resource } from "../protocol.ts";
import type { ProxiedNames } from "./names.ts";
import type { UpstreamPool } from "./pool.ts";

function matchesTemplate(template: string, uri: string): boolean {
  const pattern = "^" +
    template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+") +
    "$";
  return new RegExp(pattern).test(uri);
}

/**
 * The upstreams' resources, as the registry asks for them.
 *
 * @example
 * ```ts
 * import { ResourceRoutes } from "./resources.ts";
 * import { ProxiedNames } from "./names.ts";
 * import { Registry } from "../core/registry.ts";
 * const routes = new ResourceRoutes(new Registry(), new Map(), new ProxiedNames(), () => 60);
 * const provider = routes.provider();
 * ```
 */
export class ResourceRoutes {
  /** Resources of `pools`, named as `names` decided, beside `registry`'s own. */
  constructor(
    readonly registry: Registry,
    readonly pools: ReadonlyMap<string, UpstreamPool>,
    readonly names: ProxiedNames,
    readonly timeoutOf: (pool: UpstreamPool) => number,
  ) {}

  /** The resources each upstream listed and keeps (first listed wins). */
  list(): Resource[] {
    const out = [];
    for (const [server, pool] of this.pools) {
      for (const r of pool.shared.lists.resources) {
        if (this.names.ownerOf(r.uri) === server) out.push(r);
      }
    }
    return out;
  }

  /** Read `uri` from the upstream that serves it, or `undefined` when none does. */
  async read(uri: string, ctx: RequestContext): Promise<ReadResourceResult | undefined> {
    let owner = this.names.ownerOf(uri);
    if (!owner) {
      // Not listed (servers may serve more than they list): the only upstream that serves resources
      // can still answer; with several, a template match in the registry decides instead.
      const withResources = [...this.pools].filter(([, p]) => p.shared.capabilities?.resources);
      const templated = this.registry.templates.entries().length > 0;
      if (withResources.length === 1 && !templated) owner = withResources[0][0];
    }
    if (!owner) return undefined;
    const pool = this.pools.get(owner)!;
    // A URI the entry does not serve (`exclude_resources`) is one nobody serves.
    if (!pool.shape.resource(uri)) return undefined;
    const up = await pool.forCall(ctx);
    return await up.readResource(uri, ctx, this.timeoutOf(pool));
  }

  /** The pool that serves subscriptions to `uri`: its lister's, or its template's. */
  poolOf(uri: string): UpstreamPool | undefined {
    const owner = this.names.ownerOf(uri);
    if (owner) return this.pools.get(owner);
    const template = this.registry.templates.entries().find((t) =>
      this.names.hasTemplate(t.template.uriTemplate) && matchesTemplate(t.template.uriTemplate, uri)
    );
    const pool = template && this.pools.get(template.source.replace(/^upstream '(.*)'$/, "$1"));
    return pool?.shape.resource(uri) ? pool : undefined;
  }

  /** The registry's view: a resource provider. */
  provider(): ResourceProvider {
    return {
      source: "proxy",
      list: () => Promise.resolve(this.list()),
      read: (uri, ctx) => this.read(uri, ctx),
    };
  }
}
