/**
 * How an upstream is reached: the spawn parameters of a stdio server (scrubbed environment,
 * fixed working directory) and the client transports of remote ones.
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import type { McpServerConfig } from "../config/types.ts";
import { retainingFetch, SSEClientTransport, StreamableHTTPClientTransport } from "../sdk/client.ts";
import type { Transport } from "../sdk/server.ts";
import { StdioClientTransport, type StdioLaunch } from "./stdio_client.ts";
import { getLogger } from "../log/logger.ts";
import { BASE_CHILD_ENV, stdioLaunchSpec, upstreamType } from "../permissions/sandbox.ts";

/** The upstream kinds. */
export type UpstreamType = "stdio" | "sse" | "streamable-http";

/** What kind an entry is: explicit `type`, else `command` → stdio, `url` → streamable-http. */
export { upstreamType };

/** Variables a stdio child inherits from the runtime's environment (everything else is named). */
export const INHERITED_ENV = BASE_CHILD_ENV;

/**
 * Spawn parameters of a stdio upstream — see `stdioLaunchSpec` (`src/permissions/sandbox.ts`):
 * its command and args (for `deno: true`, `deno run` with exactly the entry's permissions), an
 * environment of only PATH/HOME/LANG plus what the entry names (so the runtime's secrets never
 * leak to children), and a fixed working directory (`cwd`, else `location`, else the config
 * file's folder).
 *
 * @example
 * ```ts
 * import { stdioLaunch } from "./launch.ts";
 * const launch = stdioLaunch({ command: "node", args: ["s.js"], env: { DEBUG: "1" } } as never, (n) => Deno.env.get(n), "/srv");
 * ```
 */
export function stdioLaunch(
  entry: McpServerConfig,
  env: EnvSource,
  baseDir: string,
  name = "upstream",
): StdioLaunch {
  const { command, args, env: childEnv, cwd } = stdioLaunchSpec(name, entry, { baseDir, env });
  return { command, args, env: childEnv, cwd };
}

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
): Transport {
  const type = upstreamType(entry);
  if (type === "stdio") {
    return new StdioClientTransport(stdioLaunch(entry, env, baseDir, name), {
      logger: getLogger(`upstream.${name}`),
    });
  }
  if (!entry.url) throw new Error(`upstream '${name}' needs 'url'`);
  const headers = remoteHeaders(entry, env);
  if (type === "sse") {
    return new SSEClientTransport(new URL(entry.url), {
      requestInit: { headers },
      eventSourceInit: {
        // The SDK passes a Headers object: merge into it (spreading it would drop every header).
        fetch: (input, init) => {
          const h = new Headers(init?.headers);
          for (const [k, v] of Object.entries(headers)) h.set(k, v);
          return fetch(input, { ...init, headers: h });
        },
      },
    });
  }
  return new StreamableHTTPClientTransport(new URL(entry.url), {
    fetch: retainingFetch,
    requestInit: { headers },
  });
}
