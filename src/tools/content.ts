/**
 * Helpers that build MCP content blocks for tool results and prompts.
 *
 * @module
 */

import type { ContentBlock } from "../protocol.ts";

/**
 * Base64 of bytes (standard alphabet, padded).
 *
 * @example
 * ```ts
 * import { toBase64 } from "@chuk/mcp-runtime";
 * toBase64(new TextEncoder().encode("hi")); // "aGk="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(s);
}

/**
 * Bytes of a base64 string. Throws `TypeError` on invalid input.
 *
 * @example
 * ```ts
 * import { fromBase64 } from "@chuk/mcp-runtime";
 * new TextDecoder().decode(fromBase64("aGk=")); // "hi"
 * ```
 */
export function fromBase64(b64: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(b64.replace(/\s+/g, ""));
  } catch {
    throw new TypeError("invalid base64 content");
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const b64 = (data: Uint8Array | string) => (typeof data === "string" ? data : toBase64(data));

/**
 * A text content block.
 *
 * @example
 * ```ts
 * import { text } from "@chuk/mcp-runtime";
 * const block = text("hello"); // { type: "text", text: "hello" }
 * ```
 */
export function text(value: string): ContentBlock {
  return { type: "text", text: value };
}

/**
 * An image content block from bytes or base64.
 *
 * @example
 * ```ts
 * import { image } from "@chuk/mcp-runtime";
 * const png = image(new Uint8Array([137, 80, 78, 71]), "image/png");
 * ```
 */
export function image(data: Uint8Array | string, mimeType: string): ContentBlock {
  return { type: "image", data: b64(data), mimeType };
}

/**
 * An audio content block from bytes or base64.
 *
 * @example
 * ```ts
 * import { audio } from "@chuk/mcp-runtime";
 * const wav = audio("UklGRg==", "audio/wav");
 * ```
 */
export function audio(data: Uint8Array | string, mimeType: string): ContentBlock {
  return { type: "audio", data: b64(data), mimeType };
}

/**
 * An embedded resource: text, or bytes (sent as a base64 blob).
 *
 * @example
 * ```ts
 * import { embeddedResource } from "@chuk/mcp-runtime";
 * const block = embeddedResource("file:///notes.md", "# Notes", "text/markdown");
 * ```
 */
export function embeddedResource(uri: string, content: string | Uint8Array, mimeType?: string): ContentBlock {
  const resource = typeof content === "string"
    ? { uri, text: content, ...(mimeType ? { mimeType } : {}) }
    : { uri, blob: toBase64(content), mimeType: mimeType ?? "application/octet-stream" };
  return { type: "resource", resource };
}

/**
 * A link to a resource the client can read later.
 *
 * @example
 * ```ts
 * import { resourceLink } from "@chuk/mcp-runtime";
 * const block = resourceLink("artifact://0f3a", "report.pdf", "application/pdf");
 * ```
 */
export function resourceLink(
  uri: string,
  name: string,
  mimeType?: string,
  description?: string,
): ContentBlock {
  return {
    type: "resource_link",
    uri,
    name,
    ...(mimeType ? { mimeType } : {}),
    ...(description ? { description } : {}),
  };
}
