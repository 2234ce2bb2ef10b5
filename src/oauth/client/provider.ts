/**
 * The proxy's OAuth client for one upstream and one login subject (the upstream's own login, or
 * one user's with `per_user`), as the SDK's `OAuthClientProvider`: the SDK runs discovery,
 * registration, PKCE, the token requests and step-up; this supplies the client's identity and
 * keeps what the flow produces in the token store.
 *
 * The browser step: `redirectToAuthorization` does not open anything. It records the login (its
 * URL, PKCE verifier and discovery state, keyed by `state`) and starts waiting on the loopback
 * redirect listener; whoever can show the URL to the right person does so (see `login.ts`), and
 * {@linkcode UpstreamOAuthProvider.complete} exchanges the code.
 *
 * @module
 */

import type { UpstreamOAuthConfig } from "../../config/types.ts";
import {
  auth,
  createPrivateKeyJwtAuth,
  type FetchLike,
  type OAuthClientInformationContext,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from "../../sdk/oauth_client.ts";
import { type AuthorizationResponse, awaitRedirect } from "./redirect.ts";
import type { OAuthRecordStore } from "./token_store.ts";

/**
 * Logins a user may be sent through within {@linkcode LOGIN_WINDOW_MS} (a server that keeps
 * refusing every new token must not loop a person through login pages).
 *
 * @example
 * ```ts
 * import { LOGIN_WINDOW_MS, MAX_LOGINS } from "./provider.ts";
 * console.log(`${MAX_LOGINS} logins per ${LOGIN_WINDOW_MS / 60_000} minutes`);
 * ```
 */
export const MAX_LOGINS = 3;
/**
 * The window {@linkcode MAX_LOGINS} counts in (ms).
 *
 * @example
 * ```ts
 * import { LOGIN_WINDOW_MS } from "./provider.ts";
 * console.log(LOGIN_WINDOW_MS); // 600000
 * ```
 */
export const LOGIN_WINDOW_MS = 10 * 60_000;

/** A login waiting for the user: the URL to open and the answer it waits for. */
export interface PendingLogin {
  /** The authorization URL (open it in a browser). */
  readonly url: URL;
  /** The OAuth `state` of this login. */
  readonly state: string;
  /** Scopes asked for. */
  readonly scope: string | undefined;
  /** Resolves with the redirect's code (rejects on refusal, timeout or abort). */
  readonly answer: Promise<AuthorizationResponse>;
  /** When it is abandoned (ms epoch). */
  readonly expiresAt: number;
}

interface Flow extends PendingLogin {
  /** The exchange, once started (several waiters share it: a code is redeemed once). */
  done?: Promise<void>;
  verifier: string;
  discovery: OAuthDiscoveryState | undefined;
  abort: AbortController;
}

/** A token set as stored: the SDK's tokens plus when they expire and whom they are for. */
interface TokenRecord {
  tokens: StoredOAuthTokens;
  /** The upstream URL they were obtained for: tokens never go to another. */
  resource: string;
  /** ms epoch, when `expires_in` was given. */
  expiresAt?: number;
}

/** Options of {@linkcode UpstreamOAuthProvider}. */
export interface UpstreamOAuthProviderOptions {
  /** Upstream name (`mcp_servers.<name>`). */
  upstream: string;
  /** The upstream's URL. */
  serverUrl: string;
  /** `mcp_servers.<name>.oauth`. */
  config: UpstreamOAuthConfig;
  /** Where tokens and registrations are kept. */
  store: OAuthRecordStore;
  /** Whose login: `_` (the upstream's own) or `user:<id>`. */
  subject: string;
  /** The redirect URI in use (a `:0` port already resolved). */
  redirectUri: URL;
  /** The PEM private key of `private_key_jwt`, when configured. */
  privateKey?: string;
  /** The fetch for the OAuth requests. */
  fetch: FetchLike;
  /** Told when a login starts (show the URL to the right person). */
  onLogin?: (login: PendingLogin) => void;
  /** Clock (ms epoch), for tests. */
  now?: () => number;
}

function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * `OAuthClientProvider` for one upstream login.
 *
 * @example
 * ```ts
 * import { UpstreamOAuthProvider } from "./provider.ts";
 * declare const options: import("./provider.ts").UpstreamOAuthProviderOptions;
 * const provider = new UpstreamOAuthProvider(options);
 * console.log(provider.redirectUrl?.toString());
 * ```
 */
export class UpstreamOAuthProvider implements OAuthClientProvider {
  readonly #o: UpstreamOAuthProviderOptions;
  readonly #now: () => number;
  readonly #flows = new Map<string, Flow>();
  #lastVerifier = "";
  #lastDiscovery: OAuthDiscoveryState | undefined;
  #lastState: string | undefined;
  /** The login whose code is being exchanged (its verifier and discovery state are the SDK's). */
  #active: Flow | undefined;
  #cached: TokenRecord | undefined | null = null;
  #exchanging: Promise<void> = Promise.resolve();
  /** When logins were answered (the user went through the authorization server), ms epoch. */
  #answered: number[] = [];
  /** Pre-registered or metadata-document client information, by issuer (never persisted). */
  #staticClient = new Map<string, StoredOAuthClientInformation>();

  /** A provider for one login subject of one upstream. */
  constructor(options: UpstreamOAuthProviderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get #prefix(): string {
    return `oauth:${this.#o.upstream}`;
  }

  get #tokensKey(): string {
    return `${this.#prefix}:tokens:${this.#o.subject}`;
  }

  #clientKey(issuer: string): string {
    return `${this.#prefix}:client:${issuer}`;
  }

  get #interactive(): boolean {
    return this.#o.config.grant === "authorization_code";
  }

  get redirectUrl(): URL | undefined {
    return this.#interactive ? this.#o.redirectUri : undefined;
  }

  get clientMetadataUrl(): string | undefined {
    return this.#interactive ? this.#o.config.client_metadata_url : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    const c = this.#o.config;
    const method = c.token_endpoint_auth_method;
    return {
      client_name: c.client_name,
      redirect_uris: this.#interactive ? [this.#o.redirectUri.toString()] : [],
      ...(this.#interactive ? {} : { grant_types: ["client_credentials"] }),
      ...(method ? { token_endpoint_auth_method: method } : {}),
      ...(c.scopes?.length ? { scope: c.scopes.join(" ") } : {}),
    };
  }

  state(): string {
    return this.#lastState = randomState();
  }

  async clientInformation(
    ctx?: OAuthClientInformationContext,
  ): Promise<StoredOAuthClientInformation | undefined> {
    const c = this.#o.config;
    if (c.client_id) {
      const issuer = ctx?.issuer ?? "";
      return this.#staticClient.get(issuer) ??
        { client_id: c.client_id, ...(c.client_secret ? { client_secret: c.client_secret } : {}) };
    }
    if (!ctx) return undefined;
    const stored = await this.#o.store.get<StoredOAuthClientInformation>(this.#clientKey(ctx.issuer));
    if (!stored) return undefined;
    // A registration made for another redirect URI (the config changed) is registered again.
    const uris = (stored as { redirect_uris?: string[] }).redirect_uris;
    const isMetadataDocument = stored.client_id === this.clientMetadataUrl;
    if (this.#interactive && !isMetadataDocument && uris && !uris.includes(this.#o.redirectUri.toString())) {
      return undefined;
    }
    return stored;
  }

  async saveClientInformation(
    info: StoredOAuthClientInformation,
    ctx?: OAuthClientInformationContext,
  ): Promise<void> {
    const issuer = ctx?.issuer ?? (info as { issuer?: string }).issuer ?? "";
    if (this.#o.config.client_id) {
      this.#staticClient.set(issuer, info);
      return;
    }
    await this.#o.store.set(this.#clientKey(issuer), info);
  }

  async #record(): Promise<TokenRecord | undefined> {
    if (this.#cached !== null) return this.#cached;
    const r = await this.#o.store.get<TokenRecord>(this.#tokensKey);
    // Tokens are used only for the upstream they were obtained for.
    this.#cached = r && r.resource === this.#o.serverUrl ? r : undefined;
    return this.#cached;
  }

  async tokens(): Promise<StoredOAuthTokens | undefined> {
    return (await this.#record())?.tokens;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    const expiresIn = typeof tokens.expires_in === "number" ? tokens.expires_in : undefined;
    const record: TokenRecord = {
      tokens,
      resource: this.#o.serverUrl,
      ...(expiresIn !== undefined ? { expiresAt: this.#now() + expiresIn * 1000 } : {}),
    };
    this.#cached = record;
    // Without a refresh token, the record is worth keeping only while the access token lives.
    const ttl = tokens.refresh_token || expiresIn === undefined ? undefined : Math.max(60, expiresIn + 60);
    await this.#o.store.set(this.#tokensKey, record, ttl);
  }

  /** When the access token expires (ms epoch), if known. */
  async expiresAt(): Promise<number | undefined> {
    return (await this.#record())?.expiresAt;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#lastVerifier = codeVerifier;
  }

  codeVerifier(): string {
    const v = this.#active?.verifier ?? this.#lastVerifier;
    if (!v) throw new Error("no PKCE verifier for this login");
    return v;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#lastDiscovery = state;
  }

  /**
   * Only while a code is exchanged (the SDK checks that the authorization server is the one the
   * login started with). Otherwise every flow discovers again, so an upstream that moves to
   * another authorization server is followed (and its old registration is not presented there).
   */
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#active?.discovery;
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    if (scope === "all" || scope === "tokens") {
      this.#cached = undefined;
      await this.#o.store.delete(this.#tokensKey);
    }
    if ((scope === "all" || scope === "client") && this.#lastDiscovery?.authorizationServerMetadata?.issuer) {
      const issuer = this.#lastDiscovery.authorizationServerMetadata.issuer;
      this.#staticClient.delete(issuer);
      await this.#o.store.delete(this.#clientKey(issuer));
    }
    if (scope === "all" || scope === "verifier") this.#lastVerifier = "";
  }

  get addClientAuthentication(): OAuthClientProvider["addClientAuthentication"] {
    const c = this.#o.config;
    if (c.token_endpoint_auth_method !== "private_key_jwt" || !this.#o.privateKey || !c.client_id) {
      return undefined;
    }
    const signer = createPrivateKeyJwtAuth({
      issuer: c.client_id,
      subject: c.client_id,
      privateKey: this.#o.privateKey,
      alg: c.signing_algorithm,
    });
    return signer;
  }

  /** The token request of a machine identity (`grant: client_credentials`); the SDK's default otherwise. */
  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.#interactive) return undefined;
    return new URLSearchParams({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });
  }

  /** Start a login: record it and wait for its redirect. The SDK then reports `REDIRECT`. */
  redirectToAuthorization(authorizationUrl: URL): void {
    if (this.exhausted) {
      throw new Error(
        `${MAX_LOGINS} logins in ${LOGIN_WINDOW_MS / 60_000} minutes did not give access to upstream ` +
          `'${this.#o.upstream}' (it keeps refusing the token); not asking again for now`,
      );
    }
    const state = authorizationUrl.searchParams.get("state") ?? this.#lastState ?? "";
    const abort = new AbortController();
    const timeoutMs = this.#o.config.authorization_timeout * 1000;
    const answer = awaitRedirect(this.#o.redirectUri, state, timeoutMs, abort.signal);
    answer.then(() => this.#answered.push(this.#now()), () => {});
    const flow: Flow = {
      url: authorizationUrl,
      state,
      scope: authorizationUrl.searchParams.get("scope") ?? undefined,
      answer,
      expiresAt: this.#now() + timeoutMs,
      verifier: this.#lastVerifier,
      discovery: this.#lastDiscovery,
      abort,
    };
    this.#flows.set(state, flow);
    answer.finally(() => this.#flows.delete(state)).catch(() => {});
    this.#o.onLogin?.(flow);
  }

  /** The newest login still waiting, if any. */
  get pending(): PendingLogin | undefined {
    let newest: Flow | undefined;
    for (const f of this.#flows.values()) if (!newest || f.expiresAt >= newest.expiresAt) newest = f;
    return newest;
  }

  /**
   * Wait for `login`'s redirect and exchange its code for tokens (the SDK checks `iss`, the
   * authorization server binding and PKCE). Exchanges run one at a time.
   */
  async complete(login: PendingLogin, signal?: AbortSignal): Promise<void> {
    const flow = (this.#flows.get(login.state) ?? login) as Flow;
    if (!signal) return await (flow.done ??= this.#exchange(flow));
    // A waiter that gives up (its call was cancelled) leaves the login to the others.
    return await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      (flow.done ??= this.#exchange(flow)).then(resolve, reject).finally(() =>
        signal.removeEventListener("abort", onAbort)
      );
    });
  }

  async #exchange(flow: Flow): Promise<void> {
    const answer: AuthorizationResponse = await flow.answer;
    const run = this.#exchanging.then(async () => {
      this.#active = flow;
      try {
        const result = await auth(this, {
          serverUrl: this.#o.serverUrl,
          authorizationCode: answer.code,
          ...(answer.iss !== undefined ? { iss: answer.iss } : {}),
          ...(flow.discovery?.resourceMetadataUrl
            ? { resourceMetadataUrl: new URL(flow.discovery.resourceMetadataUrl) }
            : {}),
          fetchFn: this.#o.fetch,
        });
        if (result !== "AUTHORIZED") throw new Error("the code exchange did not authorize");
      } finally {
        this.#active = undefined;
      }
    });
    this.#exchanging = run.catch(() => {});
    await run;
  }

  /** Whether the login limit is reached ({@linkcode MAX_LOGINS} in the window): nobody is asked now. */
  get exhausted(): boolean {
    const since = this.#now() - LOGIN_WINDOW_MS;
    this.#answered = this.#answered.filter((t) => t > since);
    return this.#answered.length >= MAX_LOGINS;
  }

  /** Abandon every waiting login (the upstream stops). */
  close(): void {
    for (const f of this.#flows.values()) f.abort.abort(new Error("upstream stopped"));
    this.#flows.clear();
  }
}
