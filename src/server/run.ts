/**
 * `runServer`: everything the `server` command does, as a library call — load the configuration,
 * build the runtime with its plugins, start it and serve it.
 *
 * @module
 */

import { createAuthenticator } from "../auth/config.ts";
import type { Authenticator } from "../auth/types.ts";
import { type EnvSource, processEnv } from "../config/env.ts";
import { type ConfigOverrides, loadConfig } from "../config/load.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../config/schema.ts";
import { getLogger } from "../log/logger.ts";
import type { CollectedDefinitions } from "../tools/loader.ts";
import { assertPermissions, preflightConfigPermissions } from "../permissions/check.ts";
import { displayPath, requiredPermissions } from "../permissions/required.ts";
import { Runtime, type RuntimePlugin } from "./runtime.ts";
import { pluginsFor } from "./plugins.ts";
import { telemetryWanted } from "../telemetry/wanted.ts";
import { serve, type ServeHandle, type ServeOptions } from "./serve.ts";

/** Options of {@linkcode runServer}. */
export interface RunServerOptions extends ServeOptions {
  /** `--config FILE`. */
  configPath?: string;
  /** Flags that beat the file and the environment. */
  overrides?: ConfigOverrides;
  /** Configuration used when no file is given or found. */
  fallbackConfig?: RuntimeConfigInput;
  /** Definitions registered only when the fallback configuration is used (the embedded examples). */
  fallbackDefinitions?:
    | { source: string; definitions: CollectedDefinitions }[]
    | (() => Promise<{ source: string; definitions: CollectedDefinitions }[]>);
  /** Definitions always registered (tools written in the embedding program). */
  definitions?: { source: string; definitions: CollectedDefinitions }[];
  /** Extra plugins, started after the configured ones. */
  plugins?: RuntimePlugin[];
  /** Replace the authenticator the configuration implies. */
  authenticator?: Authenticator;
  /** Environment to read; default the process environment. */
  env?: EnvSource;
  /** Working directory for the config search; default `Deno.cwd()`. */
  cwd?: string;
  /** Do not look for `./config.yaml` when no path is given. */
  noSearch?: boolean;
  /** Adjust the loaded configuration (command-line additions) before the runtime is built. */
  patchConfig?: (config: RuntimeConfig) => void;
  /**
   * Check at startup that every Deno permission the configuration needs is granted, and stop with
   * a {@linkcode PermissionError} (exit code 2) naming the flags to add when one is not. Default
   * true; under `-A` the check always passes.
   */
  checkPermissions?: boolean;
  /** Command-line arguments that reproduce this configuration, for the hint in a permission error. */
  permissionArgs?: string[];
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
  const loaded = await loadConfig({
    path: options.configPath,
    env,
    cwd: options.cwd,
    overrides: options.overrides,
    fallback: options.fallbackConfig,
    noSearch: options.noSearch,
  });
  options.patchConfig?.(loaded.config);
  if (check) {
    const required = requiredPermissions(loaded.config, {
      configFile: loaded.file,
      configPath: options.configPath,
      noSearch: options.noSearch,
      baseDir: loaded.baseDir,
      cwd: options.cwd,
      env,
      readsProcessEnv,
    });
    const label = loaded.file
      ? displayPath(loaded.file, options.cwd ?? Deno.cwd())
      : "the embedded default configuration";
    assertPermissions(required, { label, configArgs });
  }
  // `server.auth: bearer` without a key is a ConfigError (exit 2), whatever the transport.
  const authenticator = options.authenticator ??
    await createAuthenticator(loaded.config, env, loaded.file ?? "<embedded default>");
  if (loaded.config.server.type === "stdio" && authenticator.scheme !== "none") {
    getLogger("server").info(
      "server.auth applies to HTTP transports only; stdio (a local pipe) is not authenticated",
    );
  }
  // Metrics, tracing and JSON log fields load only when one of them is on.
  const telemetry = telemetryWanted(loaded.config)
    ? await (await import("../telemetry/telemetry.ts")).createTelemetry(loaded.config)
    : undefined;
  return new Runtime({
    config: loaded.config,
    telemetry,
    baseDir: loaded.baseDir,
    configLabel: loaded.file ?? "<embedded default>",
    env,
    definitions: [
      ...(loaded.embedded ? await fallbackDefinitions(options) : []),
      ...(options.definitions ?? []),
    ],
    plugins: [...pluginsFor(loaded.config, env), ...(options.plugins ?? [])],
    authenticator,
  });
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
  const runtime = await buildRuntime(options);
  try {
    await runtime.start();
    return await serve(runtime, options);
  } catch (e) {
    // Plugins already started (children, connections) must not outlive a failed start.
    await runtime.stop();
    throw e;
  }
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
function fallbackDefinitions(
  options: RunServerOptions,
): Promise<{ source: string; definitions: CollectedDefinitions }[]> {
  const f = options.fallbackDefinitions;
  return typeof f === "function" ? f() : Promise.resolve(f ?? []);
}
