/**
 * The grants of OAuth, both ways.
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import { type PlanContext, urlHost } from "../permissions/plan.ts";

/**
 * Inbound (`oauth:`, HTTP transports): the authorization servers (metadata discovery; their
 * `jwks_uri` is assumed on the same host — else set `oauth.jwks_url`), the JWKS and introspection
 * hosts. Outbound (`mcp_servers.<name>.oauth`, with the proxy): `TOKEN_ENCRYPTION_KEY`, the listed
 * authorization servers, the loopback redirect listener, a `private_key_file`.
 *
 * @example
 * ```ts
 * import { oauthGrants } from "./permissions.ts";
 * import { PermissionPlan } from "../permissions/plan.ts";
 * import { validateConfig } from "../config/validate.ts";
 * const config = validateConfig({
 *   server: { type: "streamable-http" },
 *   oauth: { resource: "https://mcp.example.com/mcp", authorization_servers: ["https://auth.example.com"] },
 * }, "inline");
 * const plan = new PermissionPlan(true);
 * oauthGrants({ config, baseDir: ".", cwd: ".", env: () => undefined, options: {}, plan });
 * console.log(plan.grants[0].value); // "auth.example.com:443"
 * ```
 */
export function oauthGrants({ config, baseDir, plan }: PlanContext): void {
  const inbound = config.oauth;
  if (inbound && config.server.type !== "stdio") {
    for (const as of inbound.authorization_servers) {
      plan.add("net", urlHost(new URL(as)), "OAuth authorization server (metadata, keys)");
    }
    if (inbound.jwks_url) {
      plan.add("net", urlHost(new URL(inbound.jwks_url)), "OAuth token signing keys (oauth.jwks_url)");
    }
    if (inbound.introspection?.url) {
      plan.add(
        "net",
        urlHost(new URL(inbound.introspection.url)),
        "OAuth token introspection (oauth.introspection.url)",
      );
    }
  }
  if (!config.proxy.enabled) return;
  for (const [name, entry] of Object.entries(config.mcp_servers)) {
    const o = entry.oauth;
    // The configuration allows oauth only on remote entries (url, not stdio).
    if (!entry.enabled || !o || !entry.url || entry.type === "stdio") continue;
    plan.add("env", "TOKEN_ENCRYPTION_KEY", "encryption of stored OAuth tokens");
    for (const as of o.authorization_servers) {
      plan.add("net", urlHost(new URL(as)), `OAuth authorization server of upstream ${name}`);
    }
    if (o.grant === "authorization_code") {
      plan.add(
        "net",
        urlHost(new URL(o.redirect_uri)),
        `OAuth redirect listener of upstream ${name} (loopback)`,
      );
    }
    if (o.private_key_file && !o.private_key) {
      plan.add("read", resolvePath(baseDir, o.private_key_file), `private_key_jwt key of upstream ${name}`);
    }
  }
}
