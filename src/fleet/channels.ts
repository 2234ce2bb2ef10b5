/**
 * Redis for a fleet of instances: one command connection and one subscriber connection (a Redis
 * connection in subscribe mode can do nothing else), with channel handlers counted so a channel
 * is subscribed once however many local parties listen to it.
 *
 * @module
 */

// Type-only: ioredis loads when a fleet is opened (see src/sessions/redis_kv.ts for why).
import type { Cluster, Redis } from "ioredis";
import { errorText } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import { parseRedisUrl, type RedisKeyValueStoreOptions } from "../sessions/redis_kv.ts";

const log = getLogger("fleet");

/** A command connection (standalone or cluster). */
export type RedisClient = Redis | Cluster;

/** A message handler of one channel. */
export type ChannelHandler = (payload: string) => void;

/**
 * The Redis connections of a fleet.
 *
 * @example
 * ```ts
 * import { RedisChannels } from "./channels.ts";
 * const channels = await RedisChannels.open({ url: "redis://127.0.0.1:6379" });
 * const off = await channels.subscribe("demo", (m) => console.log(m));
 * console.log(await channels.publish("demo", "hello")); // 1 receiver: ourselves
 * await off();
 * await channels.close();
 * ```
 */
export class RedisChannels {
  /** Runs commands (and scripts). */
  readonly client: RedisClient;
  readonly #sub: RedisClient;
  readonly #handlers = new Map<string, Set<ChannelHandler>>();
  #closed = false;

  private constructor(client: RedisClient, sub: RedisClient) {
    this.client = client;
    this.#sub = sub;
    (sub as Redis).on("message", (channel: string, payload: string) => {
      for (const h of this.#handlers.get(channel) ?? []) {
        try {
          h(payload);
        } catch (e) {
          log.warn(`handler of ${channel} failed: ${errorText(e)}`);
        }
      }
    });
  }

  /** Connect both connections; rejects when Redis cannot be reached within `connectTimeoutMs`. */
  static async open(options: RedisKeyValueStoreOptions): Promise<RedisChannels> {
    const parsed = parseRedisUrl(options.url, options.source);
    const { Redis, Cluster } = await import("ioredis");
    const tls = parsed.tls ? { rejectUnauthorized: !options.tlsInsecure } : undefined;
    const common = {
      username: parsed.username,
      password: parsed.password,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      // A command that gets no reply in time fails (the subscriber only subscribes).
      commandTimeout: options.commandTimeoutMs ?? 3000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
      ...(tls ? { tls } : {}),
    };
    const make = (): RedisClient =>
      parsed.cluster
        ? new Cluster(parsed.nodes, { redisOptions: common, clusterRetryStrategy: common.retryStrategy })
        : new Redis({
          ...common,
          host: parsed.nodes[0].host,
          port: parsed.nodes[0].port,
          db: parsed.db ?? 0,
        });
    const client = make();
    const sub = make();
    for (const c of [client, sub]) (c as Redis).on("error", (e: Error) => log.debug(`redis: ${e.message}`));
    try {
      await Promise.all([client, sub].map((c) => ready(c, options.connectTimeoutMs ?? 5000)));
    } catch (e) {
      client.disconnect();
      sub.disconnect();
      throw e;
    }
    return new RedisChannels(client, sub);
  }

  /** Listen to `channel`; resolves (once Redis confirmed) with a function that stops listening. */
  async subscribe(channel: string, handler: ChannelHandler): Promise<() => Promise<void>> {
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
    }
    set.add(handler);
    if (set.size === 1) await this.#sub.subscribe(channel);
    return async () => {
      const s = this.#handlers.get(channel);
      if (!s?.delete(handler) || s.size > 0) return;
      this.#handlers.delete(channel);
      if (!this.#closed) await this.#sub.unsubscribe(channel).catch(() => {});
    };
  }

  /** Channels listened to now. */
  get subscribed(): number {
    return this.#handlers.size;
  }

  /** Publish; resolves how many subscribers (connections, fleet-wide) received it. */
  async publish(channel: string, payload: string): Promise<number> {
    return await this.client.publish(channel, payload);
  }

  /** Close both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    await Promise.allSettled([this.client.quit(), this.#sub.quit()]);
    this.client.disconnect();
    this.#sub.disconnect();
  }
}

function ready(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const ok = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      (client as Redis).off("ready", ok);
    };
    (client as Redis).on("ready", ok);
  });
}
