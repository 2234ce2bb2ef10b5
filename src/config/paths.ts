/**
 * Where on disk the runtime keeps things, in one place: the artifact root and the SQLite file
 * (shared by the session provider and the artifact store).
 *
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import type { EnvSource } from "./env.ts";
import type { RuntimeConfig } from "./types.ts";

function fromEnv(env: EnvSource, name: string): string | undefined {
  const v = env(name);
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}

/**
 * The artifact root: `ARTIFACT_FS_ROOT` > `artifacts.filesystem_root` >
 * `artifacts.filesystem.base_path` > `<config dir>/artifacts`. Config paths resolve against
 * `baseDir` (the config file's folder), environment paths against the working directory.
 *
 * @example
 * ```ts
 * import { resolveArtifactRoot, envFromObject } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * resolveArtifactRoot(validateConfig({}, "inline"), envFromObject({}), "/srv"); // "/srv/artifacts"
 * ```
 */
export function resolveArtifactRoot(config: RuntimeConfig, env: EnvSource, baseDir: string): string {
  const envRoot = fromEnv(env, "ARTIFACT_FS_ROOT");
  if (envRoot) return resolve(envRoot);
  const configRoot = config.artifacts.filesystem_root ?? config.artifacts.filesystem?.base_path;
  if (configRoot) return isAbsolute(configRoot) ? configRoot : resolve(baseDir, configRoot);
  return resolve(baseDir, "artifacts");
}

/**
 * The SQLite file: `ARTIFACT_SQLITE_PATH` > `artifacts.sqlite_path` > `<artifact root>/artifacts.sqlite`.
 *
 * @example
 * ```ts
 * import { resolveSqlitePath, envFromObject } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * resolveSqlitePath(validateConfig({}, "inline"), envFromObject({}), "/srv"); // "/srv/artifacts/artifacts.sqlite"
 * ```
 */
export function resolveSqlitePath(config: RuntimeConfig, env: EnvSource, baseDir: string): string {
  const envPath = fromEnv(env, "ARTIFACT_SQLITE_PATH");
  if (envPath) return resolve(envPath);
  const p = config.artifacts.sqlite_path;
  if (p) return isAbsolute(p) ? p : resolve(baseDir, p);
  return join(resolveArtifactRoot(config, env, baseDir), "artifacts.sqlite");
}
