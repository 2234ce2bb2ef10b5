/**
 * The tools, resource and prompt a fleet serves in examples/deploy/ (and in the scale test): each
 * kind of traffic a fleet must carry across instances — plain calls, progress, a sampling request
 * to the client, a resource update to subscribers, multi-round input (2026 `input_required`, or
 * elicitation requests on a 2025 session), a slow call to drain.
 *
 * @module
 */

import { z } from "zod";
import { defineResource, defineTool } from "../../define.ts";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/** Say hello. */
export const greet = defineTool({
  name: "greet",
  description: "Say hello to someone",
  inputSchema: { name: z.string().default("world") },
  handler: ({ name }) => `Hello, ${name}!`,
});

/** Progress 1..steps, then the count. */
export const countWithProgress = defineTool({
  name: "count_with_progress",
  description: "Counts to `steps`, reporting progress at each step (`delay_ms` apart)",
  inputSchema: {
    steps: z.number().int().min(1).max(20).default(3),
    delay_ms: z.number().int().min(0).max(5000).default(10),
  },
  handler: async ({ steps, delay_ms }, ctx) => {
    for (let i = 1; i <= steps; i++) {
      await ctx.sendProgress(i, steps, `step ${i}`);
      await sleep(delay_ms, ctx.signal);
    }
    return `counted to ${steps}`;
  },
});

/** Ask the client's model (a `sampling/createMessage` request to the client). */
export const askModel = defineTool({
  name: "ask_model",
  description: "Asks the client's model and returns its answer",
  inputSchema: { prompt: z.string() },
  handler: async ({ prompt }, ctx) => {
    const r = await ctx.sample({
      messages: [{ role: "user", content: { type: "text", text: prompt } }],
      maxTokens: 50,
    });
    const block = Array.isArray(r.content) ? r.content[0] : r.content;
    return `model said: ${block?.type === "text" ? block.text : `[${block?.type}]`}`;
  },
});

/** Two questions, one after the other (two rounds for a 2026 client). */
export const twoQuestions = defineTool({
  name: "two_questions",
  description: "Asks for a name, then for a colour",
  inputSchema: {},
  handler: async (_args, ctx) => {
    const name = await ctx.elicit({
      message: "Your name?",
      requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    }, { key: "name" });
    const color = await ctx.elicit({
      message: "Your favourite colour?",
      requestedSchema: { type: "object", properties: { color: { type: "string" } }, required: ["color"] },
    }, { key: "color" });
    return `${name.content?.name} likes ${color.content?.color}`;
  },
});

/** Work for `ms` milliseconds (cancellable): a call to drain on shutdown. */
export const slowCompute = defineTool({
  name: "slow_compute",
  description: "Takes `ms` milliseconds to answer",
  inputSchema: { ms: z.number().int().min(0).max(60_000) },
  handler: async ({ ms }, ctx) => {
    await sleep(ms, ctx.signal);
    return `done after ${ms} ms`;
  },
});

/** The URI of the board clients subscribe to. */
export const BOARD_URI = "note://board";
let version = 0;

/** A note clients subscribe to (`resources/subscribe`); `post_note` changes it. */
export const board = defineResource({
  uri: BOARD_URI,
  name: "Board",
  description: "A note that post_note changes",
  mimeType: "text/plain",
  handler: () => `board version ${version}`,
});

/** Change the board and tell its subscribers, whichever instance holds their streams. */
export const postNote = defineTool({
  name: "post_note",
  description: "Changes note://board and notifies its subscribers",
  inputSchema: {},
  handler: async (_args, ctx) => {
    version++;
    await ctx.resourceUpdated(BOARD_URI);
    return `board updated (${version} on this instance)`;
  },
});
