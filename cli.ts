/**
 * The `chuk-mcp-runtime` command line.
 *
 * ```sh
 * deno run -A cli.ts --config config.yaml
 * deno run -A cli.ts proxy --stdio time --command uvx -- mcp-server-time
 * ```
 *
 * @example
 * ```ts
 * import { runCli } from "@chuk/mcp-runtime/cli";
 * const code = await runCli(["--help"]);
 * ```
 *
 * @module
 */

import { runCli } from "./src/cli/main.ts";

export { COMMANDS, parseServerFlags, runCli, SERVER_USAGE, UsageError } from "./src/cli/main.ts";
export { parseProxyArgs, PROXY_USAGE, proxyCommand, proxyServerOptions } from "./src/cli/proxy_command.ts";
export type { ProxyArgs, ServerSpec } from "./src/cli/proxy_command.ts";
export type { Command } from "./src/cli/main.ts";
export { PERMISSIONS_USAGE, permissionsCommand, permissionsReport } from "./src/cli/permissions.ts";
export type { PermissionsReport } from "./src/cli/permissions.ts";

if (import.meta.main) {
  // Not awaited at top level: tool modules may import this package while the server runs.
  runCli(Deno.args).then((code) => Deno.exit(code));
}
