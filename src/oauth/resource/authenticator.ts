/**
 * The runtime as an OAuth 2.1 protected resource (`oauth:` section): it serves its metadata at
 * `/.well-known/oauth-protected-resource[/<path>]` without credentials, answers a request without
 * a usable token with 401 and a challenge naming that metadata (and the scopes it needs), and
 * refuses a `tools/call` whose token lacks the tool's scopes with 403 `insufficient_scope`, so
 * clients can step up.
 *
 * @module
 */

import { TokenError } from "../../auth/token_error.ts";
import type { Authenticator, AuthOutcome } from "../../auth/types.ts";
import { CALL_TOOL_NAME } from "../../config/schema.ts";
import type { OAuthResourceConfig, RuntimeConfig } from "../../config/types.ts";
import type { UserIdentity } from "../../auth/types.ts";
import {
  bearerChallenge,
  metadataPaths,
  protectedResourceMetadata,
  resourceMetadataUrl,
} from "./metadata.ts";
import { ResourceTokenVerifier, scopesOf } from "./verifier.ts";

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i;

/**
 * Whether `name` matches a tool pattern: `*` stands for any run of characters (dots and slashes
 * included), everything else is literal.
 *
 * @example
 * ```ts
 * import { matchesToolPattern } from "./authenticator.ts";
 * matchesToolPattern("proxy.github.*", "proxy.github.create_issue"); // true
 * matchesToolPattern("admin_*", "greet"); // false
 * ```
 */
export function matchesToolPattern(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`,
  );
  return re.test(name);
}

/**
 * The scopes a tool needs: every `tool_scopes` pattern that matches contributes its scopes.
 *
 * @example
 * ```ts
 * import { scopesForTool } from "./authenticator.ts";
 * scopesForTool({ "admin_*": ["mcp:admin"], "*": ["mcp:tools"] }, "admin_reset"); // ["mcp:admin", "mcp:tools"]
 * ```
 */
export function scopesForTool(toolScopes: Record<string, string[]>, name: string): string[] {
  const out = new Set<string>();
  for (const [pattern, scopes] of Object.entries(toolScopes)) {
    if (matchesToolPattern(pattern, name)) { for (const s of scopes) out.add(s); }
  }
  return [...out];
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/**
 * The `oauth:` authenticator.
 *
 * @example
 * ```ts
 * import { OAuthResourceAuthenticator } from "./authenticator.ts";
 * import { validateConfig } from "../../config/validate.ts";
 * const config = validateConfig({
 *   server: { type: "streamable-http" },
 *   oauth: { resource: "http://127.0.0.1:3000/mcp", authorization_servers: ["http://127.0.0.1:9000"] },
 * }, "inline");
 * const auth = new OAuthResourceAuthenticator(config);
 * const res = await auth.authenticate(new Request("http://127.0.0.1:3000/mcp"));
 * console.log(res.ok); // false: 401 with a challenge
 * ```
 */
export class OAuthResourceAuthenticator implements Authenticator {
  readonly scheme = "oauth";
  readonly #config: OAuthResourceConfig;
  readonly #verifier: ResourceTokenVerifier;
  /** `tools.search.lazy`: `call_tool` calls run the tool they name. */
  readonly #lazy: boolean;
  readonly #metadataUrl: string;
  readonly #paths: Set<string>;
  readonly #document: string;

  /** An authenticator for `config.oauth` (which must be set). */
  constructor(config: RuntimeConfig, now?: () => number) {
    if (!config.oauth) throw new Error("OAuthResourceAuthenticator needs an oauth: section");
    this.#config = config.oauth;
    this.#verifier = new ResourceTokenVerifier(config.oauth, now);
    this.#lazy = config.tools.search.lazy;
    this.#metadataUrl = resourceMetadataUrl(config.oauth.resource);
    const endpoints = config.server.type === "sse"
      ? [config.sse.sse_path, config.sse.message_path]
      : [config["streamable-http"].mcp_path];
    this.#paths = metadataPaths(config.oauth.resource, endpoints);
    this.#document = JSON.stringify(protectedResourceMetadata(config.oauth));
  }

  /** The URL of the metadata document (what challenges name). */
  get resourceMetadataUrl(): string {
    return this.#metadataUrl;
  }

  wellKnown(req: Request, url: URL): Response | undefined {
    if (!this.#paths.has(url.pathname)) return undefined;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json(405, { error: "method_not_allowed" }, { allow: "GET, HEAD" });
    }
    return new Response(req.method === "HEAD" ? null : this.#document, {
      headers: {
        "content-type": "application/json",
        "cache-control": "public, max-age=3600",
        // Browser-based clients read it from another origin.
        "access-control-allow-origin": "*",
      },
    });
  }

  #unauthorized(error: TokenError | undefined): Response {
    const scope = this.#config.required_scopes;
    const challenge = bearerChallenge({
      resourceMetadata: this.#metadataUrl,
      scope,
      // RFC 6750 §3.1: no error code when the request carried no token at all.
      ...(error ? { error: "invalid_token" as const, description: error.message } : {}),
    });
    return json(
      401,
      {
        error: error ? "invalid_token" : "unauthorized",
        error_description: error?.message ?? "Missing bearer token",
      },
      { "www-authenticate": challenge },
    );
  }

  #insufficient(needed: string[], what: string): Response {
    const description = `${what} needs scope ${needed.join(" ")}`;
    return json(403, { error: "insufficient_scope", error_description: description }, {
      "www-authenticate": bearerChallenge({
        resourceMetadata: this.#metadataUrl,
        scope: needed,
        error: "insufficient_scope",
        description,
      }),
    });
  }

  async authenticate(req: Request): Promise<AuthOutcome> {
    const header = req.headers.get("authorization");
    if (header === null) return { ok: false, response: this.#unauthorized(undefined) };
    const m = BEARER.exec(header);
    if (!m) {
      return {
        ok: false,
        response: this.#unauthorized(
          new TokenError("malformed", "Malformed Authorization header: expected 'Bearer <token>'"),
        ),
      };
    }
    try {
      const { user, scopes } = await this.#verifier.verify(m[1]);
      const missing = this.#config.required_scopes.filter((s) => !scopes.includes(s));
      if (missing.length) {
        return { ok: false, response: this.#insufficient(this.#config.required_scopes, "This server") };
      }
      return { ok: true, user, token: m[1] };
    } catch (e) {
      const error = e instanceof TokenError ? e : new TokenError("malformed", "Invalid token");
      return { ok: false, response: this.#unauthorized(error) };
    }
  }

  authorize(message: unknown, user: UserIdentity | undefined): Response | undefined {
    if (Object.keys(this.#config.tool_scopes).length === 0) return undefined;
    const granted = user ? scopesOf(user.claims) : [];
    const messages = Array.isArray(message) ? message : [message];
    const needed = new Set<string>();
    const tools: string[] = [];
    for (const m of messages) {
      if (!m || typeof m !== "object" || (m as { method?: unknown }).method !== "tools/call") continue;
      const params = (m as { params?: { name?: unknown; arguments?: { name?: unknown } } }).params;
      const name = params?.name;
      if (typeof name !== "string") continue;
      // With the lazy listing, `call_tool` runs the tool it names: that tool's scopes apply too.
      const inner = this.#lazy && name === CALL_TOOL_NAME ? params?.arguments?.name : undefined;
      for (const tool of typeof inner === "string" ? [name, inner] : [name]) {
        const scopes = scopesForTool(this.#config.tool_scopes, tool);
        if (scopes.some((s) => !granted.includes(s))) {
          tools.push(tool);
          for (const s of scopes) needed.add(s);
        }
      }
    }
    if (needed.size === 0) return undefined;
    // The challenge names every scope the call needs, granted ones included (clients ask for the union).
    for (const s of this.#config.required_scopes) needed.add(s);
    return this.#insufficient([...needed], `Tool ${tools.join(", ")}`);
  }
}
