/**
 * Loading a configuration the way every command does — find and read it, apply the environment
 * and the flags, apply command-line additions — written once for `server`, `proxy`, `permissions`
 * and the proxy's early start of its children (`permissions.ts` plans what it loads).
 *
 * @module
 */

import { type EnvSource, processEnv } from "../config/env.ts";
import { type ConfigOverrides, loadConfig, type LoadedConfig } from "../config/load.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../config/schema.ts";

/** Where a configuration comes from. */
export interface ConfigSource {
  /** `--config FILE`. */
  configPath?: string;
  /** Flags that beat the file and the environment. */
  overrides?: ConfigOverrides;
  /** Configuration used when no file is given or found. */
  fallbackConfig?: RuntimeConfigInput;
  /** Do not look for `./config.yaml` when no path is given. */
  noSearch?: boolean;
  /** Working directory for the config search; default `Deno.cwd()`. */
  cwd?: string;
  /** Environment to read; default the process environment. */
  env?: EnvSource;
  /** Adjust the loaded configuration (command-line additions) before anything uses it. */
  patchConfig?: (config: RuntimeConfig) => void;
}

/**
 * Load, validate and patch the configuration `source` names.
 *
 * @example
 * ```ts
 * import { loadConfigured } from "./load.ts";
 * const { config } = await loadConfigured({ configPath: "examples/config.http.yaml" });
 * ```
 */
export async function loadConfigured(source: ConfigSource): Promise<LoadedConfig> {
  const loaded = await loadConfig({
    path: source.configPath,
    env: source.env ?? processEnv,
    cwd: source.cwd,
    overrides: source.overrides,
    fallback: source.fallbackConfig,
    noSearch: source.noSearch,
  });
  source.patchConfig?.(loaded.config);
  return loaded;
}
