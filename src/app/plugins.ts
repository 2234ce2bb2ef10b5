/**
 * Which plugins a configuration turns on. Each feature (proxy, session tools, artifacts, ...)
 * adds itself here and nowhere else in the core.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { RuntimePlugin } from "../core/plugin.ts";
import type { ProxyPlugin } from "../proxy/plugin.ts";
import { sessionToolsPlugin } from "../session_tools/plugin.ts";
import type { Telemetry } from "../telemetry/types.ts";
import { ModulesPlugin, type ModulesPluginOptions } from "./modules.ts";

/**
 * The plugins `config` asks for, in start order: its modules (with `modules.definitions` before
 * them), the session tools, the artifact store, the proxy. `telemetry` hears from the artifact
 * store and the proxy.
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
  env: EnvSource,
  modules: ModulesPluginOptions = {},
  telemetry?: Telemetry,
): RuntimePlugin[] {
  return composePlugins(config, env, modules, telemetry).plugins;
}

/** The plugins of a configuration, and the ones a live reload works through. */
export interface ComposedPlugins {
  /** Every plugin, in start order. */
  plugins: RuntimePlugin[];
  /** The configured modules. */
  modules: ModulesPlugin;
  /** The proxy (when `proxy.enabled`; a reload that switches it on adds one). */
  proxy?: LazyPlugin<ProxyPlugin>;
}

/**
 * {@linkcode pluginsFor}, keeping hold of the modules and the proxy plugin.
 *
 * @example
 * ```ts
 * import { composePlugins } from "./plugins.ts";
 * import { validateConfig } from "../config/validate.ts";
 * import { processEnv } from "../config/env.ts";
 * const { plugins, modules } = composePlugins(validateConfig({}, "inline"), processEnv);
 * console.log(plugins[0] === modules); // true
 * ```
 */
export function composePlugins(
  config: RuntimeConfig,
  _env: EnvSource,
  modules: ModulesPluginOptions = {},
  telemetry?: Telemetry,
): ComposedPlugins {
  // The configured modules first: plugins may check names against what they registered.
  const modulesPlugin = new ModulesPlugin(modules);
  const plugins: RuntimePlugin[] = [modulesPlugin];
  if (config.session_tools.enabled) plugins.push(sessionToolsPlugin(config));
  if (config.artifacts.enabled) {
    const onBytesWritten = telemetry &&
      ((provider: string, bytes: number) => telemetry.artifactBytesWritten(provider, bytes));
    plugins.push(
      lazyPlugin(
        "artifacts",
        async () => (await import("../artifacts/plugin.ts")).artifactsPlugin({ onBytesWritten }),
      ),
    );
  }
  let proxy: LazyPlugin<ProxyPlugin> | undefined;
  if (config.proxy.enabled) plugins.push(proxy = proxyPlugin(telemetry));
  return { plugins, modules: modulesPlugin, proxy };
}

/**
 * The proxy, loaded on demand: a server without upstreams never loads the MCP client side.
 *
 * @example
 * ```ts
 * import { proxyPlugin } from "./plugins.ts";
 * const plugin = proxyPlugin();
 * console.log(plugin.inner); // undefined until started
 * ```
 */
export function proxyPlugin(telemetry?: Telemetry): LazyPlugin<ProxyPlugin> {
  return lazyPlugin(
    "proxy",
    async () => new (await import("../proxy/plugin.ts")).ProxyPlugin({ observer: telemetry }),
  );
}

/** A plugin whose module is imported when the runtime starts it. */
export interface LazyPlugin<P extends RuntimePlugin> extends RuntimePlugin {
  /** The plugin, once started. */
  readonly inner: P | undefined;
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
export function lazyPlugin<P extends RuntimePlugin>(name: string, load: () => Promise<P>): LazyPlugin<P> {
  let inner: P | undefined;
  return {
    name,
    get inner() {
      return inner;
    },
    async start(runtime) {
      const plugin = await load();
      await plugin.start?.(runtime);
      inner = plugin;
    },
    stop: () => inner?.stop?.() ?? Promise.resolve(),
    health: () => inner?.health?.(),
  };
}
