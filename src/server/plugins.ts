/**
 * Which plugins a configuration turns on. Each feature (proxy, session tools, artifacts, ...)
 * adds itself here and nowhere else in the core.
 *
 * @module
 */

import { artifactsPlugin } from "../artifacts/plugin.ts";
import type { EnvSource } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { RuntimePlugin } from "./runtime.ts";

/**
 * The plugins `config` asks for, in start order.
 *
 * @example
 * ```ts
 * import { pluginsFor, validateConfig, processEnv } from "@chuk/mcp-runtime";
 * const plugins = pluginsFor(validateConfig({}, "inline"), processEnv);
 * console.log(plugins.map((p) => p.name));
 * ```
 */
export function pluginsFor(_config: RuntimeConfig, _env: EnvSource): RuntimePlugin[] {
  const plugins: RuntimePlugin[] = [];
  if (_config.artifacts.enabled) plugins.push(artifactsPlugin());
  return plugins;
}
