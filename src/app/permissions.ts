/**
 * Least privilege: the Deno permissions a configuration needs (each with its reason), the
 * `deno run` flags for them, and the startup check. The plan of a whole configuration lists every
 * part's own grants; a new provider or plugin adds its contributor here (and its grants in its own
 * folder).
 *
 * @example
 * ```ts
 * import { permissionFlags, requiredPermissions } from "@chuk/mcp-runtime/permissions";
 * import { validateConfig } from "@chuk/mcp-runtime/config";
 * const flags = permissionFlags(requiredPermissions(validateConfig({}, "inline")));
 * console.log(flags.join(" "));
 * ```
 *
 * @module
 */

import { artifactGrants } from "../artifacts/permissions.ts";
import { authGrants } from "../auth/permissions.ts";
import { configGrants } from "../permissions/config.ts";
import { fleetGrants } from "../fleet/permissions.ts";
import type { RuntimeConfig } from "../config/types.ts";
import { listenGrants } from "../http/permissions.ts";
import {
  type GrantContributor,
  planPermissions,
  type RequiredPermissionsOptions,
} from "../permissions/plan.ts";
import type { RequiredPermissions } from "../permissions/types.ts";
import { processEnv } from "../config/env.ts";
import type { LoadedConfig } from "../config/load.ts";
import { type ConfigSource, loadConfigured } from "./load.ts";
import { proxyGrants } from "../proxy/permissions.ts";
import { sessionGrants } from "../sessions/permissions.ts";
import { metricsGrants, tracingGrants } from "../telemetry/permissions.ts";
import { signingGrants } from "../signing/permissions.ts";
import { moduleGrants } from "../tools/permissions.ts";
import { oauthGrants } from "../oauth/permissions.ts";

/** Each part of the system, in the order its grants are listed. */
const CONTRIBUTORS: readonly GrantContributor[] = [
  configGrants,
  moduleGrants,
  listenGrants,
  metricsGrants,
  tracingGrants,
  signingGrants,
  authGrants,
  oauthGrants,
  sessionGrants,
  fleetGrants,
  artifactGrants,
  proxyGrants,
];

/**
 * The narrowest set of Deno permissions `config` needs, each grant with its reason.
 *
 * @example
 * ```ts
 * import { permissionFlags, requiredPermissions } from "@chuk/mcp-runtime/permissions";
 * import { validateConfig } from "@chuk/mcp-runtime/config";
 * const config = validateConfig({ server: { type: "streamable-http" } }, "inline");
 * const flags = permissionFlags(requiredPermissions(config));
 * // ["--no-prompt", "--allow-net=127.0.0.1:3000", "--allow-read=...", "--allow-env=...", "--ignore-env"]
 * ```
 */
export function requiredPermissions(
  config: RuntimeConfig,
  options: RequiredPermissionsOptions = {},
): RequiredPermissions {
  return planPermissions(config, options, CONTRIBUTORS);
}

/** A loaded configuration and the permissions it needs. */
export interface PlannedConfig {
  /** The configuration and where it came from. */
  loaded: LoadedConfig;
  /** Every grant it needs, with the reason. */
  required: RequiredPermissions;
}

/**
 * Load the configuration `source` names (see {@linkcode loadConfigured}) and plan its
 * permissions.
 *
 * @example
 * ```ts
 * import { loadAndPlan } from "./permissions.ts";
 * const { required } = await loadAndPlan({ configPath: "examples/config.http.yaml" });
 * console.log(required.grants.length);
 * ```
 */
export async function loadAndPlan(source: ConfigSource): Promise<PlannedConfig> {
  const loaded = await loadConfigured(source);
  const required = requiredPermissions(loaded.config, {
    configFile: loaded.file,
    configPath: source.configPath,
    noSearch: source.noSearch,
    baseDir: loaded.baseDir,
    cwd: source.cwd,
    env: source.env ?? processEnv,
    readsProcessEnv: source.env === undefined || source.env === processEnv,
  });
  return { loaded, required };
}

export { assertPermissions, missingPermissions, preflightConfigPermissions } from "../permissions/check.ts";
export type { AssertPermissionsOptions, PreflightOptions } from "../permissions/check.ts";
export { entrySpec, permissionFlags, shellJoin } from "../permissions/flags.ts";
export type { PermissionFlagOptions } from "../permissions/flags.ts";
export {
  displayPath,
  envReferences,
  LIBRARY_ENV_PROBES,
  netHost,
  PermissionPlan,
  planPermissions,
} from "../permissions/plan.ts";
export type { GrantContributor, PlanContext, RequiredPermissionsOptions } from "../permissions/plan.ts";
export { PERMISSION_KINDS, PermissionError } from "../permissions/types.ts";
export type { PermissionGrant, PermissionKind, RequiredPermissions } from "../permissions/types.ts";
export type { ConfigSource } from "./load.ts";
