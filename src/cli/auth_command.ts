/**
 * `cli.ts auth login|logout <server>`: the one-time interactive step of an upstream's OAuth login,
 * outside the running proxy. `login` connects to the upstream the way the proxy does; when the
 * upstream asks for a login it prints the authorization URL and waits on the loopback redirect
 * listener, then stores the tokens in the session store (SQLite or Redis, encrypted with
 * `TOKEN_ENCRYPTION_KEY`) where the proxy finds them. `client_credentials` logins need no browser.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { processEnv } from "../config/env.ts";
import { loadConfig, resolveSandboxId } from "../config/load.ts";
import { ConfigError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { UsageError, writeAll } from "./common.ts";

/** Usage of `cli.ts auth`. */
export const AUTH_USAGE = `chuk-mcp-runtime ${VERSION} — log the proxy in to OAuth-protected upstreams

Usage:
  cli.ts auth login SERVER [--config FILE] [--user ID]
  cli.ts auth logout SERVER [--config FILE] [--user ID]

  SERVER                   an mcp_servers entry with url and oauth
  -c, --config FILE        YAML configuration (default: $CHUK_MCP_CONFIG_PATH, else ./config.yaml)
      --user ID            a per_user login: the user it is for (the "sub" of their token)
  -h, --help

login prints the URL to open, waits for the browser to come back to oauth.redirect_uri, and
stores the tokens where the proxy reads them: the session store (SESSION_PROVIDER=sqlite or redis;
TOKEN_ENCRYPTION_KEY encrypts them). The proxy must use the same store and key.
`;

const log = (text: string) => writeAll(Deno.stdout, `${text}\n`);

/**
 * Run `auth` with its arguments; resolves with the exit code.
 *
 * @example
 * ```ts
 * import { authCommand } from "./auth_command.ts";
 * const code = await authCommand(["login", "github", "--config", "config.yaml"]);
 * ```
 */
export async function authCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        user: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    writeAll(Deno.stdout, AUTH_USAGE);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  if (action !== "login" && action !== "logout") {
    throw new UsageError("expected 'auth login SERVER' or 'auth logout SERVER'");
  }
  if (!name) throw new UsageError(`auth ${action}: name the mcp_servers entry`);
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);

  const env = processEnv;
  const loaded = await loadConfig({ path: values.config, env });
  const label = loaded.file ?? "<embedded>";
  const entry = loaded.config.mcp_servers[name];
  if (!entry) {
    throw new ConfigError(`no mcp_servers entry named '${name}'`, { file: label, path: "mcp_servers" });
  }
  if (!entry.url || !entry.oauth) {
    throw new ConfigError("expected a remote upstream (url) with an oauth section", {
      file: label,
      path: `mcp_servers.${name}`,
    });
  }
  if (values.user !== undefined && !entry.oauth.per_user) {
    throw new UsageError(`--user is for per_user logins; mcp_servers.${name}.oauth.per_user is false`);
  }

  const [{ SessionManager }, { openOAuthRecordStore }, { UpstreamLogin }] = await Promise.all([
    import("../sessions/manager.ts"),
    import("../oauth/client/token_store.ts"),
    import("../oauth/client/login.ts"),
  ]);
  const sessions = SessionManager.fromConfig(
    loaded.config,
    env,
    resolveSandboxId(loaded.config, env),
    loaded.baseDir,
  );
  try {
    if (sessions.store.provider === "memory") {
      throw new ConfigError(
        "the memory session store would forget the login when this command exits: set SESSION_PROVIDER=sqlite " +
          "(or redis) here and for the proxy",
        { file: "<environment>", path: "SESSION_PROVIDER" },
      );
    }
    const store = await openOAuthRecordStore(sessions.store, env);
    const subject = values.user !== undefined ? `user:${values.user}` : "_";
    const login = await UpstreamLogin.create({ name, entry, store, subject, baseDir: loaded.baseDir });
    if (action === "logout") {
      await login.provider.invalidateCredentials("tokens");
      log(`Logged out of '${name}'${values.user !== undefined ? ` for user ${values.user}` : ""}.`);
      return 0;
    }
    const tools = await connectWithLogin(name, login);
    log(
      `Logged in to '${name}' (${tools} tool(s)). Tokens are in the ${store.encrypted ? "encrypted " : ""}` +
        `${sessions.store.provider} session store.`,
    );
    return 0;
  } finally {
    await sessions.close().catch(() => {});
  }
}

/** Connect as the proxy would; complete each login the upstream asks for (at most 3). */
async function connectWithLogin(
  name: string,
  login: import("../oauth/client/login.ts").UpstreamLogin,
): Promise<number> {
  const { Client } = await import("../sdk/client.ts");
  for (let round = 0; round < 3; round++) {
    const client = new Client({ name: "chuk-mcp-runtime-login", version: VERSION });
    try {
      await client.connect(login.transport());
      const caps = client.getServerCapabilities();
      return caps?.tools ? (await client.listTools()).tools.length : 0;
    } catch (e) {
      const pending = login.pending;
      if (!login.requires(e) || !pending) throw e;
      log(
        `Open this URL in a browser to log in to '${name}'${
          pending.scope ? ` (scope: ${pending.scope})` : ""
        }:`,
      );
      log(`  ${pending.url.href}`);
      log(`Waiting for the browser to come back...`);
      await login.complete(pending);
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new Error(`'${name}' still asks for a login after 3 logins`);
}
