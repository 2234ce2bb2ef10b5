/**
 * The embedded default: what `deno task start` serves with no config file — streamable HTTP on
 * 127.0.0.1:3000 with the example tools, resources and prompts. Imported statically so it also
 * works from a bundle or a compiled binary.
 *
 * @module
 */

import type { RuntimeConfigInput } from "../config/schema.ts";
import { collectDefinitions, type CollectedDefinitions } from "../tools/loader.ts";
import * as exampleTools from "../../examples/tools.ts";
import * as exampleResources from "../../examples/resources.ts";
import * as examplePrompts from "../../examples/prompts.ts";

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
export function embeddedDefinitions(): { source: string; definitions: CollectedDefinitions }[] {
  return [
    { source: "examples/tools.ts (embedded)", definitions: collectDefinitions(exampleTools, "tools") },
    {
      source: "examples/resources.ts (embedded)",
      definitions: collectDefinitions(exampleResources, "resources"),
    },
    { source: "examples/prompts.ts (embedded)", definitions: collectDefinitions(examplePrompts, "prompts") },
  ];
}
