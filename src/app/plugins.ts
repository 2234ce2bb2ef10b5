/**
 * Which plugins a configuration turns on. Each feature (proxy, session tools, artifacts, ...)
 * adds itself here and nowhere else in the core.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { RuntimePlugin } from "../core/plugin.ts";
import { sessionToolsPlugin } from "../session_tools/plugin.ts";
import { modulesPlugin, type ModulesPluginOptions } from "./modules.ts";

/**
 * The plugins `config` asks for, in start order: its modules (with `modules.definitions` before
 * them), the session tools, the artifact store, the proxy.
 *
 * @example
 * ```ts
 * import { pluginsFor, validateConfig } from "@chuk/mcp-runtime";
 * import { processEnv } from "@chuk/mcp-runtime/config";
 * const plugins = pluginsFor(validateConfig({}, "inline"), processEnv);
 * console.log(plugins.map((p) => p.name));
 * ```
 */
export function pluginsFor(
  config: RuntimeConfig,
  _env: EnvSource,
  modules: ModulesPluginOptions = {},
): RuntimePlugin[] {
  // The configured modules first: plugins may check names against what they registered.
  const plugins: RuntimePlugin[] = [modulesPlugin(modules)];
  if (config.session_tools.enabled) plugins.push(sessionToolsPlugin(config));
  if (config.artifacts.enabled) {
    plugins.push(
      lazyPlugin("artifacts", async () => (await import("../artifacts/plugin.ts")).artifactsPlugin()),
    );
  }
  if (config.proxy.enabled) {
    // Loaded on demand: a server without upstreams never loads the MCP client side.
    plugins.push(lazyPlugin("proxy", async () => new (await import("../proxy/plugin.ts")).ProxyPlugin()));
  }
  return plugins;
}

/**
 * A plugin whose module is imported only when the runtime starts it.
 *
 * @example
 * ```ts
 * import { lazyPlugin } from "./plugins.ts";
 * const plugin = lazyPlugin("hello", () => Promise.resolve({ name: "hello" }));
 * ```
 */
export function lazyPlugin(name: string, load: () => Promise<RuntimePlugin>): RuntimePlugin {
  let inner: RuntimePlugin | undefined;
  return {
    name,
    async start(runtime) {
      inner = await load();
      await inner.start?.(runtime);
    },
    stop: () => inner?.stop?.() ?? Promise.resolve(),
    health: () => inner?.health?.(),
  };
}
