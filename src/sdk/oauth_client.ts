/**
 * The MCP SDK's OAuth client (the v2 package `@modelcontextprotocol/client`): discovery (RFC 9728,
 * RFC 8414 with the issuer checks), registration (Client ID Metadata Documents, dynamic
 * registration, pre-registered clients), authorization code + PKCE with the `resource` parameter,
 * the `iss` check of RFC 9207, refresh, and scope step-up on `403 insufficient_scope`. The v1 SDK
 * the proxy's `Client` comes from lacks the issuer checks, so the HTTP transports of OAuth
 * upstreams come from here; their wire is the same (the v1 `Client` drives them unchanged).
 *
 * Loaded only by upstreams with `oauth:` (see `src/oauth/client/`).
 *
 * @module
 */

import {
  SSEClientTransport as SseV2,
  StreamableHTTPClientTransport as StreamableV2,
} from "@modelcontextprotocol/client";
import type { Transport } from "./server.ts";

export {
  auth,
  createPrivateKeyJwtAuth,
  InsufficientScopeError,
  OAuthError,
  SdkError,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
export type {
  AddClientAuthentication,
  FetchLike,
  OAuthClientInformationContext,
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";

import type { FetchLike, OAuthClientProvider } from "@modelcontextprotocol/client";

/** How to reach an OAuth-protected upstream. */
export interface AuthorizedTransportOptions {
  /** The login of this connection: tokens, registration, the browser step. */
  provider: OAuthClientProvider;
  /** Extra headers (never `Authorization`: the provider sets it). */
  headers: Record<string, string>;
  /** The fetch used for the MCP requests and the OAuth requests. */
  fetch: FetchLike;
  /** Step-up re-authorizations one request may make before it fails (default 2). */
  maxStepUpRetries?: number;
}

/**
 * A client transport that carries the provider's bearer token and runs the SDK's OAuth flow on
 * 401 and on `403 insufficient_scope`. When the flow needs a browser it throws
 * `UnauthorizedError` (the provider has been shown the authorization URL; see
 * `src/oauth/client/provider.ts`).
 *
 * @example
 * ```ts
 * import { createAuthorizedTransport } from "./oauth_client.ts";
 * declare const provider: import("./oauth_client.ts").OAuthClientProvider;
 * const transport = createAuthorizedTransport("streamable-http", new URL("https://mcp.example.com/mcp"), {
 *   provider, headers: {}, fetch,
 * });
 * ```
 */
export function createAuthorizedTransport(
  kind: "sse" | "streamable-http",
  url: URL,
  options: AuthorizedTransportOptions,
): Transport {
  const requestInit = { headers: options.headers };
  if (kind === "sse") {
    return new SseV2(url, {
      authProvider: options.provider,
      requestInit,
      fetch: options.fetch,
    }) as unknown as Transport;
  }
  return new StreamableV2(url, {
    authProvider: options.provider,
    requestInit,
    fetch: options.fetch,
    maxStepUpRetries: options.maxStepUpRetries ?? 2,
  }) as unknown as Transport;
}
