/**
 * Mint a JWT for a server running with `server.auth: bearer` (development and tests; no Python
 * needed).
 *
 * ```sh
 * export JWT_SECRET_KEY=dev-secret
 * deno task token --sub alice --exp 1h
 * deno task token --sub bob --alg RS256 --private-key key.pem --kid k1 --claim role=admin
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { importPKCS8, type JWTPayload, SignJWT } from "jose";

const USAGE = `Usage: deno task token [options]

Prints a signed JWT on stdout.

Options:
  --sub ID            subject (the user id the server sees)          (default: dev-user)
  --exp SPAN          lifetime: 30s, 15m, 1h, 7d, ... or "none"       (default: 1h)
  --key SECRET        HMAC secret                                   (default: $JWT_SECRET_KEY)
  --alg ALG           HS256 | HS384 | HS512 | RS256 | ES256 | EdDSA ... (default: $JWT_ALGORITHM or HS256)
  --private-key FILE  PKCS#8 PEM private key, for RS*/PS*/ES*/EdDSA
  --kid ID            key id header (for JWKS)
  --aud AUD           audience claim
  --iss ISS           issuer claim
  --nbf SPAN          not valid before now + SPAN
  --claim K=V         extra claim (V parsed as JSON when it can be); repeatable
  -h, --help          this text
`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: "string" },
      exp: { type: "string" },
      key: { type: "string" },
      alg: { type: "string" },
      "private-key": { type: "string" },
      kid: { type: "string" },
      aud: { type: "string" },
      iss: { type: "string" },
      nbf: { type: "string" },
      claim: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const alg = values.alg ?? Deno.env.get("JWT_ALGORITHM") ?? "HS256";
  const claims: JWTPayload = {};
  for (const c of values.claim ?? []) {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new Error(`--claim: expected K=V, got '${c}'`);
    const raw = c.slice(eq + 1);
    try {
      claims[c.slice(0, eq)] = JSON.parse(raw);
    } catch {
      claims[c.slice(0, eq)] = raw;
    }
  }
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, typ: "JWT", ...(values.kid ? { kid: values.kid } : {}) })
    .setSubject(values.sub ?? "dev-user")
    .setIssuedAt();
  const exp = values.exp ?? "1h";
  if (exp !== "none") jwt.setExpirationTime(/^\d+$/.test(exp) ? `${exp}s` : exp);
  if (values.nbf) jwt.setNotBefore(/^\d+$/.test(values.nbf) ? `${values.nbf}s` : values.nbf);
  if (values.aud) jwt.setAudience(values.aud);
  if (values.iss) jwt.setIssuer(values.iss);

  let key: CryptoKey | Uint8Array;
  if (alg.startsWith("HS")) {
    const secret = values.key ?? Deno.env.get("JWT_SECRET_KEY");
    if (!secret) throw new Error("no secret: pass --key or set JWT_SECRET_KEY");
    key = new TextEncoder().encode(secret);
  } else {
    if (!values["private-key"]) throw new Error(`--alg ${alg} needs --private-key FILE (PKCS#8 PEM)`);
    key = await importPKCS8(await Deno.readTextFile(values["private-key"]), alg);
  }
  console.log(await jwt.sign(key));
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}\n\n${USAGE}`);
    Deno.exit(2);
  }
}
