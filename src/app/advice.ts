/**
 * Advice at startup about combinations that load but do not do what they seem to: each part is
 * fine alone, so only composition (which sees the transport, the authentication and the features
 * together) can notice.
 *
 * @module
 */

import type { RuntimeConfig } from "../config/schema.ts";

/** Artifact tools that work on the caller's session: useless when every request is a new one. */
const SESSION_ARTIFACT_TOOLS = [
  "write_file",
  "upload_file",
  "write_session_file",
  "upload_session_file",
  "list_session_files",
  "list_directory",
] as const;

/**
 * What to tell the operator about `config` served with the authentication `scheme` (`none` when
 * anonymous): one line per finding.
 *
 * @example
 * ```ts
 * import { startupAdvice } from "./advice.ts";
 * import { validateConfig } from "../config/validate.ts";
 * const config = validateConfig({
 *   server: { type: "streamable-http" },
 *   artifacts: { enabled: true, tools: { write_file: { enabled: true } } },
 * }, "inline");
 * console.log(startupAdvice(config, "none")); // ["artifacts: write_file keep files in the caller's session, ..."]
 * ```
 */
export function startupAdvice(config: RuntimeConfig, scheme: string): string[] {
  const out: string[] = [];
  const http = config["streamable-http"];
  if (
    config.server.type === "streamable-http" && http.stateless && scheme === "none" &&
    config.artifacts.enabled
  ) {
    const tools = SESSION_ARTIFACT_TOOLS.filter((t) => config.artifacts.tools[t]?.enabled);
    if (tools.length > 0) {
      out.push(
        `artifacts: ${
          tools.join(", ")
        } keep files in the caller's session, but on stateless streamable HTTP ` +
          "without authentication each request is a session of its own: a file one request writes is not " +
          "found by the next. Set streamable-http.stateless: false (one session per client), or server.auth: " +
          "bearer (a user's requests share a session; user-scope tools such as write_user_file keep files " +
          "across sessions)",
      );
    }
  }
  return out;
}
