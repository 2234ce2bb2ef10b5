/**
 * The grants of configured tool, resource and prompt modules.
 *
 * @module
 */

import { fileExists, type PlanContext } from "../permissions/plan.ts";
import { localImports } from "./imports.ts";
import { bakedModule, configuredModules, moduleCandidates } from "./loader.ts";

/**
 * Tool, resource and prompt modules: dynamic imports of computed paths need read access, for the
 * module and each local file it imports.
 */
export function moduleGrants({ config, baseDir, options, plan }: PlanContext): void {
  for (const m of configuredModules(config, baseDir)) {
    if (options.modulesBaked || bakedModule(m, baseDir)) continue; // in the binary: nothing to read
    const candidates = moduleCandidates(m.spec, m.dir);
    const found = candidates.find(fileExists) ?? candidates[0];
    plan.add("read", found, `module ${m.keyPath}`, {
      alternatives: candidates.length > 1 ? candidates.filter((c) => c !== found) : undefined,
    });
    for (const file of localImports(found)) plan.add("read", file, `imported by module ${m.keyPath}`);
  }
}
