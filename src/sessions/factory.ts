/**
 * Choosing the session provider: one switch, one line per provider.
 *
 * @module
 */

import { type EnvSource, processEnv } from "../config/env.ts";
import { SESSION_PROVIDERS } from "../config/schema.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { SessionProviderName } from "../config/types.ts";
import { ConfigError, errorText } from "../errors.ts";
import { type KeyValueStore, MemoryKeyValueStore } from "./kv.ts";
import { RedisKeyValueStore, redisOptionsFromEnv } from "./redis_kv.ts";
import { SqliteKeyValueStore } from "./sqlite_kv.ts";
import { resolveSqlitePath } from "../config/paths.ts";

/**
 * The session provider in force: `SESSION_PROVIDER` > `ARTIFACT_SESSION_PROVIDER` >
 * `artifacts.session_provider` (default `memory`). Sessions and artifact metadata share it.
 *
 * @example
 * ```ts
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * import { resolveSessionProvider } from "@chuk/mcp-runtime/sessions";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({}, "inline");
 * resolveSessionProvider(config, envFromObject({ SESSION_PROVIDER: "redis" })); // "redis"
 * ```
 */
export function resolveSessionProvider(
  config: RuntimeConfig,
  env: EnvSource = processEnv,
): SessionProviderName {
  for (const name of ["SESSION_PROVIDER", "ARTIFACT_SESSION_PROVIDER"]) {
    const v = env(name)?.trim().toLowerCase();
    if (!v) continue;
    if (!(SESSION_PROVIDERS as readonly string[]).includes(v)) {
      throw new ConfigError(
        `unknown session provider ${JSON.stringify(v)}; expected one of ${SESSION_PROVIDERS.join(", ")}`,
        { file: "<environment>", path: name },
      );
    }
    return v as SessionProviderName;
  }
  return config.artifacts.session_provider;
}

/**
 * Create the raw (un-namespaced) store for the session provider in force. Redis connects in the
 * background; an unreachable Redis is not an error here.
 *
 * @example
 * ```ts
 * import { createKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const kv = createKeyValueStore(validateConfig({}, "inline"), envFromObject({}));
 * console.log(kv.provider); // "memory"
 * await kv.close();
 * ```
 */
export function createKeyValueStore(
  config: RuntimeConfig,
  env: EnvSource = processEnv,
  baseDir: string = Deno.cwd(),
): KeyValueStore {
  const provider = resolveSessionProvider(config, env);
  switch (provider) {
    case "memory":
      return new MemoryKeyValueStore();
    case "redis":
      return new RedisKeyValueStore(redisOptionsFromEnv(env));
    case "sqlite": {
      const path = resolveSqlitePath(config, env, baseDir);
      try {
        return new SqliteKeyValueStore(path);
      } catch (e) {
        // Name where the path came from (see resolveSqlitePath).
        const fromEnv = !!env("ARTIFACT_SQLITE_PATH")?.trim();
        throw new ConfigError(
          `cannot open the SQLite store at ${path}: ${errorText(e)}`,
          fromEnv
            ? { file: "<environment>", path: "ARTIFACT_SQLITE_PATH" }
            : { file: "<config>", path: "artifacts.sqlite_path" },
          { cause: e },
        );
      }
    }
  }
}
