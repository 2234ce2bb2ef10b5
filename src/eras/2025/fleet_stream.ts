/**
 * The GET and DELETE of a stateful streamable-HTTP endpoint in a fleet: a session's streams are
 * served from the shared Redis event store (`streams/event_store_redis.ts`) by whichever instance
 * the client reaches — its standalone stream, or any stream resumed with `Last-Event-ID` — and a
 * request whose instance died is answered with an error instead of being waited for forever.
 *
 * @module
 */

import type { UserIdentity } from "../../auth/types.ts";
import type { FleetSessions } from "../../fleet/sessions.ts";
import type { Handler } from "../../http/front_door.ts";
import { jsonRpcErrorResponse } from "../../http/responses.ts";
import { getLogger } from "../../log/logger.ts";
import { STANDALONE_STREAM } from "../../streams/event_store.ts";
import { type Following, type RedisEventStore, streamOfEventId } from "../../streams/event_store_redis.ts";

const log = getLogger("transport.http");

/** A fleet's shared parts, as the stateful transport uses them. */
export interface FleetSettings {
  /** Session records and the channels between instances. */
  sessions: FleetSessions;
  /** Every stream's events (any instance resumes any stream). */
  events: RedisEventStore;
}

/** What {@linkcode fleetStream} needs of its endpoint. */
export interface FleetStreamHost {
  /** The fleet. */
  fleet: FleetSettings;
  /** The `retry:` (ms) a fresh stream tells the client. */
  retryMs: number;
  /** The streams open now (each entry ends one); the endpoint ends them on shutdown. */
  streams: Set<() => void>;
  /** Whether `user` may use session `sid` (its record names the same user). */
  sessionFor(sid: string, user: UserIdentity | undefined): Promise<boolean>;
  /** Close this instance's connection of session `sid`, if it has one. */
  closeLocal(sid: string): Promise<void>;
  /** Count one more long-lived connection of `user`: its release, or the refusal (503 / 429). */
  admit(user: UserIdentity | undefined): (() => void) | Response;
}

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/**
 * Stateful GET in a fleet: the session's stream, from the shared event store — its standalone
 * stream, or with `Last-Event-ID` any of its streams resumed where the client lost it, whichever
 * instance stored the events. DELETE ends the session on every instance.
 *
 * @example
 * ```ts
 * import { fleetStream, type FleetStreamHost } from "./fleet_stream.ts";
 * declare const host: FleetStreamHost;
 * const handle = fleetStream(host); // GET and DELETE of a stateful endpoint in a fleet
 * ```
 */
export function fleetStream(host: FleetStreamHost): Handler {
  const { fleet, retryMs, streams } = host;
  return async (req, state) => {
    const sid = req.headers.get("mcp-session-id");
    if (!sid) return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    if (!await host.sessionFor(sid, state.user)) {
      return jsonRpcErrorResponse(404, -32001, "Session not found");
    }
    if (req.method === "DELETE") {
      await fleet.sessions.end(sid);
      await host.closeLocal(sid);
      fleet.events.drop(sid);
      return new Response(null, { status: 200 });
    }
    fleet.sessions.touch(sid);
    // A stream is a long-lived connection: it counts against the session limits while open.
    const release = host.admit(state.user);
    if (release instanceof Response) return release;
    const lastEventId = req.headers.get("last-event-id") ?? undefined;
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let open = true;
    const timers: { keepAlive?: ReturnType<typeof setInterval> } = {};
    let following: Following | undefined;
    let watching: ReturnType<typeof setInterval> | undefined;
    const end = () => {
      if (!open) return;
      open = false;
      release();
      streams.delete(end);
      clearInterval(timers.keepAlive);
      clearInterval(watching);
      void following?.close();
      try {
        controller.close();
      } catch {
        // already closed
      }
    };
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => end(),
    });
    const write = (text: string) => {
      if (!open) return;
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        end();
      }
    };
    // Which stream the client resumes (its event id names it): a request's stream ends with its answer.
    let resumed = lastEventId === undefined
      ? STANDALONE_STREAM
      : streamOfEventId(lastEventId) ?? STANDALONE_STREAM;
    let answered = false;
    let request: string | number | undefined;
    try {
      const f = await fleet.events.follow(
        sid,
        { streamId: STANDALONE_STREAM, ...(lastEventId !== undefined ? { lastEventId } : {}) },
        (e) => {
          write(`event: message\nid: ${e.id}\ndata: ${JSON.stringify(e.message)}\n\n`);
          if (e.requestId !== undefined) request = e.requestId;
          // A request's stream ends with its answer.
          if (resumed !== STANDALONE_STREAM && !("method" in e.message)) {
            answered = true;
            queueMicrotask(end);
          }
        },
        (priming) => write(`id: ${priming}\nretry: ${retryMs}\ndata: \n\n`),
      );
      resumed = f.streamId;
      request ??= f.requestId;
      following = f;
    } catch {
      end();
      return jsonRpcErrorResponse(400, -32000, "Invalid event ID format");
    }
    // Resumed after the answer of a request: the stream is over (an error, so the client stops).
    if (following.ended && resumed !== STANDALONE_STREAM) {
      end();
      return jsonRpcErrorResponse(410, -32000, "This request's stream has ended: its answer was sent");
    }
    // A request's stream whose instance is gone gets no answer: say so, by the request's id (stored
    // as the stream's last event, so a later resume ends with it too).
    const owner = resumed === STANDALONE_STREAM ? undefined : resumed.split("~")[0];
    const checkOwner = async (): Promise<Response | undefined> => {
      if (!owner || answered || !open || owner === fleet.sessions.instanceId) return undefined;
      if (await fleet.sessions.isAlive(owner)) return undefined;
      clearInterval(watching);
      log.info(
        `session ${sid}: instance ${owner} stopped while serving request ${
          request ?? "(unknown)"
        }; failing it`,
      );
      if (request === undefined) {
        end();
        return jsonRpcErrorResponse(
          410,
          -32603,
          "The instance serving this request stopped; it has no answer",
        );
      }
      const error = {
        jsonrpc: "2.0" as const,
        id: request,
        error: {
          code: -32603,
          message: "The instance serving this request stopped before answering; retry it",
        },
      };
      await fleet.events.tagged(sid, () => request).storeEvent(resumed, error);
      return undefined;
    };
    const gone = await checkOwner().catch(() => undefined);
    if (gone) return gone;
    if (owner && !answered && open) {
      watching = setInterval(() => void checkOwner().catch(() => {}), 1000);
      Deno.unrefTimer(watching);
    }
    if (!open) void following.close();
    else streams.add(end);
    timers.keepAlive = setInterval(() => write(": keep-alive\n\n"), 15_000);
    return new Response(body, { headers: { ...SSE_HEADERS, "mcp-session-id": sid } });
  };
}
