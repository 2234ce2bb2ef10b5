/**
 * Example tools: what the embedded default serves, and a template for your own.
 *
 * Tools here use `defineTool` from the package (relative import, so the file also works inside a
 * bundle). A module may instead export plain objects `{ name, description, inputSchema, handler }`
 * without importing anything.
 *
 * @module
 */

import { z } from "zod";
import { defineTool, sendProgress } from "../define.ts";

/** Say hello. */
export const greet = defineTool({
  name: "greet",
  description: "Say hello to someone",
  inputSchema: {
    type: "object",
    properties: { name: { type: "string", description: "Who to greet", default: "world" } },
  },
  annotations: { readOnlyHint: true },
  handler: ({ name }) => `Hello, ${name ?? "world"}!`,
});

/** Add two numbers; typed arguments from a zod shape, structured result. */
export const add = defineTool({
  name: "add",
  description: "Add two numbers",
  inputSchema: { a: z.number().describe("First number"), b: z.number().describe("Second number") },
  outputSchema: { sum: z.number() },
  annotations: { readOnlyHint: true },
  handler: ({ a, b }) => ({ sum: a + b }),
});

/** Echo text back (handy for smoke tests). */
export const echo = defineTool({
  name: "echo",
  description: "Return the given text unchanged",
  inputSchema: { text: z.string() },
  annotations: { readOnlyHint: true },
  handler: ({ text }) => text,
});

/** A long-running tool that reports progress (send `_meta.progressToken` to see it). */
export const countTo = defineTool({
  name: "count_to",
  description: "Count from 1 to n, reporting progress at each step",
  inputSchema: {
    n: z.number().int().min(1).max(1000).default(5).describe("How far to count"),
    delay_ms: z.number().int().min(0).max(10_000).default(100).describe("Pause between steps"),
  },
  timeout: 120,
  handler: async ({ n, delay_ms }, ctx) => {
    for (let i = 1; i <= n; i++) {
      ctx.signal.throwIfAborted();
      await sendProgress(i, n, `counted ${i} of ${n}`);
      if (delay_ms > 0 && i < n) await new Promise((r) => setTimeout(r, delay_ms));
    }
    return `Counted to ${n}`;
  },
});

/** The current time in a time zone. */
export const currentTime = defineTool({
  name: "current_time",
  description: "Get the current time in an IANA time zone",
  inputSchema: { timezone: z.string().default("UTC").describe("e.g. UTC, Europe/Paris") },
  annotations: { readOnlyHint: true },
  handler: ({ timezone }) => {
    const formatted = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      dateStyle: "short",
      timeStyle: "long",
    }).format(new Date());
    return { timezone, time: formatted, iso: new Date().toISOString() };
  },
});

/** What the runtime knows about the caller: session, user, transport, a few headers. */
export const whoami = defineTool({
  name: "whoami",
  description: "Describe the calling client: session, user, transport and user agent",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: (_args, ctx) => ({
    session_id: ctx.sessionId ?? null,
    user_id: ctx.user?.id ?? null,
    transport: ctx.transport,
    user_agent: ctx.headers["user-agent"] ?? null,
  }),
});
