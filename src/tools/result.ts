/**
 * Turning what handlers return into protocol results (tool results, resource contents, prompt
 * messages). One place decides the mapping so every handler kind behaves the same.
 *
 * @module
 */

import type { CallToolResult, ContentBlock, GetPromptResult, ReadResourceResult } from "../protocol.ts";
import { toBase64 } from "./content.ts";
import type { PromptReturn, ResourceReturn } from "./define.ts";

const CONTENT_TYPES = new Set(["text", "image", "audio", "resource", "resource_link"]);

function isContentBlock(v: unknown): v is ContentBlock {
  return !!v && typeof v === "object" && CONTENT_TYPES.has((v as { type?: unknown }).type as string);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Map a tool handler's return value to a `CallToolResult`.
 *
 * @example
 * ```ts
 * import { toCallToolResult } from "./result.ts";
 * toCallToolResult({ sum: 3 });
 * // { content: [{ type: "text", text: '{"sum":3}' }], structuredContent: { sum: 3 } }
 * ```
 */
export function toCallToolResult(value: unknown): CallToolResult {
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  if (value === undefined || value === null) return { content: [] };
  if (value instanceof Uint8Array) {
    return {
      content: [{
        type: "resource",
        resource: {
          uri: "data:application/octet-stream",
          blob: toBase64(value),
          mimeType: "application/octet-stream",
        },
      }],
    };
  }
  if (isContentBlock(value)) return { content: [value] };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isContentBlock)) return { content: value };
    return { content: [{ type: "text", text: JSON.stringify(value) }] };
  }
  if (isPlainObject(value)) {
    if (Array.isArray(value.content) && value.content.every(isContentBlock)) return value as CallToolResult;
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return { content: [{ type: "text", text: String(value) }] };
  }
  // Class instances, Dates, ...: their JSON form (what JSON.stringify would send anyway).
  return { content: [{ type: "text", text: JSON.stringify(value) ?? String(value) }] };
}

/**
 * A tool error result: `isError: true` with one text item.
 *
 * @example
 * ```ts
 * import { toolErrorResult } from "@chuk/mcp-runtime";
 * toolErrorResult("Tool execution error: boom");
 * ```
 */
export function toolErrorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

const CAUSE = Symbol.for("@chuk/mcp-runtime/tool-error-cause");

/**
 * A tool error result that remembers what the handler threw (a symbol key: never sent), so a
 * caller that tells tool failures from protocol failures — a task records a thrown
 * `ProtocolError` as `failed`, any other failure as a completed tool error — can.
 *
 * @example
 * ```ts
 * import { errorCauseOf, toolErrorResultFrom } from "./result.ts";
 * const cause = new Error("boom");
 * console.log(errorCauseOf(toolErrorResultFrom("Tool execution error: boom", cause)) === cause); // true
 * ```
 */
export function toolErrorResultFrom(message: string, cause: unknown): CallToolResult {
  const result = toolErrorResult(message);
  Object.defineProperty(result, CAUSE, { value: cause, enumerable: false });
  return result;
}

/** What the handler of a tool error result threw, when the result remembers it. */
export function errorCauseOf(result: unknown): unknown {
  return result && typeof result === "object" ? (result as Record<symbol, unknown>)[CAUSE] : undefined;
}

/**
 * Map a resource handler's return value to a `ReadResourceResult` for `uri`, keeping the declared
 * MIME type.
 *
 * @example
 * ```ts
 * import { toReadResourceResult } from "./result.ts";
 * toReadResourceResult("config://db", '{"port":5432}', "application/json");
 * ```
 */
export function toReadResourceResult(
  uri: string,
  value: ResourceReturn,
  mimeType?: string,
): ReadResourceResult {
  if (typeof value === "string") {
    return { contents: [{ uri, mimeType: mimeType ?? "text/plain", text: value }] };
  }
  if (value instanceof Uint8Array) {
    return { contents: [{ uri, mimeType: mimeType ?? "application/octet-stream", blob: toBase64(value) }] };
  }
  if (value && typeof value === "object") {
    if ("contents" in value && Array.isArray(value.contents)) return value as ReadResourceResult;
    const v = value as { text?: unknown; blob?: unknown; mimeType?: unknown };
    const declared = typeof v.mimeType === "string" ? v.mimeType : mimeType;
    if (typeof v.text === "string") {
      return { contents: [{ uri, mimeType: declared ?? "text/plain", text: v.text }] };
    }
    if (typeof v.blob === "string" || v.blob instanceof Uint8Array) {
      const blob = typeof v.blob === "string" ? v.blob : toBase64(v.blob);
      return { contents: [{ uri, mimeType: declared ?? "application/octet-stream", blob }] };
    }
  }
  throw new TypeError(`resource handler for ${uri} returned an unsupported value`);
}

/**
 * Map a prompt handler's return value to a `GetPromptResult`.
 *
 * @example
 * ```ts
 * import { toGetPromptResult } from "./result.ts";
 * toGetPromptResult("Summarise this", "A summary prompt");
 * ```
 */
export function toGetPromptResult(value: PromptReturn, description?: string): GetPromptResult {
  if (typeof value === "string") {
    return {
      ...(description ? { description } : {}),
      messages: [{ role: "user", content: { type: "text", text: value } }],
    };
  }
  if (Array.isArray(value)) return { ...(description ? { description } : {}), messages: value };
  if (value && typeof value === "object" && Array.isArray(value.messages)) return value;
  throw new TypeError("prompt handler returned an unsupported value");
}
