/**
 * Entry point of the `chuk-mcp-proxy` binary: the same program as `cli.ts`, started in proxy mode
 * (`chuk-mcp-proxy ARGS` = `cli.ts proxy ARGS`).
 *
 * ```sh
 * deno run -A proxy_main.ts --config proxy.yaml
 * ```
 *
 * @module
 */

import { runCli } from "./src/cli/main.ts";

if (import.meta.main) {
  runCli(["proxy", ...Deno.args]).then((code) => Deno.exit(code));
}
