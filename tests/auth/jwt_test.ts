import assert from "node:assert/strict";
import { exportJWK } from "jose";
import { ConfigError, validateConfig } from "../../mod.ts";
import {
  createAuthenticator,
  JwtAuthenticator,
  jwtOptionsFromEnv,
  userFromClaims,
} from "../../src/auth/mod.ts";
import { envFromObject } from "../../src/config/mod.ts";
import { bearer, keyPair, now, SECRET, sign, unsignedToken } from "./tokens.ts";

const URL_ = "http://127.0.0.1/mcp";

async function outcome(auth: JwtAuthenticator, headers: Record<string, string>) {
  const r = await auth.authenticate(new Request(URL_, { method: "POST", headers }));
  if (r.ok) return { ok: true as const, user: r.user };
  return {
    ok: false as const,
    status: r.response.status,
    challenge: r.response.headers.get("www-authenticate") ?? "",
    body: await r.response.json(),
  };
}

async function refused(auth: JwtAuthenticator, headers: Record<string, string>, description: RegExp) {
  const r = await outcome(auth, headers);
  assert.equal(r.ok, false, `expected a refusal for ${JSON.stringify(headers)}`);
  if (r.ok) return;
  assert.equal(r.status, 401);
  assert.match(r.challenge, /^Bearer error="invalid_token"/);
  assert.equal(r.body.error, "invalid_token");
  assert.match(r.body.error_description, description);
}

Deno.test("jwt: every bad-token class is a 401 with a Bearer challenge", async () => {
  const auth = await JwtAuthenticator.create({ secret: SECRET, leewaySeconds: 0 });
  const rsa = await keyPair("RS256");

  const missing = await outcome(auth, {});
  assert.equal(missing.ok, false);
  if (!missing.ok) {
    assert.equal(missing.status, 401);
    assert.equal(missing.challenge, 'Bearer realm="mcp"');
    assert.match(missing.body.error_description, /Missing bearer token/);
  }
  await refused(auth, { authorization: "Basic dXNlcjpwdw==" }, /Malformed Authorization header/);
  await refused(auth, { authorization: "Bearer" }, /Malformed Authorization header/);
  await refused(auth, bearer("not-a-jwt"), /Malformed token/);
  await refused(auth, bearer("a.b.c"), /Malformed token/);
  await refused(auth, bearer(await sign({ sub: "a", exp: now() - 60 }, { exp: null })), /expired/);
  await refused(auth, bearer(await sign({ sub: "a", nbf: now() + 600 })), /not yet valid/);
  await refused(
    auth,
    bearer(await sign({ sub: "a" }, { key: "another-secret-entirely-0123456789" })),
    /signature/,
  );
  // A signature made with a different algorithm than the header claims is just a bad signature.
  const hs256 = await sign({ sub: "a" });
  const [h, p] = hs256.split(".");
  const hs384 = await sign({ sub: "a" }, { alg: "HS384" });
  await refused(auth, bearer(`${h}.${p}.${hs384.split(".")[2]}`), /signature/);
  // Algorithms without a key here, and unsigned tokens, are refused before any key is looked at.
  await refused(auth, bearer(await sign({ sub: "a" }, { alg: "RS256", key: rsa.privateKey })), /algorithm/);
  await refused(auth, bearer(unsignedToken({ sub: "admin", exp: now() + 600 })), /algorithm/);
  // Valid signature, but no user id claim at all.
  await refused(auth, bearer(await sign({ role: "admin" })), /no user/);
});

Deno.test("jwt: HS256/384/512 tokens are accepted with the secret", async () => {
  const auth = await JwtAuthenticator.create({ secret: SECRET });
  assert.deepEqual(auth.algorithms, ["HS256", "HS384", "HS512"]);
  for (const alg of ["HS256", "HS384", "HS512"]) {
    const r = await outcome(auth, bearer(await sign({ sub: `u-${alg}` }, { alg })));
    assert.ok(r.ok, alg);
    assert.equal(r.ok && r.user?.id, `u-${alg}`);
  }
});

Deno.test("jwt: RS256, PS256, ES256 and EdDSA tokens verify with a PEM public key", async () => {
  for (const alg of ["RS256", "PS256", "ES256", "EdDSA"]) {
    const k = await keyPair(alg);
    const auth = await JwtAuthenticator.create({ publicKeyPem: k.pem });
    assert.ok(auth.algorithms.includes(alg), `${alg} in ${auth.algorithms}`);
    assert.ok(!auth.algorithms.some((a) => a.startsWith("HS")), "no HMAC without a secret");
    const r = await outcome(auth, bearer(await sign({ sub: `u-${alg}` }, { alg, key: k.privateKey })));
    assert.ok(r.ok, alg);
    assert.equal(r.ok && r.user?.id, `u-${alg}`);
    // A token signed by another key of the same kind is refused.
    const other = await keyPair(alg);
    await refused(auth, bearer(await sign({ sub: "x" }, { alg, key: other.privateKey })), /signature/);
  }
  // PEM given through an environment variable with literal \n sequences still works.
  const ec = await keyPair("ES256");
  const auth = await JwtAuthenticator.create(
    jwtOptionsFromEnv(
      envFromObject({ JWT_PUBLIC_KEY: ec.pem.replace(/\n/g, "\\n"), JWT_ALGORITHM: "ES256" }),
    ),
  );
  assert.deepEqual(auth.algorithms, ["ES256"]);
  assert.ok((await outcome(auth, bearer(await sign({ sub: "e" }, { alg: "ES256", key: ec.privateKey })))).ok);
});

Deno.test("jwt: a secret and a public key never cross (no HMAC-with-public-key confusion)", async () => {
  const k = await keyPair("RS256");
  const auth = await JwtAuthenticator.create({ secret: SECRET, publicKeyPem: k.pem });
  // HS256 signed with the PEM text as the secret: the classic confusion attack.
  await refused(auth, bearer(await sign({ sub: "evil" }, { key: k.pem })), /signature/);
  assert.ok((await outcome(auth, bearer(await sign({ sub: "ok" })))).ok);
  assert.ok((await outcome(auth, bearer(await sign({ sub: "ok" }, { alg: "RS256", key: k.privateKey })))).ok);
});

Deno.test("jwt: JWT_ALLOWED_ALGORITHMS narrows what is accepted", async () => {
  const auth = await JwtAuthenticator.create({ secret: SECRET, algorithms: ["HS512"] });
  await refused(auth, bearer(await sign({ sub: "a" })), /algorithm/);
  assert.ok((await outcome(auth, bearer(await sign({ sub: "a" }, { alg: "HS512" })))).ok);
});

Deno.test("jwt: user id comes from sub, user_id, uid, id (first present wins)", async () => {
  const auth = await JwtAuthenticator.create({ secret: SECRET });
  const cases: [Record<string, unknown>, string][] = [
    [{ sub: "s", user_id: "u", uid: "x", id: "i" }, "s"],
    [{ user_id: "u", uid: "x", id: "i" }, "u"],
    [{ uid: "x", id: "i" }, "x"],
    [{ id: "i" }, "i"],
    [{ sub: "", user_id: 42 }, "42"],
  ];
  for (const [claims, id] of cases) {
    const r = await outcome(auth, bearer(await sign(claims)));
    assert.ok(r.ok, JSON.stringify(claims));
    assert.equal(r.ok && r.user?.id, id, JSON.stringify(claims));
    assert.equal(r.ok && r.user?.claims.iat !== undefined, true, "claims are kept");
  }
  assert.equal(userFromClaims({ role: "x" }), undefined);
  assert.equal(userFromClaims({ sub: null, id: true }), undefined);
});

Deno.test("jwt: audience, issuer and leeway", async () => {
  const auth = await JwtAuthenticator.create({
    secret: SECRET,
    audience: ["mcp"],
    issuer: ["https://issuer.example"],
    leewaySeconds: 30,
  });
  const good = { sub: "a", aud: "mcp", iss: "https://issuer.example" };
  assert.ok((await outcome(auth, bearer(await sign(good)))).ok);
  await refused(auth, bearer(await sign({ ...good, aud: "other" })), /claim 'aud'/);
  await refused(auth, bearer(await sign({ ...good, iss: "https://evil.example" })), /claim 'iss'/);
  await refused(auth, bearer(await sign({ sub: "a" })), /claim/);
  // Expired 10 s ago, within 30 s of leeway: accepted. 60 s ago: refused.
  assert.ok((await outcome(auth, bearer(await sign({ ...good, exp: now() - 10 }, { exp: null })))).ok);
  await refused(auth, bearer(await sign({ ...good, exp: now() - 60 }, { exp: null })), /expired/);
});

Deno.test("jwt: JWKS is fetched once, cached, and fetched again for an unknown kid", async () => {
  const k1 = await keyPair("RS256");
  const k2 = await keyPair("ES256");
  const jwk1 = { ...(await exportJWK(k1.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const jwk2 = { ...(await exportJWK(k2.publicKey)), kid: "k2", alg: "ES256", use: "sig" };
  let keys = [jwk1];
  let fetches = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    fetches++;
    return Response.json({ keys });
  });
  try {
    const auth = await JwtAuthenticator.create({
      jwksUrl: `http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`,
      jwksCooldownSeconds: 0,
    });
    assert.equal(fetches, 0, "nothing is fetched before the first token");
    for (let i = 0; i < 5; i++) {
      const t = await sign({ sub: `a${i}` }, { alg: "RS256", key: k1.privateKey, kid: "k1" });
      const r = await outcome(auth, bearer(t));
      assert.ok(r.ok);
      assert.equal(r.ok && r.user?.id, `a${i}`);
    }
    assert.equal(fetches, 1, "the key set is cached");
    // Key rotation: a token with a kid the cached set lacks triggers one new fetch.
    keys = [jwk1, jwk2];
    const t2 = await sign({ sub: "b" }, { alg: "ES256", key: k2.privateKey, kid: "k2" });
    assert.ok((await outcome(auth, bearer(t2))).ok);
    assert.equal(fetches, 2);
    // A kid nobody publishes is refused.
    const stranger = await keyPair("RS256");
    await refused(
      auth,
      bearer(await sign({ sub: "c" }, { alg: "RS256", key: stranger.privateKey, kid: "k9" })),
      /unknown key/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("jwt: keys are imported once, never per request", async () => {
  const k = await keyPair("ES256");
  // No verified-token cache here: every call really verifies.
  const auth = await JwtAuthenticator.create({
    secret: SECRET,
    publicKeyPem: k.pem,
    verifiedCacheSeconds: 0,
  });
  const tokens = [await sign({ sub: "a" }), await sign({ sub: "b" }, { alg: "ES256", key: k.privateKey })];
  const subtle = crypto.subtle;
  const original = subtle.importKey;
  let imports = 0;
  subtle.importKey = function (...args: Parameters<SubtleCrypto["importKey"]>) {
    imports++;
    return original.apply(subtle, args);
  } as SubtleCrypto["importKey"];
  try {
    for (let i = 0; i < 50; i++) for (const t of tokens) assert.ok((await outcome(auth, bearer(t))).ok);
  } finally {
    subtle.importKey = original;
  }
  assert.equal(imports, 0);
});

Deno.test("jwt: a verified token is remembered for a while, but its expiry is still enforced", async () => {
  let clock = Date.now();
  const auth = await JwtAuthenticator.create({ secret: SECRET, leewaySeconds: 0, now: () => clock });
  const t = await sign({ sub: "a", exp: Math.floor(clock / 1000) + 120 }, { exp: null });
  const subtle = crypto.subtle;
  const original = subtle.verify;
  let verifications = 0;
  subtle.verify = function (...args: Parameters<SubtleCrypto["verify"]>) {
    verifications++;
    return original.apply(subtle, args);
  } as SubtleCrypto["verify"];
  try {
    for (let i = 0; i < 20; i++) assert.equal((await auth.verify(t)).id, "a");
    assert.equal(verifications, 1, "verified once, then remembered");
    clock += 61_000;
    await auth.verify(t);
    assert.equal(verifications, 2, "verified again after the cache window");
    clock += 60_000;
    await assert.rejects(() => auth.verify(t), /expired/);
  } finally {
    subtle.verify = original;
  }
  // A bad token is never remembered as good.
  const forged = t.slice(0, -4) + (t.endsWith("AAAA") ? "BBBB" : "AAAA");
  await assert.rejects(() => auth.verify(forged), /signature|Malformed/);
  assert.equal(Object.isFrozen((await auth.verify(await sign({ sub: "b" }))).claims), true);
});

Deno.test("jwt: configuration errors name what to fix", async () => {
  await assert.rejects(
    () => JwtAuthenticator.create({}),
    (e) => e instanceof ConfigError && /JWT_SECRET_KEY/.test(e.message),
  );
  await assert.rejects(
    () => JwtAuthenticator.create({ secret: SECRET, algorithms: ["none"] }),
    (e) => e instanceof ConfigError && /unsigned tokens are never accepted/.test(e.message),
  );
  await assert.rejects(
    () => JwtAuthenticator.create({ secret: SECRET, algorithms: ["HS256", "RS256"] }),
    (e) => e instanceof ConfigError && /RS256 needs JWT_PUBLIC_KEY/.test(e.message),
  );
  await assert.rejects(
    () => JwtAuthenticator.create({ publicKeyPem: "not a pem" }),
    (e) => e instanceof ConfigError && /JWT_PUBLIC_KEY/.test(e.message),
  );
  const ec = await keyPair("ES256");
  await assert.rejects(
    () => JwtAuthenticator.create({ publicKeyPem: ec.pem, algorithms: ["RS256"] }),
    (e) => e instanceof ConfigError && /cannot verify/.test(e.message),
  );
  assert.throws(
    () => jwtOptionsFromEnv(envFromObject({ JWT_LEEWAY: "soon" })),
    (e) => e instanceof ConfigError && /JWT_LEEWAY/.test(e.message),
  );
  const bearerConfig = validateConfig({ server: { type: "sse", auth: "bearer" } }, "cfg.yaml");
  await assert.rejects(
    () => createAuthenticator(bearerConfig, envFromObject({}), "cfg.yaml"),
    (e) =>
      e instanceof ConfigError && e.exitCode === 2 &&
      /cfg\.yaml: server\.auth: 'bearer' needs a key/.test(e.message),
  );
  const none = await createAuthenticator(validateConfig({}, "x"), envFromObject({ JWT_SECRET_KEY: "x" }));
  assert.equal(none.scheme, "none");
});
