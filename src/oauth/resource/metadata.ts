/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the runtime: the document clients read
 * to find where to log in, the paths it is served at, and the `WWW-Authenticate` challenges that
 * point to it.
 *
 * @module
 */

import type { OAuthResourceConfig } from "../../config/types.ts";

/**
 * The well-known prefix of RFC 9728.
 *
 * @example
 * ```ts
 * import { PRM_PREFIX } from "./metadata.ts";
 * console.log(`${PRM_PREFIX}/mcp`); // "/.well-known/oauth-protected-resource/mcp"
 * ```
 */
export const PRM_PREFIX = "/.well-known/oauth-protected-resource";

/**
 * The path part of a resource URL as RFC 9728 §3.1 inserts it after the well-known prefix: the
 * path without a trailing slash, empty for the root.
 *
 * @example
 * ```ts
 * import { resourcePath } from "./metadata.ts";
 * resourcePath("https://mcp.example.com/mcp"); // "/mcp"
 * resourcePath("https://mcp.example.com/"); // ""
 * ```
 */
export function resourcePath(resource: string): string {
  const p = new URL(resource).pathname.replace(/\/+$/, "");
  return p === "/" ? "" : p;
}

/**
 * The metadata URL clients are sent to (`resource_metadata` in challenges): on the resource's own
 * origin, the well-known prefix followed by the resource's path.
 *
 * @example
 * ```ts
 * import { resourceMetadataUrl } from "./metadata.ts";
 * resourceMetadataUrl("https://mcp.example.com/mcp");
 * // "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
  return `${new URL(resource).origin}${PRM_PREFIX}${resourcePath(resource)}`;
}

/**
 * The metadata document.
 *
 * @example
 * ```ts
 * import { protectedResourceMetadata } from "./metadata.ts";
 * const doc = protectedResourceMetadata({
 *   resource: "https://mcp.example.com/mcp", authorization_servers: ["https://auth.example.com"],
 *   required_scopes: [], tool_scopes: {}, audiences: [], leeway_seconds: 30,
 * });
 * console.log(doc.bearer_methods_supported); // ["header"]
 * ```
 */
export function protectedResourceMetadata(config: OAuthResourceConfig): Record<string, unknown> {
  const scopes = config.scopes_supported ?? unionOfScopes(config);
  return {
    resource: config.resource,
    authorization_servers: config.authorization_servers,
    ...(scopes.length ? { scopes_supported: scopes } : {}),
    bearer_methods_supported: ["header"],
    ...(config.resource_name ? { resource_name: config.resource_name } : {}),
    ...(config.resource_documentation ? { resource_documentation: config.resource_documentation } : {}),
  };
}

/** Every scope the configuration names (required and per-tool), when none are listed explicitly. */
function unionOfScopes(config: OAuthResourceConfig): string[] {
  return [...new Set([...config.required_scopes, ...Object.values(config.tool_scopes).flat()])];
}

/**
 * The paths the metadata is served at: the root form, the resource's path, and each local
 * endpoint path (`mcp_path`, the SSE paths) — behind a reverse proxy the public path and the
 * local one may differ.
 *
 * @example
 * ```ts
 * import { metadataPaths } from "./metadata.ts";
 * metadataPaths("https://mcp.example.com/api/mcp", ["/mcp"]);
 * // Set { "/.well-known/oauth-protected-resource", ".../api/mcp", ".../mcp" }
 * ```
 */
export function metadataPaths(resource: string, endpointPaths: string[]): Set<string> {
  const out = new Set<string>([PRM_PREFIX, `${PRM_PREFIX}${resourcePath(resource)}`]);
  for (const p of endpointPaths) {
    const trimmed = p.replace(/\/+$/, "");
    if (trimmed) out.add(`${PRM_PREFIX}${trimmed}`);
  }
  return out;
}

/** Quote a challenge parameter value (RFC 9110 quoted-string; our values never need escapes beyond these). */
function quoted(v: string): string {
  return `"${v.replace(/["\\\r\n]/g, "")}"`;
}

/**
 * A `WWW-Authenticate: Bearer …` value (RFC 6750 §3, RFC 9728 §5.1).
 *
 * @example
 * ```ts
 * import { bearerChallenge } from "./metadata.ts";
 * bearerChallenge({ resourceMetadata: "https://x/.well-known/oauth-protected-resource", scope: ["a"] });
 * // 'Bearer resource_metadata="https://x/.well-known/oauth-protected-resource", scope="a"'
 * ```
 */
export function bearerChallenge(params: {
  resourceMetadata: string;
  scope?: string[];
  error?: "invalid_token" | "insufficient_scope" | "invalid_request";
  description?: string;
}): string {
  const parts: string[] = [];
  if (params.error) parts.push(`error=${quoted(params.error)}`);
  if (params.description) parts.push(`error_description=${quoted(params.description)}`);
  if (params.scope?.length) parts.push(`scope=${quoted(params.scope.join(" "))}`);
  parts.push(`resource_metadata=${quoted(params.resourceMetadata)}`);
  return `Bearer ${parts.join(", ")}`;
}
