/**
 * What the `proxy` command does beyond serving: start its stdio children before the server stack
 * loads (cold start: see `src/proxy/prespawn.ts`), and list the aggregated tools. Kept light: the
 * server stack is imported only when it is needed.
 *
 * @module
 */

import { processEnv } from "../config/env.ts";
import { resolveLogLevel } from "../config/load.ts";
import { configureLogging, DEFAULT_LOG_FORMAT, getLogger } from "../log/logger.ts";
import type { Tool } from "../protocol.ts";
import { type OpenAIToolDefinition, toOpenAITools } from "../proxy/openai.ts";
import { closePrespawned, prespawn } from "../proxy/prespawn.ts";
import { stdioLaunchSpec, upstreamLineLimit, upstreamType } from "../proxy/sandbox.ts";
import { type ConfigSource, loadConfigured } from "./load.ts";
import type { RunServerOptions } from "./run.ts";

export { closePrespawned };

/** What OpenAI accepts as a function name. */
const OPENAI_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Start the shared stdio upstreams the configuration names, if `deno run` allows it. Anything
 * wrong here (a bad config, a missing permission) is left for the regular start to report.
 *
 * @example
 * ```ts
 * import { closePrespawned, startStdioUpstreamsEarly } from "./proxy.ts";
 * await startStdioUpstreamsEarly({ configPath: "examples/config.proxy.yaml" });
 * await closePrespawned();
 * ```
 */
export async function startStdioUpstreamsEarly(source: ConfigSource): Promise<void> {
  try {
    const loaded = await loadConfigured({ ...source, env: processEnv });
    if (!loaded.config.proxy.enabled) return;
    // The children log their stderr from the start: with the configured levels, not the defaults.
    const logging = loaded.config.logging;
    configureLogging({
      level: resolveLogLevel(loaded.config),
      format: logging.format ?? DEFAULT_LOG_FORMAT,
      loggers: logging.loggers,
    });
    const spawns: Promise<void>[] = [];
    for (const [name, entry] of Object.entries(loaded.config.mcp_servers)) {
      if (!entry.enabled || upstreamType(entry) !== "stdio" || entry.isolation === "per-session") continue;
      const spec = stdioLaunchSpec(name, entry, { baseDir: loaded.baseDir, env: processEnv });
      if (Deno.permissions.querySync({ name: "run", command: spec.command }).state !== "granted") continue;
      const launch = { command: spec.command, args: spec.args, env: spec.env, cwd: spec.cwd };
      spawns.push(prespawn(name, launch, upstreamLineLimit(loaded.config, entry)));
    }
    await Promise.all(spawns);
  } catch {
    // reported by the regular start
  }
}

/**
 * Start the runtime `options` describe, list its tools (as OpenAI function definitions with
 * `openai`: only the names that are valid OpenAI function names, each left-out one logged), stop it.
 *
 * @example
 * ```ts
 * import { listTools } from "./proxy.ts";
 * const tools = await listTools({ fallbackConfig: {}, noSearch: true }, false);
 * ```
 */
export async function listTools(
  options: RunServerOptions,
  openai: boolean,
): Promise<Tool[] | OpenAIToolDefinition[]> {
  const { buildRuntime } = await import("./run.ts");
  const runtime = await buildRuntime(options);
  try {
    await runtime.start();
    const tools = runtime.registry.listTools();
    if (!openai) return tools;
    // Only names the proxy serves as they are: a local tool named `a.b` is not callable as `a_b`.
    for (const t of tools.filter((t) => !OPENAI_NAME.test(t.name))) {
      getLogger("proxy").warn(`tool '${t.name}' is left out: not a valid OpenAI function name`);
    }
    return toOpenAITools(tools.filter((t) => OPENAI_NAME.test(t.name)));
  } finally {
    await runtime.stop();
  }
}
