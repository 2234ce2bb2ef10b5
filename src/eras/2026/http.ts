/**
 * The 2026-07-28 era over streamable HTTP: one POST, one request. The answer is plain JSON when
 * the response is all there is to send, and an SSE stream as soon as something comes first
 * (progress, log messages the request asked for), so those arrive in order before the result.
 * `subscriptions/listen` is always a stream. Errors travel with the HTTP status the era gives
 * them (400 for bad headers, envelopes and missing capabilities, 404 for methods it does not
 * have).
 *
 * @module
 */

import type { UserIdentity } from "../../auth/types.ts";
import { acceptsMediaType } from "../../http/accept.ts";
import { jsonRpcErrorResponse } from "../../http/responses.ts";
import { getLogger } from "../../log/logger.ts";
import type { ServerNotification } from "../../protocol.ts";
import type { Envelope } from "./envelope.ts";
import type { ModernAnswer, ModernEndpoint, ModernIo } from "./endpoint.ts";
import { readRequest } from "./envelope.ts";
import { checkRequestHeaders, checkVersionHeader } from "./headers.ts";

const log = getLogger("transport.http");
const encoder = new TextEncoder();

/** Default of {@linkcode ModernHttpOptions.maxQueueBytes}. */
const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;

function json(answer: ModernAnswer): Response {
  return new Response(JSON.stringify(answer.message), {
    status: answer.status,
    headers: { "content-type": "application/json" },
  });
}

function sseFrame(message: unknown): Uint8Array {
  return encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

/**
 * A response stream frames can be written to, ended once. What waits for the client to read is
 * bounded: past `maxQueueBytes` unread, the client is not reading and the stream is dropped
 * (as the 2025 SSE transport does) rather than held without end.
 */
class FrameStream {
  readonly response: Response;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  /** Aborted when the client stops reading. */
  readonly gone = new AbortController();

  constructor(maxQueueBytes: number) {
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (this.#controller = c),
      cancel: () => {
        this.#closed = true;
        this.gone.abort(new Error("the client closed the stream"));
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: maxQueueBytes }));
    this.response = new Response(body, { status: 200, headers: SSE_HEADERS });
  }

  write(message: unknown): void {
    if (this.#closed) return;
    try {
      this.#controller.enqueue(sseFrame(message));
    } catch {
      this.#closed = true;
      return;
    }
    // desiredSize = the bound minus the bytes nobody has taken yet: below zero, nobody reads.
    if ((this.#controller.desiredSize ?? 0) < 0) {
      log.warn("a 2026-07-28 client does not read its event stream; disconnecting it");
      this.#closed = true;
      try {
        this.#controller.error(new Error("the client does not read its stream"));
      } catch {
        // already errored
      }
      this.gone.abort(new Error("the client does not read its stream"));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#controller.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Client disconnects of requests that take a while. Touching `req.signal` costs every request a
 * signal and, when its response completes, an abort event (a tenth of the CPU of a quick call),
 * so a request is only linked to its signal once it has been in flight for one sweep (100 ms);
 * quick calls never are. One timer for the whole process, running only while requests are.
 */
class SlowRequests {
  readonly #waiting = new Map<Request, { since: number; gone: AbortController }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Watch `req`: `gone` aborts if the client goes away while it is served. Returns the unwatch. */
  watch(req: Request, gone: AbortController): () => void {
    this.#waiting.set(req, { since: Date.now(), gone });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), 100);
      Deno.unrefTimer(this.#timer);
    }
    return () => {
      this.#waiting.delete(req);
      if (this.#waiting.size === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  #sweep(): void {
    const cutoff = Date.now() - 50;
    for (const [req, { since, gone }] of this.#waiting) {
      if (since > cutoff) continue;
      this.#waiting.delete(req);
      const abort = () => gone.abort(req.signal.reason);
      if (req.signal.aborted) abort();
      else req.signal.addEventListener("abort", abort, { once: true });
    }
  }
}

const slow = new SlowRequests();

/** What the HTTP face of the era needs. */
export interface ModernHttpOptions {
  /** The era. */
  endpoint: ModernEndpoint;
  /** The view this endpoint serves (`<mcp_path>/<name>`); none for the full surface. */
  view?: string;
  /** `server/discover` instructions of this endpoint instead of the runtime's (the view's description). */
  instructions?: string;
  /**
   * Take a slot for a `subscriptions/listen` stream of `user` (a long-lived connection, counted
   * with `max_sessions` / `max_sessions_per_user`): the function giving it back, or the refusal.
   */
  admitListen?: (user: UserIdentity | undefined) => (() => void) | Response;
  /** Unread bytes a response stream may hold before its client is disconnected (8 MiB). */
  maxQueueBytes?: number;
}

/**
 * The POST handler of the 2026 era: `message` is the parsed body, already classified modern.
 *
 * @example
 * ```ts
 * import { modernPost } from "./http.ts";
 * declare const options: import("./http.ts").ModernHttpOptions;
 * const post = modernPost(options);
 * ```
 */
export function modernPost(
  options: ModernHttpOptions,
): (req: Request, message: Record<string, unknown>, user: UserIdentity | undefined) => Promise<Response> {
  const { endpoint, view, instructions, admitListen } = options;
  const maxQueue = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  const where = {
    ...(view !== undefined ? { view } : {}),
    ...(instructions !== undefined ? { instructions } : {}),
  };
  return async (req, message, user) => {
    // A notification: nothing to answer on this wire (cancellation is closing the stream).
    if (message.id === undefined && typeof message.method === "string") {
      return new Response(null, { status: 202 });
    }
    let request;
    try {
      request = readRequest(message);
      checkVersionHeader(req.headers, message);
    } catch (e) {
      const id = typeof message.id === "string" || typeof message.id === "number" ? message.id : null;
      return json(endpoint.error(id, e));
    }
    const check = (_env: Envelope) =>
      checkRequestHeaders(req.headers, request, (name) => endpoint.tool(name, { user, view }));
    // A client that takes JSON alone (allowed in JSON-response mode) gets its answer as JSON,
    // without what would have come before it, as on the 2025 wire.
    const streams = acceptsMediaType(req.headers.get("accept"), "text/event-stream");
    if (request.method === "subscriptions/listen") {
      if (!streams) {
        return jsonRpcErrorResponse(
          406,
          -32000,
          "Not Acceptable: subscriptions/listen answers text/event-stream",
        );
      }
      let honoured;
      try {
        check(endpoint.envelope(request));
        honoured = endpoint.listenFilter(request, { user, view });
      } catch (e) {
        return json(endpoint.error(request.id, e));
      }
      const release = admitListen?.(user);
      if (release instanceof Response) return release;
      const stream = new FrameStream(maxQueue);
      const signal = AbortSignal.any([req.signal, stream.gone.signal]);
      void endpoint.listens.open(
        request,
        { userId: user?.id ?? null, signal, emit: (m) => stream.write(m) },
        honoured,
      )
        .finally(() => {
          release?.();
          stream.close();
        });
      return stream.response;
    }

    // JSON unless something about the request is sent before its response.
    let stream: FrameStream | undefined;
    let decide!: (first: FrameStream | undefined) => void;
    const decided = new Promise<FrameStream | undefined>((resolve) => (decide = resolve));
    const gone = new AbortController();
    const unwatch = slow.watch(req, gone);
    const io: ModernIo = {
      headers: Object.fromEntries(req.headers),
      user,
      signal: gone.signal,
      transport: "streamable-http",
      ...where,
      emit: (n: ServerNotification) => {
        if (!streams) return;
        if (!stream) {
          stream = new FrameStream(maxQueue);
          stream.gone.signal.addEventListener("abort", () => gone.abort(), { once: true });
          decide(stream);
        }
        stream.write({ jsonrpc: "2.0", ...n });
      },
    };
    const answered = endpoint.answer(request, io, check);
    const first = await Promise.race([answered.then(() => undefined), decided]);
    if (!first) {
      const answer = await answered;
      if (!stream) {
        unwatch();
        return json(answer);
      }
    }
    const s = stream!;
    void answered.then((answer) => s.write(answer.message), () => {}).finally(() => {
      unwatch();
      s.close();
    });
    return s.response;
  };
}
