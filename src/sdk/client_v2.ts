/**
 * The SDK v2 client (`@modelcontextprotocol/client` 2.4), the one place it is imported: a real
 * client of both protocol eras (`versionNegotiation: { mode: "auto" }` probes `server/discover`
 * and speaks 2026-07-28 when offered; `{ pin: "2026-07-28" }` speaks nothing else). The runtime
 * uses it in tests and benchmarks; the proxy's upstream connections still use v1 (`client.ts`).
 *
 * @module
 */

export { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
export type { ClientOptions, StreamableHTTPClientTransportOptions } from "@modelcontextprotocol/client";
