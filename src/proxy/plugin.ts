/**
 * The proxy plugin: starts every upstream named in `mcp_servers` (stdio children, SSE and
 * streamable-HTTP remotes) in parallel and keeps the registry in step with what they serve.
 *
 * Naming and collisions (decided here, once):
 * - tools and prompts are listed under the names of `naming.ts` (namespaced, OpenAI-style, root);
 * - resources keep their URIs; a routing table sends each read to the upstream that listed it;
 * - on a clash, local definitions win over proxied ones, and among upstreams the one listed first
 *   in `mcp_servers` wins — whatever order they happen to connect in. Every clash is logged with
 *   both sources and shown under `collisions` in `/health`.
 *
 * @module
 */

import type { McpServerConfig } from "../config/types.ts";
import type { RequestContext } from "../context/request_context.ts";
import { getLogger, MCP_LOG_LEVELS } from "../log/logger.ts";
import type { PromptEntry, ResourceTemplateEntry, ToolEntry } from "../registry/registry.ts";
import type { Transport } from "../sdk/server.ts";
import { type CallToolResult, ErrorCode, type LoggingLevel, McpError } from "../sdk/types.ts";
import type { Runtime, RuntimePlugin } from "../server/runtime.ts";
import type { DownstreamSession } from "../server/session.ts";
import { createUpstreamTransport, upstreamType } from "./launch.ts";
import { type NamingOptions, proxiedNames } from "./naming.ts";
import { Upstream, type UpstreamStatus } from "./upstream.ts";

const log = getLogger("proxy");

/** One name clash and how it was decided. */
export interface Collision {
  kind: "tool" | "prompt" | "resource" | "resource template";
  name: string;
  kept: string;
  dropped: string;
}

/** Options of {@linkcode ProxyPlugin}. */
export interface ProxyPluginOptions {
  /** Per-upstream transport overrides (tests, sandboxes). */
  transportFactories?: Record<string, () => Transport>;
  /** How long startup waits for upstreams before serving anyway (ms, default 30 000). */
  startupWaitMs?: number;
}

/** An upstream and, for `isolation: per-session`, its per-session instances. */
class UpstreamGroup {
  readonly instances = new Map<string, Upstream>();
  #starting = new Map<string, Promise<Upstream>>();
  #reaper: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly name: string,
    readonly entry: McpServerConfig,
    readonly discovery: Upstream,
    readonly make: (sessionId: string) => Upstream,
  ) {
    if (this.perSession) {
      const idleMs = (entry.idle_timeout ?? 600) * 1000;
      this.#reaper = setInterval(() => {
        const cutoff = Date.now() - idleMs;
        for (const [sid, up] of this.instances) {
          if (up.inflight === 0 && up.lastUsed < cutoff) void this.release(sid, "idle");
        }
      }, Math.max(1000, Math.min(60_000, idleMs / 4)));
      Deno.unrefTimer(this.#reaper as unknown as number);
    }
  }

  get perSession(): boolean {
    return this.entry.isolation === "per-session";
  }

  /** The upstream that serves calls of `ctx`: shared, or this session's own (started on first use). */
  async forCall(ctx: RequestContext): Promise<Upstream | CallToolResult> {
    if (!this.perSession) return this.discovery;
    const sid = ctx.sessionId;
    if (sid === undefined) {
      // Never one shared "no session" instance: callers without a session are not one client.
      return {
        content: [{
          type: "text",
          text: `Upstream '${this.name}' runs one instance per session, and this call has no session ` +
            `(is the session store reachable?)`,
        }],
        isError: true,
      };
    }
    const existing = this.instances.get(sid);
    if (existing) return existing;
    let pending = this.#starting.get(sid);
    if (!pending) {
      const max = this.entry.max_instances;
      if (max !== undefined && this.instances.size + this.#starting.size >= max) {
        return {
          content: [{
            type: "text",
            text:
              `Upstream '${this.name}' has reached max_instances (${max}): no instance for this session; ` +
              `try again when another session ends`,
          }],
          isError: true,
        };
      }
      pending = (async () => {
        const up = this.make(sid);
        await up.start();
        return up;
      })();
      this.#starting.set(sid, pending);
      pending.then((up) => this.instances.set(sid, up)).finally(() => this.#starting.delete(sid)).catch(
        () => {},
      );
    }
    const up = await pending;
    if (up.state !== "ready") {
      return {
        content: [{
          type: "text",
          text: `Upstream '${this.name}' could not start for this session: ${up.status().last_error}`,
        }],
        isError: true,
      };
    }
    return up;
  }

  /** Stop the instance of session `sid` (session ended or idle). */
  async release(sid: string, why: string): Promise<void> {
    const up = this.instances.get(sid);
    if (!up) return;
    this.instances.delete(sid);
    log.info(`${this.name}: stopping per-session instance (${why})`);
    await up.stop();
  }

  async stop(): Promise<void> {
    clearInterval(this.#reaper);
    const pending = [...this.#starting.values()];
    await Promise.allSettled(pending);
    await Promise.allSettled([this.discovery.stop(), ...[...this.instances.values()].map((u) => u.stop())]);
    this.instances.clear();
  }

  status(): UpstreamStatus & { isolation: string; instances?: number } {
    return {
      ...this.discovery.status(),
      isolation: this.entry.isolation,
      ...(this.perSession ? { instances: this.instances.size } : {}),
    };
  }
}

interface Registered<E> {
  entry: E;
  key: string;
}

/**
 * The proxy as a runtime plugin.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../mod.ts";
 * import { ProxyPlugin } from "./plugin.ts";
 * const config = validateConfig({
 *   proxy: { enabled: true },
 *   mcp_servers: { echo: { type: "stdio", command: "deno", args: ["run", "echo_server.ts"] } },
 * }, "inline");
 * const runtime = new Runtime({ config, plugins: [new ProxyPlugin()] });
 * await runtime.start();
 * await runtime.stop();
 * ```
 */
export class ProxyPlugin implements RuntimePlugin {
  readonly name = "proxy";
  readonly #options: ProxyPluginOptions;
  #runtime: Runtime | undefined;
  readonly #groups = new Map<string, UpstreamGroup>();
  #tools = new Map<string, Registered<ToolEntry>>();
  #prompts = new Map<string, Registered<PromptEntry>>();
  #templates = new Map<string, Registered<ResourceTemplateEntry>>();
  /** Resource URI → upstream name (first listed wins). */
  #resourceOwners = new Map<string, string>();
  #resourcesKey = "";
  #collisions: Collision[] = [];
  #reported = new Set<string>();
  #unsubscribe: (() => void)[] = [];

  constructor(options: ProxyPluginOptions = {}) {
    this.#options = options;
  }

  /** The upstreams by name (for tests and tools). */
  get upstreams(): ReadonlyMap<string, Upstream> {
    return new Map([...this.#groups].map(([n, g]) => [n, g.discovery]));
  }

  /** Name clashes found at the last sync. */
  get collisions(): readonly Collision[] {
    return this.#collisions;
  }

  #naming(): NamingOptions {
    const p = this.#runtime!.config.proxy;
    return {
      namespace: p.namespace,
      keepRootAliases: p.keep_root_aliases,
      openaiCompatible: p.openai_compatible,
      onlyOpenaiTools: p.only_openai_tools,
    };
  }

  async start(runtime: Runtime): Promise<void> {
    this.#runtime = runtime;
    const config = runtime.config;
    if (config.proxy.only_openai_tools && !config.proxy.openai_compatible) {
      log.warn("proxy.only_openai_tools has no effect without proxy.openai_compatible");
    }
    const host = { sessions: runtime.sessions, env: runtime.env, baseDir: runtime.baseDir };
    const telemetry = runtime.telemetry;
    for (const [name, entry] of Object.entries(config.mcp_servers)) {
      if (!entry.enabled || !upstreamType(entry)) continue;
      const factory = this.#options.transportFactories?.[name];
      // Every connection attempt's transport goes through telemetry (trace context upstream).
      const transportFactory = () =>
        telemetry.upstreamTransport(
          name,
          factory?.() ?? createUpstreamTransport(name, entry, host.env, host.baseDir),
          entry.url,
        );
      const make = (label?: string, owner?: string) =>
        new Upstream(name, entry, host, { transportFactory, label, ownerSessionId: owner });
      const discovery = make();
      telemetry.upstreamState(name, discovery.state);
      discovery.events.on("state", (state) => telemetry.upstreamState(name, state));
      const group = new UpstreamGroup(
        name,
        entry,
        discovery,
        // The id's random tail tells instances apart in logs (ids start with `sess-<unix time>-`).
        (sid) => make(`session-${sid.slice(-8)}`, sid),
      );
      this.#groups.set(name, group);
      let wasReady = false;
      discovery.events.on("lists", () => this.#sync());
      discovery.events.on("state", (state) => {
        // Back after a crash: clients re-list (the lists may be the same, the tools work again).
        if (state === "ready" && wasReady) {
          runtime.registry.batch(() => {
            for (const kind of ["tools", "prompts", "resources"] as const) runtime.registry.touch(kind);
          });
        }
        if (state === "ready") wasReady = true;
      });
      discovery.events.on("resourceUpdated", (uri) => void runtime.resourceUpdated(uri));
    }
    if (this.#groups.size === 0) {
      log.warn("proxy.enabled is true but mcp_servers names no upstream (entries need command or url)");
    }
    this.#unsubscribe.push(
      runtime.events.on("subscribe", ({ session, uri }) => void this.#subscription(session, uri, true)),
      runtime.events.on("unsubscribe", ({ session, uri }) => void this.#subscription(session, uri, false)),
      runtime.events.on("logLevel", ({ session, level }) => void this.#logLevel(session, level)),
      // Roots belong to the client: when one connects or its roots change, upstreams ask again.
      runtime.events.on("sessionInitialized", (session) => {
        if (session.server.getClientCapabilities()?.roots) void this.#rootsChanged(session);
      }),
      runtime.events.on("rootsChanged", (session) => void this.#rootsChanged(session)),
      runtime.events.on("sessionClosed", (session) => {
        // Per-session instances follow the runtime session (ctx.sessionId). A stateless request
        // closing is not its session ending (idle_timeout reaps those), and another connection
        // may still use the same session.
        const sid = session.binding.sessionId;
        if (!sid || session.binding.followsUser) return;
        if ([...runtime.sessions].some((s) => s !== session && s.binding.sessionId === sid)) return;
        for (const g of this.#groups.values()) void g.release(sid, "session ended");
      }),
    );
    this.#unsubscribe.push(runtime.registry.addResourceProvider({
      source: "proxy",
      list: (ctx) => Promise.resolve(this.#listResources(ctx)),
      read: (uri, ctx) => this.#readResource(uri, ctx),
    }));
    // All upstreams connect in parallel; a slow or broken one does not hold up the others for
    // longer than the startup wait (its tools appear later, with list_changed).
    const wait = this.#options.startupWaitMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#groups.values()].map((g) => g.discovery.start())),
      new Promise<void>((r) => (timer = setTimeout(r, wait))),
    ]);
    clearTimeout(timer);
    this.#sync();
    for (const [name, g] of this.#groups) {
      if (g.discovery.state !== "ready") {
        log.warn(
          `upstream '${name}' is ${g.discovery.state}: ${
            g.discovery.status().last_error ?? "still connecting"
          }`,
        );
      }
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.allSettled([...this.#groups.values()].map((g) => g.stop()));
  }

  health(): unknown {
    const upstreams: Record<string, unknown> = {};
    for (const [name, g] of this.#groups) upstreams[name] = g.status();
    return { upstreams, collisions: this.#collisions };
  }

  #timeout(entry: McpServerConfig): number {
    return entry.timeout ?? this.#runtime!.defaultToolTimeout;
  }

  #collide(c: Collision): void {
    this.#collisions.push(c);
    const key = `${c.kind}|${c.name}|${c.kept}|${c.dropped}`;
    if (!this.#reported.has(key)) {
      this.#reported.add(key);
      log.warn(`${c.kind} name '${c.name}' is claimed by ${c.kept} and by ${c.dropped}; ${c.kept} wins`);
    }
  }

  /** Recompute every proxied name from all upstreams' lists (config order) and update the registry. */
  #sync(): void {
    const runtime = this.#runtime;
    if (!runtime) return;
    const registry = runtime.registry;
    const naming = this.#naming();
    this.#collisions = [];
    const wantTools = new Map<string, Registered<ToolEntry>>();
    const wantPrompts = new Map<string, Registered<PromptEntry>>();
    const wantTemplates = new Map<string, Registered<ResourceTemplateEntry>>();
    const owners = new Map<string, string>();
    const sourceOf = (name: string) => `upstream '${name}'`;

    for (const [server, group] of this.#groups) {
      const lists = group.discovery.lists;
      const source = sourceOf(server);
      for (const tool of lists.tools) {
        for (const { name } of proxiedNames(server, tool.name, naming)) {
          const local = registry.getTool(name);
          if (local && !this.#tools.has(name)) {
            this.#collide({ kind: "tool", name, kept: local.source, dropped: source });
            continue;
          }
          const taken = wantTools.get(name);
          if (taken) {
            this.#collide({ kind: "tool", name, kept: taken.entry.source, dropped: source });
            continue;
          }
          wantTools.set(name, {
            key: `${server}\n${JSON.stringify(tool)}`,
            entry: this.#toolEntry(group, tool, name),
          });
        }
      }
      for (const prompt of lists.prompts) {
        for (const { name } of proxiedNames(server, prompt.name, naming)) {
          const local = registry.getPrompt(name);
          if (local && !this.#prompts.has(name)) {
            this.#collide({ kind: "prompt", name, kept: local.source, dropped: source });
            continue;
          }
          const taken = wantPrompts.get(name);
          if (taken) {
            this.#collide({ kind: "prompt", name, kept: taken.entry.source, dropped: source });
            continue;
          }
          wantPrompts.set(name, {
            key: `${server}\n${JSON.stringify(prompt)}`,
            entry: this.#promptEntry(group, prompt.name, { ...prompt, name }),
          });
        }
      }
      for (const template of lists.templates) {
        const key = template.uriTemplate;
        const local = registry.getTemplate(key);
        if (local && !this.#templates.has(key)) {
          this.#collide({ kind: "resource template", name: key, kept: local.source, dropped: source });
          continue;
        }
        const taken = wantTemplates.get(key);
        if (taken) {
          this.#collide({ kind: "resource template", name: key, kept: taken.entry.source, dropped: source });
          continue;
        }
        wantTemplates.set(key, {
          key: `${server}\n${JSON.stringify(template)}`,
          entry: this.#templateEntry(group, template),
        });
      }
      for (const resource of lists.resources) {
        const local = registry.getResource(resource.uri);
        if (local) {
          this.#collide({ kind: "resource", name: resource.uri, kept: local.source, dropped: source });
          continue;
        }
        const owner = owners.get(resource.uri);
        if (owner) {
          this.#collide({ kind: "resource", name: resource.uri, kept: sourceOf(owner), dropped: source });
          continue;
        }
        owners.set(resource.uri, server);
      }
    }

    const resourcesKey = JSON.stringify(
      [...this.#groups].map((
        [server, g],
      ) => [server, g.discovery.lists.resources.filter((r) => owners.get(r.uri) === server)]),
    );
    const resourcesChanged = resourcesKey !== this.#resourcesKey;
    this.#resourcesKey = resourcesKey;
    registry.batch(() => {
      this.#tools = apply(this.#tools, wantTools, (n) => registry.removeTool(n), (e) => registry.addTool(e));
      this.#prompts = apply(
        this.#prompts,
        wantPrompts,
        (n) => registry.removePrompt(n),
        (e) => registry.addPrompt(e),
      );
      this.#templates = apply(
        this.#templates,
        wantTemplates,
        (n) => registry.removeTemplate(n),
        (e) => registry.addTemplate(e),
      );
      this.#resourceOwners = owners;
      if (resourcesChanged) registry.resourcesChanged();
    });
  }

  #toolEntry(group: UpstreamGroup, tool: { name: string }, exposed: string): ToolEntry {
    const upstreamName = tool.name;
    return {
      // Everything the upstream said about the tool (schemas, annotations, _meta, title, icons)
      // passes through; only the name changes.
      tool: { ...tool, name: exposed } as ToolEntry["tool"],
      source: `upstream '${group.name}'`,
      upstream: group.name,
      call: async (args, ctx) => {
        const up = await group.forCall(ctx);
        if (!(up instanceof Upstream)) return up;
        return await up.callTool(upstreamName, args, ctx, this.#timeout(group.entry), exposed);
      },
    };
  }

  #promptEntry(group: UpstreamGroup, upstreamName: string, prompt: PromptEntry["prompt"]): PromptEntry {
    const forCall = (ctx: RequestContext) => upstreamFor(group, ctx);
    return {
      prompt,
      source: `upstream '${group.name}'`,
      get: async (args, ctx) =>
        (await forCall(ctx)).getPrompt(upstreamName, args, ctx, this.#timeout(group.entry)),
      complete: async (argument, value, context, ctx) =>
        (await forCall(ctx)).complete(
          { type: "ref/prompt", name: upstreamName },
          argument,
          value,
          context,
          ctx,
        ),
    };
  }

  #templateEntry(group: UpstreamGroup, template: ResourceTemplateEntry["template"]): ResourceTemplateEntry {
    const forCall = (ctx: RequestContext) => upstreamFor(group, ctx);
    return {
      template,
      source: `upstream '${group.name}'`,
      read: async (uri, _vars, ctx) =>
        (await forCall(ctx)).readResource(uri, ctx, this.#timeout(group.entry)),
      complete: async (argument, value, context, ctx) =>
        (await forCall(ctx)).complete(
          { type: "ref/resource", uri: template.uriTemplate },
          argument,
          value,
          context,
          ctx,
        ),
    };
  }

  #listResources(_ctx: RequestContext) {
    const out = [];
    for (const [server, group] of this.#groups) {
      for (const r of group.discovery.lists.resources) {
        if (this.#resourceOwners.get(r.uri) === server) out.push(r);
      }
    }
    return out;
  }

  async #readResource(uri: string, ctx: RequestContext) {
    let owner = this.#resourceOwners.get(uri);
    if (!owner) {
      // Not listed (servers may serve more than they list): the only upstream that serves resources
      // can still answer; with several, a template match in the registry decides instead.
      const withResources = [...this.#groups].filter(([, g]) => g.discovery.capabilities?.resources);
      const templated = this.#runtime!.registry.templateEntries().length > 0;
      if (withResources.length === 1 && !templated) owner = withResources[0][0];
    }
    if (!owner) return undefined;
    const group = this.#groups.get(owner)!;
    const up = await upstreamFor(group, ctx);
    return await up.readResource(uri, ctx, this.#timeout(group.entry));
  }

  #ownerOf(uri: string): UpstreamGroup | undefined {
    const owner = this.#resourceOwners.get(uri);
    if (owner) return this.#groups.get(owner);
    const template = this.#runtime!.registry.templateEntries().find((t) =>
      this.#templates.has(t.template.uriTemplate) && matchesTemplate(t.template.uriTemplate, uri)
    );
    if (template) return this.#groups.get(template.source.replace(/^upstream '(.*)'$/, "$1"));
    return undefined;
  }

  async #subscription(session: DownstreamSession, uri: string, on: boolean): Promise<void> {
    const group = this.#ownerOf(uri);
    if (!group) return;
    if (group.perSession) {
      const up = group.instances.get(session.binding.sessionId ?? "");
      if (up) await (on ? up.subscribe(uri) : up.unsubscribe(uri));
      return;
    }
    await (on ? group.discovery.subscribe(uri) : group.discovery.unsubscribe(uri));
  }

  async #rootsChanged(session: DownstreamSession): Promise<void> {
    for (const g of this.#groups.values()) {
      if (g.perSession) await g.instances.get(session.binding.sessionId ?? "")?.rootsChanged();
      else await g.discovery.rootsChanged();
    }
  }

  async #logLevel(session: DownstreamSession, level: LoggingLevel): Promise<void> {
    // A shared upstream gets the most verbose level any live client asked for; each client's own
    // level is applied again when the messages are routed to it.
    const levels = [...this.#runtime!.sessions].map((s) => s.logLevel).filter((l): l is LoggingLevel => !!l);
    const most = levels.sort((a, b) => MCP_LOG_LEVELS.indexOf(a) - MCP_LOG_LEVELS.indexOf(b))[0] ?? level;
    for (const g of this.#groups.values()) {
      if (g.perSession) await g.instances.get(session.binding.sessionId ?? "")?.setLogLevel(level);
      else await g.discovery.setLogLevel(most);
    }
  }
}

/**
 * The upstream that serves `ctx` for a request other than a tool call: there the reason there is
 * none (down, max_instances, no session) is a protocol error, not a tool result.
 */
async function upstreamFor(group: UpstreamGroup, ctx: RequestContext): Promise<Upstream> {
  const up = await group.forCall(ctx);
  if (up instanceof Upstream) return up;
  throw new McpError(ErrorCode.InternalError, (up.content[0] as { text: string }).text);
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

function matchesTemplate(template: string, uri: string): boolean {
  const pattern = "^" +
    template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+") +
    "$";
  return new RegExp(pattern).test(uri);
}
