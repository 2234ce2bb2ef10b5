/**
 * The benchmark's tools served by the runtime itself (no upstream): the same `echo {text}` and
 * `add {a,b}` as `tests/fixtures/bench_upstream.mjs`, for the targets that measure the runtime's
 * own HTTP serving on each protocol era (`ours-local-2025`, `ours-local-2026`).
 *
 * @module
 */

import { defineTool } from "../../define.ts";

/** Echo the text back. */
export const echo = defineTool({
  name: "echo",
  description: "Echo the text back",
  inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  handler: ({ text }) => String(text),
});

/** Add two numbers. */
export const add = defineTool({
  name: "add",
  description: "Add two numbers",
  inputSchema: {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" } },
    required: ["a", "b"],
  },
  handler: ({ a, b }) => String(Number(a) + Number(b)),
});
