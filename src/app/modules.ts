/**
 * The tool, resource and prompt modules of a configuration (`tools.modules_to_import`,
 * `mcp_servers.<name>.tools.module`, ...) and the definitions an embedding program hands in, as
 * the first plugin the runtime starts: the core itself loads no code. A live reload goes through
 * it too: {@linkcode ModulesPlugin.prepare} imports what a new configuration adds and what changed
 * on disk (nothing in the registry changes yet), {@linkcode ModulesPlugin.apply} swaps the entries.
 *
 * @module
 */

import type { RuntimeConfig } from "../config/types.ts";
import type { PluginHost, RuntimePlugin } from "../core/plugin.ts";
import type {
  CacheHint,
  PromptEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  ToolEntry,
} from "../core/registry.ts";
import { Registry } from "../core/registry.ts";
import {
  bakedModule,
  collectDefinitions,
  type CollectedDefinitions,
  configuredModules,
  importDefinitions,
  type ModuleSlot,
  registerDefinitions,
  registerShaped,
  resolveModulePath,
} from "../tools/loader.ts";
import type { ServerShape } from "../tools/shape.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("tools");

/** Definitions from one source (a module, the embedding program), for messages and `/health`. */
export interface DefinitionSource {
  /** Where they came from (`main.ts`, `examples/tools.ts (embedded)`). */
  source: string;
  /** The definitions. */
  definitions: CollectedDefinitions;
}

/** Options of {@linkcode modulesPlugin}. */
export interface ModulesPluginOptions {
  /** Definitions registered before the configured modules (the embedded examples, a program's own). */
  definitions?: DefinitionSource[];
  /** Label of the configuration in messages (its file path). */
  configLabel?: string;
}

/** The registry entries one module registered. */
interface Entries {
  tools: ToolEntry[];
  resources: ResourceEntry[];
  templates: ResourceTemplateEntry[];
  prompts: PromptEntry[];
}

/** A configured module as loaded: what identifies it, its file and what it registered. */
interface LoadedModule {
  /** Slot, folder and spec: the same module in two configurations. */
  id: string;
  /** Its file (absolute), or `<spec> (baked in)`. */
  file: string;
  /** The file's signature when it was imported (modification time, size, inode); `""` baked in. */
  signature: string;
  /** Its entries. */
  entries: Entries;
}

/** What a new configuration does to the modules, ready to apply (everything already imported). */
export interface PreparedModules {
  /** Modules no longer configured, and modules whose file changed (their entries go). */
  readonly unload: readonly LoadedModule[];
  /** Modules new in the configuration, and the new versions of changed ones. */
  readonly load: readonly LoadedModule[];
  /** The configured modules afterwards, in load order. */
  readonly next: readonly LoadedModule[];
  /** Files of the changed modules (for the log). */
  readonly changedFiles: readonly string[];
  /** Whether anything changes. */
  readonly empty: boolean;
}

/** One configured module before it is imported. */
interface ModuleToLoad {
  id: string;
  file: string;
  slot: ModuleSlot;
  source: string;
  cache?: CacheHint;
  namespace?: Record<string, unknown>;
  shape?: ServerShape;
}

function signatureOf(file: string): string {
  try {
    const s = Deno.statSync(file);
    return `${s.mtime?.getTime()}|${s.size}|${s.ino}`;
  } catch {
    return "missing";
  }
}

function entriesOf(registry: Registry): Entries {
  return {
    tools: registry.tools.entries(),
    resources: registry.resources.entries(),
    templates: registry.templates.entries(),
    prompts: registry.prompts.entries(),
  };
}

function addEntries(registry: Registry, e: Entries): void {
  for (const x of e.tools) registry.tools.add(x);
  for (const x of e.resources) registry.resources.add(x);
  for (const x of e.templates) registry.templates.add(x);
  for (const x of e.prompts) registry.prompts.add(x);
}

/** Remove `e` from `registry` (only where the registry still holds these very entries). */
function removeEntries(registry: Registry, e: Entries): void {
  const drop = <E>(
    table: { get(k: string): E | undefined; remove(k: string): boolean },
    key: string,
    x: E,
  ) => {
    if (table.get(key) === x) table.remove(key);
  };
  for (const x of e.tools) drop(registry.tools, x.tool.name, x);
  for (const x of e.resources) drop(registry.resources, x.resource.uri, x);
  for (const x of e.templates) drop(registry.templates, x.template.uriTemplate, x);
  for (const x of e.prompts) drop(registry.prompts, x.prompt.name, x);
}

/**
 * The plugin that registers `options.definitions`, then every module the configuration names.
 *
 * @example
 * ```ts
 * import { modulesPlugin } from "./modules.ts";
 * const plugin = modulesPlugin({ configLabel: "config.yaml" });
 * ```
 */
export function modulesPlugin(options: ModulesPluginOptions = {}): ModulesPlugin {
  return new ModulesPlugin(options);
}

/** See {@linkcode modulesPlugin}. */
export class ModulesPlugin implements RuntimePlugin {
  /** Name in logs. */
  readonly name = "modules";
  readonly #options: ModulesPluginOptions;
  #host: PluginHost | undefined;
  #loaded: LoadedModule[] = [];
  #reloads = 0;

  /** The plugin; `options` add definitions and label the configuration. */
  constructor(options: ModulesPluginOptions = {}) {
    this.#options = options;
  }

  /** The files of the configured modules (what `--watch` watches besides the configuration). */
  get files(): string[] {
    return this.#loaded.filter((m) => m.signature !== "").map((m) => m.file);
  }

  async start(host: PluginHost): Promise<void> {
    this.#host = host;
    const toolOptions = { defaultTimeout: host.defaultToolTimeout };
    for (const { source, definitions } of this.#options.definitions ?? []) {
      registerDefinitions(host.registry, definitions, source, toolOptions);
    }
    const modules = await this.#resolve(host.config, this.#options.configLabel ?? "<config>");
    for (const m of modules) {
      const loaded = await this.#import(m);
      host.registry.batch(() => addEntries(host.registry, loaded.entries));
      this.#loaded.push(loaded);
    }
  }

  /**
   * Import what `config` adds and what changed on disk since it was loaded; registers nothing.
   * Throws what a start would (a missing module: `ConfigError` at its key; a module that does not
   * load or defines something invalid: `ModuleLoadError` / `RuntimeError`).
   */
  async prepare(config: RuntimeConfig, configLabel: string): Promise<PreparedModules> {
    const wanted = await this.#resolve(config, configLabel, true);
    const before = new Map(this.#loaded.map((m) => [m.id, m]));
    const unload: LoadedModule[] = [];
    const load: LoadedModule[] = [];
    const next: LoadedModule[] = [];
    const changedFiles: string[] = [];
    const fresh = `${Date.now()}-${++this.#reloads}`;
    for (const m of wanted) {
      const old = before.get(m.id);
      before.delete(m.id);
      if (old && (old.signature === "" || old.file === m.file && old.signature === signatureOf(m.file))) {
        next.push(old);
        continue;
      }
      if (old) {
        unload.push(old);
        changedFiles.push(m.file);
      }
      const loaded = await this.#import(m, fresh);
      load.push(loaded);
      next.push(loaded);
    }
    unload.push(...before.values());
    return { unload, load, next, changedFiles, empty: unload.length === 0 && load.length === 0 };
  }

  /**
   * Swap the entries `prepared` names, in one registry batch: on a clash (a name another module,
   * a plugin or a built-in holds) nothing changes and the clash is thrown.
   */
  apply(prepared: PreparedModules): void {
    const registry = this.#host!.registry;
    if (prepared.empty) return;
    registry.batch(() => {
      for (const m of prepared.unload) removeEntries(registry, m.entries);
      const added: LoadedModule[] = [];
      try {
        for (const m of prepared.load) {
          try {
            addEntries(registry, m.entries);
          } finally {
            added.push(m);
          }
        }
      } catch (e) {
        for (const m of added) removeEntries(registry, m.entries);
        for (const m of prepared.unload) addEntries(registry, m.entries);
        throw e;
      }
    });
    this.#loaded = [...prepared.next];
  }

  /**
   * The configured modules of `config`, resolved to files (or baked-in namespaces), in load order
   * (`reload`: what is said once at startup is not said again).
   */
  async #resolve(config: RuntimeConfig, file: string, reload = false): Promise<ModuleToLoad[]> {
    const host = this.#host!;
    const records: { module: ModuleToLoad; keyPath: string; entry: string }[] = [];
    const byFile = new Map<string, (typeof records)[number]>();
    for (const m of configuredModules(config, host.baseDir)) {
      // Baked in at build time (compiled binaries): no file to resolve or import.
      const namespace = bakedModule(m, host.baseDir);
      const abs = namespace
        ? `${m.spec} (baked in)`
        : await resolveModulePath(m.spec, m.dir, { file, path: m.keyPath });
      // The mcp_servers entry that shapes a module (filters, overrides, cache hint) is part of what it
      // is: a
      // reload that changes the entry loads the module again.
      const server = m.shape || m.cache
        ? /^mcp_servers\.(.+)\.[a-z]+\.module$/.exec(m.keyPath)?.[1]
        : undefined;
      const entry = server !== undefined ? JSON.stringify(config.mcp_servers[server] ?? null) : "";
      // One file named twice (the reference README lists one module under both
      // tools.modules_to_import and mcp_servers.<name>) is one module, registered once, with
      // the filter and overrides one of them gives (two different ones: both are registered).
      const seen = byFile.get(abs);
      if (seen && (!seen.module.shape || !m.shape)) {
        if (seen.module.slot !== m.slot) seen.module.slot = "any";
        if (!seen.module.shape && m.shape) [seen.module.shape, seen.entry] = [m.shape, entry];
        seen.module.cache ??= m.cache;
        const said = `${m.keyPath} names ${abs} again (as ${seen.keyPath} does); it is loaded once`;
        if (reload) log.debug(said);
        else log.info(said);
        continue;
      }
      const module: ModuleToLoad = {
        id: "",
        file: abs,
        slot: m.slot,
        source: m.source,
        cache: m.cache,
        namespace,
        shape: m.shape,
      };
      const record = { module, keyPath: m.keyPath, entry };
      if (!seen) byFile.set(abs, record);
      records.push(record);
    }
    for (const { module, entry } of records) module.id = `${module.slot}\u0000${module.file}\u0000${entry}`;
    return records.map((r) => r.module);
  }

  /** Import one module and build its entries (checked alone: names, schemas, duplicates within it). */
  async #import(m: ModuleToLoad, fresh?: string): Promise<LoadedModule> {
    const signature = m.namespace ? "" : signatureOf(m.file);
    const defs = m.namespace
      ? collectDefinitions(m.namespace, m.slot)
      : await importDefinitions(m.file, m.slot, fresh);
    const scratch = new Registry();
    const options = { defaultTimeout: this.#host!.defaultToolTimeout };
    registerShaped(scratch, defs, m.source, m.cache ? { ...options, cache: m.cache } : options, m.shape);
    return { id: m.id, file: m.file, signature, entries: entriesOf(scratch) };
  }
}
