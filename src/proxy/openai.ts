/**
 * OpenAI function-calling definitions from MCP tools.
 *
 * @module
 */

import type { Tool } from "../protocol.ts";
import { shortenName, toOpenAIName } from "./naming.ts";

/** One OpenAI function-calling tool definition. */
export interface OpenAIToolDefinition {
  /** Always `function`. */
  type: "function";
  /** The function: its OpenAI-safe name, description and JSON Schema parameters. */
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/**
 * Convert MCP tools to OpenAI function definitions. Names are made OpenAI-safe (characters
 * outside `[A-Za-z0-9_-]` become `_`, at most 64 characters); schemas are passed as they are.
 *
 * @example
 * ```ts
 * import { toOpenAITools } from "@chuk/mcp-runtime/proxy";
 * const defs = toOpenAITools([{ name: "time.get_time", inputSchema: { type: "object" } }]);
 * console.log(defs[0].function.name); // "time_get_time"
 * ```
 */
export function toOpenAITools(tools: readonly Tool[]): OpenAIToolDefinition[] {
  const seen = new Set<string>();
  const out: OpenAIToolDefinition[] = [];
  for (const t of tools) {
    const name = shortenName(toOpenAIName(t.name));
    if (seen.has(name)) continue; // an alias already listed under the same OpenAI name
    seen.add(name);
    out.push({
      type: "function",
      function: {
        name,
        description: (t.description ?? t.title ?? t.name).replace(/\s+/g, " ").trim(),
        parameters: t.inputSchema as Record<string, unknown>,
      },
    });
  }
  return out;
}
