/**
 * `cli.ts permissions`: print the least-privilege `deno run` flags a configuration needs, with
 * the reason for each, and the command line to start the server with exactly those.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import { parseArgs } from "node:util";
import {
  displayPath,
  entrySpec,
  LIBRARY_ENV_PROBES,
  loadAndPlan,
  permissionFlags,
  type PermissionKind,
  type RequiredPermissions,
  shellJoin,
} from "../app/permissions.ts";
import { EMBEDDED_CONFIG } from "../app/embedded.ts";
import { parseServerFlags, SERVER_FLAG_SPEC, UsageError, writeAll } from "./common.ts";
import { parseProxyArgs, proxyServerOptions } from "./proxy_command.ts";

/** Usage of the `permissions` command. */
export const PERMISSIONS_USAGE = `Usage:
  cli.ts permissions [--config FILE] [--transport T] [--host H] [--port P] [--format text|json|flags]
  cli.ts permissions proxy [proxy options...] [--format text|json|flags]

Prints the narrowest \`deno run\` permission flags the configuration needs (the same resolution as
\`server\`: --config, else $CHUK_MCP_CONFIG_PATH, else ./config.yaml, else the embedded default),
why each one is there, and the command line that runs the server with exactly those flags.
Run it in the directory (and with the environment) the server will run in.

Options:
  -c, --config FILE     YAML configuration
      --transport T     stdio | sse | streamable-http (as for server)
      --host HOST       listen address (as for server)
      --port PORT       listen port (as for server)
      --format F        text (default), json, or flags (the flags on one line, for scripts)
      --entry SPEC      program in the printed command line (default: how this one was started)
  -h, --help            show this help
`;

/** What `permissions --format json` prints. */
export interface PermissionsReport {
  /** The configuration file (as shown: relative to the cwd when inside it), or null for the embedded default. */
  config: string | null;
  /** The flags, in order. */
  flags: string[];
  /** The full command, as argv. */
  command: string[];
  /** The full command, quoted for a POSIX shell. */
  commandLine: string;
  /** Every grant: kind, value (as in the flag), why. */
  grants: { kind: PermissionKind; value: string; reason: string; optional: boolean }[];
  /** Whether `--ignore-env` is used, and the variables libraries probe that it covers. */
  ignoreEnv: { enabled: boolean; libraryProbes: Record<string, string> };
}

/**
 * Build the report `permissions` prints.
 *
 * @example
 * ```ts
 * import { permissionsReport } from "@chuk/mcp-runtime/cli";
 * import { requiredPermissions } from "@chuk/mcp-runtime/permissions";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const required = requiredPermissions(validateConfig({}, "inline"));
 * const report = permissionsReport(required, { configArgs: [], entry: "cli.ts" });
 * console.log(report.commandLine);
 * ```
 */
export function permissionsReport(
  required: RequiredPermissions,
  options: { config?: string; configArgs: string[]; entry?: string; cwd?: string },
): PermissionsReport {
  const cwd = options.cwd ?? Deno.cwd();
  const flags = permissionFlags(required, { relativeTo: cwd });
  const command = ["deno", "run", ...flags, options.entry ?? entrySpec(), ...options.configArgs];
  return {
    config: options.config ? displayPath(options.config, cwd) : null,
    flags,
    command,
    commandLine: shellJoin(command),
    grants: required.grants.map((g) => ({
      kind: g.kind,
      value: g.kind === "read" || g.kind === "write" || g.kind === "ffi"
        ? displayPath(g.value, cwd)
        : g.value,
      reason: g.reason,
      optional: g.optional ?? false,
    })),
    ignoreEnv: { enabled: required.ignoreEnv, libraryProbes: { ...LIBRARY_ENV_PROBES } },
  };
}

function textReport(r: PermissionsReport): string {
  const lines = [`Deno permissions for ${r.config ?? "the embedded default configuration"}:`, ""];
  lines.push("  --no-prompt");
  lines.push("      a missing permission is an error, never an interactive question");
  for (const flag of r.flags.slice(1)) {
    lines.push(`  ${flag}`);
    const kind = /^--allow-([a-z]+)=/.exec(flag)?.[1];
    if (kind) {
      for (const g of r.grants.filter((g) => g.kind === kind)) {
        lines.push(`      ${g.value}: ${g.reason}${g.optional ? " (optional)" : ""}`);
      }
    } else if (flag === "--ignore-env") {
      lines.push("      variables not granted above read as unset instead of failing; libraries probe:");
      for (const [name, why] of Object.entries(r.ignoreEnv.libraryProbes)) {
        lines.push(`        ${name}: ${why}`);
      }
    }
  }
  lines.push("", "Run the server with exactly these permissions:", `  ${r.commandLine}`, "");
  return lines.join("\n");
}

/**
 * The `permissions` command: parse flags, load the configuration like `server` does, print.
 *
 * @example
 * ```ts
 * import { permissionsCommand } from "@chuk/mcp-runtime/cli";
 * const code = await permissionsCommand(["--config", "examples/config.http.yaml", "--format", "flags"]);
 * ```
 */
export async function permissionsCommand(args: string[]): Promise<number> {
  if (args[0] === "proxy") return await proxyPermissions(args.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...SERVER_FLAG_SPEC, format: { type: "string" }, entry: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(errorText(e));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    write(PERMISSIONS_USAGE);
    return 0;
  }
  const format = values.format ?? "text";
  if (!["text", "json", "flags"].includes(format)) {
    throw new UsageError(`--format: expected text, json or flags, got '${format}'`);
  }
  if (positionals.length > 1 || (values.config && positionals.length)) {
    throw new UsageError("give the config file once (--config or positional)");
  }
  const configPath = values.config ?? positionals[0];
  const overrides = parseServerFlags(values);
  const { loaded, required } = await loadAndPlan({ configPath, overrides, fallbackConfig: EMBEDDED_CONFIG });
  const configArgs = [
    ...(configPath !== undefined ? ["--config", configPath] : []),
    ...(values.transport ? ["--transport", values.transport] : []),
    ...(values.host !== undefined ? ["--host", values.host] : []),
    ...(values.port !== undefined ? ["--port", values.port] : []),
  ];
  print(permissionsReport(required, { config: loaded.file, configArgs, entry: values.entry }), format);
  return 0;
}

/** `permissions proxy <proxy args>`: the plan of the proxy command line (its --stdio/--sse/--http included). */
async function proxyPermissions(argv: string[]): Promise<number> {
  // `--format` belongs to us, everything else to the proxy command line.
  let format = "text";
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--format") format = argv[++i] ?? "";
    else if (argv[i].startsWith("--format=")) format = argv[i].slice("--format=".length);
    else rest.push(argv[i]);
  }
  if (!["text", "json", "flags"].includes(format)) {
    throw new UsageError(`--format: expected text, json or flags, got '${format}'`);
  }
  const { loaded, required } = await loadAndPlan(proxyServerOptions(parseProxyArgs(rest)));
  print(permissionsReport(required, { config: loaded.file, configArgs: ["proxy", ...rest] }), format);
  return 0;
}

function print(report: PermissionsReport, format: string): void {
  if (format === "json") write(JSON.stringify(report, null, 2) + "\n");
  else if (format === "flags") write(report.flags.join(" ") + "\n");
  else write(textReport(report));
}

function write(text: string): void {
  writeAll(Deno.stdout, text);
}
