/**
 * Bearer JWT authentication (`server.auth: bearer`) with `npm:jose`.
 *
 * Keys come from a shared secret (HS256/384/512), a PEM public key or certificate (RS*, PS*, ES*,
 * EdDSA) or a JWKS URL (cached; fetched again when a token names an unknown `kid`). Every key is
 * imported once, when the authenticator is created: a request only verifies.
 *
 * @module
 */

import { createRemoteJWKSet, importSPKI, importX509, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { UserIdentity } from "./types.ts";
import { ConfigError } from "../errors.ts";
import type { Authenticator, AuthOutcome } from "./types.ts";
import { type JoseErrorWording, KEYS_UNAVAILABLE, TokenError, tokenErrorFromJose } from "./token_error.ts";

/**
 * HMAC algorithms: verified with the shared secret.
 *
 * @example
 * ```ts
 * import { HMAC_ALGORITHMS } from "@chuk/mcp-runtime/auth";
 * HMAC_ALGORITHMS.includes("HS256"); // true
 * ```
 */
export const HMAC_ALGORITHMS: readonly string[] = ["HS256", "HS384", "HS512"];

/**
 * Public-key algorithms: verified with a PEM key or a JWKS.
 *
 * @example
 * ```ts
 * import { PUBLIC_KEY_ALGORITHMS } from "@chuk/mcp-runtime/auth";
 * PUBLIC_KEY_ALGORITHMS.includes("ES256"); // true
 * ```
 */
export const PUBLIC_KEY_ALGORITHMS: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/**
 * Claims that carry the user id, in order of preference.
 *
 * @example
 * ```ts
 * import { USER_ID_CLAIMS } from "@chuk/mcp-runtime/auth";
 * console.log(USER_ID_CLAIMS.join(" > ")); // sub > user_id > uid > id
 * ```
 */
export const USER_ID_CLAIMS: readonly string[] = ["sub", "user_id", "uid", "id"];

/**
 * How to verify tokens. Each option mirrors an environment variable (named in brackets), and
 * errors name that variable.
 */
export interface JwtAuthOptions {
  /** Shared secret for HS* [`JWT_SECRET_KEY`]. */
  secret?: string;
  /**
   * PEM public key (SPKI or PKCS#1 `RSA PUBLIC KEY`) or certificate for RS*, PS*, ES*, EdDSA
   * [`JWT_PUBLIC_KEY`, `JWT_PUBLIC_KEY_FILE`, or a PEM in `JWT_SECRET_KEY`].
   */
  publicKeyPem?: string;
  /** The variable {@linkcode JwtAuthOptions.publicKeyPem} came from, for messages; default `JWT_PUBLIC_KEY`. */
  publicKeyVariable?: string;
  /** JWKS URL [`JWT_JWKS_URL`]. */
  jwksUrl?: string;
  /**
   * Accepted `alg` values [`JWT_ALLOWED_ALGORITHMS`, else `JWT_ALGORITHM`]. Default: every algorithm
   * the configured keys can verify.
   */
  algorithms?: string[];
  /**
   * More accepted `alg` values, each only when a configured key can verify it (the reference's
   * default list: `JWT_ALGORITHM` alone also accepts HS384 and HS512).
   */
  optionalAlgorithms?: string[];
  /** The variable the algorithm lists came from, for messages; default `JWT_ALLOWED_ALGORITHMS`. */
  algorithmsVariable?: string;
  /** Clock skew tolerated for `exp`/`nbf`, in seconds [`JWT_LEEWAY`]; default 1. */
  leewaySeconds?: number;
  /** Accepted `aud` values; when set, tokens must carry one [`JWT_AUDIENCE`]. */
  audience?: string[];
  /** Accepted `iss` values; when set, tokens must carry one [`JWT_ISSUER`]. */
  issuer?: string[];
  /** Minimum seconds between two JWKS fetches triggered by an unknown `kid` [`JWT_JWKS_COOLDOWN`]; default 30. */
  jwksCooldownSeconds?: number;
  /** How long a fetched JWKS is used before it is fetched again, in seconds; default 600. */
  jwksMaxAgeSeconds?: number;
  /**
   * How long a verified token is remembered, in seconds (default 60; `0` disables): a client
   * sending the same token again is not verified again until then (expiry is still checked on
   * every request). Bounds how long a key removed from the JWKS keeps working for tokens already seen.
   */
  verifiedCacheSeconds?: number;
  /** Clock (ms epoch), for tests. */
  now?: () => number;
}

/** Most tokens remembered as verified at once. */
const VERIFIED_CACHE_SIZE = 1024;

interface Verified {
  user: UserIdentity;
  /** Time window (ms epoch) in which the token's own `nbf`/`exp` (with leeway) accept it. */
  from: number;
  until: number;
  /** When this entry must be verified again. */
  recheckAt: number;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i;
const ENV = "<environment>";

function configError(name: string, detail: string): ConfigError {
  return new ConfigError(detail, { file: ENV, path: name });
}

/**
 * The user a set of verified claims names: the first of `sub`, `user_id`, `uid`, `id` that is a
 * non-empty string or a number.
 *
 * @example
 * ```ts
 * import { userFromClaims } from "@chuk/mcp-runtime/auth";
 * userFromClaims({ user_id: 42, role: "admin" })?.id; // "42"
 * userFromClaims({ role: "admin" }); // undefined
 * ```
 */
export function userFromClaims(claims: Record<string, unknown>): UserIdentity | undefined {
  for (const name of USER_ID_CLAIMS) {
    const v = claims[name];
    if (typeof v === "string" && v !== "") return { id: v, claims };
    if (typeof v === "number" && Number.isFinite(v)) return { id: String(v), claims };
  }
  return undefined;
}

/** Normalise a PEM given through an environment variable (literal `\n`, stray quotes). */
function normalisePem(pem: string): string {
  const text = pem.trim().replace(/^["']|["']$/g, "").replace(/\\n/g, "\n");
  const pkcs1 = /-----BEGIN RSA PUBLIC KEY-----([\s\S]*?)-----END RSA PUBLIC KEY-----/.exec(text);
  return pkcs1 ? rsaPublicKeyToSpki(pkcs1[1]) : text;
}

/** DER length octets. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/**
 * A PKCS#1 `RSA PUBLIC KEY` (what `openssl rsa -RSAPublicKey_out` writes, and PyJWT accepts) as
 * the SPKI `PUBLIC KEY` WebCrypto imports: the same key inside an `rsaEncryption` wrapper.
 */
function rsaPublicKeyToSpki(base64Body: string): string {
  const pkcs1 = Uint8Array.from(atob(base64Body.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
  const algorithm = [
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    0x86,
    0x48,
    0x86,
    0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00,
  ];
  const bitString = [0x03, ...derLength(pkcs1.length + 1), 0x00, ...pkcs1];
  const body = [...algorithm, ...bitString];
  const der = Uint8Array.from([0x30, ...derLength(body.length), ...body]);
  const b64 = btoa(String.fromCharCode(...der)).replace(/(.{64})/g, "$1\n").trim();
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----`;
}

function unauthorized(error: TokenError): Response {
  const missing = error.reason === "missing";
  // RFC 6750 §3: no error code when the request carried no credentials at all.
  const challenge = missing
    ? `Bearer realm="mcp"`
    : `Bearer error="invalid_token", error_description="${error.message.replace(/["\\]/g, "")}"`;
  const body = { error: missing ? "unauthorized" : "invalid_token", error_description: error.message };
  return new Response(JSON.stringify(body), {
    status: 401,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "www-authenticate": challenge,
    },
  });
}

/**
 * Verifies `Authorization: Bearer <jwt>` on every request it is asked about. Create it with
 * {@linkcode JwtAuthenticator.create} (keys are imported then, once).
 *
 * @example
 * ```ts
 * import { JwtAuthenticator } from "@chuk/mcp-runtime/auth";
 * const auth = await JwtAuthenticator.create({ secret: "a-long-shared-secret-of-32-bytes!!" });
 * const outcome = await auth.authenticate(new Request("http://127.0.0.1/mcp"));
 * console.log(outcome.ok); // false: no token
 * ```
 */
export class JwtAuthenticator implements Authenticator {
  readonly scheme = "bearer";
  /** The accepted algorithms. */
  readonly algorithms: readonly string[];
  readonly #keys: Map<string, CryptoKey>;
  readonly #jwks: JWTVerifyGetKey | undefined;
  readonly #verifyOptions: {
    algorithms: string[];
    clockTolerance: number;
    audience?: string[];
    issuer?: string[];
  };
  readonly #verified = new Map<string, Verified>();
  readonly #cacheMs: number;
  readonly #leewayMs: number;
  readonly #now: () => number;

  private constructor(
    algorithms: string[],
    keys: Map<string, CryptoKey>,
    jwks: JWTVerifyGetKey | undefined,
    options: JwtAuthOptions,
  ) {
    this.algorithms = algorithms;
    this.#keys = keys;
    this.#jwks = jwks;
    this.#cacheMs = (options.verifiedCacheSeconds ?? 60) * 1000;
    this.#leewayMs = (options.leewaySeconds ?? 1) * 1000;
    this.#now = options.now ?? Date.now;
    this.#verifyOptions = {
      algorithms,
      clockTolerance: options.leewaySeconds ?? 1,
      ...(options.audience?.length ? { audience: options.audience } : {}),
      ...(options.issuer?.length ? { issuer: options.issuer } : {}),
    };
  }

  /**
   * Import the keys and check the options. Throws {@linkcode ConfigError} when no key is given, an
   * algorithm is unknown (or `none`), or an accepted algorithm has no key to verify it.
   */
  static async create(options: JwtAuthOptions): Promise<JwtAuthenticator> {
    const secret = options.secret || undefined;
    const pem = options.publicKeyPem ? normalisePem(options.publicKeyPem) : undefined;
    const jwksUrl = options.jwksUrl || undefined;
    if (!secret && !pem && !jwksUrl) {
      throw new ConfigError(
        "server.auth is 'bearer' but no key is configured: set JWT_SECRET_KEY (HS256/384/512), " +
          "JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE (PEM, for RS*/PS*/ES*/EdDSA) or JWT_JWKS_URL",
        { file: ENV, path: "JWT_SECRET_KEY" },
      );
    }
    const known = new Set([...HMAC_ALGORITHMS, ...PUBLIC_KEY_ALGORITHMS]);
    const algVar = options.algorithmsVariable ?? "JWT_ALLOWED_ALGORITHMS";
    const keyVar = options.publicKeyVariable ?? "JWT_PUBLIC_KEY";
    const trimmed = (l: string[] | undefined) => l?.map((a) => a.trim()).filter((a) => a !== "");
    const explicit = trimmed(options.algorithms);
    const optional = trimmed(options.optionalAlgorithms);
    for (const alg of [...(explicit ?? []), ...(optional ?? [])]) {
      if (!known.has(alg)) {
        throw configError(
          algVar,
          `unsupported algorithm '${alg}'; expected some of ${[...known].join(", ")}` +
            (alg.toLowerCase() === "none" ? " (unsigned tokens are never accepted)" : ""),
        );
      }
    }
    // Keys are imported only for algorithms that may be accepted (all, when no list is given).
    const wanted = explicit || optional ? [...(explicit ?? []), ...(optional ?? [])] : undefined;
    const keys = new Map<string, CryptoKey>();
    if (secret) {
      const raw = new TextEncoder().encode(secret);
      for (const alg of HMAC_ALGORITHMS) {
        if (wanted && !wanted.includes(alg)) continue;
        const hash = `SHA-${alg.slice(2)}`;
        keys.set(alg, await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["verify"]));
      }
    }
    if (pem) {
      const isCert = pem.includes("BEGIN CERTIFICATE");
      if (!isCert && !pem.includes("BEGIN PUBLIC KEY")) {
        throw configError(
          keyVar,
          "expected a PEM public key ('-----BEGIN PUBLIC KEY-----') or certificate ('-----BEGIN CERTIFICATE-----')",
        );
      }
      // A PEM key fits several algorithms (an RSA key: RS*, PS*); import it once for each it fits.
      for (const alg of PUBLIC_KEY_ALGORITHMS) {
        if (wanted && !wanted.includes(alg)) continue;
        try {
          const key = isCert ? await importX509(pem, alg) : await importSPKI(pem, alg);
          keys.set(alg, key as CryptoKey);
        } catch {
          // Not a key for this algorithm.
        }
      }
      if (![...keys.keys()].some((a) => PUBLIC_KEY_ALGORITHMS.includes(a)) && !jwksUrl) {
        throw configError(
          keyVar,
          `the PEM key cannot verify any accepted algorithm (${
            (wanted ?? PUBLIC_KEY_ALGORITHMS).filter((a) => PUBLIC_KEY_ALGORITHMS.includes(a)).join(", ") ||
            "none of them is a public-key algorithm"
          })`,
        );
      }
    }
    let jwks: JWTVerifyGetKey | undefined;
    if (jwksUrl) {
      let url: URL;
      try {
        url = new URL(jwksUrl);
      } catch {
        throw configError("JWT_JWKS_URL", `expected a URL, got ${JSON.stringify(jwksUrl)}`);
      }
      jwks = createRemoteJWKSet(url, {
        cooldownDuration: (options.jwksCooldownSeconds ?? 30) * 1000,
        cacheMaxAge: (options.jwksMaxAgeSeconds ?? 600) * 1000,
      });
    }
    const verifiable = (alg: string) =>
      keys.has(alg) || (jwks !== undefined && PUBLIC_KEY_ALGORITHMS.includes(alg));
    const all = [...HMAC_ALGORITHMS, ...PUBLIC_KEY_ALGORITHMS];
    const algorithms = wanted
      ? [...new Set([...(explicit ?? []), ...(optional ?? []).filter(verifiable)])]
      : all.filter(verifiable);
    for (const alg of explicit ?? []) {
      if (verifiable(alg)) continue;
      throw configError(
        algVar,
        HMAC_ALGORITHMS.includes(alg)
          ? `${alg} needs JWT_SECRET_KEY (a shared secret)`
          : `${alg} needs JWT_PUBLIC_KEY / JWT_PUBLIC_KEY_FILE / a PEM in JWT_SECRET_KEY (a key of that type) ` +
            `or JWT_JWKS_URL`,
      );
    }
    const leeway = options.leewaySeconds ?? 1;
    if (!Number.isFinite(leeway) || leeway < 0) {
      throw configError("JWT_LEEWAY", `expected a number of seconds >= 0, got ${leeway}`);
    }
    return new JwtAuthenticator(algorithms, keys, jwks, options);
  }

  /**
   * Verify a token; resolves with the user it names, rejects with {@linkcode TokenError}. A token
   * verified in the last `verifiedCacheSeconds` is not verified again (its expiry still is).
   */
  async verify(token: string): Promise<UserIdentity> {
    const now = this.#now();
    const seen = this.#verified.get(token);
    if (seen && now < seen.recheckAt) {
      if (now >= seen.until) throw new TokenError("expired", "Token has expired");
      if (now < seen.from) throw new TokenError("not_yet_valid", "Token is not yet valid");
      return seen.user;
    }
    const user = await this.#verify(token, now);
    if (this.#cacheMs > 0) {
      const claims = user.claims;
      const exp = typeof claims.exp === "number" ? claims.exp * 1000 + this.#leewayMs : Infinity;
      const nbf = typeof claims.nbf === "number" ? claims.nbf * 1000 - this.#leewayMs : -Infinity;
      this.#verified.delete(token);
      this.#verified.set(token, { user, from: nbf, until: exp, recheckAt: now + this.#cacheMs });
      if (this.#verified.size > VERIFIED_CACHE_SIZE) {
        this.#verified.delete(this.#verified.keys().next().value as string);
      }
    }
    return user;
  }

  async #verify(token: string, now: number): Promise<UserIdentity> {
    const keys = this.#keys;
    const jwks = this.#jwks;
    // Called by jose only after it checked `alg` against the accepted list.
    const getKey: JWTVerifyGetKey = (header, jws) => {
      const asymmetric = PUBLIC_KEY_ALGORITHMS.includes(header.alg);
      // A `kid` names a key of the JWKS; without one, the configured PEM key is meant.
      if (jwks && asymmetric && header.kid !== undefined) return jwks(header, jws);
      const key = keys.get(header.alg);
      if (key) return key;
      if (jwks && asymmetric) return jwks(header, jws);
      throw new TokenError("algorithm", "Token algorithm not allowed");
    };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, getKey, { ...this.#verifyOptions, currentDate: new Date(now) }));
    } catch (e) {
      throw tokenErrorFromJose(e, JWT_WORDING);
    }
    const user = userFromClaims(Object.freeze(payload));
    if (!user) throw new TokenError("no_user", "Token names no user (claims sub, user_id, uid or id)");
    return user;
  }

  async authenticate(req: Request): Promise<AuthOutcome> {
    const header = req.headers.get("authorization");
    try {
      // Like the reference: `Authorization: Bearer` first, else a `jwt_token` cookie.
      const m = header === null ? null : BEARER.exec(header);
      const token = m?.[1] ?? cookieValue(req.headers.get("cookie"), "jwt_token");
      if (token === undefined) {
        if (header !== null) {
          throw new TokenError("malformed", "Malformed Authorization header: expected 'Bearer <token>'");
        }
        throw new TokenError(
          "missing",
          "Missing bearer token (Authorization: Bearer <token>, or a jwt_token cookie)",
        );
      }
      return { ok: true, user: await this.verify(token), token };
    } catch (e) {
      const error = e instanceof TokenError ? e : new TokenError("malformed", "Invalid token");
      return { ok: false, response: unauthorized(error) };
    }
  }
}

/** The value of cookie `name` in a `Cookie` header (quotes removed), if present and non-empty. */
function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    return value === "" ? undefined : value;
  }
  return undefined;
}

/** How bearer JWT verification words jose's errors, over the shared wording. */
const JWT_WORDING: JoseErrorWording = {
  own: {
    "claim:iat": ["not_yet_valid", "Token was issued in the future"],
    ERR_JWKS_NO_MATCHING_KEY: ["bad_signature", "Token signed by an unknown key"],
    ERR_JOSE_NOT_SUPPORTED: ["algorithm", "Token algorithm not allowed"],
    ERR_JOSE_GENERIC: KEYS_UNAVAILABLE,
  },
  // A TypeError is the JWKS fetch failing; anything else, the token.
  otherwise: (e) => e instanceof TypeError ? KEYS_UNAVAILABLE : ["malformed", "Invalid token"],
};
