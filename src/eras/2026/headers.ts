/**
 * The HTTP headers of the 2026-07-28 wire (SEP-2243), checked against the body they mirror:
 * `MCP-Protocol-Version` (the envelope's version), `Mcp-Method` (the method), `Mcp-Name` (the
 * tool or prompt name, resource URI or task id) and `Mcp-Param-<Name>` (tool arguments whose
 * schema property carries `"x-mcp-header": "<Name>"`, literal or `=?base64?…?=`). Any
 * disagreement, or a missing header the body calls for, is `-32020` with HTTP 400. Header names
 * are case-insensitive; values are case-sensitive, with surrounding whitespace ignored.
 *
 * @module
 */

import type { ToolEntry } from "../../core/registry.ts";
import { ErrorCode } from "../../errors.ts";
import { claimedVersion } from "../era.ts";
import { type ModernRequest, WireError } from "./envelope.ts";

function mismatch(message: string): WireError {
  return new WireError(ErrorCode.HeaderMismatch, `Header mismatch: ${message}`, 400);
}

/** The body value `Mcp-Name` mirrors, for the methods that have one. */
export function nameOf(request: ModernRequest): unknown {
  switch (request.method) {
    case "tools/call":
    case "prompts/get":
      return request.params.name;
    case "resources/read":
      return request.params.uri;
    case "tasks/get":
    case "tasks/update":
    case "tasks/cancel":
      return request.params.taskId;
    default:
      return undefined;
  }
}

/**
 * `MCP-Protocol-Version` against the envelope's claim: a claim needs the header, with the same
 * value (a request with no claim is refused by the envelope check instead).
 *
 * @example
 * ```ts
 * import { checkVersionHeader } from "./headers.ts";
 * const message = { params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } } };
 * checkVersionHeader(new Headers({ "mcp-protocol-version": "2026-07-28" }), message); // passes
 * ```
 */
export function checkVersionHeader(headers: Headers, message: unknown): void {
  const claim = claimedVersion(message);
  if (claim === undefined) return;
  const header = headers.get("mcp-protocol-version")?.trim();
  if (header === undefined) {
    throw mismatch("MCP-Protocol-Version header is required with a per-request _meta");
  }
  if (header !== claim) {
    throw mismatch(`MCP-Protocol-Version header '${header}' does not match _meta protocolVersion '${claim}'`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The value an `Mcp-Param-*` header carries: literal, or `=?base64?<b64>?=` decoded (strictly). */
function headerValue(raw: string, name: string): string {
  const m = /^=\?base64\?(.*)\?=$/.exec(raw);
  if (!m) return raw;
  if (!BASE64.test(m[1])) throw mismatch(`${name} is not valid base64`);
  try {
    return utf8.decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    throw mismatch(`${name} does not decode to UTF-8 text`);
  }
}

/** How a body argument reads as a header value. */
function asHeader(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * `Mcp-Method`, `Mcp-Name` and the `Mcp-Param-*` headers of `request` against its body (`toolOf`
 * finds the tool whose `x-mcp-header` arguments are mirrored, as the caller sees it).
 *
 * @example
 * ```ts
 * import { checkRequestHeaders } from "./headers.ts";
 * checkRequestHeaders(new Headers({ "mcp-method": "tools/list" }), { id: 1, method: "tools/list", params: {} }, () => undefined);
 * ```
 */
export function checkRequestHeaders(
  headers: Headers,
  request: ModernRequest,
  toolOf: (name: string) => ToolEntry | undefined,
): void {
  const method = headers.get("mcp-method")?.trim();
  if (method === undefined) throw mismatch("Mcp-Method header is required");
  if (method !== request.method) {
    throw mismatch(`Mcp-Method header '${method}' does not match the body's method '${request.method}'`);
  }
  const name = nameOf(request);
  const header = headers.get("mcp-name")?.trim();
  if (typeof name === "string") {
    if (header === undefined) throw mismatch(`Mcp-Name header is required for ${request.method}`);
    if (header !== name) throw mismatch(`Mcp-Name header '${header}' does not match the body's '${name}'`);
  }
  if (request.method !== "tools/call" || typeof name !== "string") return;
  const properties = toolOf(name)?.tool.inputSchema.properties;
  if (!properties) return;
  const args = (request.params.arguments ?? {}) as Record<string, unknown>;
  for (const [param, schema] of Object.entries(properties)) {
    const mirrored = (schema as Record<string, unknown> | undefined)?.["x-mcp-header"];
    if (typeof mirrored !== "string") continue;
    const headerName = `Mcp-Param-${mirrored}`;
    const raw = headers.get(headerName)?.trim();
    const value = args[param];
    if (value === undefined || value === null) {
      if (raw !== undefined) throw mismatch(`${headerName} is set but the argument '${param}' is not`);
      continue;
    }
    if (raw === undefined) throw mismatch(`${headerName} header is required (argument '${param}' is set)`);
    if (headerValue(raw, headerName) !== asHeader(value)) {
      throw mismatch(`${headerName} does not match the argument '${param}'`);
    }
  }
}
