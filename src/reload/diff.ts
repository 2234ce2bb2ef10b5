/**
 * What changed between two configurations, and what a live reload does about it — pure
 * functions, no I/O: the reload itself (re-read on SIGHUP or `--watch`, apply, tell clients)
 * belongs to the composition and follows this plan.
 *
 * Live: upstreams (added → start, removed → stop, changed → restart), tool/resource/prompt modules
 * (`tools.modules_to_import`, `mcp_servers.<name>.tools|resources|prompts`; also when only their
 * file changed), proxy naming (`proxy.namespace`, aliases, OpenAI names), `proxy.enabled`,
 * logging. Everything else (listen address, transport, auth, sessions, artifacts, metrics, ...)
 * needs a restart: the plan names those keys in a warning and leaves them as they are.
 *
 * @module
 */

import type { McpServerConfig, RuntimeConfig } from "../config/types.ts";
import { upstreamType } from "../proxy/sandbox.ts";
import { configuredModules } from "../tools/loader.ts";

/** Upstream names by what happens to them. */
export interface UpstreamChanges {
  /** In the new configuration only: start. */
  added: string[];
  /** In the old one only (or now disabled, or the proxy was switched off): stop. */
  removed: string[];
  /** In both, with different connection settings: restart. */
  changed: string[];
}

/** A configured module, identified by where it is loaded from. */
export interface ModuleRef {
  /** The key path naming it (`tools.modules_to_import.0`, `mcp_servers.x.tools.module`). */
  keyPath: string;
  /** Its spec as written. */
  spec: string;
  /** The folder the spec is relative to. */
  dir: string;
  /** Which kind of definitions it may export. */
  slot: string;
}

/** Everything a reload must know about the difference between two configurations. */
export interface ConfigDiff {
  /** Upstream servers (only while `proxy.enabled`). */
  upstreams: UpstreamChanges;
  /** Configured modules: added, removed (by identity: folder, spec and slot). */
  modules: { added: ModuleRef[]; removed: ModuleRef[] };
  /** Whether the proxy's naming options changed (every proxied name is recomputed). */
  naming: boolean;
  /** Whether `logging` changed (level, format, per-logger levels). */
  logging: boolean;
  /** Keys that changed but only take effect after a restart (sorted, dotted paths). */
  restartRequired: string[];
}

/** Sections (or keys) a reload applies; every other difference needs a restart. */
const LIVE_KEYS = new Set(["mcp_servers", "proxy", "logging", "tools.modules_to_import"]);

/** What identifies an upstream's connection: a change to any of these restarts it. */
function upstreamKey(entry: McpServerConfig): string {
  const { location: _l, tools: _t, resources: _r, prompts: _p, ...connection } = entry;
  return stableJson(connection);
}

function isUpstream(config: RuntimeConfig, entry: McpServerConfig): boolean {
  return config.proxy.enabled && entry.enabled && upstreamType(entry) !== undefined;
}

function upstreamsOf(config: RuntimeConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, entry] of Object.entries(config.mcp_servers)) {
    if (isUpstream(config, entry)) out.set(name, upstreamKey(entry));
  }
  return out;
}

/** JSON with object keys sorted, so equal values print equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
        : v,
  );
}

/** Dotted paths of the leaves that differ between `a` and `b` (arrays compare whole). */
function changedPaths(a: unknown, b: unknown, prefix: string, out: string[]): void {
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) {
      changedPaths(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        prefix ? `${prefix}.${k}` : k,
        out,
      );
    }
    return;
  }
  if (stableJson(a) !== stableJson(b)) out.push(prefix);
}

function isLive(path: string): boolean {
  for (const key of LIVE_KEYS) {
    if (path === key || path.startsWith(`${key}.`)) return true;
  }
  return false;
}

function moduleId(m: ModuleRef): string {
  return `${m.slot}\u0000${m.dir}\u0000${m.spec}`;
}

/**
 * Compare the configuration in force with a new one (both validated, defaults filled, relative
 * paths against `baseDir`).
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { diffConfig } from "./diff.ts";
 * const before = validateConfig({ proxy: { enabled: true }, mcp_servers: { a: { command: "a" } } }, "old");
 * const after = validateConfig({ proxy: { enabled: true }, mcp_servers: { b: { command: "b" } } }, "new");
 * const diff = diffConfig(before, after, "/srv/app");
 * console.log(diff.upstreams); // { added: ["b"], removed: ["a"], changed: [] }
 * ```
 */
export function diffConfig(before: RuntimeConfig, after: RuntimeConfig, baseDir: string): ConfigDiff {
  const oldUp = upstreamsOf(before);
  const newUp = upstreamsOf(after);
  const upstreams: UpstreamChanges = { added: [], removed: [], changed: [] };
  for (const [name, key] of newUp) {
    const was = oldUp.get(name);
    if (was === undefined) upstreams.added.push(name);
    else if (was !== key) upstreams.changed.push(name);
  }
  for (const name of oldUp.keys()) if (!newUp.has(name)) upstreams.removed.push(name);

  const refs = (c: RuntimeConfig): ModuleRef[] =>
    configuredModules(c, baseDir).map((m) => ({
      keyPath: m.keyPath,
      spec: m.spec,
      dir: m.dir,
      slot: m.slot,
    }));
  const oldMods = refs(before);
  const newMods = refs(after);
  const oldIds = new Set(oldMods.map(moduleId));
  const newIds = new Set(newMods.map(moduleId));

  const p = (c: RuntimeConfig) =>
    stableJson([
      c.proxy.namespace,
      c.proxy.keep_root_aliases,
      c.proxy.openai_compatible,
      c.proxy.only_openai_tools,
    ]);
  const paths: string[] = [];
  changedPaths(before, after, "", paths);
  return {
    upstreams,
    modules: {
      added: newMods.filter((m) => !oldIds.has(moduleId(m))),
      removed: oldMods.filter((m) => !newIds.has(moduleId(m))),
    },
    naming: p(before) !== p(after),
    logging: stableJson(before.logging) !== stableJson(after.logging),
    restartRequired: paths.filter((x) => !isLive(x)).sort(),
  };
}

/**
 * The configuration a reload puts in force: the live keys (see {@linkcode diffConfig}) from
 * `after`, everything else as `before` had it (those changes wait for a restart).
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { liveConfig } from "./diff.ts";
 * const before = validateConfig({ server: { type: "sse" } }, "old");
 * const after = validateConfig({ server: { type: "stdio" }, logging: { level: "DEBUG" } }, "new");
 * const live = liveConfig(before, after);
 * console.log(live.server.type, live.logging.level); // sse DEBUG
 * ```
 */
export function liveConfig(before: RuntimeConfig, after: RuntimeConfig): RuntimeConfig {
  // The keys of LIVE_KEYS, and nothing else.
  return {
    ...before,
    mcp_servers: after.mcp_servers,
    proxy: after.proxy,
    logging: after.logging,
    tools: { ...before.tools, modules_to_import: after.tools.modules_to_import },
  };
}

/** One step of a reload, in the order they run. */
export type ReloadStep =
  | { kind: "logging" }
  | { kind: "stop-upstream"; name: string }
  | { kind: "restart-upstream"; name: string }
  | { kind: "start-upstream"; name: string }
  | { kind: "unload-module"; module: ModuleRef }
  | { kind: "load-module"; module: ModuleRef }
  | { kind: "reload-module"; module: ModuleRef }
  | { kind: "rename" };

/** What a reload will do, and what it will not. */
export interface ReloadPlan {
  /** Steps in order: logging first, then stops, restarts, starts, modules, names. */
  steps: ReloadStep[];
  /** One line per key that needs a restart to take effect (the old value stays in force). */
  warnings: string[];
  /** Whether nothing changes. */
  empty: boolean;
}

/**
 * The steps that take the runtime from the old configuration to the new one. `changedFiles` are
 * module files whose contents changed (`--watch`); modules that stayed in the configuration and
 * resolve to one of them are reloaded.
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { diffConfig, planReload } from "./diff.ts";
 * const before = validateConfig({ server: { type: "sse" } }, "old");
 * const after = validateConfig({ server: { type: "stdio" } }, "new");
 * const plan = planReload(diffConfig(before, after, "/srv"), after);
 * console.log(plan.warnings); // ["server.type changed: it takes effect after a restart"]
 * ```
 */
export function planReload(
  diff: ConfigDiff,
  after: RuntimeConfig,
  changedModules: ModuleRef[] = [],
): ReloadPlan {
  const steps: ReloadStep[] = [];
  if (diff.logging) steps.push({ kind: "logging" });
  for (const name of diff.upstreams.removed) steps.push({ kind: "stop-upstream", name });
  for (const name of diff.upstreams.changed) steps.push({ kind: "restart-upstream", name });
  for (const name of diff.upstreams.added) steps.push({ kind: "start-upstream", name });
  for (const module of diff.modules.removed) steps.push({ kind: "unload-module", module });
  const added = new Set(diff.modules.added.map(moduleId));
  for (const module of changedModules) {
    if (!added.has(moduleId(module))) steps.push({ kind: "reload-module", module });
  }
  for (const module of diff.modules.added) steps.push({ kind: "load-module", module });
  // Names are recomputed after every upstream and module change has landed.
  if (diff.naming && after.proxy.enabled) steps.push({ kind: "rename" });
  const warnings = diff.restartRequired.map((key) => `${key} changed: it takes effect after a restart`);
  return { steps, warnings, empty: steps.length === 0 && warnings.length === 0 };
}
