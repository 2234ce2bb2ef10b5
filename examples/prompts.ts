/**
 * Example prompts.
 *
 * @module
 */

import { definePrompt } from "../define.ts";

/** Ask for a code review. */
export const codeReview = definePrompt({
  name: "code_review",
  description: "Review a piece of code",
  arguments: [
    { name: "code", description: "The code to review", required: true },
    { name: "language", description: "Programming language" },
  ],
  complete: {
    language: (prefix) => ["typescript", "python", "go", "rust"].filter((l) => l.startsWith(prefix)),
  },
  handler: ({ code, language }) =>
    `Please review this ${language ?? ""} code for bugs and readability:\n\n${code}`.replace("  ", " "),
});

/** Summarise text in a given number of sentences. */
export const summarize = definePrompt({
  name: "summarize",
  description: "Summarise a text",
  arguments: [{ name: "text", required: true }, { name: "sentences", description: "How many (default 3)" }],
  handler: ({ text, sentences }) => [
    { role: "user", content: { type: "text", text: `Summarise in ${sentences ?? 3} sentences:\n\n${text}` } },
  ],
});
