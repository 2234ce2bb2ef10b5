/**
 * The startup check: before the runtime touches anything, ask Deno (`Deno.permissions.querySync`)
 * whether every permission the configuration needs is granted. When one is missing, stop with
 * exit code 2 and a message naming the exact flags to add — instead of a `NotCapable` stack trace
 * from deep inside a library, or (worse) a silently ignored setting. Under `-A` everything is
 * granted and the check passes at once.
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import { isCompiledBinary } from "../util/compiled.ts";
import { entrySpec, shellJoin } from "./flags.ts";
import { displayPath, envReferences } from "./plan.ts";
import {
  PermissionError,
  type PermissionGrant,
  type PermissionKind,
  type RequiredPermissions,
} from "./types.ts";

function descriptor(kind: PermissionKind, value: string): Deno.PermissionDescriptor {
  switch (kind) {
    case "net":
      return { name: "net", host: value };
    case "import":
      return { name: "import", host: value };
    case "read":
      return { name: "read", path: value };
    case "write":
      return { name: "write", path: value };
    case "ffi":
      return { name: "ffi", path: value };
    case "env":
      return { name: "env", variable: value };
    case "run":
      return { name: "run", command: value };
    case "sys":
      return { name: "sys", kind: value as Deno.SysPermissionDescriptor["kind"] };
  }
}

function granted(kind: PermissionKind, value: string): boolean {
  try {
    return Deno.permissions.querySync(descriptor(kind, value)).state === "granted";
  } catch {
    // A value Deno cannot parse as a descriptor can never be granted.
    return false;
  }
}

/**
 * The grants of `required` this process does not have (optional grants are skipped).
 *
 * @example
 * ```ts
 * import { missingPermissions } from "@chuk/mcp-runtime/permissions";
 * const missing = missingPermissions({
 *   grants: [{ kind: "net", value: "127.0.0.1:3000", reason: "listen address" }],
 *   ignoreEnv: true,
 * });
 * console.log(missing.length); // 0 under -A
 * ```
 */
export function missingPermissions(required: RequiredPermissions): PermissionGrant[] {
  return required.grants.filter((g) =>
    !g.optional && !granted(g.kind, g.value) && !(g.alternatives ?? []).some((v) => granted(g.kind, v))
  );
}

/** Options of {@linkcode assertPermissions}. */
export interface AssertPermissionsOptions {
  /** What the permissions are for, in the message (the config file). */
  label?: string;
  /** Arguments that reproduce this run's configuration (`--config x.yaml --port 0`), for the hint. */
  configArgs?: string[];
  /** Directory paths are shown relative to; default `Deno.cwd()`. */
  cwd?: string;
}

/**
 * Throw a {@linkcode PermissionError} (exit code 2) listing each missing grant with the flag to
 * add and why it is needed. Does nothing when everything is granted.
 *
 * @example
 * ```ts
 * import { assertPermissions, requiredPermissions } from "@chuk/mcp-runtime/permissions";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * assertPermissions(requiredPermissions(validateConfig({}, "inline")), { label: "inline" });
 * ```
 */
export function assertPermissions(
  required: RequiredPermissions,
  options: AssertPermissionsOptions = {},
): void {
  const missing = missingPermissions(required);
  if (missing.length === 0) return;
  throw new PermissionError(describeMissing(missing, options), missing);
}

function describeMissing(missing: PermissionGrant[], options: AssertPermissionsOptions): string {
  const cwd = options.cwd ?? Deno.cwd();
  const show = (g: PermissionGrant) =>
    g.kind === "read" || g.kind === "write" || g.kind === "ffi" ? displayPath(g.value, cwd) : g.value;
  const byKind = new Map<PermissionKind, PermissionGrant[]>();
  for (const g of missing) byKind.set(g.kind, [...(byKind.get(g.kind) ?? []), g]);
  const lines = [`missing Deno permissions${options.label ? ` for ${options.label}` : ""}; add:`];
  for (const [kind, grants] of byKind) {
    lines.push(`  --allow-${kind}=${[...new Set(grants.map(show))].join(",")}`);
    for (const g of grants) lines.push(`      ${show(g)}: ${g.reason}`);
  }
  lines.push(
    "(merge them into any --allow-* flag you already pass). The complete least-privilege set:",
    `  ${shellJoin(["deno", "run", "-A", entrySpec(), "permissions", ...(options.configArgs ?? [])])}`,
  );
  if (isCompiledBinary()) {
    lines.push("This is a compiled binary: its permissions were fixed at build time; rebuild with");
    lines.push("  deno task compile --permissions-from <config.yaml>");
  }
  return lines.join("\n");
}

/** Options of {@linkcode preflightConfigPermissions}. */
export interface PreflightOptions {
  /** The `--config` value, when given. */
  configPath?: string;
  /** Working directory; default `Deno.cwd()`. */
  cwd?: string;
  /** The `./config.yaml` search is off. */
  noSearch?: boolean;
  /** The runtime reads the process environment (default true). */
  readsProcessEnv?: boolean;
  /** Arguments that reproduce this run's configuration, for the hint. */
  configArgs?: string[];
}

/**
 * What must be checked before the configuration can even be loaded: read access to the config
 * file (or to `./config.yaml` for the search), env access to `CHUK_MCP_CONFIG_PATH` when no
 * `--config` is given, and to every `${VAR}` the file references (else a missing grant would read
 * as an unset variable and fail with a misleading message). Throws {@linkcode PermissionError}.
 *
 * @example
 * ```ts
 * import { preflightConfigPermissions } from "@chuk/mcp-runtime/permissions";
 * preflightConfigPermissions({ configPath: "examples/config.http.yaml" });
 * ```
 */
export function preflightConfigPermissions(options: PreflightOptions = {}): void {
  const cwd = options.cwd ?? Deno.cwd();
  const readsEnv = options.readsProcessEnv ?? true;
  const grants: PermissionGrant[] = [];
  let file: string | undefined;
  if (options.configPath !== undefined) {
    file = resolvePath(cwd, options.configPath);
  } else if (readsEnv) {
    grants.push({
      kind: "env",
      value: "CHUK_MCP_CONFIG_PATH",
      reason: "config file path when --config is not given",
    });
    if (granted("env", "CHUK_MCP_CONFIG_PATH")) {
      const fromEnv = Deno.env.get("CHUK_MCP_CONFIG_PATH");
      if (fromEnv) file = resolvePath(cwd, fromEnv);
    }
  }
  if (file) {
    grants.push({ kind: "read", value: file, reason: "the configuration file" });
  } else if (options.configPath === undefined && !options.noSearch) {
    // config.yml is only looked at when config.yaml is absent (which needs read access to know).
    for (const name of ["config.yaml", "config.yml"]) {
      const candidate = resolvePath(cwd, name);
      grants.push({ kind: "read", value: candidate, reason: "the ./config.yaml search (no --config given)" });
      if (granted("read", candidate) && isFile(candidate)) break;
    }
  }
  if (file && readsEnv && granted("read", file)) {
    let text = "";
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      // Missing or unreadable: loadConfig reports it properly.
    }
    for (const name of envReferences(text)) {
      grants.push({
        kind: "env",
        value: name,
        reason: `referenced as \${${name}} in the configuration file`,
      });
    }
  }
  assertPermissions({ grants, ignoreEnv: true }, {
    label: file ? displayPath(file, cwd) : undefined,
    cwd,
    configArgs: options.configArgs,
  });
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
