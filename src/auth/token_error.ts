/**
 * A refused token ({@linkcode TokenError}), and the one reading of `npm:jose`'s errors that every
 * token verifier shares (bearer JWTs in `jwt.ts`, OAuth access tokens in
 * `oauth/resource/verifier.ts`): each gives only the wording that is its own.
 *
 * @module
 */

/** Why a request was refused. */
export type TokenFailure =
  | "missing"
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "bad_signature"
  | "algorithm"
  | "claims"
  | "no_user"
  | "key_unavailable";

/**
 * A token that does not authenticate its bearer. `reason` says which check failed.
 *
 * @example
 * ```ts
 * import { TokenError } from "@chuk/mcp-runtime/auth";
 * const e = new TokenError("expired", "Token has expired");
 * console.log(e.reason); // "expired"
 * ```
 */
export class TokenError extends Error {
  /** A refusal: `reason` is which check failed, `message` what the client is told. */
  constructor(
    /** Which check failed. */
    readonly reason: TokenFailure,
    message: string,
  ) {
    super(message);
    this.name = "TokenError";
  }
}

/** A refusal as a verifier words it: which check failed, and what the client is told. */
export type TokenRefusal = readonly [reason: TokenFailure, message: string];

/** The keys to check a token with could not be had (JWKS fetch failed or timed out). */
export const KEYS_UNAVAILABLE: TokenRefusal = ["key_unavailable", "Token keys are unavailable (JWKS)"];

/** How one verifier reads jose's errors, over the shared reading. */
export interface JoseErrorWording {
  /** Its own refusals, by jose error `code`, or by `claim:<name>` for a claim jose rejected. */
  readonly own?: Readonly<Record<string, TokenRefusal>>;
  /** The refusal for an error neither its own entries nor the shared ones name. */
  otherwise(error: unknown): TokenRefusal;
}

const CLAIM_FAILED = "ERR_JWT_CLAIM_VALIDATION_FAILED";
const MALFORMED: TokenRefusal = ["malformed", "Malformed token"];
const BAD_SIGNATURE: TokenRefusal = ["bad_signature", "Token signature is invalid"];
const NOT_YET_VALID: TokenRefusal = ["not_yet_valid", "Token is not yet valid"];

/** The refusals every verifier words alike. */
const SHARED: Readonly<Record<string, TokenRefusal>> = {
  ERR_JWT_EXPIRED: ["expired", "Token has expired"],
  "claim:nbf": NOT_YET_VALID,
  "claim:iat": NOT_YET_VALID,
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: BAD_SIGNATURE,
  ERR_JWKS_NO_MATCHING_KEY: BAD_SIGNATURE,
  ERR_JOSE_ALG_NOT_ALLOWED: ["algorithm", "Token algorithm not allowed"],
  ERR_JWKS_TIMEOUT: KEYS_UNAVAILABLE,
  ERR_JWS_INVALID: MALFORMED,
  ERR_JWT_INVALID: MALFORMED,
};

function entry(table: Readonly<Record<string, TokenRefusal>> | undefined, key: string) {
  // An own property only: the key comes from the error (a claim name, a code).
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * The {@linkcode TokenError} for what `jwtVerify` (or a JWKS lookup) threw: the verifier's own
 * wording first, then the shared one, then its `otherwise`. A `TokenError` passes as it is.
 *
 * @example
 * ```ts
 * import { errors } from "jose";
 * import { KEYS_UNAVAILABLE, tokenErrorFromJose } from "./token_error.ts";
 * const e = tokenErrorFromJose(new errors.JWTExpired("late", {}), { otherwise: () => KEYS_UNAVAILABLE });
 * console.log(e.reason, e.message); // "expired" "Token has expired"
 * ```
 */
export function tokenErrorFromJose(error: unknown, wording: JoseErrorWording): TokenError {
  if (error instanceof TokenError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  let refusal: TokenRefusal | undefined;
  if (code === CLAIM_FAILED) {
    const claim = (error as { claim?: unknown }).claim;
    const key = `claim:${claim}`;
    refusal = entry(wording.own, key) ?? entry(SHARED, key) ??
      ["claims", `Token claim '${claim ?? "?"}' is not accepted`];
  } else if (typeof code === "string") {
    refusal = entry(wording.own, code) ?? entry(SHARED, code);
  }
  const [reason, message] = refusal ?? wording.otherwise(error);
  return new TokenError(reason, message);
}
