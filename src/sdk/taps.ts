/**
 * The one place the runtime reaches into an SDK transport. Five features need to see messages the
 * SDK handles, and each does it through these two taps instead of patching the transport itself:
 *
 * - `json_response` per request (`src/eras/2025/json_answer.ts`) watches what a server sends
 *   ({@linkcode tapSend});
 * - the proxy's fast lane for `tools/call` (`src/proxy/raw.ts`) takes its own answers off the wire
 *   before the SDK `Client` sees them ({@linkcode tapReceive});
 * - `deferResponses` (`client.ts`) delivers responses one microtask late ({@linkcode tapReceive});
 * - unique request ids (`src/eras/2025/request_ids.ts`) refuse a request reusing the id of one in
 *   flight before the SDK `Server` sees it, and free the id when its answer leaves (both taps);
 * - a 2025-era connection (`src/eras/2025/connection.ts`) reads the protocol version it answered
 *   `initialize` with ({@linkcode tapSend}).
 *
 * @module
 */

import type { Transport, TransportSendOptions } from "./server.ts";
import type { JSONRPCMessage, MessageExtraInfo } from "./types.ts";

/**
 * Call `observe` with every message sent through `transport`, just before the transport writes it.
 *
 * @example
 * ```ts
 * import { tapSend } from "./taps.ts";
 * declare const transport: import("./server.ts").Transport;
 * tapSend(transport, (message) => console.error("out:", message));
 * ```
 */
export function tapSend(
  transport: Transport,
  observe: (message: JSONRPCMessage, options: TransportSendOptions | undefined) => void,
): void {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    observe(message, options);
    return send(message, options);
  };
}

/**
 * Put `intercept` between `transport` and the SDK object connected to it: every received message
 * goes to `intercept`, which passes it on (`deliver()`, now or later) or keeps it. Call it after
 * the SDK object connected (it wraps the handler the SDK installed).
 *
 * @example
 * ```ts
 * import { tapReceive } from "./taps.ts";
 * declare const transport: import("./server.ts").Transport;
 * tapReceive(transport, (_message, deliver) => queueMicrotask(deliver));
 * ```
 */
export function tapReceive(
  transport: Transport,
  intercept: (message: JSONRPCMessage, deliver: () => void) => void,
): void {
  const onmessage = transport.onmessage;
  if (!onmessage) throw new Error("tapReceive: connect the SDK object to the transport first");
  transport.onmessage = (message, extra?: MessageExtraInfo) =>
    intercept(message, () => onmessage(message, extra));
}
