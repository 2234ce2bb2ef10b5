// The one reading of jose's errors both token verifiers share (`auth/jwt.ts`, `oauth/resource/
// verifier.ts`): real jose error objects become a `TokenError` with the shared wording, each
// verifier's own entries (by code, or by rejected claim) win over it, and anything jose does not
// name is what the verifier says it is.
import assert from "node:assert/strict";
import { errors } from "jose";
import { KEYS_UNAVAILABLE, TokenError, tokenErrorFromJose } from "../../src/auth/token_error.ts";

const claim = (name?: string) => new errors.JWTClaimValidationFailed("rejected", {}, name);

function refusal(e: unknown, own: Parameters<typeof tokenErrorFromJose>[1]["own"] = {}) {
  const t = tokenErrorFromJose(e, { own, otherwise: () => ["malformed", "something else"] });
  assert.ok(t instanceof TokenError);
  return [t.reason, t.message];
}

Deno.test("jose errors: the shared wording", () => {
  assert.deepEqual(refusal(new errors.JWTExpired("late", {})), ["expired", "Token has expired"]);
  assert.deepEqual(refusal(claim("nbf")), ["not_yet_valid", "Token is not yet valid"]);
  assert.deepEqual(refusal(claim("iat")), ["not_yet_valid", "Token is not yet valid"]);
  assert.deepEqual(refusal(claim("iss")), ["claims", "Token claim 'iss' is not accepted"]);
  assert.deepEqual(refusal(claim()), ["claims", "Token claim 'unspecified' is not accepted"]);
  assert.deepEqual(refusal({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED" }), [
    "claims",
    "Token claim '?' is not accepted",
  ]);
  assert.deepEqual(refusal(new errors.JWSSignatureVerificationFailed()), [
    "bad_signature",
    "Token signature is invalid",
  ]);
  assert.deepEqual(refusal(new errors.JWKSNoMatchingKey()), ["bad_signature", "Token signature is invalid"]);
  assert.deepEqual(refusal(new errors.JOSEAlgNotAllowed()), ["algorithm", "Token algorithm not allowed"]);
  assert.deepEqual(refusal(new errors.JWKSTimeout()), [...KEYS_UNAVAILABLE]);
  assert.deepEqual(refusal(new errors.JWSInvalid()), ["malformed", "Malformed token"]);
  assert.deepEqual(refusal(new errors.JWTInvalid()), ["malformed", "Malformed token"]);
});

Deno.test("jose errors: a verifier's own entries win, by code or by claim; the rest is its own call", () => {
  const own = {
    "claim:aud": ["claims", "not for this resource"],
    ERR_JWKS_NO_MATCHING_KEY: ["bad_signature", "unknown key"],
  } as const;
  assert.deepEqual(refusal(claim("aud"), own), ["claims", "not for this resource"]);
  assert.deepEqual(refusal(new errors.JWKSNoMatchingKey(), own), ["bad_signature", "unknown key"]);
  assert.deepEqual(refusal(claim("nbf"), own), ["not_yet_valid", "Token is not yet valid"]);
  // Not named by jose, or named by it and by no table: the verifier decides.
  assert.deepEqual(refusal(new errors.JOSENotSupported()), ["malformed", "something else"]);
  assert.deepEqual(refusal(new Error("boom")), ["malformed", "something else"]);
  assert.deepEqual(refusal(null), ["malformed", "something else"]);
  const seen: unknown[] = [];
  const failed = new TypeError("fetch failed");
  tokenErrorFromJose(failed, { otherwise: (e) => (seen.push(e), KEYS_UNAVAILABLE) });
  assert.deepEqual(seen, [failed]);
  // A claim name is looked up as data: an inherited property name is no entry.
  assert.deepEqual(refusal(Object.assign(new Error("x"), { code: "constructor" })), [
    "malformed",
    "something else",
  ]);
  assert.deepEqual(refusal(claim("__proto__")), ["claims", "Token claim '__proto__' is not accepted"]);
});

Deno.test("jose errors: a TokenError passes through as it is", () => {
  const mine = new TokenError("no_user", "Token names no user");
  assert.equal(tokenErrorFromJose(mine, { otherwise: () => KEYS_UNAVAILABLE }), mine);
});
