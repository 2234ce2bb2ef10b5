/**
 * Which plugins a configuration turns on. Each feature (proxy, session tools, artifacts, ...)
 * adds itself here and nowhere else in the core.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { RuntimePlugin } from "./runtime.ts";
import { sessionToolsPlugin } from "../sessions/tools.ts";

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
export function pluginsFor(config: RuntimeConfig, _env: EnvSource): RuntimePlugin[] {
  const plugins: RuntimePlugin[] = [];
  if (config.session_tools.enabled) plugins.push(sessionToolsPlugin(config));
  return plugins;
}
