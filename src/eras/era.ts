/**
 * Which protocol era a message belongs to — decided here and nowhere else.
 *
 * The rule is the SDK v2's, body-primary: a request whose `params._meta` carries
 * `io.modelcontextprotocol/protocolVersion` (the per-request envelope of MCP 2026-07-28) is of the
 * era its claim names; everything else is the 2025 wire (`initialize`, `Mcp-Session-Id`). The
 * `MCP-Protocol-Version` header never changes that decision, except that a request without a
 * claim but with a modern header is a malformed modern request (and is answered as one), not a
 * legacy request. GET and DELETE are always 2025: the modern wire is POST only.
 *
 * @module
 */

import { isObject } from "../util/object.ts";

/** The protocol versions of the modern (per-request) era this runtime speaks. */
export const MODERN_VERSIONS: readonly string[] = ["2026-07-28"];

/** The newest modern version. */
export const LATEST_MODERN_VERSION = "2026-07-28";

/** The `_meta` keys of the 2026-07-28 wire. */
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** Where a message goes. */
export type EraRoute =
  /** The 2025 wire: `initialize`, sessions, the SDK connection. */
  | { era: "2025" }
  /** The 2026 wire: one request, its envelope in `params._meta`. */
  | { era: "2026"; message: Record<string, unknown> }
  /** A batch that mixes in modern requests: the modern wire has no batches. */
  | { era: "invalid"; reason: string };

/**
 * The protocol version a message's envelope claims, when it carries one.
 *
 * @example
 * ```ts
 * import { claimedVersion } from "./era.ts";
 * claimedVersion({ method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } } });
 * // "2026-07-28"
 * ```
 */
export function claimedVersion(message: unknown): unknown {
  if (!isObject(message) || !isObject(message.params)) return undefined;
  const meta = message.params._meta;
  return isObject(meta) ? meta[META.protocolVersion] : undefined;
}

/** Whether a protocol version (from a header or a claim) is of the modern era. */
export function isModernVersion(version: unknown): boolean {
  return typeof version === "string" && MODERN_VERSIONS.includes(version);
}

/**
 * The era of one incoming message (HTTP POST body, or one stdio line).
 *
 * - a JSON-RPC request or notification with an envelope claim → 2026 (whatever version it
 *   names: an unknown one is answered `-32022` on the modern wire);
 * - `initialize` without a claim → 2025;
 * - without a claim, when `headerVersion` (HTTP `MCP-Protocol-Version`) is modern and the
 *   request names no session → 2026 (it is then refused for its missing envelope);
 * - a batch holding a modern request → invalid; any other batch, a response, anything else → 2025.
 *
 * @example
 * ```ts
 * import { classifyMessage } from "./era.ts";
 * classifyMessage({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }).era; // "2025"
 * ```
 */
export function classifyMessage(
  body: unknown,
  http?: { headerVersion?: string | null; sessionId?: string | null },
): EraRoute {
  if (Array.isArray(body)) {
    return body.some((m) => claimedVersion(m) !== undefined)
      ? { era: "invalid", reason: "Invalid Request: batches are not allowed on the 2026-07-28 wire" }
      : { era: "2025" };
  }
  if (!isObject(body) || typeof body.method !== "string") return { era: "2025" };
  if (claimedVersion(body) !== undefined) return { era: "2026", message: body };
  if (body.method === "initialize") return { era: "2025" };
  if (http && !http.sessionId && isModernVersion(http.headerVersion?.trim())) {
    return { era: "2026", message: body };
  }
  return { era: "2025" };
}
