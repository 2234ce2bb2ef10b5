/**
 * `runServer`: everything the `server` command does, as a library call — load the configuration,
 * build the runtime with its plugins, start it and serve it.
 *
 * @module
 */

import { createAuthenticator } from "../auth/config.ts";
import type { Authenticator } from "../auth/types.ts";
import { processEnv } from "../config/env.ts";
import type { RuntimePlugin } from "../core/plugin.ts";
import { Runtime } from "../core/runtime.ts";
import { getLogger } from "../log/logger.ts";
import { assertPermissions, preflightConfigPermissions } from "../permissions/check.ts";
import { displayPath } from "../permissions/plan.ts";
import { startupAdvice } from "./advice.ts";
import { type ConfigSource, loadConfigured } from "./load.ts";
import { loadAndPlan } from "./permissions.ts";
import type { DefinitionSource } from "./modules.ts";
import { type ComposedPlugins, composePlugins } from "./plugins.ts";
import { Reloader } from "./reload.ts";
import { watchFiles } from "../reload/watch.ts";
import type { Telemetry } from "../telemetry/types.ts";
import { telemetryWanted } from "../telemetry/wanted.ts";
import { checkView, serve, type ServeHandle, type ServeOptions } from "./serve.ts";

/** Options of {@linkcode runServer}. */
export interface RunServerOptions extends ServeOptions, ConfigSource {
  /** Definitions registered only when the fallback configuration is used (the embedded examples). */
  fallbackDefinitions?: DefinitionSource[] | (() => Promise<DefinitionSource[]>);
  /** Definitions always registered (tools written in the embedding program). */
  definitions?: DefinitionSource[];
  /** Extra plugins, started after the configured ones. */
  plugins?: RuntimePlugin[];
  /** Replace the authenticator the configuration implies. */
  authenticator?: Authenticator;
  /**
   * Check at startup that every Deno permission the configuration needs is granted, and stop with
   * a {@linkcode PermissionError} (exit code 2) naming the flags to add when one is not. Default
   * true; under `-A` the check always passes.
   */
  checkPermissions?: boolean;
  /** Command-line arguments that reproduce this configuration, for the hint in a permission error. */
  permissionArgs?: string[];
  /**
   * Reload when the configuration file or a local module changes (`--watch`). SIGHUP reloads
   * whenever signals are handled (`handleSignals`, default true).
   */
  watch?: boolean;
}

/** A runtime as a configuration composes it, not yet started. */
interface Composed {
  runtime: Runtime;
  telemetry: Telemetry | undefined;
  plugins: ComposedPlugins;
  file: string | undefined;
}

/**
 * Load configuration and build the runtime it describes (not started, not serving).
 *
 * @example
 * ```ts
 * import { buildRuntime } from "@chuk/mcp-runtime";
 * const runtime = await buildRuntime({ fallbackConfig: {}, noSearch: true });
 * await runtime.start();
 * console.log(runtime.registry.listTools().length);
 * await runtime.stop();
 * ```
 */
export async function buildRuntime(options: RunServerOptions = {}): Promise<Runtime> {
  return (await compose(options)).runtime;
}

async function compose(options: RunServerOptions): Promise<Composed> {
  const env = options.env ?? processEnv;
  const check = options.checkPermissions ?? true;
  const readsProcessEnv = options.env === undefined || options.env === processEnv;
  const configArgs = options.permissionArgs ?? cliArgsOf(options);
  if (check) {
    preflightConfigPermissions({
      configPath: options.configPath,
      cwd: options.cwd,
      noSearch: options.noSearch,
      readsProcessEnv,
      configArgs,
    });
  }
  let loaded;
  if (check) {
    const planned = await loadAndPlan(options);
    loaded = planned.loaded;
    const label = loaded.file
      ? displayPath(loaded.file, options.cwd ?? Deno.cwd())
      : "the embedded default configuration";
    assertPermissions(planned.required, { label, configArgs });
  } else {
    loaded = await loadConfigured(options);
  }
  for (const w of loaded.warnings) getLogger("config").warn(w.message);
  // `server.auth: bearer` without a key is a ConfigError (exit 2) on the HTTP transports. An
  // `oauth:` section makes the runtime an OAuth 2.1 protected resource instead (its modules load
  // only then).
  const authenticator = options.authenticator ??
    (loaded.config.oauth
      ? new (await import("../oauth/resource/authenticator.ts")).OAuthResourceAuthenticator(loaded.config)
      : await createAuthenticator(loaded.config, env, loaded.file ?? "<embedded default>"));
  if (loaded.config.server.type === "stdio" && authenticator.scheme !== "none") {
    getLogger("server").info(
      "server.auth applies to HTTP transports only; stdio (a local pipe) is not authenticated",
    );
  }
  for (const advice of startupAdvice(loaded.config, authenticator.scheme)) getLogger("server").warn(advice);
  // Metrics, tracing and JSON log fields load only when one of them is on.
  const telemetry = telemetryWanted(loaded.config)
    ? await (await import("../telemetry/telemetry.ts")).createTelemetry(loaded.config)
    : undefined;
  const plugins = composePlugins(loaded.config, env, {
    configLabel: loaded.file ?? "<embedded default>",
    definitions: [
      ...(loaded.embedded ? await fallbackDefinitions(options) : []),
      ...(options.definitions ?? []),
    ],
  }, telemetry);
  const runtime = new Runtime({
    config: loaded.config,
    observer: telemetry?.observer,
    baseDir: loaded.baseDir,
    env,
    plugins: [...plugins.plugins, ...(options.plugins ?? [])],
    authenticator,
  });
  return { runtime, telemetry, plugins, file: loaded.file };
}

/**
 * Load configuration, start the runtime and serve it. Resolves once serving; `handle.done`
 * resolves when the server stops.
 *
 * @example
 * ```ts
 * import { runServer } from "@chuk/mcp-runtime";
 * const server = await runServer({
 *   fallbackConfig: { server: { type: "streamable-http" }, "streamable-http": { port: 0 } },
 *   noSearch: true,
 *   handleSignals: false,
 * });
 * console.log(server.url);
 * await server.stop();
 * ```
 */
export async function runServer(options: RunServerOptions = {}): Promise<ServeHandle> {
  const { runtime, telemetry, plugins, file } = await compose(options);
  let handle: ServeHandle;
  const reloader = new Reloader({
    runtime,
    source: options,
    file,
    modules: plugins.modules,
    proxy: plugins.proxy,
    telemetry,
    checkPermissions: options.checkPermissions,
  });
  // Before anything starts (upstreams, listeners): a view that cannot be served stops here.
  checkView(runtime.config, options.view);
  try {
    await runtime.start();
    // Last among the plugins: its /health entry says which configuration is in force.
    await runtime.addPlugin(reloader);
    handle = await serve(runtime, { ...options, telemetry });
  } catch (e) {
    // Plugins already started (children, connections) must not outlive a failed start.
    await runtime.stop();
    throw e;
  }
  const stopReloading = watchForReloads(reloader, options);
  void handle.done.then(stopReloading);
  return handle;
}

/** SIGHUP (when signals are handled) and `--watch` reload; returns a function that stops both. */
function watchForReloads(reloader: Reloader, options: RunServerOptions): () => void {
  const stops: (() => void)[] = [];
  if (options.handleSignals ?? true) {
    const onHup = () => void reloader.reload("SIGHUP");
    try {
      Deno.addSignalListener("SIGHUP", onHup);
      stops.push(() => Deno.removeSignalListener("SIGHUP", onHup));
    } catch {
      // No SIGHUP on Windows.
    }
  }
  if (options.watch) {
    const watch = watchFiles(
      reloader.files(),
      (changed) => void reloader.reload(`changed: ${changed.join(", ")}`),
    );
    // A reload may name other modules: watch what is configured now.
    stops.push(reloader.onReload(() => watch.update(reloader.files())), () => watch.close());
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

/** The command-line arguments that reproduce `options`' configuration (for hints in messages). */
function cliArgsOf(options: RunServerOptions): string[] {
  const args: string[] = [];
  if (options.configPath !== undefined) args.push("--config", options.configPath);
  const o = options.overrides ?? {};
  if (o.transport) args.push("--transport", o.transport);
  if (o.host !== undefined) args.push("--host", o.host);
  if (o.port !== undefined) args.push("--port", String(o.port));
  return args;
}

/** The fallback definitions, loading them first when they are given lazily. */
function fallbackDefinitions(options: RunServerOptions): Promise<DefinitionSource[]> {
  const f = options.fallbackDefinitions;
  return typeof f === "function" ? f() : Promise.resolve(f ?? []);
}
