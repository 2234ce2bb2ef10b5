/**
 * Micro-benchmarks (`deno task bench:micro`) of the per-message work the proxy does for every
 * call, as found by profiling `deno task bench --profile` (scripts/bench/README.md): JSON
 * encode/decode, the SDK's zod validation of JSON-RPC messages and tool results, and splitting
 * newline-delimited stdio input into lines (the current string-buffer loop against a byte scan).
 * Before/after figures for the optimisation work.
 *
 * @module
 */

import { CallToolResultSchema, JSONRPCMessageSchema } from "../../src/sdk/types.ts";

const request = {
  jsonrpc: "2.0",
  id: 42,
  method: "tools/call",
  params: { name: "proxy.up0.echo", arguments: { text: "hello" }, _meta: { progressToken: 42 } },
};
const result = { content: [{ type: "text", text: "hello" }] };
const response = { jsonrpc: "2.0", id: 42, result };
const requestLine = JSON.stringify(request);
const responseLine = JSON.stringify(response);

Deno.bench("JSON.parse + JSON.stringify of a tools/call request", { group: "json" }, () => {
  JSON.stringify(JSON.parse(requestLine));
});

Deno.bench("JSONRPCMessageSchema.safeParse(request)", { group: "zod" }, () => {
  if (!JSONRPCMessageSchema.safeParse(request).success) throw new Error("invalid");
});

Deno.bench("JSONRPCMessageSchema.safeParse(response)", { group: "zod" }, () => {
  if (!JSONRPCMessageSchema.safeParse(response).success) throw new Error("invalid");
});

Deno.bench("CallToolResultSchema.safeParse(result)", { group: "zod" }, () => {
  if (!CallToolResultSchema.safeParse(result).success) throw new Error("invalid");
});

Deno.bench("JSON.parse(response line) alone", { group: "zod" }, () => {
  JSON.parse(responseLine);
});

// One 1 MiB message arriving in 64 KiB pipe reads.
const big = new TextEncoder().encode(
  JSON.stringify({ ...response, result: { content: [{ type: "text", text: "x".repeat(1 << 20) }] } }) + "\n",
);
const chunks: Uint8Array[] = [];
for (let i = 0; i < big.length; i += 65536) chunks.push(big.subarray(i, i + 65536));

Deno.bench("split lines: string buffer + indexOf from the start (current)", { group: "lines" }, () => {
  const decoder = new TextDecoder();
  let buffer = "";
  let lines = 0;
  for (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      lines++;
    }
  }
  if (lines !== 1) throw new Error("expected one line");
});

Deno.bench("split lines: scan each chunk for byte 10, decode once", { group: "lines" }, () => {
  const decoder = new TextDecoder();
  let pending: Uint8Array[] = [];
  let lines = 0;
  for (const chunk of chunks) {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      pending.push(chunk.subarray(start, nl));
      const total = pending.reduce((n, c) => n + c.length, 0);
      const line = new Uint8Array(total);
      let o = 0;
      for (const c of pending) {
        line.set(c, o);
        o += c.length;
      }
      decoder.decode(line);
      pending = [];
      lines++;
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (lines !== 1) throw new Error("expected one line");
});
