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

/**
 * Read the JWT settings from the environment: `JWT_SECRET_KEY`, `JWT_PUBLIC_KEY` (PEM text) or
 * `JWT_PUBLIC_KEY_FILE` (a PEM file), `JWT_JWKS_URL`, `JWT_ALGORITHM`, `JWT_ALLOWED_ALGORITHMS`
 * (comma list; beats `JWT_ALGORITHM`), `JWT_LEEWAY` (seconds), `JWT_AUDIENCE`, `JWT_ISSUER` (comma
 * lists), `JWT_JWKS_COOLDOWN` (seconds).
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
  const file = env("JWT_PUBLIC_KEY_FILE");
  if (!publicKeyPem && file) {
    try {
      publicKeyPem = Deno.readTextFileSync(file);
    } catch (e) {
      throw new ConfigError(`cannot read ${file}: ${errorText(e)}`, {
        file: "<environment>",
        path: "JWT_PUBLIC_KEY_FILE",
      });
    }
  }
  return {
    secret: env("JWT_SECRET_KEY") || undefined,
    publicKeyPem,
    jwksUrl: env("JWT_JWKS_URL") || undefined,
    algorithms: list(env("JWT_ALLOWED_ALGORITHMS")) ?? list(env("JWT_ALGORITHM")),
    leewaySeconds: seconds(env, "JWT_LEEWAY"),
    audience: list(env("JWT_AUDIENCE")),
    issuer: list(env("JWT_ISSUER")),
    jwksCooldownSeconds: seconds(env, "JWT_JWKS_COOLDOWN"),
  };
}

/**
 * The authenticator `config.server.auth` asks for. `bearer` without a usable key is a
 * {@linkcode ConfigError} (exit code 2): there is no built-in default secret. Only the HTTP
 * transports use it; stdio is a local pipe and never authenticates.
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
  if (config.server.auth !== "bearer") return noAuth;
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
