/**
 * Turning {@linkcode RequiredPermissions} into `deno run` flags and a command line a user can
 * paste.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { RuntimeError } from "../errors.ts";
import { displayPath } from "./plan.ts";
import { PERMISSION_KINDS, type PermissionKind, type RequiredPermissions } from "./types.ts";

/** Options of {@linkcode permissionFlags}. */
export interface PermissionFlagOptions {
  /** Show paths inside this directory relative to it (Deno resolves them against the cwd at startup). */
  relativeTo?: string;
}

const PATH_KINDS = new Set<PermissionKind>(["read", "write", "ffi"]);

/**
 * The `deno run` flags for `required`: `--no-prompt` (a missing permission is an error, never a
 * question), one `--allow-<kind>=…` per kind in a fixed order, then `--ignore-env` when wanted.
 * Throws a {@linkcode RuntimeError} for a value Deno cannot take in a list (it contains a comma).
 *
 * @example
 * ```ts
 * import { permissionFlags } from "@chuk/mcp-runtime/permissions";
 * permissionFlags({
 *   grants: [
 *     { kind: "read", value: "/srv/app/config.yaml", reason: "the configuration file" },
 *     { kind: "net", value: "127.0.0.1:3000", reason: "listen address" },
 *   ],
 *   ignoreEnv: false,
 * }, { relativeTo: "/srv/app" });
 * // ["--no-prompt", "--allow-net=127.0.0.1:3000", "--allow-read=config.yaml"]
 * ```
 */
export function permissionFlags(
  required: RequiredPermissions,
  options: PermissionFlagOptions = {},
): string[] {
  const flags = ["--no-prompt"];
  for (const kind of PERMISSION_KINDS) {
    const values: string[] = [];
    for (const g of required.grants) {
      if (g.kind !== kind) continue;
      const v = PATH_KINDS.has(kind) && options.relativeTo
        ? displayPath(g.value, options.relativeTo)
        : g.value;
      if (v.includes(",")) {
        throw new RuntimeError(
          `cannot pass ${JSON.stringify(v)} to --allow-${kind}: Deno lists are comma-separated`,
        );
      }
      if (!values.includes(v)) values.push(v);
    }
    if (values.length) flags.push(`--allow-${kind}=${values.join(",")}`);
  }
  if (required.ignoreEnv) flags.push("--ignore-env");
  return flags;
}

/**
 * How the running program was started, as a user would type it: a path relative to `cwd` for a
 * local file, `jsr:@chuk/mcp-runtime` for the published package, else the main module URL.
 *
 * @example
 * ```ts
 * import { entrySpec } from "@chuk/mcp-runtime/permissions";
 * console.log(entrySpec()); // e.g. "cli.ts"
 * ```
 */
export function entrySpec(mainModule: string = Deno.mainModule, cwd: string = Deno.cwd()): string {
  if (mainModule.startsWith("file:")) return displayPath(fileURLToPath(mainModule), cwd);
  if (/^https:\/\/jsr\.io\/@chuk\/mcp-runtime\//.test(mainModule)) return "jsr:@chuk/mcp-runtime";
  return mainModule;
}

/**
 * Quote argv for a POSIX shell (only where needed).
 *
 * @example
 * ```ts
 * import { shellJoin } from "@chuk/mcp-runtime/permissions";
 * shellJoin(["deno", "run", "my file.ts"]); // "deno run 'my file.ts'"
 * ```
 */
export function shellJoin(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_\-.,/:=@+%]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(
    " ",
  );
}
