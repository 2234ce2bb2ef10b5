/**
 * The older HTTP+SSE transport (MCP 2024-11-05) behind the front door. The SDK's own SSE server
 * transport is built on Node's `http` module, so this is a small Deno one behind the SDK's
 * `Transport` interface:
 *
 * - `GET <sse_path>` opens an event stream whose first event (`endpoint`) names
 *   `<message_path>?session_id=<id>`;
 * - `POST <message_path>?session_id=<id>` delivers one JSON-RPC message (or a batch of at most
 *   100, as on streamable HTTP, when the negotiated version allows them: see `batches.ts`) → 202;
 *   answers travel back on the event stream.
 *
 * What waits for a client to read its stream is bounded: past `max_queue_bytes` of unread answers
 * the connection is dropped (closed, its calls cancelled) instead of queueing without end.
 *
 * @module
 */

import type { ConnectionHost } from "../../core/host.ts";
import {
  byMethod,
  type Guard,
  guarded,
  jsonBody,
  jsonContentType,
  type RequestState,
} from "../../http/front_door.ts";
import { jsonRpcErrorResponse } from "../../http/responses.ts";
import { getLogger } from "../../log/logger.ts";
import type { Transport } from "../../sdk/server.ts";
import type { JSONRPCMessage, MessageExtraInfo } from "../../sdk/types.ts";
import { isJsonRpcMessage } from "../../transports/ndjson.ts";
import { batchRefusal } from "./batches.ts";
import { authInfoFor, openConnection, type WireConnection } from "./connection.ts";
import { SessionLimits } from "./session_limits.ts";
import { type HttpTransport, viewPath } from "./streamable_http.ts";

const log = getLogger("transport.sse");
const encoder = new TextEncoder();

/** Largest batch a POST may hold (the SDK's streamable-HTTP transport has the same limit). */
export const MAX_BATCH_SIZE = 100;
/** Default of the queue bound (`sse.max_queue_bytes`). */
const DEFAULT_MAX_QUEUE_BYTES = 8 * 1024 * 1024;

/**
 * One SSE connection as an SDK `Transport`.
 *
 * @example
 * ```ts
 * import { SseServerTransport } from "./sse.ts";
 * const transport = new SseServerTransport("/messages/", crypto.randomUUID());
 * const response = transport.response(); // hand this to Deno.serve
 * ```
 */
export class SseServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  readonly sessionId: string;
  readonly #endpoint: string;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #maxQueue: number;

  /**
   * A transport for one SSE connection.
   *
   * @param messagePath Path clients POST messages to.
   * @param sessionId The connection's id (sent in the `endpoint` event).
   * @param keepAliveMs Interval of `: ping` comments that keep idle proxies from closing the stream.
   * @param maxQueueBytes Unread bytes the stream may hold before the client is disconnected.
   */
  constructor(
    messagePath: string,
    sessionId: string,
    readonly keepAliveMs = 15_000,
    maxQueueBytes = DEFAULT_MAX_QUEUE_BYTES,
  ) {
    this.sessionId = sessionId;
    this.#endpoint = `${messagePath}?session_id=${encodeURIComponent(sessionId)}`;
    this.#maxQueue = maxQueueBytes;
  }

  /** The streaming HTTP response for the `GET` that opened the connection. */
  response(): Response {
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        controller.enqueue(encoder.encode(`event: endpoint\ndata: ${this.#endpoint}\n\n`));
        this.#keepAlive = setInterval(() => this.#write(": ping\n\n"), this.keepAliveMs);
      },
      // The client went away (closed the stream or the socket).
      cancel: () => void this.close(),
    }, new ByteLengthQueuingStrategy({ highWaterMark: this.#maxQueue }));
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache, no-transform",
        "connection": "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  #write(chunk: string): boolean {
    if (this.#closed || !this.#controller) return false;
    try {
      this.#controller.enqueue(encoder.encode(chunk));
    } catch {
      void this.close();
      return false;
    }
    // desiredSize = max_queue_bytes − bytes nobody has taken yet: below zero, the client is not
    // reading. Drop it (and what is queued) rather than hold answers for it without end.
    if ((this.#controller.desiredSize ?? 0) < 0) {
      log.warn(
        `SSE connection ${this.sessionId}: the client does not read its event stream ` +
          `(more than ${this.#maxQueue} bytes queued); disconnecting`,
      );
      this.#drop();
      return false;
    }
    return true;
  }

  /** End the stream at once, queued bytes included, and close the connection. */
  #drop(): void {
    try {
      this.#controller?.error(new Error("SSE client does not read its stream"));
    } catch {
      // already errored
    }
    void this.close();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!this.#write(`event: message\ndata: ${JSON.stringify(message)}\n\n`)) {
      return Promise.reject(new Error("SSE stream is closed"));
    }
    return Promise.resolve();
  }

  /** Deliver POSTed messages. Returns the HTTP answer (202, or 400 for a non-JSON-RPC body). */
  deliver(body: unknown, extra: MessageExtraInfo): Response {
    if (Array.isArray(body) && body.length > MAX_BATCH_SIZE) {
      return jsonRpcErrorResponse(
        400,
        -32600,
        `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`,
      );
    }
    const items = Array.isArray(body) ? body : [body];
    // The shape of a JSON-RPC message is checked as on stdio, in one place for both transports;
    // what each method takes is checked by the connection.
    if (!items.every(isJsonRpcMessage)) {
      return jsonRpcErrorResponse(400, -32600, "Invalid Request: not a JSON-RPC 2.0 message");
    }
    for (const m of items as JSONRPCMessage[]) {
      try {
        this.onmessage?.(m, extra);
      } catch (e) {
        this.onerror?.(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return new Response("Accepted", { status: 202, headers: { "content-type": "text/plain" } });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#keepAlive);
    try {
      this.#controller?.close();
    } catch {
      // already closed by the client
    }
    this.onclose?.();
    return Promise.resolve();
  }
}

/** Settings of the SSE transport (the `sse:` section). */
export interface SseSettings {
  /** Path of the SSE stream (GET). */
  ssePath: string;
  /** Path clients POST messages to. */
  messagePath: string;
  /** Largest accepted body in bytes. */
  maxBodyBytes: number;
  /** Unread bytes a stream may hold before its client is disconnected (default 8 MiB). */
  maxQueueBytes?: number;
  /** Streams held at most (default 1000). */
  maxSessions?: number;
  /** Streams one authenticated user holds at most (default 100). */
  maxSessionsPerUser?: number;
  /** How long a request body may take to arrive (ms); a slower one gets 408. */
  bodyTimeoutMs?: number;
  /**
   * Views (`views.<name>`), each a stream of its own at `<sse_path>/<name>`; their messages go to
   * the same message path (the connection knows its view).
   */
  views?: readonly { name: string; instructions?: string }[];
  /** Guards run once the body is read (the authenticator's message authorization). */
  afterBody?: readonly Guard[];
}

interface Live {
  connection: WireConnection;
  transport: SseServerTransport;
}

/** The connection a POST names in its query (`session_id`), kept in the state for the handler. */
type MessageState = RequestState & { live?: Live };

/**
 * The HTTP+SSE transport of the 2025 era: a GET route that opens a stream (and a connection), and
 * a POST route that delivers messages to it.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../../mod.ts";
 * import { sseTransport } from "./sse.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * const sse = sseTransport(runtime, { ssePath: "/sse", messagePath: "/messages/", maxBodyBytes: 8 << 20 });
 * await sse.close();
 * ```
 */
export function sseTransport(host: ConnectionHost, settings: SseSettings): HttpTransport {
  const live = new Map<string, Live>();
  const limits = new SessionLimits({
    maxSessions: settings.maxSessions ?? 1000,
    maxSessionsPerUser: settings.maxSessionsPerUser ?? 100,
    section: "sse",
  });
  const messagePaths = [...new Set([settings.messagePath, settings.messagePath.replace(/\/$/, "") || "/"])];

  const open = (view?: { name: string; instructions?: string }) => (req: Request, state: RequestState) => {
    const release = limits.admit(state.user);
    if (release instanceof Response) return release;
    const connection = openConnection(host, {
      transport: "sse",
      user: state.user,
      headers: Object.fromEntries(req.headers.entries()),
      ...(view ? { view: view.name } : {}),
      ...(view?.instructions !== undefined ? { instructions: view.instructions } : {}),
    });
    const transport = new SseServerTransport(
      settings.messagePath,
      connection.id,
      undefined,
      settings.maxQueueBytes,
    );
    live.set(connection.id, { connection, transport });
    connection.onClose(() => {
      live.delete(connection.id);
      release();
    });
    const response = transport.response();
    connection.connect(transport).catch((e) => {
      log.warn(`cannot start SSE session: ${e}`);
      void connection.close();
    });
    return response;
  };

  // Another user's session id is "not found": never reveal or reuse someone else's connection.
  const knownConnection: Guard = (_req, state: MessageState) => {
    const sid = state.url.searchParams.get("session_id") ?? state.url.searchParams.get("sessionId");
    if (!sid) return jsonRpcErrorResponse(400, -32000, "Bad Request: session_id query parameter is required");
    const found = live.get(sid);
    if (!found || !found.connection.isFor(state.user)) {
      return jsonRpcErrorResponse(404, -32001, "Session not found");
    }
    state.live = found;
    return undefined;
  };

  const deliver = (req: Request, state: MessageState): Response => {
    const { connection, transport } = state.live!;
    connection.lastActivity = Date.now();
    const refusal = Array.isArray(state.body) ? batchRefusal(connection.protocolVersion) : undefined;
    if (refusal) return jsonRpcErrorResponse(400, -32600, refusal);
    const authInfo = authInfoFor(state.user, state.token);
    return transport.deliver(state.body, {
      requestInfo: { headers: Object.fromEntries(req.headers.entries()) },
      ...(authInfo ? { authInfo } : {}),
    });
  };

  return {
    routes: [
      { paths: [settings.ssePath], handle: byMethod({ GET: open() }) },
      ...(settings.views ?? []).map((view) => ({
        paths: [viewPath(settings.ssePath, view.name)],
        handle: byMethod({ GET: open(view) }),
      })),
      {
        paths: messagePaths,
        handle: byMethod({
          POST: guarded(
            [
              knownConnection,
              jsonContentType,
              jsonBody(settings.maxBodyBytes, settings.bodyTimeoutMs),
              ...(settings.afterBody ?? []),
            ],
            deliver,
          ),
        }),
      },
    ],
    async close() {
      await Promise.allSettled([...live.values()].map((l) => l.connection.close()));
      live.clear();
    },
  };
}
