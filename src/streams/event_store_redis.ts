/**
 * The Redis provider of the {@linkcode EventStore} seam, for instances sharing sessions behind a
 * load balancer: a stream's events are a Redis stream (`XADD`, bounded with `MAXLEN ~`, expiring
 * with the session), so a client that lost its SSE stream with one instance resumes with
 * `Last-Event-ID` on any other. Each stored event is also published on its session's channel in
 * the same round trip (one Lua script), which lets the instance holding a client's stream
 * {@linkcode RedisEventStore.follow} what any instance stores.
 *
 * @module
 */

import type { RedisChannels } from "../fleet/channels.ts";
import type { JSONRPCMessage } from "../sdk/types.ts";
import { type EventStore, STANDALONE_STREAM, type StreamEvents } from "./event_store.ts";

/** Options of {@linkcode RedisEventStore}. */
export interface RedisEventStoreOptions {
  /** Key and channel prefix (the session store's namespace, e.g. `dev:default:`). */
  prefix: string;
  /** Events kept per stream, about (Redis trims in whole nodes; default 1000). */
  maxEventsPerStream?: number;
  /** Seconds a stream lives after its last event (default 3600). */
  ttlSeconds?: number;
}

// XADD, keep the stream and its scope's index alive, tell followers: one round trip.
const STORE = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[2], 'r', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], id .. ' ' .. ARGV[5])
return id`;

/** An event as a follower sees it. */
export interface FollowedEvent {
  /** The event id a client resumes from. */
  id: string;
  /** The message (never the empty priming object). */
  message: JSONRPCMessage;
  /** The request whose stream carried it, when the writer said (see {@linkcode RedisEventStore.tagged}). */
  requestId?: string | number;
}

/** A request id as stored beside an event ('' = none). */
function requestIdOf(raw: string | undefined): string | number | undefined {
  return raw ? JSON.parse(raw) as string | number : undefined;
}

/** What {@linkcode RedisEventStore.follow} returns. */
export interface Following {
  /** The stream followed (from the event id, or as asked). */
  streamId: string;
  /** The request whose stream it is, as the event the client resumed after says (if it says). */
  requestId?: string | number;
  /** The event the client resumed after was an answer (a response): the stream had ended. */
  ended?: boolean;
  /** The id of the priming event a fresh stream starts with (none when resuming). */
  primingId?: string;
  /** Stop following. */
  close(): Promise<void>;
}

/**
 * The id a new request stream's priming event gets without being stored: the SDK primes each POST
 * stream (its id is random, so it is new) with an empty event, and resuming after `0-1` replays
 * the whole stream. One Redis round trip less per call.
 */
const START = "0-1";

/**
 * The stream an event id of this store names (`<scope>/<stream>/<id>`), if well-formed.
 *
 * @example
 * ```ts
 * import { streamOfEventId } from "./event_store_redis.ts";
 * console.log(streamOfEventId("s1/_GET_stream/1700000000000-0")); // "_GET_stream"
 * ```
 */
export function streamOfEventId(eventId: string): string | undefined {
  const parts = eventId.split("/");
  if (parts.length !== 3) return undefined;
  try {
    return decodeURIComponent(parts[1]);
  } catch {
    return undefined;
  }
}

/** `1700000000000-3` as a comparable pair. */
function xidLess(a: string, b: string): boolean {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am < bm || (am === bm && as < bs);
}

/**
 * Stream events in Redis, shared by every instance of a fleet.
 *
 * @example
 * ```ts
 * import { RedisChannels } from "../fleet/channels.ts";
 * import { RedisEventStore } from "./event_store_redis.ts";
 * const channels = await RedisChannels.open({ url: "redis://127.0.0.1:6379" });
 * const store = new RedisEventStore(channels, { prefix: "dev:default:" });
 * const events = store.scoped("session-1");
 * const first = await events.storeEvent("s", { jsonrpc: "2.0", method: "one" });
 * await events.storeEvent("s", { jsonrpc: "2.0", method: "two" });
 * await events.replayEventsAfter(first, { send: (_id, m) => Promise.resolve(console.log(m)) }); // two
 * store.drop("session-1");
 * await channels.close();
 * ```
 */
export class RedisEventStore implements EventStore {
  readonly #channels: RedisChannels;
  readonly #prefix: string;
  readonly #max: number;
  readonly #ttl: number;

  /** A store on `channels`' Redis. */
  constructor(channels: RedisChannels, options: RedisEventStoreOptions) {
    this.#channels = channels;
    this.#prefix = options.prefix;
    this.#max = options.maxEventsPerStream ?? 1000;
    this.#ttl = Math.max(1, Math.ceil(options.ttlSeconds ?? 3600));
  }

  // `{scope}` is a hash tag: a session's streams and index share a cluster slot (one script).
  #key(scope: string, streamId: string): string {
    return `${this.#prefix}ev:{${encodeURIComponent(scope)}}:${encodeURIComponent(streamId)}`;
  }

  #index(scope: string): string {
    return `${this.#prefix}ev:{${encodeURIComponent(scope)}}`;
  }

  /** The channel a session's stored events are published on. */
  channelOf(scope: string): string {
    return `${this.#prefix}ev-live:${encodeURIComponent(scope)}`;
  }

  /** Scope, stream and Redis id of an event id `scope/stream/xid`. */
  #parse(eventId: string): { scope: string; streamId: string; xid: string } | undefined {
    const parts = eventId.split("/");
    if (parts.length !== 3 || !/^\d+-\d+$/.test(parts[2])) return undefined;
    try {
      return { scope: decodeURIComponent(parts[0]), streamId: decodeURIComponent(parts[1]), xid: parts[2] };
    } catch {
      return undefined;
    }
  }

  #eventId(scope: string, streamId: string, xid: string): string {
    return `${encodeURIComponent(scope)}/${encodeURIComponent(streamId)}/${xid}`;
  }

  /** Events of a stream after `xid` (exclusive), oldest first, priming events left out. */
  async #after(scope: string, streamId: string, xid: string, inclusive = false): Promise<FollowedEvent[]> {
    const rows = await this.#channels.client.xrange(
      this.#key(scope, streamId),
      inclusive ? xid : `(${xid}`,
      "+",
    );
    const out: FollowedEvent[] = [];
    for (const [id, fields] of rows) {
      const message = JSON.parse(fields[1]) as JSONRPCMessage;
      if (Object.keys(message).length === 0) continue;
      const requestId = requestIdOf(fields[3]);
      out.push({
        id: this.#eventId(scope, streamId, id),
        message,
        ...(requestId !== undefined ? { requestId } : {}),
      });
    }
    return out;
  }

  scoped(scope: string): StreamEvents {
    return this.tagged(scope, () => undefined);
  }

  /**
   * The events of `scope`, each stored with the id of the request whose stream carries it
   * (`requestOf`, asked at store time): a follower that finds a request's instance gone can then
   * fail that request by its id.
   */
  tagged(scope: string, requestOf: () => string | number | undefined): StreamEvents {
    const mine = (eventId: string) => {
      const parsed = this.#parse(eventId);
      return parsed && parsed.scope === scope ? parsed : undefined;
    };
    return {
      storeEvent: async (streamId, message) => {
        if (streamId !== STANDALONE_STREAM && Object.keys(message).length === 0) {
          return this.#eventId(scope, streamId, START);
        }
        const json = JSON.stringify(message);
        const request = requestOf();
        const xid = await this.#channels.client.eval(
          STORE,
          2,
          this.#key(scope, streamId),
          this.#index(scope),
          String(this.#max),
          json,
          String(this.#ttl),
          this.channelOf(scope),
          JSON.stringify({ s: streamId, m: message, r: request }),
          request === undefined ? "" : JSON.stringify(request),
        ) as string;
        return this.#eventId(scope, streamId, xid);
      },
      getStreamIdForEventId: async (eventId) => {
        const found = mine(eventId);
        if (!found) return undefined;
        if (found.xid === START) return found.streamId;
        const exists = await this.#channels.client.exists(this.#key(scope, found.streamId));
        return exists ? found.streamId : undefined;
      },
      replayEventsAfter: async (lastEventId, { send }) => {
        const found = mine(lastEventId);
        if (!found) throw new Error("unknown event id");
        for (const e of await this.#after(scope, found.streamId, found.xid)) await send(e.id, e.message);
        return found.streamId;
      },
    };
  }

  /**
   * Send what stream `streamId` of `scope` gets from now on (whoever stores it), after the events
   * that came after `lastEventId` when one is given: nothing is missed between the replay and the
   * live events, nothing is sent twice. A fresh stream (no `lastEventId`) starts with a priming
   * event, handed to `primed` before anything is written. Rejects when `lastEventId` is not this
   * scope's.
   */
  async follow(
    scope: string,
    target: { streamId: string; lastEventId?: string },
    write: (event: FollowedEvent) => void,
    primed?: (primingId: string) => void,
  ): Promise<Following> {
    let streamId = target.streamId;
    let cursor: string | undefined;
    if (target.lastEventId !== undefined) {
      const parsed = this.#parse(target.lastEventId);
      if (!parsed || parsed.scope !== scope) throw new Error("unknown event id");
      streamId = parsed.streamId;
      cursor = parsed.xid;
    }
    // Subscribe first, replay second; live events the replay already covered are skipped.
    let buffered: { e: FollowedEvent; xid: string }[] | undefined = [];
    let last = cursor ?? "0-0";
    const deliver = (e: FollowedEvent, xid: string) => {
      if (!xidLess(last, xid)) return;
      last = xid;
      write(e);
    };
    const off = await this.#channels.subscribe(this.channelOf(scope), (payload) => {
      const cut = payload.indexOf(" ");
      const xid = payload.slice(0, cut);
      const { s, m, r } = JSON.parse(payload.slice(cut + 1)) as {
        s: string;
        m: JSONRPCMessage;
        r?: string | number;
      };
      if (s !== streamId || Object.keys(m).length === 0) return;
      const e: FollowedEvent = {
        id: this.#eventId(scope, streamId, xid),
        message: m,
        ...(r !== undefined ? { requestId: r } : {}),
      };
      if (buffered) buffered.push({ e, xid });
      else deliver(e, xid);
    });
    let primingId: string | undefined;
    let requestId: string | number | undefined;
    let ended = false;
    try {
      if (cursor === undefined) {
        // A fresh stream starts with a priming event: the client resumes from it.
        primingId = await this.scoped(scope).storeEvent(streamId, {} as JSONRPCMessage);
        cursor = primingId.split("/")[2];
        last = cursor;
        primed?.(primingId);
      }
      // From the cursor itself: the event the client already has names the stream's request.
      for (const e of await this.#after(scope, streamId, cursor, true)) {
        const xid = e.id.split("/")[2];
        if (xid === cursor) {
          requestId = e.requestId;
          ended = !("method" in e.message);
        } else deliver(e, xid);
      }
    } catch (e) {
      await off();
      throw e;
    }
    const pending = buffered;
    buffered = undefined;
    for (const { e, xid } of pending) deliver(e, xid);
    return {
      streamId,
      ...(primingId !== undefined ? { primingId } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
      ...(ended ? { ended } : {}),
      close: off,
    };
  }

  drop(scope: string): void {
    const client = this.#channels.client;
    void (async () => {
      const keys = await client.smembers(this.#index(scope));
      if (keys.length) await client.del(...keys);
      await client.del(this.#index(scope));
    })().catch(() => {});
  }
}
