/** Token and key helpers for the identity tests (real keys, generated per run). */

import { exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";

/** The HMAC secret the tests give servers. */
export const SECRET = "test-secret-that-is-long-enough-for-hs512-0123456789abcdef";

/** Sign `claims` with `key` (an HMAC secret string or a private CryptoKey). */
export async function sign(
  claims: JWTPayload,
  options: { key?: string | CryptoKey; alg?: string; kid?: string; exp?: string | number | null } = {},
): Promise<string> {
  const alg = options.alg ?? "HS256";
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, typ: "JWT", ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? "1h");
  const key = options.key ?? SECRET;
  return await jwt.sign(typeof key === "string" ? new TextEncoder().encode(key) : key);
}

/** A fresh key pair for `alg`, with the public key as PEM. */
export async function keyPair(
  alg: string,
): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; pem: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicKey, pem: await exportSPKI(publicKey) };
}

/** An unsigned token (`alg: none`), as an attacker would craft it. */
export function unsignedToken(claims: JWTPayload): string {
  const b64 = (o: unknown) =>
    btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
}

/** `{ authorization: "Bearer <token>" }`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Seconds since the epoch. */
export function now(): number {
  return Math.floor(Date.now() / 1000);
}
