/**
 * `json_response: true` without losing notifications. The SDK transport decides JSON or SSE once
 * per transport, but the right choice is per request: so the transport always runs in SSE mode,
 * and for a POST holding one request we watch what the session sends about it. If the first
 * message is the response, the client gets plain JSON (the unread stream is dropped); if anything
 * comes first — progress, a log entry, a sampling request — the stream is passed on as it is, so
 * those messages reach the client, in order, while the call runs.
 *
 * @module
 */

import type { WebStandardStreamableHTTPServerTransport } from "../../sdk/server.ts";
import { tapSend } from "../../sdk/taps.ts";
import type { JSONRPCMessage, RequestId } from "../../sdk/types.ts";

function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return "id" in m && ("result" in m || "error" in m) && !("method" in m);
}

function isEventStream(res: Response): boolean {
  return (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
}

/**
 * Per-request JSON answers for one SDK transport.
 *
 * @example
 * ```ts
 * import { JsonAnswers } from "./json_answer.ts";
 * declare const transport: import("../../sdk/server.ts").WebStandardStreamableHTTPServerTransport;
 * declare const req: Request;
 * const answers = new JsonAnswers(transport);
 * const res = await answers.answer(1, () => transport.handleRequest(req), new Promise(() => {}));
 * ```
 */
export class JsonAnswers {
  readonly #waiting = new Map<RequestId, (first: JSONRPCMessage | undefined) => void>();

  constructor(transport: WebStandardStreamableHTTPServerTransport) {
    // The first message about a waiting request decides its answer's form; all messages still
    // go through the SDK, which writes them to the request's stream.
    tapSend(transport, (message, options) => {
      if (this.#waiting.size === 0) return;
      const id = isResponse(message) ? message.id : options?.relatedRequestId;
      const decide = id === undefined ? undefined : this.#waiting.get(id);
      if (decide) {
        this.#waiting.delete(id!);
        decide(isResponse(message) ? message : undefined);
      }
    });
  }

  /**
   * Serve a POST holding the single request `id`: `produce` hands it to the transport. Resolves
   * with JSON when the response comes first, else with the transport's stream.
   */
  async answer(id: RequestId, produce: () => Promise<Response>, closed: Promise<void>): Promise<Response> {
    const first = new Promise<JSONRPCMessage | undefined>((resolve) => this.#waiting.set(id, resolve));
    let res: Response;
    try {
      res = await produce();
    } catch (e) {
      this.#waiting.delete(id);
      throw e;
    }
    // An error answer of the transport itself (400, 404, ...): nothing will be sent about `id`.
    if (!res.body || !isEventStream(res)) {
      this.#waiting.delete(id);
      return res;
    }
    const message = await Promise.race([first, closed.then(() => undefined)]);
    this.#waiting.delete(id);
    if (!message) return res;
    void res.body.cancel().catch(() => {});
    const headers: Record<string, string> = { "content-type": "application/json" };
    const sid = res.headers.get("mcp-session-id");
    if (sid) headers["mcp-session-id"] = sid;
    return new Response(JSON.stringify(message), { status: res.status, headers });
  }
}
