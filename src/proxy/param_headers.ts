/**
 * The client side of SEP-2243's custom headers (MCP 2026-07-28 over streamable HTTP): a tool
 * argument whose schema property carries `"x-mcp-header": "<Name>"` travels as the
 * `Mcp-Param-<Name>` header too, so gateways can route on it without reading the body.
 *
 * - {@linkcode headerDeclarations} reads a tool's declarations and says whether they are valid:
 *   a name that is a non-empty HTTP token (no spaces, colons, control or non-ASCII characters),
 *   unique regardless of case, on a `string`, `integer` or `boolean` property reached from the
 *   root through `properties` only. A client must leave out tools with invalid declarations.
 * - {@linkcode paramHeaders} writes the headers of one call: the value as text, or
 *   `=?base64?<UTF-8 as base64>?=` when it has characters outside printable ASCII or leading or
 *   trailing whitespace; nothing for an argument that is absent or `null`.
 *
 * @module
 */

import { isObject } from "../util/object.ts";

/** One `x-mcp-header` declaration: where the argument is, and the header's `<Name>`. */
export interface HeaderDeclaration {
  /** Property path from the arguments' root. */
  path: string[];
  /** The `<Name>` of `Mcp-Param-<Name>`, as declared. */
  name: string;
}

/** What a tool's schema declares: its headers, or why they are invalid. */
export type HeaderScan = { ok: true; declarations: HeaderDeclaration[] } | { ok: false; reason: string };

/** RFC 9110 `token`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TYPES = new Set(["string", "integer", "boolean"]);
/** Keywords whose subschemas are not reached through `properties` alone: no declarations there. */
const ELSEWHERE = [
  "items",
  "prefixItems",
  "contains",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "propertyNames",
  "patternProperties",
  "dependentSchemas",
  "oneOf",
  "anyOf",
  "allOf",
  "not",
  "if",
  "then",
  "else",
  "$defs",
  "definitions",
];

/** Whether any subschema under `node` declares a header (used below `ELSEWHERE` keywords). */
function declaresAnywhere(node: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (Array.isArray(node)) return node.some((n) => declaresAnywhere(n, depth + 1));
  if (!isObject(node)) return false;
  if ("x-mcp-header" in node) return true;
  return Object.values(node).some((v) => declaresAnywhere(v, depth + 1));
}

/**
 * The `x-mcp-header` declarations of a tool's `inputSchema`.
 *
 * @example
 * ```ts
 * import { headerDeclarations } from "./param_headers.ts";
 * headerDeclarations({ type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } } });
 * // { ok: true, declarations: [{ path: ["region"], name: "Region" }] }
 * ```
 */
export function headerDeclarations(inputSchema: unknown): HeaderScan {
  const declarations: HeaderDeclaration[] = [];
  const seen = new Set<string>();
  const walk = (node: unknown, path: string[]): string | undefined => {
    if (!isObject(node)) return undefined;
    if ("x-mcp-header" in node) {
      const name = node["x-mcp-header"];
      const at = path.join(".") || "<root>";
      if (path.length === 0) return `${at}: x-mcp-header belongs on a property`;
      if (typeof name !== "string" || name === "") return `${at}: x-mcp-header must be a non-empty string`;
      if (!TOKEN.test(name)) return `${at}: x-mcp-header '${name}' is not an HTTP token`;
      if (typeof node.type !== "string" || !TYPES.has(node.type)) {
        return `${at}: x-mcp-header is only allowed on string, integer or boolean properties`;
      }
      if (seen.has(name.toLowerCase())) return `x-mcp-header '${name}' is declared twice`;
      seen.add(name.toLowerCase());
      declarations.push({ path, name });
    }
    if (isObject(node.properties)) {
      for (const [key, child] of Object.entries(node.properties)) {
        const fault = walk(child, [...path, key]);
        if (fault) return fault;
      }
    }
    for (const k of ELSEWHERE) {
      if (node[k] !== undefined && declaresAnywhere(node[k])) {
        return `${path.join(".") || "<root>"}: x-mcp-header under '${k}' is not reachable through properties`;
      }
    }
    return undefined;
  };
  const fault = walk(inputSchema, []);
  return fault ? { ok: false, reason: fault } : { ok: true, declarations };
}

/** Whether a value cannot travel as a plain header value. */
function needsBase64(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return true;
  }
  return text !== text.trim();
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * The `Mcp-Param-*` headers of one call of a tool with `declarations`.
 *
 * @example
 * ```ts
 * import { paramHeaders } from "./param_headers.ts";
 * paramHeaders([{ path: ["region"], name: "Region" }], { region: " us" });
 * // { "Mcp-Param-Region": "=?base64?IHVz?=" }
 * ```
 */
export function paramHeaders(
  declarations: readonly HeaderDeclaration[],
  args: Record<string, unknown> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { path, name } of declarations) {
    let value: unknown = args;
    for (const key of path) value = isObject(value) ? value[key] : undefined;
    if (value === undefined || value === null) continue;
    let text: string;
    if (typeof value === "string") text = value;
    else if (typeof value === "number" || typeof value === "boolean") text = String(value);
    else continue;
    out[`Mcp-Param-${name}`] = needsBase64(text) ? `=?base64?${base64(text)}?=` : text;
  }
  return out;
}
