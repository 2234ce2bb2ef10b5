/**
 * The one place the runtime reaches into an SDK transport. Four features need to see messages the
 * SDK handles, and each does it through these two taps instead of patching the transport itself:
 *
 * - `json_response` per request (`src/eras/2025/json_answer.ts`) watches what a server sends
 *   ({@linkcode tapSend});
 * - the proxy's fast lane for `tools/call` (`src/proxy/raw.ts`) takes its own answers off the wire
 *   before the SDK `Client` sees them ({@linkcode tapReceive});
 * - {@linkcode deferResponses} delivers responses one microtask late ({@linkcode tapReceive}): an
 *   SDK client handles a response at once but a notification one microtask later, so a progress
 *   notification arriving in the same chunk as its response would be dropped ("unknown token");
 * - unique request ids (`src/eras/2025/request_ids.ts`) refuse a request reusing the id of one in
 *   flight before the connection's wire sees it, and free the id when its answer leaves (both taps).
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

function isResponse(m: JSONRPCMessage): boolean {
  return "id" in m && ("result" in m || "error" in m) && !("method" in m);
}

/**
 * Call after `client.connect(transport)`: delivers responses one microtask after they arrive, so
 * notifications that arrived just before them (progress) are handled first.
 *
 * @example
 * ```ts
 * import { Client, StreamableHTTPClientTransport } from "./client.ts";
 * import { deferResponses } from "./taps.ts";
 * const transport = new StreamableHTTPClientTransport(new URL("http://127.0.0.1:3000/mcp"));
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(transport);
 * deferResponses(transport);
 * ```
 */
export function deferResponses(transport: Transport): void {
  tapReceive(transport, (message, deliver) => {
    if (isResponse(message)) queueMicrotask(deliver);
    else deliver();
  });
}
