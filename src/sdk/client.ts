/**
 * The one place that imports the MCP SDK's client side (used by the proxy's upstream
 * connections and by tests), plus the workarounds it needs under Deno:
 *
 * - {@linkcode retainingFetch}: Deno 2.9 stops honouring an abort once a `Response` becomes
 *   unreachable while its body is read; the SDK's streamable-HTTP client keeps only the body of
 *   its GET stream, so `close()` would hang. Keeping each `Response` referenced fixes it.
 * - {@linkcode deferResponses}: the SDK client handles a response at once but a notification one
 *   microtask later, so a progress notification arriving in the same chunk as its response is
 *   dropped ("unknown token"). Delivering responses one microtask later keeps arrival order.
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

import type { Transport } from "./server.ts";
import { tapReceive } from "./taps.ts";
import type { JSONRPCMessage } from "./types.ts";

const live = new Set<Response>();

/**
 * A `fetch` that keeps every streaming `Response` referenced until its request is aborted. Pass
 * it to `StreamableHTTPClientTransport` (`{ fetch: retainingFetch }`) under Deno.
 *
 * @example
 * ```ts
 * import { retainingFetch } from "./client.ts";
 * const res = await retainingFetch("http://127.0.0.1:3000/health");
 * ```
 */
export const retainingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const signal = init?.signal;
  // Only streams can be left with a pending read when the abort comes.
  if (!signal || !res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    return res;
  }
  live.add(res);
  const release = () => {
    live.delete(res);
    signal.removeEventListener("abort", release);
  };
  signal.addEventListener("abort", release, { once: true });
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ flush: release, cancel: release }),
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
};

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

function isResponse(m: JSONRPCMessage): boolean {
  return "id" in m && ("result" in m || "error" in m) && !("method" in m);
}

/**
 * Call after `client.connect(transport)`: delivers responses one microtask after they arrive, so
 * notifications that arrived just before them (progress) are handled first.
 *
 * @example
 * ```ts
 * import { Client, deferResponses, StreamableHTTPClientTransport } from "./client.ts";
 * const transport = new StreamableHTTPClientTransport(new URL("http://127.0.0.1:3000/mcp"));
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(transport);
 * deferResponses(transport);
 * ```
 */
export function deferResponses(transport: Transport): void {
  tapReceive(transport, (message, deliver) => {
    if (isResponse(message)) queueMicrotask(deliver);
    else deliver();
  });
}
