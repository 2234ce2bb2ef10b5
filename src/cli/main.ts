/**
 * The command line: `server` (default) and the other subcommands. Thin on purpose: each command
 * parses flags and calls a library function that tests can reach through `mod.ts`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadDotEnv } from "../config/env.ts";
import { ConfigError, errorText, RuntimeError } from "../errors.ts";
import { parseServerFlags, SERVER_FLAG_SPEC, UsageError, writeAll } from "./common.ts";

export { parseServerFlags, UsageError } from "./common.ts";
import { VERSION } from "../version.ts";

/** A CLI subcommand: gets its own argv, returns the exit code. */
export type Command = (args: string[]) => Promise<number>;

/** Usage of the `server` command. */
export const SERVER_USAGE = `chuk-mcp-runtime ${VERSION} — an MCP runtime for Deno

Usage:
  cli.ts [server] [options] [CONFIG]
  cli.ts proxy [options]          proxy MCP servers behind one endpoint (see: proxy --help)
  cli.ts permissions [options]    print the least-privilege deno run flags (see: permissions --help)

Options:
  -c, --config FILE        YAML configuration (default: $CHUK_MCP_CONFIG_PATH, else ./config.yaml,
                           else the embedded default: example tools over HTTP on 127.0.0.1:3000)
      --transport T        stdio | sse | streamable-http (overrides server.type)
      --host HOST          listen address of the HTTP transport
      --port PORT          listen port of the HTTP transport (0 = any free port)
      --log-level LEVEL    DEBUG | INFO | WARNING | ERROR | CRITICAL
      --watch              reload when the config file or a local tool module changes
  -h, --help               show this help
  -V, --version            print the version

SIGHUP reloads the configuration; clients stay connected. SIGINT/SIGTERM stop gracefully.
Exit codes: 0 stopped normally, 1 runtime error, 2 invalid configuration or usage.
`;

const serverCommand: Command = async (args) => {
  let parsed;
  try {
    parsed = parseArgs({ args, options: SERVER_FLAG_SPEC, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(errorText(e));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    writeAll(Deno.stdout, SERVER_USAGE);
    return 0;
  }
  if (values.version) {
    writeAll(Deno.stdout, `${VERSION}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}`);
  if (values.config && positionals.length) {
    throw new UsageError("give the config file once (--config or positional)");
  }
  // Loaded now, not at import: `--help`, `proxy` and `permissions` do not pay for the server stack.
  const [{ runServer }, { EMBEDDED_CONFIG, embeddedDefinitions }] = await Promise.all([
    import("../app/run.ts"),
    import("../app/embedded.ts"),
  ]);
  const server = await runServer({
    configPath: values.config ?? positionals[0],
    overrides: parseServerFlags(values),
    fallbackConfig: EMBEDDED_CONFIG,
    fallbackDefinitions: embeddedDefinitions,
    watch: values.watch,
  });
  await server.done;
  return 0;
};

/** Subcommands by name. Features add theirs here (`proxy`, `permissions`, ...). */
export const COMMANDS: Record<string, Command> = {
  server: serverCommand,
  // Each command's modules load when it runs (cold start: see src/proxy/prespawn.ts).
  proxy: async (args) => (await import("./proxy_command.ts")).proxyCommand(args),
  permissions: async (args) => (await import("./permissions.ts")).permissionsCommand(args),
};

/**
 * Run the CLI with `args` (without the program name). Resolves with the exit code; a server
 * resolves when it stops.
 *
 * @example
 * ```ts
 * import { runCli } from "@chuk/mcp-runtime/cli";
 * const code = await runCli(["--version"]);
 * ```
 */
export async function runCli(args: string[]): Promise<number> {
  // Like the reference: a `.env` in the working directory is loaded first; set variables win.
  loadDotEnv(Deno.cwd());
  const [first, ...rest] = args;
  const command = first !== undefined && Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  const run = command ? () => command(rest) : () => COMMANDS.server(args);
  try {
    return await run();
  } catch (e) {
    if (e instanceof UsageError) {
      const usage = command && command !== COMMANDS.server
        ? `Run 'cli.ts ${first} --help' for usage.\n`
        : `\n${SERVER_USAGE}`;
      writeAll(Deno.stderr, `error: ${e.message}\n${usage}`);
      return e.exitCode;
    }
    if (e instanceof ConfigError) {
      writeAll(Deno.stderr, `error: invalid configuration: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof RuntimeError) {
      writeAll(Deno.stderr, `error: ${e.message}\n`);
      return e.exitCode;
    }
    writeAll(Deno.stderr, `error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  }
}
