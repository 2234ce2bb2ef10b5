/**
 * `json_response: true` without losing notifications: the SDK transport always answers a POST
 * as a stream; if the first message on it is the final JSON-RPC response, the client gets plain
 * JSON, and if anything comes first (progress, a log entry, a sampling request) the stream is
 * passed on as it is, so those messages reach the client while the call runs. The decision is made
 * per request, which the SDK's per-transport `enableJsonResponse` switch cannot do.
 *
 * @module
 */

const decoder = new TextDecoder();

function isEventStream(res: Response): boolean {
  return (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
}

/** The `data:` payload of one SSE event block, or undefined for comment/keep-alive blocks. */
function eventData(block: string): string | undefined {
  const lines = block.split(/\r?\n/).filter((l) => l.startsWith("data:"));
  if (lines.length === 0) return undefined;
  return lines.map((l) => l.slice(5).replace(/^ /, "")).join("\n");
}

function isFinalResponse(data: string): boolean {
  try {
    const msg = JSON.parse(data);
    return !Array.isArray(msg) && msg && typeof msg === "object" && "id" in msg && !("method" in msg) &&
      ("result" in msg || "error" in msg);
  } catch {
    return false;
  }
}

/**
 * Turn a one-request SSE answer into JSON when its first message is the response; otherwise keep
 * streaming (with what was already read put back in front).
 *
 * @example
 * ```ts
 * import { jsonWhenPlain } from "./json_answer.ts";
 * const sse = new Response('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n', {
 *   headers: { "content-type": "text/event-stream" },
 * });
 * const res = await jsonWhenPlain(sse);
 * console.log(res.headers.get("content-type")); // application/json
 * ```
 */
export async function jsonWhenPlain(res: Response): Promise<Response> {
  if (!res.body || !isEventStream(res)) return res;
  const reader = res.body.getReader();
  const seen: Uint8Array[] = [];
  let text = "";
  let data: string | undefined;
  let ended = false;
  while (data === undefined) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    seen.push(value);
    text += decoder.decode(value, { stream: true });
    let end: number;
    while (data === undefined && (end = text.search(/\r?\n\r?\n/)) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end).replace(/^\r?\n\r?\n/, "");
      data = eventData(block);
    }
  }
  if (data !== undefined && isFinalResponse(data)) {
    // One request, one response: the stream has nothing else to say.
    void reader.cancel().catch(() => {});
    const headers = new Headers(res.headers);
    headers.set("content-type", "application/json");
    headers.delete("cache-control");
    headers.delete("x-accel-buffering");
    return new Response(data, { status: res.status, headers });
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of seen) controller.enqueue(chunk);
      if (ended) controller.close();
    },
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(rest, { status: res.status, headers: res.headers });
}
