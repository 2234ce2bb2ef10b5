// Core paths, measured in-process: argument validation (zod and JSON Schema), result mapping,
// a local tool call through its registry entry, config parsing, and a full tools/call round trip
// over stateless streamable HTTP on loopback.
//
//   deno task bench
import { z } from "zod";
import { collectDefinitions, createTestContext, defineTool, localToolEntry, runServer } from "../../mod.ts";
import { compileSchema } from "../../src/tools/schema.ts";
import { parseConfigText } from "../../src/config/mod.ts";
import { toCallToolResult } from "../../src/tools/result.ts";

const zodSchema = compileSchema({ a: z.number(), b: z.number(), label: z.string().optional() }, "bench");
const jsonSchema = compileSchema({
  type: "object",
  properties: { a: { type: "number" }, b: { type: "number" }, label: { type: "string" } },
  required: ["a", "b"],
}, "bench");
const args = { a: 1, b: 2, label: "x" };

Deno.bench("validate arguments: zod shape", { group: "validate" }, async () => {
  await zodSchema.validate(args);
});
Deno.bench("validate arguments: JSON Schema (ajv)", { group: "validate", baseline: true }, async () => {
  await jsonSchema.validate(args);
});

Deno.bench("map result: object → text + structuredContent", { group: "result" }, () => {
  toCallToolResult({ sum: 3, items: [1, 2, 3] });
});
Deno.bench("map result: string", { group: "result", baseline: true }, () => {
  toCallToolResult("hello");
});

const addTool = defineTool({
  name: "add",
  inputSchema: { a: z.number(), b: z.number() },
  handler: ({ a, b }) => ({ sum: a + b }),
});
const entry = localToolEntry(addTool, "bench", { defaultTimeout: 60 });
const noTimeout = localToolEntry(
  defineTool({
    name: "add0",
    inputSchema: { a: z.number(), b: z.number() },
    timeout: 0,
    handler: ({ a, b }) => a + b,
  }),
  "bench",
  { defaultTimeout: 60 },
);
const handlerOnly = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });
const ctx = createTestContext();

Deno.bench("tool call: handler alone", { group: "call", baseline: true }, () => {
  handlerOnly({ a: 1, b: 2 });
});
Deno.bench("tool call: registry entry (validate, timeout, context, map)", { group: "call" }, async () => {
  await entry.call({ a: 1, b: 2 }, ctx);
});
Deno.bench("tool call: registry entry without timeout", { group: "call" }, async () => {
  await noTimeout.call({ a: 1, b: 2 }, ctx);
});

const yaml = await Deno.readTextFile(new URL("../../examples/config.http.yaml", import.meta.url));
Deno.bench("parse + validate examples/config.http.yaml", () => {
  parseConfigText(yaml, "config.http.yaml");
});

// A whole request: HTTP parse, new per-request session, validation, handler, JSON answer.
const server = await runServer({
  fallbackConfig: {
    logging: { level: "ERROR" },
    server: { type: "streamable-http" },
    "streamable-http": { port: 0 },
  },
  noSearch: true,
  handleSignals: false,
  banner: false,
  definitions: [{ source: "bench", definitions: collectDefinitions({ add: addTool }) }],
});
const body = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "add", arguments: { a: 1, b: 2 } },
});
const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
Deno.bench("tools/call round trip: stateless streamable HTTP (JSON)", { group: "http" }, async () => {
  const res = await fetch(server.url!, { method: "POST", headers, body });
  await res.text();
});
globalThis.addEventListener("unload", () => void server.stop());
