/**
 * Authentication of HTTP callers: the seam (`Authenticator`) and bearer JWTs (HMAC, public keys,
 * JWKS).
 *
 * @example
 * ```ts
 * import { JwtAuthenticator } from "@chuk/mcp-runtime/auth";
 * const auth = await JwtAuthenticator.create({ secret: "a-long-shared-secret-of-32-bytes!" });
 * ```
 *
 * @module
 */

export { noAuth } from "./types.ts";
export type { Authenticator, AuthOutcome, UserIdentity } from "./types.ts";
export {
  HMAC_ALGORITHMS,
  JwtAuthenticator,
  PUBLIC_KEY_ALGORITHMS,
  USER_ID_CLAIMS,
  userFromClaims,
} from "./jwt.ts";
export type { JwtAuthOptions } from "./jwt.ts";
export { TokenError } from "./token_error.ts";
export type { TokenFailure } from "./token_error.ts";
export { createAuthenticator, jwtOptionsFromEnv } from "./config.ts";
