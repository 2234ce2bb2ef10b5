/**
 * The tool, resource and prompt modules of a configuration (`tools.modules_to_import`,
 * `mcp_servers.<name>.tools.module`, ...) and the definitions an embedding program hands in, as
 * the first plugin the runtime starts: the core itself loads no code.
 *
 * @module
 */

import type { RuntimePlugin } from "../core/plugin.ts";
import type { CacheHint } from "../core/registry.ts";
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

/** A configured module: its file, or (baked into a compiled binary) its namespace. */
interface ModuleToLoad {
  file: string;
  slot: ModuleSlot;
  source: string;
  cache?: CacheHint;
  namespace?: Record<string, unknown>;
  shape?: ServerShape;
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
export function modulesPlugin(options: ModulesPluginOptions = {}): RuntimePlugin {
  return {
    name: "modules",
    async start(host) {
      const toolOptions = { defaultTimeout: host.defaultToolTimeout };
      for (const { source, definitions } of options.definitions ?? []) {
        registerDefinitions(host.registry, definitions, source, toolOptions);
      }
      const file = options.configLabel ?? "<config>";
      const modules: ModuleToLoad[] = [];
      const byFile = new Map<string, { module: ModuleToLoad; keyPath: string }>();
      for (const m of configuredModules(host.config, host.baseDir)) {
        // Baked in at build time (compiled binaries): no file to resolve or import.
        const namespace = bakedModule(m, host.baseDir);
        const abs = namespace
          ? `${m.spec} (baked in)`
          : await resolveModulePath(m.spec, m.dir, { file, path: m.keyPath });
        // One file named twice (the reference README lists one module under both
        // tools.modules_to_import and mcp_servers.<name>) is one module, registered once, with
        // the filter and overrides one of them gives (two different ones: both are registered).
        const seen = byFile.get(abs);
        if (seen && (!seen.module.shape || !m.shape)) {
          if (seen.module.slot !== m.slot) seen.module.slot = "any";
          seen.module.shape ??= m.shape;
          seen.module.cache ??= m.cache;
          log.info(`${m.keyPath} names ${abs} again (as ${seen.keyPath} does); it is loaded once`);
          continue;
        }
        const module: ModuleToLoad = {
          file: abs,
          slot: m.slot,
          source: m.source,
          cache: m.cache,
          namespace,
          shape: m.shape,
        };
        byFile.set(abs, { module, keyPath: m.keyPath });
        modules.push(module);
      }
      for (const { file, slot, source, cache, namespace, shape } of modules) {
        const defs = namespace ? collectDefinitions(namespace, slot) : await importDefinitions(file, slot);
        registerShaped(host.registry, defs, source, cache ? { ...toolOptions, cache } : toolOptions, shape);
      }
    },
  };
}
