/**
 * Tools the official MCP conformance suite (`@modelcontextprotocol/conformance`, server scenarios)
 * calls, written only with the public API: plain returns and content helpers for results,
 * `ctx.log` / `ctx.sendProgress` for notifications during a call, `ctx.sample` / `ctx.elicit` for
 * requests back to the client, `ToolError` for a tool-level error.
 *
 * Served by `examples/conformance/config.yaml`; exercised by `deno task conformance`.
 *
 * @module
 */

import { z } from "zod";
import { audio, defineTool, embeddedResource, image, text, ToolError } from "../../define.ts";
import type { ContentBlock } from "../../define.ts";
import { RED_PIXEL_PNG, silentWav, watched, WATCHED_URI } from "./assets.ts";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/** A text answer (scenario `tools-call-simple-text`; the suite calls it with no `arguments`). */
export const simpleText = defineTool({
  name: "test_simple_text",
  description: "Returns a simple text response",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () => "This is a simple text response for testing.",
});

/** One image content item (`tools-call-image`). */
export const imageContent = defineTool({
  name: "test_image_content",
  description: "Returns a 1x1 red PNG as image content",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () => image(RED_PIXEL_PNG, "image/png"),
});

/** One audio content item (`tools-call-audio`). */
export const audioContent = defineTool({
  name: "test_audio_content",
  description: "Returns a short silent WAV as audio content",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () => audio(silentWav(), "audio/wav"),
});

/** One embedded text resource (`tools-call-embedded-resource`). */
export const embeddedResourceTool = defineTool({
  name: "test_embedded_resource",
  description: "Returns an embedded text resource",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () =>
    embeddedResource("test://embedded-resource", "This is an embedded resource content.", "text/plain"),
});

/** Text, image and resource in one result (`tools-call-mixed-content`). */
export const multipleContentTypes = defineTool({
  name: "test_multiple_content_types",
  description: "Returns text, image and embedded resource content together",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: (): ContentBlock[] => [
    text("Multiple content types test:"),
    image(RED_PIXEL_PNG, "image/png"),
    embeddedResource(
      "test://mixed-content-resource",
      JSON.stringify({ test: "data", value: 123 }),
      "application/json",
    ),
  ],
});

/** Three `notifications/message` entries during the call (`tools-call-with-logging`). */
export const toolWithLogging = defineTool({
  name: "test_tool_with_logging",
  description: "Sends three info log notifications while it runs",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    await ctx.log("info", "Tool execution started", "conformance");
    await sleep(50, ctx.signal);
    await ctx.log("info", "Tool processing data", "conformance");
    await sleep(50, ctx.signal);
    await ctx.log("info", "Tool execution completed", "conformance");
    return "Tool with logging executed successfully";
  },
});

/** Progress 0, 50, 100 of 100 (`tools-call-with-progress`); silent without a progress token. */
export const toolWithProgress = defineTool({
  name: "test_tool_with_progress",
  description: "Reports progress 0/100, 50/100 and 100/100 while it runs",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    await ctx.sendProgress(0, 100, "started");
    await sleep(50, ctx.signal);
    await ctx.sendProgress(50, 100, "half way");
    await sleep(50, ctx.signal);
    await ctx.sendProgress(100, 100, "done");
    return `Progress tool completed (token: ${JSON.stringify(ctx.progressToken ?? null)})`;
  },
});

/** Always fails with a tool-level error: `isError: true`, not a JSON-RPC error (`tools-call-error`). */
export const errorHandling = defineTool({
  name: "test_error_handling",
  description: "Always fails with a tool error result",
  inputSchema: { type: "object", properties: {} },
  handler: () => {
    throw new ToolError("This tool intentionally returns an error for testing");
  },
});

/** Asks the client's model (`sampling/createMessage`) and returns its answer (`tools-call-sampling`). */
export const sampling = defineTool({
  name: "test_sampling",
  description: "Requests an LLM completion from the client (sampling) and returns it",
  inputSchema: { prompt: z.string().describe("The prompt to send to the LLM") },
  handler: async ({ prompt }, ctx) => {
    const result = await ctx.sample({
      messages: [{ role: "user", content: { type: "text", text: prompt } }],
      maxTokens: 100,
    });
    const blocks = Array.isArray(result.content) ? result.content : [result.content];
    const answer = blocks.map((b) => (b.type === "text" ? b.text : `[${b.type}]`)).join("\n");
    return `LLM response: ${answer}`;
  },
});

/** Asks the user for a username and email (`elicitation/create`; `tools-call-elicitation`). */
export const elicitation = defineTool({
  name: "test_elicitation",
  description: "Requests user input (elicitation) from the client and returns the answer",
  inputSchema: { message: z.string().describe("The message to show the user") },
  handler: async ({ message }, ctx) => {
    const result = await ctx.elicit({
      message,
      requestedSchema: {
        type: "object",
        properties: {
          username: { type: "string", description: "User's response" },
          email: { type: "string", description: "User's email address" },
        },
        required: ["username", "email"],
      },
    });
    return `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  },
});

/** Elicitation whose schema carries a default for every primitive type (SEP-1034). */
export const elicitationDefaults = defineTool({
  name: "test_elicitation_sep1034_defaults",
  description: "Requests elicitation with default values for string, integer, number, enum and boolean",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const result = await ctx.elicit({
      message: "Please review and update the form fields with defaults",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "User name", default: "John Doe" },
          age: { type: "integer", description: "User age", default: 30 },
          score: { type: "number", description: "User score", default: 95.5 },
          status: {
            type: "string",
            description: "User status",
            enum: ["active", "inactive", "pending"],
            default: "active",
          },
          verified: { type: "boolean", description: "Verification status", default: true },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  },
});

/** Elicitation with the five enum schema variants of SEP-1330. */
export const elicitationEnums = defineTool({
  name: "test_elicitation_sep1330_enums",
  description: "Requests elicitation with untitled, titled and legacy enums, single and multi select",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const result = await ctx.elicit({
      message: "Please choose options from each kind of enum",
      requestedSchema: {
        type: "object",
        properties: {
          untitledSingle: {
            type: "string",
            description: "Untitled single-select",
            enum: ["option1", "option2", "option3"],
          },
          titledSingle: {
            type: "string",
            description: "Titled single-select",
            oneOf: [
              { const: "value1", title: "First Option" },
              { const: "value2", title: "Second Option" },
              { const: "value3", title: "Third Option" },
            ],
          },
          legacyEnum: {
            type: "string",
            description: "Legacy titled enum (enumNames, deprecated)",
            enum: ["opt1", "opt2", "opt3"],
            enumNames: ["Option One", "Option Two", "Option Three"],
          },
          untitledMulti: {
            type: "array",
            description: "Untitled multi-select",
            items: { type: "string", enum: ["option1", "option2", "option3"] },
          },
          titledMulti: {
            type: "array",
            description: "Titled multi-select",
            items: {
              anyOf: [
                { const: "value1", title: "First Choice" },
                { const: "value2", title: "Second Choice" },
                { const: "value3", title: "Third Choice" },
              ],
            },
          },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  },
});

/** A JSON Schema 2020-12 input schema, listed as written (pending scenario `json-schema-2020-12`). */
export const jsonSchema202012 = defineTool({
  name: "json_schema_2020_12_tool",
  description: "Tool with JSON Schema 2020-12 features",
  inputSchema: {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    $defs: {
      address: {
        type: "object",
        properties: { street: { type: "string" }, city: { type: "string" } },
      },
    },
    properties: {
      name: { type: "string" },
      address: { $ref: "#/$defs/address" },
    },
    additionalProperties: false,
  },
  handler: (args) => ({ received: args }),
});

/**
 * Change `test://watched-resource` and tell subscribers (`notifications/resources/updated`).
 * Not called by the suite (it only subscribes and unsubscribes); here so the subscription has
 * something to report.
 */
export const updateWatchedResource = defineTool({
  name: "test_update_watched_resource",
  description: "Changes test://watched-resource and notifies its subscribers",
  inputSchema: { content: z.string().optional().describe("New content (default: a counter)") },
  handler: async ({ content }, ctx) => {
    watched.content = content ?? `Watched resource content, version ${++watched.version}`;
    await ctx.resourceUpdated(WATCHED_URI);
    return `Updated ${WATCHED_URI}`;
  },
});
