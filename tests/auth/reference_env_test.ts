// The reference runtime's JWT environment keeps working: JWT_ALGORITHM alone keeps its default
// allow-list, a PEM public key in JWT_SECRET_KEY verifies RS*/ES* tokens (never as an HMAC
// secret), and the `jwt_token` cookie carries a token on HTTP.
import assert from "node:assert/strict";
import { exportJWK } from "jose";
import { ConfigError } from "../../mod.ts";
import { createAuthenticator, JwtAuthenticator, jwtOptionsFromEnv } from "../../src/auth/mod.ts";
import { envFromObject, validateConfig } from "../../src/config/mod.ts";
import { bearer, keyPair, SECRET, sign } from "./tokens.ts";

const fromEnv = (vars: Record<string, string>) =>
  JwtAuthenticator.create(jwtOptionsFromEnv(envFromObject(vars)));

async function accepts(auth: JwtAuthenticator, headers: Record<string, string>): Promise<boolean> {
  return (await auth.authenticate(new Request("http://127.0.0.1/mcp", { method: "POST", headers }))).ok;
}

Deno.test("JWT_ALGORITHM=HS256 alone keeps the reference's allow-list: HS256, HS384, HS512", async () => {
  const auth = await fromEnv({ JWT_SECRET_KEY: SECRET, JWT_ALGORITHM: "HS256" });
  assert.deepEqual(auth.algorithms, ["HS256", "HS384", "HS512"]);
  for (const alg of ["HS256", "HS384", "HS512"]) {
    assert.ok(await accepts(auth, bearer(await sign({ sub: "a" }, { alg }))), alg);
  }
  // The reference's list is JWT_ALGORITHM plus HS384 and HS512: HS512 alone does not add HS256.
  assert.deepEqual((await fromEnv({ JWT_SECRET_KEY: SECRET, JWT_ALGORITHM: "HS512" })).algorithms, [
    "HS512",
    "HS384",
  ]);
  // JWT_ALLOWED_ALGORITHMS still beats it, exactly.
  const exact = await fromEnv({
    JWT_SECRET_KEY: SECRET,
    JWT_ALGORITHM: "HS256",
    JWT_ALLOWED_ALGORITHMS: "HS256",
  });
  assert.deepEqual(exact.algorithms, ["HS256"]);
  assert.equal(await accepts(exact, bearer(await sign({ sub: "a" }, { alg: "HS384" }))), false);
  // An algorithm nothing can verify is named with the variable it came from.
  await assert.rejects(
    () => fromEnv({ JWT_SECRET_KEY: SECRET, JWT_ALGORITHM: "RS256" }),
    (e) => e instanceof ConfigError && /JWT_ALGORITHM: RS256 needs/.test(e.message),
  );
});

Deno.test("a PEM public key in JWT_SECRET_KEY verifies RS256 tokens, and is never an HMAC secret", async () => {
  const rsa = await keyPair("RS256");
  for (const pem of [rsa.pem, rsa.pem.replace(/\n/g, "\\n")]) {
    const auth = await fromEnv({ JWT_SECRET_KEY: pem, JWT_ALGORITHM: "RS256" });
    assert.deepEqual(auth.algorithms, ["RS256"], "HS384/HS512 have no secret, so they are not accepted");
    assert.ok(await accepts(auth, bearer(await sign({ sub: "a" }, { alg: "RS256", key: rsa.privateKey }))));
    // Algorithm confusion: an HS256 token "signed" with the PEM text as secret is refused.
    const forged = await sign({ sub: "admin" }, { alg: "HS256", key: rsa.pem });
    assert.equal(await accepts(auth, bearer(forged)), false);
  }
  // Without JWT_ALGORITHM: every algorithm the key fits.
  const ec = await keyPair("ES256");
  const auto = await fromEnv({ JWT_SECRET_KEY: ec.pem });
  assert.deepEqual(auto.algorithms, ["ES256"]);
  assert.ok(await accepts(auto, bearer(await sign({ sub: "a" }, { alg: "ES256", key: ec.privateKey }))));
});

Deno.test("a PKCS#1 'RSA PUBLIC KEY' PEM (as PyJWT takes it) works too", async () => {
  const rsa = await keyPair("RS256");
  // Build the PKCS#1 form from the key's modulus and exponent (DER: SEQUENCE { n, e }).
  const jwk = await exportJWK(rsa.publicKey);
  const b64u = (s: string) =>
    Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const len = (n: number) => n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const int = (b: Uint8Array) => {
    const v = b[0] & 0x80 ? [0, ...b] : [...b];
    return [0x02, ...len(v.length), ...v];
  };
  const body = [...int(b64u(jwk.n!)), ...int(b64u(jwk.e!))];
  const der = Uint8Array.from([0x30, ...len(body.length), ...body]);
  const pem = `-----BEGIN RSA PUBLIC KEY-----\n${
    btoa(String.fromCharCode(...der))
  }\n-----END RSA PUBLIC KEY-----`;
  const auth = await fromEnv({ JWT_SECRET_KEY: pem, JWT_ALGORITHM: "RS256" });
  assert.ok(await accepts(auth, bearer(await sign({ sub: "a" }, { alg: "RS256", key: rsa.privateKey }))));
});

Deno.test("JWT_SECRET_KEY: a private key, or a PEM next to JWT_PUBLIC_KEY, is a clear error", async () => {
  assert.throws(
    () =>
      jwtOptionsFromEnv(
        envFromObject({ JWT_SECRET_KEY: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----" }),
      ),
    (e) => e instanceof ConfigError && /JWT_SECRET_KEY: holds a private key/.test(e.message),
  );
  const rsa = await keyPair("RS256");
  assert.throws(
    () => jwtOptionsFromEnv(envFromObject({ JWT_SECRET_KEY: rsa.pem, JWT_PUBLIC_KEY: rsa.pem })),
    (e) =>
      e instanceof ConfigError &&
      /JWT_SECRET_KEY: holds a PEM key, and JWT_PUBLIC_KEY gives one too/.test(e.message),
  );
});

Deno.test("the jwt_token cookie carries a token when there is no bearer header", async () => {
  const auth = await JwtAuthenticator.create({ secret: SECRET });
  const token = await sign({ sub: "cookie-user" });
  const r = await auth.authenticate(
    new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: { cookie: `theme=dark; jwt_token=${token}` },
    }),
  );
  assert.ok(r.ok && r.user?.id === "cookie-user");
  // Quoted, as some clients write it.
  assert.ok(await accepts(auth, { cookie: `jwt_token="${token}"` }));
  // A bad cookie token is refused like a bad header token; an Authorization: Bearer wins.
  assert.equal(await accepts(auth, { cookie: "jwt_token=forged.token.here" }), false);
  assert.equal(await accepts(auth, { ...bearer("not-a-jwt"), cookie: `jwt_token=${token}` }), false);
  // Another cookie name is no token.
  const none = await auth.authenticate(
    new Request("http://127.0.0.1/mcp", { headers: { cookie: `jwt=${token}` } }),
  );
  assert.equal(none.ok, false);
  if (!none.ok) assert.equal(none.response.headers.get("www-authenticate"), 'Bearer realm="mcp"');
});

Deno.test("stdio with auth: bearer needs no key: stdio is never authenticated", async () => {
  const config = validateConfig({ server: { type: "stdio", auth: "bearer" } }, "cfg.yaml");
  const auth = await createAuthenticator(config, envFromObject({}), "cfg.yaml");
  assert.equal(auth.scheme, "none");
});
