/**
 * Which protocol era the proxy speaks to an upstream, and what a call carries to a 2026-07-28
 * one.
 *
 * - **Negotiation** (`mcp_servers.<name>.protocol`): `auto` probes `server/discover` before
 *   anything else and speaks 2026-07-28 when the upstream offers it, else the 2025 `initialize`
 *   handshake (the SDK v2 client's `versionNegotiation: auto`); a version pins it. HTTP upstreams
 *   probe on the connection itself (silence there is an outage: the connect fails and is retried);
 *   stdio upstreams probe on the child's pipe, where a server that does not answer within
 *   {@linkcode STDIO_PROBE_TIMEOUT_MS} is a 2025 one. A stdio child that exits on the probe
 *   (some SDKs end the process on any request before `initialize`) is remembered as a 2025 server
 *   and started again. SSE is a 2025-only transport.
 * - **The envelope** of a 2026 request says who the client is and what it can do. The proxy
 *   speaks for its caller: the upstream sees the caller's capabilities (so it asks only for what
 *   the caller can answer, and refuses with `-32021` what it cannot) and the caller's log level.
 *
 * @module
 */

import type { McpServerConfig } from "../config/types.ts";
import type { RequestContext } from "../core/context.ts";
import type { ClientCapabilities, LoggingLevel } from "../protocol.ts";
import { ENVELOPE_KEYS, type PriorDiscovery, type VersionNegotiationOptions } from "../sdk/client_v2.ts";
import { upstreamType } from "./sandbox.ts";

/** The revision of the 2026 era. */
export const MODERN_VERSION = "2026-07-28";

/** How long a stdio upstream may stay silent on the `server/discover` probe before it counts as 2025. */
export const STDIO_PROBE_TIMEOUT_MS = 10_000;

/** The era an upstream connection speaks. */
export type UpstreamEra = "legacy" | "modern";

/**
 * The SDK v2 client's negotiation mode for `entry` (`legacy`: the plain 2025 handshake).
 *
 * @example
 * ```ts
 * import { negotiationFor } from "./era.ts";
 * negotiationFor({ type: "streamable-http", url: "http://127.0.0.1:3000/mcp", protocol: "auto" } as never);
 * // { mode: "auto" }
 * ```
 */
export function negotiationFor(entry: McpServerConfig): VersionNegotiationOptions {
  const type = upstreamType(entry);
  const protocol = entry.protocol ?? "auto";
  if (type === "sse" || protocol === "2025-11-25") return { mode: "legacy" };
  const probe = type === "stdio" ? { probe: { timeoutMs: STDIO_PROBE_TIMEOUT_MS } } : {};
  if (protocol === MODERN_VERSION) return { mode: { pin: MODERN_VERSION }, ...probe };
  return { mode: "auto", ...probe };
}

/**
 * What an upstream said about its era, kept across reconnects of a stdio upstream (the same
 * program answers the same way): the next connection skips the probe.
 *
 * @example
 * ```ts
 * import { EraMemory } from "./era.ts";
 * const memory = new EraMemory();
 * memory.exitedOnProbe();
 * console.log(memory.prior); // { kind: "legacy" }
 * ```
 */
export class EraMemory {
  #prior: PriorDiscovery | undefined;

  /** The remembered verdict, if any. */
  get prior(): PriorDiscovery | undefined {
    return this.#prior;
  }

  /** The child exited on the probe: a 2025 server that ends on unknown requests. */
  exitedOnProbe(): void {
    this.#prior = { kind: "legacy" };
  }

  /** Remember a verdict (a connection reached it). */
  remember(prior: PriorDiscovery): void {
    this.#prior = prior;
  }
}

/** The reserved `io.modelcontextprotocol/*` envelope keys (a forwarded `_meta` never carries them). */
const ENVELOPE = new Set<string>(Object.values(ENVELOPE_KEYS));

/**
 * The caller's `_meta` as it goes upstream: without its progress token (the upstream request
 * carries its own) and without the envelope keys of a 2026 caller (the proxy writes the
 * envelope of its own request; a 2025 upstream must not mistake a claim for its era).
 *
 * @example
 * ```ts
 * import { forwardedMeta } from "./era.ts";
 * import { createTestContext } from "../core/context.ts";
 * forwardedMeta(createTestContext()); // undefined
 * ```
 */
export function forwardedMeta(ctx: RequestContext): Record<string, unknown> | undefined {
  if (!ctx.meta) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx.meta)) {
    if (k !== "progressToken" && !ENVELOPE.has(k)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The log level a 2026 caller asked for in its envelope, if it is one. */
function envelopeLogLevel(ctx: RequestContext): LoggingLevel | undefined {
  const level = ctx.meta?.[ENVELOPE_KEYS.logLevel];
  return typeof level === "string" ? level as LoggingLevel : undefined;
}

/** Whether the call came on the 2026 wire (its `_meta` carries the envelope). */
export function isModernCall(ctx: RequestContext): boolean {
  return ctx.meta?.[ENVELOPE_KEYS.protocolVersion] !== undefined;
}

/**
 * What the caller can answer, as the upstream's envelope says it: its sampling, elicitation and
 * roots capabilities (`{}` for a caller with no connection behind it).
 */
export function callerCapabilities(ctx: RequestContext): ClientCapabilities {
  const c = ctx.clientCapabilities;
  if (!c) return {};
  return {
    ...(c.sampling ? { sampling: c.sampling } : {}),
    ...(c.elicitation ? { elicitation: c.elicitation } : {}),
    ...(c.roots ? { roots: c.roots } : {}),
  };
}

/**
 * The `_meta` of a request to a 2026 upstream on behalf of `ctx`: the forwarded keys, the caller's
 * capabilities and the log level — the 2026 caller's own, else `standingLevel` (what 2025
 * clients asked with `logging/setLevel`), else everything (a 2025 client that never set a level
 * hears every log; the runtime filters per caller).
 *
 * @example
 * ```ts
 * import { modernMeta } from "./era.ts";
 * import { createTestContext } from "../core/context.ts";
 * modernMeta(createTestContext(), undefined);
 * // { "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/logLevel": "debug" }
 * ```
 */
export function modernMeta(
  ctx: RequestContext,
  standingLevel: LoggingLevel | undefined,
): Record<string, unknown> {
  const level = isModernCall(ctx) ? envelopeLogLevel(ctx) : standingLevel ?? "debug";
  return {
    ...forwardedMeta(ctx),
    [ENVELOPE_KEYS.clientCapabilities]: callerCapabilities(ctx),
    ...(level ? { [ENVELOPE_KEYS.logLevel]: level } : {}),
  };
}
