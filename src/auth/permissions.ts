/**
 * The grants of bearer-token authentication.
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import { type PlanContext, urlHost } from "../permissions/plan.ts";

/**
 * Bearer authentication (`server.auth: bearer`, HTTP transports): `jwtOptionsFromEnv` reads all of
 * these on every start; the public key file and the JWKS host when they are set.
 */
export function authGrants({ config, env, plan }: PlanContext): void {
  if (config.server.auth !== "bearer" || config.server.type === "stdio") return;
  plan.env(
    [
      "JWT_PUBLIC_KEY",
      "JWT_PUBLIC_KEY_FILE",
      "JWT_SECRET_KEY",
      "JWT_JWKS_URL",
      "JWT_ALLOWED_ALGORITHMS",
      "JWT_ALGORITHM",
      "JWT_LEEWAY",
      "JWT_AUDIENCE",
      "JWT_ISSUER",
      "JWT_JWKS_COOLDOWN",
    ],
    "bearer token verification settings",
  );
  const file = env("JWT_PUBLIC_KEY");
  const keyFile = env("JWT_PUBLIC_KEY_FILE");
  if (!file && keyFile) plan.add("read", resolvePath(keyFile), "public key file (JWT_PUBLIC_KEY_FILE)");
  const jwks = env("JWT_JWKS_URL");
  if (jwks && URL.canParse(jwks)) plan.add("net", urlHost(new URL(jwks)), "JWKS endpoint (JWT_JWKS_URL)");
}
