/**
 * Choosing the authenticator a configuration asks for: `server.auth: none` lets everyone in,
 * `server.auth: bearer` verifies JWTs with keys from the environment (`JWT_*`).
 *
 * @module
 */

import { type EnvSource, processEnv } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import { ConfigError, errorText } from "../errors.ts";
import type { JwtAuthOptions } from "./jwt.ts";
import { type Authenticator, noAuth } from "./types.ts";

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function seconds(env: EnvSource, name: string): number | undefined {
  const v = env(name);
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    throw new ConfigError(`expected a number of seconds >= 0, got ${JSON.stringify(v)}`, {
      file: "<environment>",
      path: name,
    });
  }
  return n;
}

/** The algorithms the reference accepts by default besides `JWT_ALGORITHM`. */
const REFERENCE_EXTRA_ALGORITHMS = ["HS384", "HS512"];

/**
 * Read the JWT settings from the environment: `JWT_SECRET_KEY`, `JWT_PUBLIC_KEY` (PEM text) or
 * `JWT_PUBLIC_KEY_FILE` (a PEM file), `JWT_JWKS_URL`, `JWT_ALGORITHM`, `JWT_ALLOWED_ALGORITHMS`
 * (comma list; beats `JWT_ALGORITHM`), `JWT_LEEWAY` (seconds), `JWT_AUDIENCE`, `JWT_ISSUER` (comma
 * lists), `JWT_JWKS_COOLDOWN` (seconds).
 *
 * As in the reference runtime: `JWT_ALGORITHM` alone accepts it plus HS384 and HS512 (so
 * `JWT_ALGORITHM=HS256` means HS256, HS384, HS512), each when a configured key can verify it; and a
 * PEM public key or certificate in `JWT_SECRET_KEY` is used as the public key (never as an HMAC
 * secret).
 *
 * @example
 * ```ts
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * import { jwtOptionsFromEnv } from "@chuk/mcp-runtime/auth";
 * const options = jwtOptionsFromEnv(envFromObject({ JWT_SECRET_KEY: "s3cret", JWT_LEEWAY: "5" }));
 * console.log(options.leewaySeconds); // 5
 * ```
 */
export function jwtOptionsFromEnv(env: EnvSource = processEnv): JwtAuthOptions {
  let publicKeyPem = env("JWT_PUBLIC_KEY") || undefined;
  let publicKeyVariable = "JWT_PUBLIC_KEY";
  const file = env("JWT_PUBLIC_KEY_FILE");
  if (!publicKeyPem && file) {
    try {
      publicKeyPem = Deno.readTextFileSync(file);
      publicKeyVariable = "JWT_PUBLIC_KEY_FILE";
    } catch (e) {
      throw new ConfigError(`cannot read ${file}: ${errorText(e)}`, {
        file: "<environment>",
        path: "JWT_PUBLIC_KEY_FILE",
      });
    }
  }
  let secret = env("JWT_SECRET_KEY") || undefined;
  if (secret && /-----BEGIN [A-Z ]+-----/.test(secret)) {
    // The reference hands JWT_SECRET_KEY to PyJWT, which takes a PEM public key there for RS*/ES*.
    if (/PRIVATE KEY/.test(secret)) {
      throw new ConfigError(
        "holds a private key; the server verifies tokens with the public key: put the public key " +
          "(-----BEGIN PUBLIC KEY-----) in JWT_SECRET_KEY or JWT_PUBLIC_KEY",
        { file: "<environment>", path: "JWT_SECRET_KEY" },
      );
    }
    if (publicKeyPem) {
      throw new ConfigError(
        `holds a PEM key, and ${publicKeyVariable} gives one too: set only one of them`,
        { file: "<environment>", path: "JWT_SECRET_KEY" },
      );
    }
    publicKeyPem = secret;
    publicKeyVariable = "JWT_SECRET_KEY";
    secret = undefined;
  }
  const allowed = list(env("JWT_ALLOWED_ALGORITHMS"));
  const single = allowed ? undefined : list(env("JWT_ALGORITHM"));
  return {
    secret,
    publicKeyPem,
    ...(publicKeyPem ? { publicKeyVariable } : {}),
    jwksUrl: env("JWT_JWKS_URL") || undefined,
    algorithms: allowed ?? single,
    ...(allowed || single
      ? { algorithmsVariable: allowed ? "JWT_ALLOWED_ALGORITHMS" : "JWT_ALGORITHM" }
      : {}),
    ...(single ? { optionalAlgorithms: REFERENCE_EXTRA_ALGORITHMS.filter((a) => !single.includes(a)) } : {}),
    leewaySeconds: seconds(env, "JWT_LEEWAY"),
    audience: list(env("JWT_AUDIENCE")),
    issuer: list(env("JWT_ISSUER")),
    jwksCooldownSeconds: seconds(env, "JWT_JWKS_COOLDOWN"),
  };
}

/**
 * The authenticator `config.server.auth` asks for. `bearer` without a usable key is a
 * {@linkcode ConfigError} (exit code 2): there is no built-in default secret. Only the HTTP
 * transports use it; stdio is a local pipe and never authenticates, so a stdio server gets
 * {@linkcode noAuth} whatever `server.auth` says (loading the config warns about it).
 *
 * @example
 * ```ts
 * import { createAuthenticator } from "@chuk/mcp-runtime/auth";
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ server: { type: "streamable-http", auth: "bearer" } }, "inline");
 * const auth = await createAuthenticator(config, envFromObject({ JWT_SECRET_KEY: "dev-secret" }));
 * console.log(auth.scheme); // "bearer"
 * ```
 */
export async function createAuthenticator(
  config: RuntimeConfig,
  env: EnvSource = processEnv,
  configLabel = "<config>",
): Promise<Authenticator> {
  if (config.server.auth !== "bearer" || config.server.type === "stdio") return noAuth;
  const options = jwtOptionsFromEnv(env);
  if (!options.secret && !options.publicKeyPem && !options.jwksUrl) {
    throw new ConfigError(
      "'bearer' needs a key to verify tokens, and there is no default: set JWT_SECRET_KEY (HS256/384/512), " +
        "JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE (PEM, for RS*/PS*/ES*/EdDSA) or JWT_JWKS_URL",
      { file: configLabel, path: "server.auth" },
    );
  }
  // jose is loaded only for servers that verify tokens.
  const { JwtAuthenticator } = await import("./jwt.ts");
  return await JwtAuthenticator.create(options);
}
