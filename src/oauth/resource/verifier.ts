/**
 * Access-token verification for the runtime as a protected resource: JWTs are checked against the
 * signing keys of the authorization server that issued them (its `jwks_uri`, found through its
 * metadata — RFC 8414, or OpenID discovery — unless `oauth.jwks_url` is set); opaque tokens are
 * asked about at the introspection endpoint (RFC 7662). Either way a token must be issued by a
 * configured authorization server, for this resource (audience, RFC 8707), and be current.
 *
 * Discovery is lazy (the first token) and remembered; a server that cannot be reached is tried
 * again after a short pause, never on every request.
 *
 * @module
 */

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from "jose";
import * as oauth from "oauth4webapi";
import { PUBLIC_KEY_ALGORITHMS, userFromClaims } from "../../auth/jwt.ts";
import {
  type JoseErrorWording,
  KEYS_UNAVAILABLE,
  TokenError,
  tokenErrorFromJose,
} from "../../auth/token_error.ts";
import type { OAuthResourceConfig } from "../../config/types.ts";
import type { UserIdentity } from "../../auth/types.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("oauth.resource");

/** How long a failed discovery is not tried again (ms). */
const DISCOVERY_RETRY_MS = 30_000;
/** How long a discovered metadata document is used (ms). */
const DISCOVERY_TTL_MS = 3600_000;
/** Most verified tokens remembered. */
const CACHE_SIZE = 1024;
/** Longest time a verified (or introspected) token is remembered (ms). */
const CACHE_MS = 60_000;

/** A verified token: who, with which scopes, until when. */
export interface VerifiedToken {
  user: UserIdentity;
  scopes: string[];
}

/**
 * The scopes a token's claims grant: `scope` (space-separated, RFC 8693 / RFC 9068) or `scp`
 * (a list or a string, as some servers write it).
 *
 * @example
 * ```ts
 * import { scopesOf } from "./verifier.ts";
 * scopesOf({ scope: "mcp:read mcp:write" }); // ["mcp:read", "mcp:write"]
 * scopesOf({ scp: ["a"] }); // ["a"]
 * ```
 */
export function scopesOf(claims: Readonly<Record<string, unknown>>): string[] {
  const s = claims.scope ?? claims.scp;
  if (typeof s === "string") return s.split(" ").filter((x) => x !== "");
  if (Array.isArray(s)) return s.filter((x): x is string => typeof x === "string");
  return [];
}

/** Loopback authorization servers may use plain HTTP (local development and tests). */
function isLoopbackUrl(url: URL): boolean {
  const h = url.hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function httpOptions(url: URL): Record<symbol, unknown> {
  return url.protocol === "http:" && isLoopbackUrl(url) ? { [oauth.allowInsecureRequests]: true } : {};
}

interface Discovered {
  at: number;
  as?: oauth.AuthorizationServer;
  error?: Error;
}

/**
 * Verifies bearer tokens for one protected resource.
 *
 * @example
 * ```ts
 * import { ResourceTokenVerifier } from "./verifier.ts";
 * declare const config: import("../../config/types.ts").OAuthResourceConfig;
 * const verifier = new ResourceTokenVerifier(config);
 * const { user, scopes } = await verifier.verify("eyJ...");
 * ```
 */
export class ResourceTokenVerifier {
  readonly #config: OAuthResourceConfig;
  readonly #audiences: string[];
  readonly #discovered = new Map<string, Discovered>();
  readonly #jwks = new Map<string, JWTVerifyGetKey>();
  readonly #cache = new Map<string, { token: VerifiedToken; until: number }>();
  readonly #now: () => number;

  /** A verifier for `config` (`now`: clock in ms, for tests). */
  constructor(config: OAuthResourceConfig, now: () => number = Date.now) {
    this.#config = config;
    this.#audiences = [config.resource, ...config.audiences];
    this.#now = now;
  }

  /** Verify `token`; rejects with {@linkcode TokenError}. */
  async verify(token: string): Promise<VerifiedToken> {
    const now = this.#now();
    const key = await digest(token);
    const hit = this.#cache.get(key);
    if (hit && now < hit.until) return hit.token;
    const looksJwt = token.split(".").length === 3 && safeHeader(token) !== undefined;
    let result: { token: VerifiedToken; exp?: number };
    if (looksJwt && (this.#config.jwks_url || !this.#config.introspection)) result = await this.#jwt(token);
    else if (this.#config.introspection) result = await this.#introspect(token);
    else {
      throw new TokenError("malformed", "Token is not a JWT and this server has no introspection configured");
    }
    const until = Math.min(now + CACHE_MS, result.exp !== undefined ? result.exp * 1000 : Infinity);
    this.#cache.delete(key);
    this.#cache.set(key, { token: result.token, until });
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    return result.token;
  }

  /** The authorization server metadata of `issuer` (discovered once; failures retried after a pause). */
  async #metadata(issuer: string): Promise<oauth.AuthorizationServer> {
    const now = this.#now();
    const known = this.#discovered.get(issuer);
    if (known?.as && now - known.at < DISCOVERY_TTL_MS) return known.as;
    if (known?.error && now - known.at < DISCOVERY_RETRY_MS) throw known.error;
    const url = new URL(issuer);
    let lastError: unknown;
    for (const algorithm of ["oauth2", "oidc"] as const) {
      try {
        const res = await oauth.discoveryRequest(url, { algorithm, ...httpOptions(url) });
        const as = await oauth.processDiscoveryResponse(url, res);
        this.#discovered.set(issuer, { at: now, as });
        return as;
      } catch (e) {
        lastError = e;
      }
    }
    const error = new Error(
      `cannot read the metadata of authorization server ${issuer}: ${
        lastError instanceof Error ? lastError.message : lastError
      }`,
    );
    log.warn(error.message);
    this.#discovered.set(issuer, { at: now, error });
    throw error;
  }

  #keys(url: string): JWTVerifyGetKey {
    let k = this.#jwks.get(url);
    if (!k) this.#jwks.set(url, k = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000 }));
    return k;
  }

  async #jwt(token: string): Promise<{ token: VerifiedToken; exp?: number }> {
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      throw new TokenError("malformed", "Malformed token");
    }
    // Only a configured authorization server's own keys may vouch for a token.
    const issuers = await this.#issuers();
    const issuer = typeof claimedIssuer === "string"
      ? issuers.find((i) => i.issuer === claimedIssuer)
      : undefined;
    if (!issuer) throw new TokenError("claims", "Token was not issued by an accepted authorization server");
    const jwksUrl = this.#config.jwks_url ?? issuer.jwks_uri;
    if (!jwksUrl) {
      throw new TokenError(
        "key_unavailable",
        "The authorization server publishes no keys (jwks_uri); set oauth.jwks_url",
      );
    }
    try {
      const { payload } = await jwtVerify(token, this.#keys(jwksUrl), {
        issuer: issuer.issuer,
        audience: this.#audiences,
        algorithms: [...PUBLIC_KEY_ALGORITHMS],
        clockTolerance: this.#config.leeway_seconds,
        currentDate: new Date(this.#now()),
      });
      return {
        token: this.#identity(payload),
        exp: typeof payload.exp === "number" ? payload.exp : undefined,
      };
    } catch (e) {
      throw tokenErrorFromJose(e, ACCESS_TOKEN_WORDING);
    }
  }

  /** The metadata of every configured authorization server that answers. */
  async #issuers(): Promise<oauth.AuthorizationServer[]> {
    const out: oauth.AuthorizationServer[] = [];
    for (const issuer of this.#config.authorization_servers) {
      try {
        out.push(await this.#metadata(issuer));
      } catch {
        // logged by #metadata; another server may still vouch
      }
    }
    if (out.length === 0) {
      throw new TokenError("key_unavailable", "No authorization server metadata is available");
    }
    return out;
  }

  async #introspect(token: string): Promise<{ token: VerifiedToken; exp?: number }> {
    const cfg = this.#config.introspection!;
    let as: oauth.AuthorizationServer;
    if (cfg.url) {
      as = { issuer: this.#config.authorization_servers[0], introspection_endpoint: cfg.url };
    } else {
      const all = await this.#issuers();
      const found = all.find((a) => a.introspection_endpoint);
      if (!found) {
        throw new TokenError(
          "key_unavailable",
          "No authorization server offers introspection; set oauth.introspection.url",
        );
      }
      as = found;
    }
    const client: oauth.Client = { client_id: cfg.client_id };
    const clientAuth = cfg.client_secret ? oauth.ClientSecretBasic(cfg.client_secret) : oauth.None();
    let claims: oauth.IntrospectionResponse;
    try {
      const endpoint = new URL(as.introspection_endpoint!);
      const res = await oauth.introspectionRequest(as, client, clientAuth, token, httpOptions(endpoint));
      claims = await oauth.processIntrospectionResponse(as, client, res);
    } catch (e) {
      log.warn(`introspection failed: ${e instanceof Error ? e.message : e}`);
      throw new TokenError("key_unavailable", "Token introspection is unavailable");
    }
    if (!claims.active) throw new TokenError("expired", "Token is not active");
    const now = this.#now() / 1000;
    if (typeof claims.exp === "number" && claims.exp + this.#config.leeway_seconds < now) {
      throw new TokenError("expired", "Token has expired");
    }
    const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => this.#audiences.includes(a))) {
      throw new TokenError("claims", "Token was not issued for this resource (audience)");
    }
    if (typeof claims.iss === "string") {
      const issuers = this.#config.authorization_servers;
      const known = [...this.#discovered.values()].map((d) => d.as?.issuer).filter(Boolean);
      if (!issuers.includes(claims.iss) && !known.includes(claims.iss)) {
        throw new TokenError("claims", "Token was not issued by an accepted authorization server");
      }
    }
    return { token: this.#identity(claims as Record<string, unknown>), exp: claims.exp };
  }

  #identity(claims: Record<string, unknown>): VerifiedToken {
    const frozen = Object.freeze({ ...claims });
    // A client-credentials token names no user: the client is the caller (as `sub` says in JWTs).
    const user = userFromClaims(frozen) ??
      (typeof frozen.client_id === "string" && frozen.client_id
        ? { id: frozen.client_id, claims: frozen }
        : undefined);
    if (!user) throw new TokenError("no_user", "Token names no user (claims sub, user_id, uid or id)");
    return { user, scopes: scopesOf(frozen) };
  }
}

function safeHeader(token: string): unknown {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

async function digest(token: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** How access-token verification words jose's errors, over the shared wording. */
const ACCESS_TOKEN_WORDING: JoseErrorWording = {
  own: { "claim:aud": ["claims", "Token was not issued for this resource (audience)"] },
  // Anything jose does not name is the keys (JWKS) failing.
  otherwise: () => KEYS_UNAVAILABLE,
};
