/**
 * Errors of the proxy.
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../errors.ts";

/**
 * No upstream can serve this request: it is down, this session has no instance (no session,
 * `max_instances` reached), or its instance failed to start. A tool call shows the message as a
 * tool error; other requests answer with it as a protocol error (internal error).
 *
 * @example
 * ```ts
 * import { UpstreamUnavailableError } from "./errors.ts";
 * const e = new UpstreamUnavailableError("time", "Upstream 'time' is restarting (call not forwarded)");
 * console.log(e.upstream, e.code); // "time" -32603
 * ```
 */
export class UpstreamUnavailableError extends ProtocolError {
  /** `upstream` cannot serve the request, as `message` says. */
  constructor(readonly upstream: string, message: string) {
    super(ErrorCode.InternalError, message);
    this.name = "UpstreamUnavailableError";
  }
}
