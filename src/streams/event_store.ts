/**
 * Stream events kept for resumption (SEP-1699): each message a stateful 2025 session sends on an
 * SSE stream is stored under an event id; a client that lost the stream reconnects with
 * `Last-Event-ID` and gets what came after. The seam is {@linkcode EventStore} (the shape the SDK's
 * transport takes); this file's provider keeps events in memory, bounded per stream and in number
 * of streams. A store shared by instances (Redis) is one more file with the same interface.
 *
 * A store is shared by the sessions of an endpoint, each seeing it through
 * {@linkcode EventStore.scoped}: an event id names its session, and a session can neither read
 * nor replay another's events.
 *
 * @module
 */

import type { JSONRPCMessage } from "../sdk/types.ts";

/**
 * The stream id the SDK's transport gives a session's standalone (GET) stream; every other stream
 * is a request's (a POST's), with a random id.
 *
 * @example
 * ```ts
 * import { STANDALONE_STREAM } from "./event_store.ts";
 * console.log(STANDALONE_STREAM); // "_GET_stream"
 * ```
 */
export const STANDALONE_STREAM = "_GET_stream";

/** What the SDK's streamable-HTTP transport needs to resume streams. */
export interface StreamEvents {
  /** Keep `message` of stream `streamId`; resolves its event id. */
  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string>;
  /** The stream an event belongs to (undefined: unknown, or not this scope's). */
  getStreamIdForEventId(eventId: string): Promise<string | undefined>;
  /** Send the events of `lastEventId`'s stream that came after it; resolves the stream id. */
  replayEventsAfter(
    lastEventId: string,
    io: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string>;
}

/**
 * Stream events of all sessions, seen per session.
 *
 * @example
 * ```ts
 * import { MemoryEventStore } from "./event_store.ts";
 * const store = new MemoryEventStore({ maxEventsPerStream: 100 });
 * const session = store.scoped("session-1");
 * const id = await session.storeEvent("stream-a", { jsonrpc: "2.0", method: "notifications/progress" });
 * console.log(await session.getStreamIdForEventId(id)); // "stream-a"
 * store.drop("session-1");
 * ```
 */
export interface EventStore {
  /** The events of one session. */
  scoped(scope: string): StreamEvents;
  /** Forget a session's events (it closed). */
  drop(scope: string): void;
}

/** Options of {@linkcode MemoryEventStore}. */
export interface MemoryEventStoreOptions {
  /** Events kept per stream; older ones are dropped (default 1000). */
  maxEventsPerStream?: number;
  /** Streams kept in all; the least recently written are dropped (default 10 000). */
  maxStreams?: number;
}

interface Stream {
  scope: string;
  /** Sequence number of `events[0]`. */
  first: number;
  events: JSONRPCMessage[];
}

const SEP = "/";

/**
 * The in-memory provider: bounded, lost on restart, not shared between processes.
 *
 * @example
 * ```ts
 * import { MemoryEventStore } from "./event_store.ts";
 * const events = new MemoryEventStore().scoped("s");
 * const first = await events.storeEvent("a", { jsonrpc: "2.0", method: "one" });
 * await events.storeEvent("a", { jsonrpc: "2.0", method: "two" });
 * const seen: string[] = [];
 * await events.replayEventsAfter(first, { send: (_id, m) => (seen.push((m as { method: string }).method), Promise.resolve()) });
 * console.log(seen); // ["two"]
 * ```
 */
export class MemoryEventStore implements EventStore {
  readonly #streams = new Map<string, Stream>();
  readonly #maxEvents: number;
  readonly #maxStreams: number;

  /** An empty store. */
  constructor(options: MemoryEventStoreOptions = {}) {
    this.#maxEvents = options.maxEventsPerStream ?? 1000;
    this.#maxStreams = options.maxStreams ?? 10_000;
  }

  /** Streams held now (for tests and health). */
  get streams(): number {
    return this.#streams.size;
  }

  /** Events held now. */
  get events(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += s.events.length;
    return n;
  }

  #key(scope: string, streamId: string): string {
    return `${encodeURIComponent(scope)}${SEP}${encodeURIComponent(streamId)}`;
  }

  /** The stream key and sequence number of an event id, if well-formed. */
  #parse(eventId: string): { key: string; seq: number } | undefined {
    const cut = eventId.lastIndexOf(SEP);
    if (cut <= 0) return undefined;
    const seq = Number(eventId.slice(cut + 1));
    if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
    return { key: eventId.slice(0, cut), seq };
  }

  scoped(scope: string): StreamEvents {
    const mine = (eventId: string) => {
      const parsed = this.#parse(eventId);
      const stream = parsed && this.#streams.get(parsed.key);
      return stream && stream.scope === scope ? { ...parsed, stream } : undefined;
    };
    return {
      storeEvent: (streamId, message) => {
        const key = this.#key(scope, streamId);
        let stream = this.#streams.get(key);
        if (stream) this.#streams.delete(key); // re-inserted: most recently written last
        else stream = { scope, first: 0, events: [] };
        this.#streams.set(key, stream);
        stream.events.push(message);
        if (stream.events.length > this.#maxEvents) {
          stream.events.shift();
          stream.first++;
        }
        while (this.#streams.size > this.#maxStreams) {
          this.#streams.delete(this.#streams.keys().next().value!);
        }
        return Promise.resolve(`${key}${SEP}${stream.first + stream.events.length - 1}`);
      },
      getStreamIdForEventId: (eventId) => {
        const found = mine(eventId);
        if (!found) return Promise.resolve(undefined);
        return Promise.resolve(decodeURIComponent(found.key.slice(found.key.indexOf(SEP) + 1)));
      },
      replayEventsAfter: async (lastEventId, { send }) => {
        const found = mine(lastEventId);
        if (!found) throw new Error("unknown event id");
        const { key, seq, stream } = found;
        // Live bounds: events stored while replaying are replayed too (the transport registers
        // the new stream only when this returns).
        for (let n = seq + 1; n < stream.first + stream.events.length; n++) {
          if (n < stream.first) n = stream.first;
          await send(`${key}${SEP}${n}`, stream.events[n - stream.first]);
        }
        return decodeURIComponent(key.slice(key.indexOf(SEP) + 1));
      },
    };
  }

  drop(scope: string): void {
    for (const [key, stream] of this.#streams) if (stream.scope === scope) this.#streams.delete(key);
  }
}
