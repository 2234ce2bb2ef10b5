/**
 * Starting stdio upstreams early. A proxy's cold start used to be "load our modules, then start
 * the child, then wait for it": the child (a Node or Python server) takes about as long to start
 * as we take to load. The proxy command starts its stdio children right after reading its
 * configuration, before loading the server stack, and the upstreams adopt those processes for
 * their first connection.
 *
 * @module
 */

import { StdioClientTransport, type StdioLaunch } from "./stdio_client.ts";
import { getLogger } from "../log/logger.ts";

const started = new Map<string, { key: string; transport: StdioClientTransport }>();

function keyOf(launch: StdioLaunch): string {
  return JSON.stringify([launch.command, launch.args, launch.cwd ?? null, launch.env]);
}

/**
 * Start upstream `name` now; the upstream with the same name and launch adopts it later.
 *
 * @example
 * ```ts
 * import { prespawn } from "./prespawn.ts";
 * await prespawn("time", { command: "uvx", args: ["mcp-server-time"], env: {} });
 * ```
 */
export async function prespawn(name: string, launch: StdioLaunch, maxLineBytes?: number): Promise<void> {
  if (started.has(name)) return;
  const transport = new StdioClientTransport(launch, {
    logger: getLogger(`proxy.${name}.stderr`, { upstream: name }),
    maxLineBytes,
  });
  try {
    await transport.start();
  } catch {
    return; // the regular start will fail the same way and report it properly
  }
  started.set(name, { key: keyOf(launch), transport });
}

/** The early process of upstream `name`, if one was started with exactly `launch` (once). */
export function adoptPrespawned(name: string, launch: StdioLaunch): StdioClientTransport | undefined {
  const early = started.get(name);
  if (!early) return undefined;
  started.delete(name);
  if (early.key === keyOf(launch)) return early.transport;
  void early.transport.close();
  return undefined;
}

/** Stop early processes nobody adopted (startup failed, or the entry changed). */
export async function closePrespawned(): Promise<void> {
  const all = [...started.values()];
  started.clear();
  await Promise.allSettled(all.map((e) => e.transport.close()));
}
