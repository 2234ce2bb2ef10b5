/**
 * The grants of the proxy: what its upstreams run or reach.
 *
 * @module
 */

import { type PlanContext, urlHost } from "../permissions/plan.ts";
import { stdioLaunchSpec, upstreamType } from "./sandbox.ts";

/**
 * Upstream MCP servers (`proxy.enabled`). stdio: the command each one runs (the Deno executable
 * for `deno: true`) and the variables the launch spec copies into its environment; the proxy's
 * own stdio transport (`Deno.Command`, a new process group) needs nothing more. Remote: the
 * upstream's host and port, and `API_KEY` for an SSE upstream without `api_key`.
 */
export function proxyGrants({ config, baseDir, env, options, plan }: PlanContext): void {
  if (!config.proxy.enabled) return;
  for (const [name, entry] of Object.entries(config.mcp_servers)) {
    if (!entry.enabled) continue;
    const type = upstreamType(entry);
    if (type === "stdio") {
      const spec = stdioLaunchSpec(name, entry, {
        baseDir,
        env,
        denoPath: options.denoPath,
        configLabel: options.configFile,
      });
      plan.add("run", spec.command, `stdio upstream ${name}${spec.sandboxed ? " (sandboxed deno)" : ""}`);
      plan.env(spec.inheritedEnv, `copied into the environment of stdio upstream children`);
    } else if (type && entry.url) {
      const url = new URL(entry.url);
      plan.add("net", urlHost(url), `${type} upstream ${name}`);
      if (entry.api_key === undefined && type === "sse") {
        plan.add("env", "API_KEY", `fallback API key of SSE upstream ${name}`);
      }
    }
  }
}
