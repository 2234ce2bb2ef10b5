/**
 * `cli.ts proxy` (compiled as `chuk-mcp-proxy`): serve MCP servers named on the command line
 * and/or in a config file behind one endpoint. `proxy tools [--openai]` prints the aggregated tool
 * list instead of serving.
 *
 * Server definitions are groups: `--stdio NAME --command CMD [--cwd DIR] [--env K=V]... [-- ARGS]`,
 * `--sse NAME --url URL [--api-key KEY] [--header K=V]...`, `--http NAME --url URL [...]`.
 * Everything after `--` (or `--args`) is the child's argv, up to the next `--stdio`, `--sse` or
 * `--http`, which starts the next server — so
 * `--stdio time --command uvx -- mcp-server-time --local-timezone America/New_York` works as
 * written. One exception keeps the reference README's `... -- mcp-server-time --openai-compatible`
 * meaning what it says: after the last `--` on the line, the proxy-only flags
 * `--openai-compatible`, `--only-openai-tools` and `--keep-root-aliases` are the proxy's (with a
 * note); `--args` passes everything to the child literally.
 *
 * @module
 */

import { closePrespawned, listTools, startStdioUpstreamsEarly } from "../app/proxy.ts";
import type { RunServerOptions } from "../app/run.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../config/types.ts";
import { validateConfig } from "../config/validate.ts";
import { ConfigError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { getLogger } from "../log/logger.ts";
import { parseServerFlags, UsageError, writeAll as write } from "./common.ts";

/** Usage of `cli.ts proxy`. */
export const PROXY_USAGE = `chuk-mcp-proxy ${VERSION} — many MCP servers behind one endpoint

Usage:
  cli.ts proxy [options] SERVER...          serve (downstream transport: stdio unless configured)
  cli.ts proxy tools [--openai] [options] SERVER...
                                            print the aggregated tool list; --openai: as OpenAI function
                                            definitions, named as --openai-compatible serves them

Servers (repeatable, combine with --config):
  --stdio NAME --command CMD [--cwd DIR] [--env K=V]... [-- ARG...]
                           a stdio server; everything after -- is its argv (until the next
                           --stdio/--sse/--http), except --openai-compatible, --only-openai-tools
                           and --keep-root-aliases at the end of the line, which are the proxy's.
                           --args ARG... passes them all to the server, literally
  --sse NAME --url URL [--api-key KEY] [--header K=V]...
                           a remote server over HTTP+SSE (API_KEY env as the key fallback)
  --http NAME --url URL [--api-key KEY] [--header K=V]...
                           a remote server over streamable HTTP

Options:
  -c, --config FILE        YAML configuration (its mcp_servers are proxied too)
      --namespace NS       tool name prefix (default: proxy → proxy.<server>.<tool>)
      --openai-compatible  list <server>_<tool> names instead of <namespace>.<server>.<tool>
      --only-openai-tools  accepted for compatibility (--openai-compatible lists only those)
      --keep-root-aliases  also list the bare <tool> names
      --transport T        stdio | sse | streamable-http (default stdio)
      --host HOST, --port PORT, --log-level LEVEL
  -h, --help               show this help
  -V, --version            print the version
`;

/** One upstream given on the proxy command line (`--stdio`, `--sse`, `--http`). */
export interface ServerSpec {
  /** Its name (`mcp_servers.<name>`). */
  name: string;
  /** Its transport. */
  kind: "stdio" | "sse" | "streamable-http";
  /** `--command` (stdio). */
  command?: string;
  /** `--cwd` (stdio). */
  cwd?: string;
  /** `--args` / everything after `--` (stdio). */
  args: string[];
  /** `--env K=V` (stdio). */
  env: Record<string, string>;
  /** `--url` (remote). */
  url?: string;
  /** `--api-key` (remote). */
  apiKey?: string;
  /** `--header K=V` (remote). */
  headers: Record<string, string>;
}

/** What the proxy command line says. */
export interface ProxyArgs {
  /** `tools`: print the aggregated tool list instead of serving. */
  tools: boolean;
  /** `--openai`: print the tools as OpenAI function definitions. */
  openai: boolean;
  /** `--help`. */
  help: boolean;
  /** `--version`. */
  version: boolean;
  /** `--config FILE`. */
  config?: string;
  /** `--namespace`. */
  namespace?: string;
  /** `--openai-compatible`. */
  openaiCompatible: boolean;
  /** `--only-openai-tools`. */
  onlyOpenaiTools: boolean;
  /** `--keep-root-aliases`. */
  keepRootAliases: boolean;
  /** The server flags (`--transport`, `--host`, `--port`, `--log-level`), unparsed. */
  serverFlags: { transport?: string; host?: string; port?: string; "log-level"?: string };
  /** Upstreams given with `--stdio`, `--sse` and `--http`, in order. */
  servers: ServerSpec[];
  /** Notes for the user about how the command line was read (logged at startup). */
  notes: string[];
}

const VALUE_FLAGS = new Set([
  "--config",
  "-c",
  "--namespace",
  "--transport",
  "--host",
  "--port",
  "--log-level",
  "--stdio",
  "--sse",
  "--http",
  "--command",
  "--cwd",
  "--env",
  "--url",
  "--api-key",
  "--header",
]);
const SERVER_STARTS = new Set(["--stdio", "--sse", "--http"]);
/** Proxy options no stdio child is likely to take: recognised after the last `--` (see above). */
const TRAILING_PROXY_FLAGS = new Set(["--openai-compatible", "--only-openai-tools", "--keep-root-aliases"]);

function setFlag(out: ProxyArgs, flag: string): void {
  if (flag === "--openai-compatible") out.openaiCompatible = true;
  else if (flag === "--only-openai-tools") out.onlyOpenaiTools = true;
  else out.keepRootAliases = true;
}

function keyValue(flag: string, v: string): [string, string] {
  const i = v.indexOf("=");
  if (i <= 0) throw new UsageError(`${flag}: expected KEY=VALUE, got '${v}'`);
  return [v.slice(0, i), v.slice(i + 1)];
}

/**
 * Parse the proxy command line.
 *
 * @example
 * ```ts
 * import { parseProxyArgs } from "@chuk/mcp-runtime/cli";
 * const a = parseProxyArgs(["--stdio", "time", "--command", "uvx", "--", "mcp-server-time"]);
 * console.log(a.servers[0].args); // ["mcp-server-time"]
 * ```
 */
export function parseProxyArgs(argv: string[]): ProxyArgs {
  const out: ProxyArgs = {
    tools: false,
    openai: false,
    help: false,
    version: false,
    openaiCompatible: false,
    onlyOpenaiTools: false,
    keepRootAliases: false,
    serverFlags: {},
    servers: [],
    notes: [],
  };
  const current = (flag: string, kinds: ServerSpec["kind"][]): ServerSpec => {
    const s = out.servers[out.servers.length - 1];
    if (!s || !kinds.includes(s.kind)) {
      const starts = kinds.map((k) => (k === "streamable-http" ? "--http" : `--${k}`)).join(" or ");
      throw new UsageError(`${flag} must follow ${starts} NAME`);
    }
    return s;
  };
  let i = 0;
  if (argv[0] === "tools") {
    out.tools = true;
    i = 1;
  }
  while (i < argv.length) {
    let token = argv[i++];
    let inline: string | undefined;
    if (token.startsWith("--") && token.includes("=") && token !== "--") {
      inline = token.slice(token.indexOf("=") + 1);
      token = token.slice(0, token.indexOf("="));
    }
    if (token === "--" || token === "--args") {
      const s = current(token, ["stdio"]);
      const start = s.args.length;
      while (i < argv.length && !SERVER_STARTS.has(argv[i].split("=")[0])) s.args.push(argv[i++]);
      // The reference README writes `... -- mcp-server-time --openai-compatible`: at the very end of
      // the line, a proxy-only flag after `--` is the proxy's (`--args` keeps it the child's).
      if (token === "--" && i === argv.length) {
        const trailing = s.args.slice(start);
        const taken = trailing.filter((a) => TRAILING_PROXY_FLAGS.has(a));
        if (taken.length > 0) {
          s.args.splice(start, trailing.length, ...trailing.filter((a) => !TRAILING_PROXY_FLAGS.has(a)));
          for (const flag of taken) {
            setFlag(out, flag);
            out.notes.push(
              `${flag} after '--' is taken as the proxy's option, not ${s.name}'s argument ` +
                `(as the reference README means it); use --args to pass it to ${s.name}`,
            );
          }
        }
      }
      continue;
    }
    let value: string | undefined;
    if (VALUE_FLAGS.has(token)) {
      value = inline ?? argv[i++];
      if (value === undefined) throw new UsageError(`${token} needs a value`);
    } else if (inline !== undefined) {
      throw new UsageError(`${token} takes no value`);
    }
    switch (token) {
      case "-h":
      case "--help":
        out.help = true;
        break;
      case "-V":
      case "--version":
        out.version = true;
        break;
      case "--openai":
        if (!out.tools) throw new UsageError("--openai is an option of 'proxy tools'");
        out.openai = true;
        break;
      case "-c":
      case "--config":
        out.config = value;
        break;
      case "--namespace":
        out.namespace = value;
        break;
      case "--openai-compatible":
      case "--only-openai-tools":
      case "--keep-root-aliases":
        setFlag(out, token);
        break;
      case "--transport":
      case "--host":
      case "--port":
      case "--log-level":
        out.serverFlags[token.slice(2) as keyof ProxyArgs["serverFlags"]] = value;
        break;
      case "--stdio":
      case "--sse":
      case "--http": {
        const name = value!;
        if (!/^[A-Za-z0-9_-]+$/.test(name)) {
          throw new UsageError(`${token}: server names use letters, digits, '_' and '-', got '${name}'`);
        }
        if (out.servers.some((s) => s.name === name)) {
          throw new UsageError(`server '${name}' is defined twice`);
        }
        const kind = token === "--http" ? "streamable-http" : token === "--sse" ? "sse" : "stdio";
        out.servers.push({ name, kind, args: [], env: {}, headers: {} });
        break;
      }
      case "--command":
        current(token, ["stdio"]).command = value;
        break;
      case "--cwd":
        current(token, ["stdio"]).cwd = value;
        break;
      case "--env": {
        const server = current(token, ["stdio"]);
        const [k, v] = keyValue(token, value!);
        server.env[k] = v;
        break;
      }
      case "--url":
        current(token, ["sse", "streamable-http"]).url = value;
        break;
      case "--api-key":
        current(token, ["sse", "streamable-http"]).apiKey = value;
        break;
      case "--header": {
        const server = current(token, ["sse", "streamable-http"]);
        const [k, v] = keyValue(token, value!);
        server.headers[k] = v;
        break;
      }
      default:
        throw new UsageError(`unknown option '${token}' (see: proxy --help)`);
    }
  }
  for (const s of out.servers) {
    if (s.kind === "stdio" && !s.command) throw new UsageError(`--stdio ${s.name} needs --command`);
    if (s.kind !== "stdio" && !s.url) {
      throw new UsageError(`--${s.kind === "sse" ? "sse" : "http"} ${s.name} needs --url`);
    }
  }
  return out;
}

/** Apply the proxy command line to a loaded configuration. */
function patch(args: ProxyArgs): (config: RuntimeConfig) => void {
  const entries: NonNullable<RuntimeConfigInput["mcp_servers"]> = {};
  for (const s of args.servers) {
    entries[s.name] = s.kind === "stdio"
      ? { type: "stdio", command: s.command, args: s.args, env: s.env, ...(s.cwd ? { cwd: s.cwd } : {}) }
      : { type: s.kind, url: s.url, headers: s.headers, ...(s.apiKey ? { api_key: s.apiKey } : {}) };
  }
  // Validated like a file, so a bad --url is the same clear error as in YAML.
  const validated = validateConfig({ mcp_servers: entries }, "<command line>").mcp_servers;
  return (config) => {
    config.proxy.enabled = true;
    if (args.namespace !== undefined) config.proxy.namespace = args.namespace;
    if (args.openaiCompatible) config.proxy.openai_compatible = true;
    if (args.onlyOpenaiTools) config.proxy.only_openai_tools = true;
    if (args.keepRootAliases) config.proxy.keep_root_aliases = true;
    Object.assign(config.mcp_servers, validated);
    const upstreams = Object.values(config.mcp_servers).filter((e) => e.enabled && (e.command || e.url));
    if (upstreams.length === 0) {
      throw new ConfigError("no MCP server to proxy: give --stdio/--sse/--http or mcp_servers in --config", {
        file: "<command line>",
      });
    }
  };
}

/**
 * The `runServer` options a proxy command line stands for (used by `proxy` and by
 * `permissions proxy`, so both plan the same configuration).
 *
 * @example
 * ```ts
 * import { parseProxyArgs, proxyServerOptions } from "@chuk/mcp-runtime/cli";
 * const options = proxyServerOptions(parseProxyArgs(["--stdio", "time", "--command", "uvx", "--", "mcp-server-time"]));
 * ```
 */
export function proxyServerOptions(
  args: ProxyArgs,
): RunServerOptions & { patchConfig: (config: RuntimeConfig) => void } {
  return {
    configPath: args.config,
    overrides: parseServerFlags(args.serverFlags),
    fallbackConfig: { server: { type: "stdio" as const } },
    noSearch: true,
    patchConfig: patch(args),
  };
}

/**
 * The `proxy` subcommand.
 *
 * @example
 * ```ts
 * import { proxyCommand } from "@chuk/mcp-runtime/cli";
 * const code = await proxyCommand(["--help"]);
 * ```
 */
export async function proxyCommand(argv: string[]): Promise<number> {
  const args = parseProxyArgs(argv);
  if (args.help) {
    write(Deno.stdout, PROXY_USAGE);
    return 0;
  }
  if (args.version) {
    write(Deno.stdout, `${VERSION}\n`);
    return 0;
  }
  if (args.tools && args.openai && !args.openaiCompatible) {
    // OpenAI function names cannot hold dots: print what the proxy serves with --openai-compatible.
    args.openaiCompatible = true;
    args.notes.push("--openai lists the names the proxy serves with --openai-compatible (<server>_<tool>)");
  }
  for (const note of args.notes) getLogger("proxy").info(note);
  // A missing permission names `cli.ts permissions proxy <these args>` (the same plan, flags included).
  const common = { ...proxyServerOptions(args), permissionArgs: ["proxy", ...argv] };
  // Children first: they start while the server stack loads (see src/proxy/prespawn.ts).
  await startStdioUpstreamsEarly(common);
  try {
    if (args.tools) {
      write(Deno.stdout, JSON.stringify(await listTools(common, args.openai), null, 2) + "\n");
      return 0;
    }
    const { runServer } = await import("../app/run.ts");
    const server = await runServer(common);
    await server.done;
    return 0;
  } finally {
    await closePrespawned();
  }
}
