/**
 * The per-request envelope of the 2026-07-28 wire (`params._meta`): protocol version, client
 * capabilities, client info and the log level, checked before anything else, and the wire's
 * errors with the HTTP status each must travel with.
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../../errors.ts";
import { MCP_LOG_LEVELS } from "../../log/logger.ts";
import type { ClientCapabilities, Implementation, LoggingLevel, RequestId } from "../../protocol.ts";
import { META, MODERN_VERSIONS } from "../era.ts";
import { isObject } from "../../util/object.ts";

/** A JSON-RPC request of the 2026 wire. */
export interface ModernRequest {
  /** Its id. */
  id: RequestId;
  /** Its method. */
  method: string;
  /** Its params (`{}` when absent). */
  params: Record<string, unknown>;
}

/** What a request's `_meta` declares. */
export interface Envelope {
  /** The protocol version it speaks. */
  version: string;
  /** What the client can do for this request. */
  capabilities: ClientCapabilities;
  /** Who the client says it is (optional). */
  clientInfo?: Implementation;
  /** The lowest log level the client wants for this request; none = no log messages. */
  logLevel?: LoggingLevel;
}

/**
 * An error of the 2026 wire that fails a request before it is served, with its HTTP status (400
 * for a bad envelope or header, 404 for a method the era does not have).
 *
 * @example
 * ```ts
 * import { WireError } from "./envelope.ts";
 * const e = new WireError(-32020, "Mcp-Method header does not match the body", 400);
 * console.log(e.status); // 400
 * ```
 */
export class WireError extends ProtocolError {
  /** A `code` error with `message` (and `data`), sent with HTTP `status`. */
  constructor(code: number, message: string, readonly status: number, data?: unknown) {
    super(code, message, data);
    this.name = "WireError";
  }
}

/** The HTTP status of a request that failed with `error` (a 2026-07-28 rule per code). */
export function statusOf(error: ProtocolError): number {
  if (error instanceof WireError) return error.status;
  if (error.code === ErrorCode.MethodNotFound) return 404;
  if (
    error.code === ErrorCode.MissingRequiredClientCapability || error.code === ErrorCode.HeaderMismatch ||
    error.code === ErrorCode.UnsupportedProtocolVersion
  ) return 400;
  return 200;
}

function missing(keys: string[]): WireError {
  return new WireError(
    ErrorCode.InvalidParams,
    `Invalid params: missing the required per-request _meta key(s): ${keys.join(", ")}`,
    400,
  );
}

/**
 * The envelope of `params`, or the `WireError` refusing it: `-32602` (HTTP 400) for a missing
 * or malformed `_meta`, `-32022` (400, with the versions served) for a version this server does
 * not speak.
 *
 * @example
 * ```ts
 * import { readEnvelope } from "./envelope.ts";
 * const env = readEnvelope({
 *   _meta: {
 *     "io.modelcontextprotocol/protocolVersion": "2026-07-28",
 *     "io.modelcontextprotocol/clientCapabilities": {},
 *   },
 * });
 * console.log(env.version); // "2026-07-28"
 * ```
 */
export function readEnvelope(params: Record<string, unknown>): Envelope {
  const meta = params._meta;
  if (!isObject(meta)) throw missing([META.protocolVersion, META.clientCapabilities]);
  const version = meta[META.protocolVersion];
  const capabilities = meta[META.clientCapabilities];
  const absent = [
    ...(version === undefined ? [META.protocolVersion] : []),
    ...(capabilities === undefined ? [META.clientCapabilities] : []),
  ];
  if (absent.length) throw missing(absent);
  if (typeof version !== "string") {
    throw new WireError(
      ErrorCode.InvalidParams,
      `Invalid params: ${META.protocolVersion} must be a string`,
      400,
    );
  }
  if (!isObject(capabilities)) {
    throw new WireError(
      ErrorCode.InvalidParams,
      `Invalid params: ${META.clientCapabilities} must be an object`,
      400,
    );
  }
  if (!MODERN_VERSIONS.includes(version)) {
    throw new WireError(
      ErrorCode.UnsupportedProtocolVersion,
      `Unsupported protocol version: ${version}`,
      400,
      {
        supported: [...MODERN_VERSIONS],
        requested: version,
      },
    );
  }
  const env: Envelope = { version, capabilities: capabilities as ClientCapabilities };
  const info = meta[META.clientInfo];
  if (isObject(info)) env.clientInfo = info as Implementation;
  const level = meta[META.logLevel];
  if (level !== undefined) {
    if (typeof level !== "string" || !(MCP_LOG_LEVELS as readonly string[]).includes(level)) {
      throw new WireError(
        ErrorCode.InvalidParams,
        `Invalid params: ${META.logLevel} must be one of ${MCP_LOG_LEVELS.join(", ")}`,
        400,
      );
    }
    env.logLevel = level as LoggingLevel;
  }
  return env;
}

/**
 * The request of a parsed message, or a `-32600` `WireError` when it is not one (no id, no
 * method, params not an object).
 *
 * @example
 * ```ts
 * import { readRequest } from "./envelope.ts";
 * readRequest({ jsonrpc: "2.0", id: 1, method: "tools/list" }); // { id: 1, method: "tools/list", params: {} }
 * ```
 */
export function readRequest(message: Record<string, unknown>): ModernRequest {
  const { id, method, params } = message;
  if (message.jsonrpc !== "2.0" || typeof method !== "string") {
    throw new WireError(ErrorCode.InvalidRequest, "Invalid Request: not a JSON-RPC 2.0 request", 400);
  }
  if (typeof id !== "string" && typeof id !== "number") {
    throw new WireError(ErrorCode.InvalidRequest, "Invalid Request: a request needs an id", 400);
  }
  if (params !== undefined && !isObject(params)) {
    throw new WireError(ErrorCode.InvalidRequest, "Invalid Request: params must be an object", 400);
  }
  return { id, method, params: params ?? {} };
}
