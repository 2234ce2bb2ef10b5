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
import { getLogger } from "../log/logger.ts";
import { spawnedOverPipes } from "./stdio_pipes.ts";

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
  cli.ts auth login|logout SERVER log the proxy in to an OAuth-protected upstream (see: auth --help)

Options:
  -c, --config FILE        YAML configuration (default: $CHUK_MCP_CONFIG_PATH, else ./config.yaml,
                           else the embedded default: example tools over HTTP on 127.0.0.1:3000,
                           or over stdio when stdin and stdout are pipes, as an MCP client spawns it)
      --transport T        stdio | sse | streamable-http (overrides server.type)
      --host HOST          listen address of the HTTP transport
      --port PORT          listen port of the HTTP transport (0 = any free port)
      --log-level LEVEL    DEBUG | INFO | WARNING | ERROR | CRITICAL
      --watch              reload when the config file or a local tool module changes
      --view NAME          on stdio, serve only the view views.NAME (over HTTP each view has its
                           own endpoint: <mcp_path>/NAME)
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
  // An MCP client that spawns the server with no config and no --transport (stdin and stdout both
  // pipes) waits for stdio: the embedded default then serves stdio instead of HTTP on :3000.
  const overrides = parseServerFlags(values);
  const stdio = overrides.transport === undefined && spawnedOverPipes();
  const server = await runServer({
    configPath: values.config ?? positionals[0],
    overrides,
    fallbackConfig: stdio ? { ...EMBEDDED_CONFIG, server: { type: "stdio" } } : EMBEDDED_CONFIG,
    // Called only when the embedded default is used (no config file given or found).
    fallbackDefinitions: () => {
      if (stdio) {
        getLogger("server").info(
          "no config file and no --transport, and stdin/stdout are pipes (an MCP client spawned this): " +
            "serving the embedded default over stdio; --transport streamable-http serves it over HTTP",
        );
      }
      return embeddedDefinitions();
    },
    ...(values.view !== undefined ? { view: values.view } : {}),
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
  auth: async (args) => (await import("./auth_command.ts")).authCommand(args),
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
