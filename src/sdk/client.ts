/**
 * The SDK v1 client side, for tests and scripts (a real SDK v1 client), plus the workarounds it
 * needs under Deno (`retainingFetch`: `fetch.ts`; `deferResponses`: `taps.ts`; re-exported here).
 * The proxy's upstream connections use the SDK v2 client (`client_v2.ts`).
 *
 * Kept separate from `server.ts` so servers without upstreams never load the client side. The
 * SDK's stdio client (which pulls cross-spawn, reading env `OSTYPE` at import time) lives in
 * `client_stdio.ts`, for tests only: the proxy has its own (process groups, exact env).
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/index"
export { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/index"
export type { ClientOptions } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
export { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/client/sse"
export { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

export { retainingFetch } from "./fetch.ts";
export { deferResponses } from "./taps.ts";

/**
 * A `fetch` that adds `headers` to every request: what `SSEClientTransport` needs as
 * `eventSourceInit.fetch` to send them on its GET stream (the SDK hands that fetch a `Headers`
 * object, which spreading into a plain object would silently drop, so they are merged into it).
 *
 * @example
 * ```ts
 * import { fetchWithHeaders, SSEClientTransport } from "./client.ts";
 * const headers = { Authorization: "Bearer t0ken" };
 * const transport = new SSEClientTransport(new URL("http://127.0.0.1:8000/sse"), {
 *   requestInit: { headers },
 *   eventSourceInit: { fetch: fetchWithHeaders(headers) },
 * });
 * ```
 */
export function fetchWithHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [k, v] of Object.entries(headers)) merged.set(k, v);
    return fetch(input, { ...init, headers: merged });
  };
}
