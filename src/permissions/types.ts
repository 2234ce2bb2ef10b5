/**
 * The vocabulary of the permission planner: which Deno permission, for what value, and why.
 *
 * @module
 */

import { RuntimeError } from "../errors.ts";

/** A Deno permission kind, as in `--allow-<kind>`. */
export type PermissionKind = "net" | "read" | "write" | "env" | "run" | "sys" | "ffi" | "import";

/** Permission kinds in the order flags are printed. */
export const PERMISSION_KINDS: readonly PermissionKind[] = [
  "net",
  "read",
  "write",
  "env",
  "run",
  "sys",
  "ffi",
  "import",
];

/**
 * One thing the runtime needs to be allowed to do, and why.
 *
 * @example
 * ```ts
 * import type { PermissionGrant } from "@chuk/mcp-runtime/permissions";
 * const listen: PermissionGrant = {
 *   kind: "net",
 *   value: "127.0.0.1:3000",
 *   reason: "listen address of the streamable-http transport",
 * };
 * ```
 */
export interface PermissionGrant {
  /** Which permission. */
  kind: PermissionKind;
  /**
   * The value as it goes into `--allow-<kind>=…`: an absolute path (read, write, ffi),
   * `host[:port]` (net, import), a variable name (env), a command (run) or a sys kind (sys).
   */
  value: string;
  /** Why the runtime needs it; `cli.ts permissions` prints it next to the flag. */
  reason: string;
  /**
   * Printed, but not enforced at startup: without it the runtime still works and only skips
   * something optional (a `.env` file in the working directory).
   */
  optional?: boolean;
  /**
   * Other values that satisfy the same need (an extensionless module spec may resolve to any of
   * them). The startup check accepts the grant when any one of `value` and these is granted.
   */
  alternatives?: string[];
}

/**
 * What a configuration needs from `deno run`: the grants, plus whether `--ignore-env` is wanted.
 *
 * @example
 * ```ts
 * import { permissionFlags, type RequiredPermissions } from "@chuk/mcp-runtime/permissions";
 * const required: RequiredPermissions = {
 *   grants: [{ kind: "net", value: "127.0.0.1:3000", reason: "listen address" }],
 *   ignoreEnv: true,
 * };
 * permissionFlags(required); // ["--no-prompt", "--allow-net=127.0.0.1:3000", "--ignore-env"]
 * ```
 */
export interface RequiredPermissions {
  /** Every grant, in a stable order (config, modules, transport, features). */
  grants: PermissionGrant[];
  /**
   * Add `--ignore-env`: reads of variables that are not granted return "unset" instead of
   * throwing. Libraries probe optional variables (yaml reads `LOG_TOKENS`); with this they see
   * them unset — what they would see if the variable were not set — while every variable the
   * runtime really uses is still granted by name.
   */
  ignoreEnv: boolean;
}

/**
 * The process lacks a permission its configuration needs. Exit code 2; the message names the
 * exact `--allow-…` flags to add.
 *
 * @example
 * ```ts
 * import { PermissionError } from "@chuk/mcp-runtime/permissions";
 * const err = new PermissionError("missing --allow-net=127.0.0.1:3000", []);
 * console.log(err.exitCode); // 2
 * ```
 */
export class PermissionError extends RuntimeError {
  /** Exit code the CLI uses: a startup problem the user fixes on the command line. */
  override readonly exitCode: number = 2;
  /** The grants that are missing. */
  readonly missing: PermissionGrant[];
  /**
   * An error listing the missing grants.
   *
   * @param message What is missing and which flags to add.
   * @param missing The missing grants.
   */
  constructor(message: string, missing: PermissionGrant[]) {
    super(message);
    this.name = "PermissionError";
    this.missing = missing;
  }
}
