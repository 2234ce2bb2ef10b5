/**
 * The grants every run needs: finding and reading the configuration file, `.env`, the file's
 * `${VAR}` references, and the settings the core reads from the environment.
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import { envReferences, fileExists, type PlanContext, readText } from "./plan.ts";

/** Finding and reading the configuration, `.env`, and the settings the core reads from the environment. */
export function configGrants({ config, cwd, env, options, plan }: PlanContext): void {
  const dotenv = resolvePath(cwd, ".env");
  if (fileExists(dotenv)) {
    plan.add("read", dotenv, ".env in the working directory (loaded at startup)", { optional: true });
  }
  if (options.configPath === undefined) {
    plan.add("env", "CHUK_MCP_CONFIG_PATH", "config file path when --config is not given");
    if (!env("CHUK_MCP_CONFIG_PATH") && !options.noSearch) {
      for (const name of ["config.yaml", "config.yml"]) {
        const candidate = resolvePath(cwd, name);
        plan.add("read", candidate, "the ./config.yaml search (no --config given)");
        if (fileExists(candidate)) break;
      }
    }
  }
  if (options.configFile) {
    plan.add("read", options.configFile, "the configuration file");
    for (const name of envReferences(options.configText ?? readText(options.configFile))) {
      plan.add("env", name, `referenced as \${${name}} in the configuration file`);
    }
  }
  plan.add("env", "CHUK_MCP_LOG_LEVEL", "log level override");
  plan.add("env", "CHUK_MCP_LOG_FORMAT", "log format override (json)");
  if (config.tools.timeout === undefined || config.tools.timeout === null) {
    plan.env(["MCP_TOOL_TIMEOUT", "TOOL_TIMEOUT"], "default tool timeout (tools.timeout is not set)");
  }
  if (!config.sessions.sandbox_id) {
    plan.env(
      ["MCP_SANDBOX_ID", "CHUK_SANDBOX_ID", "SANDBOX_ID", "POD_NAME"],
      "sandbox id (sessions.sandbox_id is not set)",
    );
  }
}
