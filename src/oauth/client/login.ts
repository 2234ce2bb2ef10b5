/**
 * One upstream login as the proxy uses it: the transport that carries its token, a refresh before
 * the token expires, and the waiting for a login the SDK asked for (a 401 without usable tokens,
 * or a `403 insufficient_scope` that needs more scope).
 *
 * Who is shown the authorization URL is decided by the caller of {@linkcode UpstreamLogin.pending}
 * (the upstream supervisor): the log always; the one local client (stdio) for an upstream's own
 * login; the calling user for a `per_user` login.
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import type { McpServerConfig } from "../../config/types.ts";
import { ConfigError } from "../../errors.ts";
import { getLogger, type Logger } from "../../log/logger.ts";
import { retainingFetch } from "../../sdk/client.ts";
import {
  auth,
  createAuthorizedTransport,
  type FetchLike,
  UnauthorizedError,
} from "../../sdk/oauth_client.ts";
import type { Transport } from "../../sdk/server.ts";
import { type PendingLogin, UpstreamOAuthProvider } from "./provider.ts";
import { resolveRedirectUri } from "./redirect.ts";
import type { OAuthRecordStore } from "./token_store.ts";

export type { PendingLogin };

/** Refresh an access token this long before it expires (ms). */
const REFRESH_AHEAD_MS = 60_000;

/** Options of {@linkcode UpstreamLogin.create}. */
export interface UpstreamLoginOptions {
  /** Upstream name. */
  name: string;
  /** Its entry (remote, with `oauth`). */
  entry: McpServerConfig;
  /** Token store. */
  store: OAuthRecordStore;
  /** `_` for the upstream's own login, or `user:<id>`. */
  subject: string;
  /** Directory `private_key_file` is relative to. */
  baseDir: string;
  /** Logger of the upstream. */
  log?: Logger;
  /** Told when a login starts. */
  onLogin?: (login: PendingLogin) => void;
}

/**
 * Whether `e` says a login is needed (the SDK's `UnauthorizedError`, possibly as a cause).
 *
 * @example
 * ```ts
 * import { isLoginRequired } from "./login.ts";
 * isLoginRequired(new Error("x")); // false
 * ```
 */
export function isLoginRequired(e: unknown): boolean {
  for (let x = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof UnauthorizedError) return true;
  }
  return false;
}

/**
 * The login of one upstream (for one subject).
 *
 * @example
 * ```ts
 * import { UpstreamLogin } from "./login.ts";
 * declare const options: import("./login.ts").UpstreamLoginOptions;
 * const login = await UpstreamLogin.create(options);
 * const transport = login.transport();
 * ```
 */
export class UpstreamLogin {
  readonly provider: UpstreamOAuthProvider;
  readonly #name: string;
  readonly #entry: McpServerConfig;
  readonly #log: Logger;
  readonly #guarded: FetchLike;
  #refreshing: Promise<void> | undefined;

  private constructor(
    name: string,
    entry: McpServerConfig,
    provider: UpstreamOAuthProvider,
    log: Logger,
    guarded: FetchLike,
  ) {
    this.#name = name;
    this.#entry = entry;
    this.provider = provider;
    this.#log = log;
    this.#guarded = guarded;
  }

  /** Resolve the configuration (redirect listener port, private key file) and build the provider. */
  static async create(options: UpstreamLoginOptions): Promise<UpstreamLogin> {
    const { name, entry } = options;
    const config = entry.oauth;
    if (!config || !entry.url) throw new Error(`upstream '${name}' has no oauth section or no url`);
    const log = options.log ?? getLogger(`proxy.${name}`);
    let privateKey = config.private_key;
    if (!privateKey && config.private_key_file) {
      const file = resolvePath(options.baseDir, config.private_key_file);
      try {
        privateKey = await Deno.readTextFile(file);
      } catch (e) {
        throw new ConfigError(`cannot read ${file}: ${e instanceof Error ? e.message : e}`, {
          file: "<config>",
          path: `mcp_servers.${name}.oauth.private_key_file`,
        });
      }
    }
    const redirectUri = config.grant === "authorization_code"
      ? await resolveRedirectUri(new URL(config.redirect_uri))
      : new URL(config.redirect_uri);
    const guarded = fetchFor(name, entry.url, config.authorization_servers);
    const provider = new UpstreamOAuthProvider({
      upstream: name,
      serverUrl: entry.url,
      config,
      store: options.store,
      subject: options.subject,
      redirectUri,
      privateKey,
      fetch: guarded,
      onLogin: options.onLogin,
    });
    return new UpstreamLogin(name, entry, provider, log, guarded);
  }

  /** A fresh transport for one connection attempt. */
  transport(): Transport {
    const entry = this.#entry;
    // The login owns Authorization: a configured one would fight it.
    const headers = Object.fromEntries(
      Object.entries(entry.headers).filter(([k]) => k.toLowerCase() !== "authorization"),
    );
    const kind = entry.type === "sse" ? "sse" : "streamable-http";
    return createAuthorizedTransport(kind, new URL(entry.url!), {
      provider: this.provider,
      headers,
      fetch: this.#fetch,
    });
  }

  /** The MCP requests' fetch: the token is refreshed ahead of its expiry. */
  readonly #fetch: FetchLike = async (input, init) => {
    await this.#refreshIfDue();
    return await this.#guarded(input, init);
  };

  async #refreshIfDue(): Promise<void> {
    const expiresAt = await this.provider.expiresAt();
    if (expiresAt === undefined || expiresAt - Date.now() > REFRESH_AHEAD_MS) return;
    const tokens = await this.provider.tokens();
    if (!tokens?.refresh_token) return;
    this.#refreshing ??= (async () => {
      try {
        this.#log.debug("refreshing the access token before it expires");
        await auth(this.provider, { serverUrl: this.#entry.url!, fetchFn: this.#guarded });
      } catch (e) {
        // The request goes on; a 401 starts the usual flow.
        this.#log.warn(`token refresh failed: ${e instanceof Error ? e.message : e}`);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    await this.#refreshing;
  }

  /** Whether `e` (from a request on this login's transport) asks for a login. */
  requires(e: unknown): boolean {
    return isLoginRequired(e);
  }

  /** The login waiting for the user, if any (none once the login limit is reached). */
  get pending(): PendingLogin | undefined {
    return this.provider.exhausted ? undefined : this.provider.pending;
  }

  /** Wait for `login` (default: the pending one) to complete and exchange its code. */
  async complete(login: PendingLogin | undefined = this.pending, signal?: AbortSignal): Promise<void> {
    if (!login) throw new Error(`upstream '${this.#name}' has no login waiting`);
    await this.provider.complete(login, signal);
    this.#log.info(`logged in`);
  }

  /** Stop waiting for logins. */
  close(): void {
    this.provider.close();
  }
}

/**
 * The fetch of one upstream's login: with `authorization_servers` listed, requests go only to the
 * upstream's own origin and theirs (metadata, registration and token endpoints), so credentials
 * never reach a server the configuration did not name.
 */
function fetchFor(name: string, upstreamUrl: string, allowed: string[]): FetchLike {
  if (allowed.length === 0) return retainingFetch;
  const origins = new Set([new URL(upstreamUrl).origin, ...allowed.map((a) => new URL(a).origin)]);
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!origins.has(url.origin)) {
      return Promise.reject(
        new Error(
          `upstream '${name}' sent the proxy to ${url.origin}, which is not in ` +
            `mcp_servers.${name}.oauth.authorization_servers`,
        ),
      );
    }
    return retainingFetch(input, init);
  };
}
