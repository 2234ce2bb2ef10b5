/** Helpers for the OAuth tests: free ports, runtime configs with an `oauth:` section, MCP posts. */

import { ROOT } from "../helpers.ts";

/** A free loopback port (bound and released: the runtime's resource URL must name it beforehand). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** YAML of a streamable-HTTP runtime serving the example tools, protected by `oauth`. */
export function resourceConfig(port: number, oauth: Record<string, unknown> | undefined, extra = ""): string {
  return [
    `server: { type: "streamable-http" }`,
    `"streamable-http": { host: "127.0.0.1", port: ${port} }`,
    ...(oauth ? [`oauth: ${JSON.stringify(oauth)}`] : []),
    `mcp_servers:`,
    `  examples: { location: ${JSON.stringify(`${ROOT}examples`)}, tools: { module: "tools.ts" } }`,
    extra,
    ``,
  ].join("\n");
}

/** POST one JSON-RPC request to an MCP endpoint (stateless HTTP). */
export function mcpPost(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** A tools/call request. */
export function call(name: string, args: Record<string, unknown> = {}, id = 1): unknown {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}
