/**
 * `deno task bundle`: one self-contained JavaScript file, `dist/chuk-mcp-runtime.js`, with every
 * dependency (MCP SDK, zod, yaml, ...) inlined by `deno bundle` (esbuild, fetched from npm once).
 * It runs with plain `deno run` in an empty folder with an empty `DENO_DIR`: the offline
 * distribution (copy one file, no install, no network).
 *
 * ```sh
 * deno task bundle
 * deno run -A dist/chuk-mcp-runtime.js --config config.yaml
 * deno run -A dist/chuk-mcp-runtime.js proxy --config proxy.yaml
 * ```
 *
 * Tool modules named in a config are still imported from disk at run time, so with the bundle
 * they should import nothing Deno cannot resolve offline (plain `{ name, inputSchema, handler }`
 * objects need no imports at all).
 *
 * @module
 */

import { resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";

/** Repository root. */
export const ROOT: string = resolvePath(new URL("..", import.meta.url).pathname);

/** First line of the bundle: runnable as `./chuk-mcp-runtime.js` where `deno` is on PATH. */
export const SHEBANG = "#!/usr/bin/env -S deno run -A";

/** `deno` arguments that build the bundle at `output`. */
export function bundleArgs(output: string): string[] {
  return [
    "bundle",
    "--platform",
    "deno",
    "--config",
    `${ROOT}/deno.json`,
    "--output",
    output,
    `${ROOT}/cli.ts`,
  ];
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: "string" } }, strict: true });
  const output = resolvePath(values.out ?? `${ROOT}/dist/chuk-mcp-runtime.js`);
  await Deno.mkdir(resolvePath(output, ".."), { recursive: true });
  const out = await new Deno.Command(Deno.execPath(), { args: bundleArgs(output), cwd: ROOT }).output();
  if (!out.success) return out.code || 1;
  const text = await Deno.readTextFile(output);
  if (!text.startsWith("#!")) await Deno.writeTextFile(output, `${SHEBANG}\n${text}`);
  await Deno.chmod(output, 0o755).catch(() => {});
  console.error(`built ${output} (${(await Deno.stat(output)).size} bytes)`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
