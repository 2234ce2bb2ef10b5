/**
 * `json_response: true` without losing notifications. The SDK transport decides JSON or SSE once
 * per transport, but the right choice is per request: so the transport always runs in SSE mode,
 * and for a POST holding requests (one, or a batch) we watch what the session sends about them.
 * If their responses come first, the client gets plain JSON (an array for a batch; the unread
 * stream is dropped); if anything comes first — progress, a log entry, a sampling request — the
 * stream is passed on as it is, so those messages reach the client, in order, while the call runs.
 * A client that accepts JSON only always gets JSON.
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

/** How {@linkcode JsonAnswers.answer} may answer. */
export interface AnswerOptions {
  /**
   * The client accepts `text/event-stream`: when something about a request comes before its
   * response, pass the stream on. Otherwise wait for the responses and answer JSON alone (what
   * came first is not delivered, as the reference runtime does in JSON mode).
   */
  stream: boolean;
  /** The POST was a batch: answer with an array of the responses, in the batch's order. */
  batch: boolean;
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
 * const res = await answers.answer([1], () => transport.handleRequest(req), new Promise(() => {}), {
 *   stream: true,
 *   batch: false,
 * });
 * ```
 */
export class JsonAnswers {
  readonly #waiting = new Map<RequestId, (id: RequestId, message: JSONRPCMessage) => void>();

  constructor(transport: WebStandardStreamableHTTPServerTransport) {
    // Messages about a waiting request decide its answer's form; all messages still go through
    // the SDK, which writes them to the request's stream.
    tapSend(transport, (message, options) => {
      if (this.#waiting.size === 0) return;
      const id = isResponse(message) ? message.id : options?.relatedRequestId;
      if (id !== undefined) this.#waiting.get(id)?.(id, message);
    });
  }

  /**
   * Serve a POST holding the requests `ids` (one, or a batch's): `produce` hands it to the
   * transport. Resolves with JSON when every response comes before anything else about them (or
   * the client takes JSON only), else with the transport's stream.
   */
  async answer(
    ids: RequestId[],
    produce: () => Promise<Response>,
    closed: Promise<void>,
    options: AnswerOptions,
  ): Promise<Response> {
    const responses = new Map<RequestId, JSONRPCMessage>();
    const decided = Promise.withResolvers<"json" | "stream">();
    const watch = (id: RequestId, message: JSONRPCMessage) => {
      if (isResponse(message)) {
        responses.set(id, message);
        this.#waiting.delete(id);
        if (responses.size === ids.length) decided.resolve("json");
      } else if (options.stream) {
        decided.resolve("stream");
      }
    };
    for (const id of ids) this.#waiting.set(id, watch);
    const forget = () => {
      for (const id of ids) if (this.#waiting.get(id) === watch) this.#waiting.delete(id);
    };
    let res: Response;
    try {
      res = await produce();
    } catch (e) {
      forget();
      throw e;
    }
    // An error answer of the transport itself (400, 404, ...): nothing will be sent about `ids`.
    if (!res.body || !isEventStream(res)) {
      forget();
      return res;
    }
    const outcome = await Promise.race([decided.promise, closed.then(() => "closed" as const)]);
    forget();
    if (outcome !== "json") return res;
    void res.body.cancel().catch(() => {});
    const headers: Record<string, string> = { "content-type": "application/json" };
    const sid = res.headers.get("mcp-session-id");
    if (sid) headers["mcp-session-id"] = sid;
    const body = options.batch ? ids.map((id) => responses.get(id)) : responses.get(ids[0]);
    return new Response(JSON.stringify(body), { status: res.status, headers });
  }
}
