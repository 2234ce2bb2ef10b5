/**
 * Example resources: a JSON document, a Markdown page and a URI template.
 *
 * @module
 */

import { defineResource, defineResourceTemplate } from "../define.ts";

/** Application settings as JSON. */
export const settings = defineResource({
  uri: "config://app/settings",
  name: "Application settings",
  description: "Current application configuration",
  mimeType: "application/json",
  handler: () =>
    JSON.stringify({ version: "1.0.0", features: { dark_mode: true }, limits: { max_upload_mb: 100 } }),
});

/** A short Markdown guide. */
export const guide = defineResource({
  uri: "docs://guide",
  name: "Getting started",
  description: "How to call the example tools",
  mimeType: "text/markdown",
  handler: () =>
    [
      "# Getting started",
      "",
      "- `greet {name}` says hello",
      "- `add {a, b}` adds numbers",
      "- `count_to {n}` reports progress when you send `_meta.progressToken`",
    ].join("\n"),
});

const GREETINGS: Record<string, string> = { en: "Hello", fr: "Bonjour", de: "Hallo", es: "Hola" };

/** One greeting per language: `greetings://{lang}`. */
export const greeting = defineResourceTemplate({
  uriTemplate: "greetings://{lang}",
  name: "Greeting",
  description: "The word for hello in a language (en, fr, de, es)",
  mimeType: "text/plain",
  list: () =>
    Object.keys(GREETINGS).map((lang) => ({ uri: `greetings://${lang}`, name: `Greeting (${lang})` })),
  complete: { lang: (prefix) => Object.keys(GREETINGS).filter((l) => l.startsWith(prefix)) },
  handler: (_uri, { lang }) => {
    const word = GREETINGS[String(lang)];
    if (!word) throw new Error(`no greeting for language '${lang}'`);
    return word;
  },
});
