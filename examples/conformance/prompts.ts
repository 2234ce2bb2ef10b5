/**
 * Prompts the MCP conformance suite lists and gets, including argument completion
 * (`completion/complete`) for `test_prompt_with_arguments`.
 *
 * @module
 */

import { definePrompt, embeddedResource, image, text } from "../../define.ts";
import { RED_PIXEL_PNG } from "./assets.ts";

/** No arguments, one user message (`prompts-get-simple`). */
export const simplePrompt = definePrompt({
  name: "test_simple_prompt",
  description: "A simple prompt without arguments",
  handler: () => "This is a simple prompt for testing.",
});

const ARG1_SUGGESTIONS = ["test", "testValue1", "paris", "park", "party"];

/** Two required arguments substituted into the text; `arg1` completes (`prompts-get-with-args`). */
export const promptWithArguments = definePrompt({
  name: "test_prompt_with_arguments",
  description: "A prompt with two required arguments",
  arguments: [
    { name: "arg1", description: "First test argument", required: true },
    { name: "arg2", description: "Second test argument", required: true },
  ],
  complete: { arg1: (prefix) => ARG1_SUGGESTIONS.filter((v) => v.startsWith(prefix)) },
  handler: ({ arg1, arg2 }) => `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`,
});

/** An embedded resource for the URI the caller names, then an instruction. */
export const promptWithEmbeddedResource = definePrompt({
  name: "test_prompt_with_embedded_resource",
  description: "A prompt that embeds the resource named by resourceUri",
  arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
  handler: ({ resourceUri }) => [
    {
      role: "user",
      content: embeddedResource(resourceUri, "Embedded resource content for testing.", "text/plain"),
    },
    { role: "user", content: text("Please process the embedded resource above.") },
  ],
});

/** An image, then an instruction (`prompts-get-with-image`). */
export const promptWithImage = definePrompt({
  name: "test_prompt_with_image",
  description: "A prompt with image content",
  handler: () => [
    { role: "user", content: image(RED_PIXEL_PNG, "image/png") },
    { role: "user", content: text("Please analyze the image above.") },
  ],
});

/** Asks the user for context before it renders (`input_required` on `prompts/get`, 2026 wire). */
export const promptWithInput = definePrompt({
  name: "test_input_required_result_prompt",
  description: "A prompt that asks the user what context to use",
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "What context should the prompt use?",
      requestedSchema: { type: "object", properties: { context: { type: "string" } }, required: ["context"] },
    }, { key: "user_context" });
    return `Use this context: ${answer.content?.context ?? "(none)"}`;
  },
});
