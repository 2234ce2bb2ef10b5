/**
 * Stateful 2025 sessions shared by a fleet of instances (no sticky load balancer needed): the
 * record of each `Mcp-Session-Id` (who opened it, what it negotiated, its log level, its
 * subscriptions, its runtime session) lives in Redis, so any instance can serve the session's
 * next request. Instances tell each other over Redis pub/sub:
 *
 * - `…fleet:s:<session>`: the session's state changed or it ended (instances serving it listen);
 * - `…fleet:i:<instance>`: a client's answer to a request that instance sent (sampling,
 *   elicitation, roots), which arrived at another instance;
 *
 * and a resource update is stored, once, on the GET stream of every session subscribed to it
 * (`…fleet:sub:<uri>` lists them), where whichever instance holds that stream picks it up.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import type { LoggingLevel } from "../protocol.ts";
import type { JSONRPCMessage } from "../sdk/types.ts";
import type { RedisChannels } from "./channels.ts";

const log = getLogger("fleet");

/** What the fleet keeps of one stateful session. */
export interface FleetSessionRecord {
  /** The user who opened it (null: anonymous). */
  user: string | null;
  /** The view endpoint it was opened on (null: the full surface). */
  view: string | null;
  /** The `initialize` params the client sent (replayed to serve the session elsewhere). */
  init: Record<string, unknown>;
  /** The runtime session its calls use (`ctx.sessionId`). */
  runtimeSession?: string;
  /** Lowest log level the client asked for. */
  logLevel?: LoggingLevel;
  /** Resource URIs it subscribed to. */
  subscriptions: string[];
}

/** What instances serving a session hear about it. */
export type FleetSessionNote =
  | { t: "state"; from: string; record: FleetSessionRecord }
  | { t: "close"; from: string };

/** Options of {@linkcode FleetSessions}. */
export interface FleetSessionsOptions {
  /** Key and channel prefix (the session store's namespace). */
  prefix: string;
  /** Seconds a session record lives without use (the idle timeout). */
  ttlSeconds: number;
  /** This instance's id (default: random). */
  instanceId?: string;
}

/** Sessions whose last extension an instance remembers (to extend each at most every ttl/4). */
const MAX_TOUCHED = 100_000;

/** How long an instance counts as alive after its last heartbeat (ms); it beats three times as often. */
export const ALIVE_MS = 3000;

/**
 * The shared records and channels of a fleet's stateful sessions.
 *
 * @example
 * ```ts
 * import { RedisChannels } from "./channels.ts";
 * import { FleetSessions } from "./sessions.ts";
 * const channels = await RedisChannels.open({ url: "redis://127.0.0.1:6379" });
 * const fleet = await FleetSessions.open(channels, { prefix: "dev:default:", ttlSeconds: 60 });
 * await fleet.save("s1", { user: null, view: null, init: {}, subscriptions: [] });
 * console.log((await fleet.load("s1"))?.user); // null
 * await fleet.end("s1");
 * await fleet.close();
 * await channels.close();
 * ```
 */
export class FleetSessions {
  /** This instance's id (it prefixes the ids of requests this instance sends to clients). */
  readonly instanceId: string;
  /** The Redis connections. */
  readonly channels: RedisChannels;
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #touched = new Map<string, number>();
  readonly #answerHandlers = new Set<(session: string, message: JSONRPCMessage) => void>();
  #offAnswers: (() => Promise<void>) | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  private constructor(channels: RedisChannels, options: FleetSessionsOptions) {
    this.channels = channels;
    this.#prefix = options.prefix;
    this.#ttl = Math.max(1, Math.ceil(options.ttlSeconds));
    this.instanceId = options.instanceId ?? crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  }

  /** Join the fleet: listen for answers addressed to this instance. */
  static async open(channels: RedisChannels, options: FleetSessionsOptions): Promise<FleetSessions> {
    const fleet = new FleetSessions(channels, options);
    fleet.#offAnswers = await channels.subscribe(fleet.#channel("i", fleet.instanceId), (payload) => {
      const { s, m } = JSON.parse(payload) as { s: string; m: JSONRPCMessage };
      for (const h of fleet.#answerHandlers) h(s, m);
    });
    // Alive while the key lives: others ask before they wait for an answer from this instance.
    const beat = () =>
      channels.client.set(fleet.#alive(fleet.instanceId), "1", "PX", ALIVE_MS).catch((e) =>
        log.debug(`heartbeat failed: ${errorText(e)}`)
      );
    await beat();
    fleet.#heartbeat = setInterval(beat, ALIVE_MS / 3);
    Deno.unrefTimer(fleet.#heartbeat);
    return fleet;
  }

  #alive(instance: string): string {
    return `${this.#prefix}fleet:alive:${instance}`;
  }

  /** Whether `instance` is running (its heartbeat is at most {@linkcode ALIVE_MS} old). */
  async isAlive(instance: string): Promise<boolean> {
    return await this.channels.client.exists(this.#alive(instance)) > 0;
  }

  #key(session: string): string {
    return `${this.#prefix}fleet:session:${session}`;
  }

  #channel(kind: "i" | "s", id: string): string {
    return `${this.#prefix}fleet:${kind}:${id}`;
  }

  #subscribers(uri: string): string {
    return `${this.#prefix}fleet:sub:${uri}`;
  }

  /** The record of `session`, if it is alive anywhere in the fleet. */
  async load(session: string): Promise<FleetSessionRecord | undefined> {
    const raw = await this.channels.client.get(this.#key(session));
    if (raw === null) return undefined;
    this.#noteTouch(session);
    return JSON.parse(raw) as FleetSessionRecord;
  }

  /** Remember when `session`'s record was last extended (bounded: the oldest entries go). */
  #noteTouch(session: string, at = Date.now()): void {
    this.#touched.delete(session);
    this.#touched.set(session, at);
    if (this.#touched.size > MAX_TOUCHED) this.#touched.delete(this.#touched.keys().next().value!);
  }

  /** Store a new session's record. */
  async save(session: string, record: FleetSessionRecord): Promise<void> {
    await this.channels.client.set(this.#key(session), JSON.stringify(record), "EX", this.#ttl);
    this.#noteTouch(session);
  }

  /** Keep `session` alive; a Redis round trip at most every quarter of the idle timeout. */
  touch(session: string): void {
    const now = Date.now();
    if (now - (this.#touched.get(session) ?? 0) < this.#ttl * 250) return;
    this.#noteTouch(session, now);
    this.channels.client.expire(this.#key(session), this.#ttl).catch((e) =>
      log.debug(`cannot extend session ${session}: ${errorText(e)}`)
    );
  }

  /**
   * Store a changed record and tell the instances serving the session (`before`: the record as
   * it was, to update which sessions each resource URI has).
   */
  async update(session: string, record: FleetSessionRecord, before: FleetSessionRecord): Promise<void> {
    // Separate commands, not a pipeline: on Redis Cluster these keys live in different slots
    // (ioredis still writes them back to back).
    const c = this.channels.client;
    const ops: Promise<unknown>[] = [c.set(this.#key(session), JSON.stringify(record), "EX", this.#ttl)];
    for (const uri of record.subscriptions) {
      if (!before.subscriptions.includes(uri)) {
        ops.push(c.sadd(this.#subscribers(uri), session), c.expire(this.#subscribers(uri), this.#ttl));
      }
    }
    for (const uri of before.subscriptions) {
      if (!record.subscriptions.includes(uri)) ops.push(c.srem(this.#subscribers(uri), session));
    }
    await Promise.all(ops);
    await this.channels.publish(
      this.#channel("s", session),
      JSON.stringify({ t: "state", from: this.instanceId, record } satisfies FleetSessionNote),
    );
  }

  /** End `session` everywhere: forget its record and tell the instances serving it. */
  async end(session: string): Promise<void> {
    const c = this.channels.client;
    const raw = await c.get(this.#key(session));
    const subscriptions = raw === null ? [] : (JSON.parse(raw) as FleetSessionRecord).subscriptions;
    await Promise.all([
      ...subscriptions.map((uri) => c.srem(this.#subscribers(uri), session)),
      c.del(this.#key(session)),
    ]);
    await this.channels.publish(
      this.#channel("s", session),
      JSON.stringify({ t: "close", from: this.instanceId } satisfies FleetSessionNote),
    );
    this.#touched.delete(session);
  }

  /** Hear what other instances say about `session`; resolves a function that stops listening. */
  watch(session: string, fn: (note: FleetSessionNote) => void): Promise<() => Promise<void>> {
    return this.channels.subscribe(this.#channel("s", session), (payload) => {
      const note = JSON.parse(payload) as FleetSessionNote;
      if (note.from !== this.instanceId) fn(note);
    });
  }

  /** The sessions subscribed to `uri` (those whose record expired are forgotten on the way). */
  async subscribersOf(uri: string): Promise<string[]> {
    const c = this.channels.client;
    const members = await c.smembers(this.#subscribers(uri));
    const alive = await Promise.all(members.map((s) => c.exists(this.#key(s))));
    const gone = members.filter((_, i) => !alive[i]);
    if (gone.length) await c.srem(this.#subscribers(uri), ...gone);
    return members.filter((_, i) => alive[i]);
  }

  /** Hand a client's answer to `instance`; false when no such instance is listening (it stopped). */
  async sendAnswer(instance: string, session: string, message: JSONRPCMessage): Promise<boolean> {
    const receivers = await this.channels.publish(
      this.#channel("i", instance),
      JSON.stringify({ s: session, m: message }),
    );
    return receivers > 0;
  }

  /** Receive the answers other instances hand to this one. */
  onAnswer(fn: (session: string, message: JSONRPCMessage) => void): () => void {
    this.#answerHandlers.add(fn);
    return () => this.#answerHandlers.delete(fn);
  }

  /** Leave the fleet (the Redis connections stay open: they are the caller's). */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#answerHandlers.clear();
    await this.#offAnswers?.();
    await this.channels.client.del(this.#alive(this.instanceId)).catch(() => {});
  }
}
