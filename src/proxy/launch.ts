/**
 * How an upstream is reached: the spawn parameters of a stdio server (scrubbed environment,
 * fixed working directory) and the client transports of remote ones.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { McpServerConfig } from "../config/types.ts";
import {
  fetchWithHeaders,
  retainingFetch,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "../sdk/client.ts";
import type { Transport } from "../sdk/server.ts";
import { adoptPrespawned } from "./prespawn.ts";
import { StdioClientTransport } from "./stdio_client.ts";
import { getLogger } from "../log/logger.ts";
import { stdioLaunchSpec, upstreamType } from "./sandbox.ts";

/** What kind an entry is: explicit `type`, else `command` → stdio, `url` → streamable-http. */
export { upstreamType };

/** Headers for a remote upstream: its `headers`, plus `Authorization: Bearer <api_key>`. */
export function remoteHeaders(entry: McpServerConfig, env: EnvSource): Record<string, string> {
  const headers: Record<string, string> = { ...entry.headers };
  const key = entry.api_key ?? (upstreamType(entry) === "sse" ? env("API_KEY") : undefined);
  if (key && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
    headers["Authorization"] = `Bearer ${key}`;
  }
  return headers;
}

/**
 * A fresh client transport for one connection attempt to upstream `name`.
 *
 * @example
 * ```ts
 * import { createUpstreamTransport } from "./launch.ts";
 * const t = createUpstreamTransport("time", { command: "uvx", args: ["mcp-server-time"], env: {} } as never, (n) => Deno.env.get(n), Deno.cwd());
 * ```
 */
export function createUpstreamTransport(
  name: string,
  entry: McpServerConfig,
  env: EnvSource,
  baseDir: string,
  maxLineBytes?: number,
): Transport {
  const type = upstreamType(entry);
  if (type === "stdio") {
    // Scrubbed environment, fixed working directory, `deno run` for sandboxed entries: see
    // stdioLaunchSpec (src/permissions/sandbox.ts).
    const { command, args, env: childEnv, cwd } = stdioLaunchSpec(name, entry, { baseDir, env });
    const launch = { command, args, env: childEnv, cwd };
    // The proxy command may have started this child already, while it loaded the server.
    return adoptPrespawned(name, launch) ?? new StdioClientTransport(launch, {
      // Under the upstream's own logger name, so `logging.loggers: { proxy: ... }` covers it too.
      logger: getLogger(`proxy.${name}.stderr`, { upstream: name }),
      maxLineBytes,
    });
  }
  if (!entry.url) throw new Error(`upstream '${name}' needs 'url'`);
  const headers = remoteHeaders(entry, env);
  if (type === "sse") {
    return new SSEClientTransport(new URL(entry.url), {
      requestInit: { headers },
      eventSourceInit: { fetch: fetchWithHeaders(headers) },
    });
  }
  return new StreamableHTTPClientTransport(new URL(entry.url), {
    fetch: retainingFetch,
    requestInit: { headers },
  });
}
