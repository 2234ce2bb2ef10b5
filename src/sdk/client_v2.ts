/**
 * The SDK v2 client (`@modelcontextprotocol/client` 2.4), the one place it is imported: a real
 * client of both protocol eras. `versionNegotiation: { mode: "auto" }` probes `server/discover`
 * and speaks 2026-07-28 when the server offers it (else the 2025 `initialize` handshake);
 * `{ pin: "2026-07-28" }` speaks nothing else. The proxy's upstream connections use it (every
 * upstream, every era: one client for both), tests use it as a 2026 client.
 *
 * Its errors are not the runtime's: a server's error arrives as the SDK's `ProtocolError`, a local
 * failure (timeout, closed connection, failed negotiation) as `SdkError` with a string code.
 * {@linkcode fromSdkV2Error} turns them into the runtime's {@linkcode ProtocolError}.
 *
 * @module
 */

import {
  isInputRequiredResult,
  ProtocolError as SdkProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
} from "@modelcontextprotocol/client";
import { ErrorCode, ProtocolError } from "../errors.ts";

export {
  Client,
  isInputRequiredResult,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
export type {
  ClientOptions,
  DiscoverResult,
  McpSubscription,
  PriorDiscovery,
  StreamableHTTPClientTransportOptions,
  SubscriptionFilter,
  VersionNegotiationOptions,
} from "@modelcontextprotocol/client";

/** The `_meta` keys of the 2026-07-28 per-request envelope (what a client says about itself). */
export const ENVELOPE_KEYS = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
} as const;

/** What `client.request()` resolves with for an `input_required` answer (`allowInputRequired`). */
export interface InputRequiredAnswer {
  resultType: "input_required";
  inputRequests?: Record<string, unknown>;
  requestState?: string;
}

/**
 * Whether `value` is an `input_required` answer.
 *
 * @example
 * ```ts
 * import { isInputRequired } from "./client_v2.ts";
 * isInputRequired({ resultType: "input_required", inputRequests: {} }); // true
 * ```
 */
export function isInputRequired(value: unknown): value is InputRequiredAnswer {
  return isInputRequiredResult(value);
}

/**
 * What the runtime sees of an error the v2 client raised: a server's error (`ProtocolError` of
 * the SDK) keeps its code, message and data; a timeout becomes `RequestTimeout`, a closed
 * connection `ConnectionClosed` ("Connection closed"); anything else (HTTP failures, failed
 * negotiation, login errors) is returned as it is.
 *
 * @example
 * ```ts
 * import { fromSdkV2Error } from "./client_v2.ts";
 * const e = fromSdkV2Error(new Error("boom")); // the same error
 * ```
 */
export function fromSdkV2Error(e: unknown): unknown {
  if (e instanceof ProtocolError) return e;
  let out: ProtocolError | undefined;
  if (e instanceof SdkProtocolError) out = new ProtocolError(e.code, e.message, e.data);
  else if (e instanceof SdkError && !(e instanceof SdkHttpError)) {
    if (e.code === SdkErrorCode.RequestTimeout) {
      out = new ProtocolError(ErrorCode.RequestTimeout, e.message, e.data);
    } else if (e.code === SdkErrorCode.ConnectionClosed || e.code === SdkErrorCode.NotConnected) {
      out = new ProtocolError(ErrorCode.ConnectionClosed, "Connection closed");
    }
  }
  if (!out) return e;
  out.stack = (e as Error).stack;
  return out;
}

/**
 * Await a v2 client call, seeing the errors it raises as the runtime's ({@linkcode fromSdkV2Error}).
 *
 * @example
 * ```ts
 * import { v2Result } from "./client_v2.ts";
 * const answer = await v2Result(Promise.resolve(42));
 * ```
 */
export async function v2Result<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (e) {
    throw fromSdkV2Error(e);
  }
}
