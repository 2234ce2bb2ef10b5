/**
 * The embedded default: what `deno task start` serves with no config file — streamable HTTP on
 * 127.0.0.1:3000 with the example tools, resources and prompts. The examples are imported only
 * when the default is used (they load the whole library through `mod.ts`), with literal
 * specifiers, so bundles and compiled binaries still include them.
 *
 * @module
 */

import type { RuntimeConfigInput } from "../config/schema.ts";
import { collectDefinitions, type CollectedDefinitions } from "../tools/loader.ts";

/** The configuration used when no file is given or found. */
export const EMBEDDED_CONFIG: RuntimeConfigInput = {
  host: { name: "chuk-mcp-runtime" },
  server: { type: "streamable-http" },
  "streamable-http": {
    host: "127.0.0.1",
    port: 3000,
    mcp_path: "/mcp",
    json_response: true,
    stateless: true,
  },
};

/** The example definitions served with {@linkcode EMBEDDED_CONFIG}. */
export async function embeddedDefinitions(): Promise<
  { source: string; definitions: CollectedDefinitions }[]
> {
  const [exampleTools, exampleResources, examplePrompts] = await Promise.all([
    import("../../examples/tools.ts"),
    import("../../examples/resources.ts"),
    import("../../examples/prompts.ts"),
  ]);
  return [
    { source: "examples/tools.ts (embedded)", definitions: collectDefinitions(exampleTools, "tools") },
    {
      source: "examples/resources.ts (embedded)",
      definitions: collectDefinitions(exampleResources, "resources"),
    },
    { source: "examples/prompts.ts (embedded)", definitions: collectDefinitions(examplePrompts, "prompts") },
  ];
}
