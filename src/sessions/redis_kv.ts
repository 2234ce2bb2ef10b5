/**
 * The Redis provider of the {@linkcode KeyValueStore} seam (`npm:ioredis`): standalone Redis, or
 * Redis Cluster when the URL lists several hosts. If Redis goes away, operations fail at once
 * with {@linkcode StoreUnavailableError} (no queueing behind a dead connection) while the client
 * keeps reconnecting in the background; when Redis is back, they work again.
 *
 * @module
 */

// Type-only: ioredis is loaded when a Redis store is created (its `debug` dependency reads the
// whole environment at import, which a least-privilege run without Redis must not need).
import type { Cluster, Redis, RedisOptions } from "ioredis";
import { type EnvSource, processEnv } from "../config/env.ts";
import { ConfigError, errorText } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import { StoreUnavailableError } from "./errors.ts";
import type { KeyValueStore } from "./kv.ts";

const log = getLogger("sessions.redis");

/**
 * Default when neither `SESSION_REDIS_URL` nor `REDIS_URL` is set.
 *
 * @example
 * ```ts
 * import { DEFAULT_REDIS_URL } from "@chuk/mcp-runtime/sessions";
 * console.log(DEFAULT_REDIS_URL); // redis://127.0.0.1:6379
 * ```
 */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** A Redis URL taken apart. */
export interface ParsedRedisUrl {
  /** `rediss://`: connect with TLS. */
  tls: boolean;
  /** ACL user name, when the URL has one. */
  username?: string;
  /** Password, when the URL has one. */
  password?: string;
  /** Database index (standalone only; a cluster has only database 0). */
  db?: number;
  /** One node (standalone) or several (cluster). */
  nodes: { host: string; port: number }[];
  /** More than one host was listed. */
  cluster: boolean;
}

/**
 * Parse `redis[s]://[user:pass@]host[:port][,host[:port]...][/db]`. A comma-separated host list
 * means Redis Cluster; its `/db` suffix is dropped (a cluster has only database 0). Errors name
 * `source`, the variable the URL came from.
 *
 * @example
 * ```ts
 * import { parseRedisUrl } from "@chuk/mcp-runtime/sessions";
 * parseRedisUrl("redis://n1:7000,n2:7001/0").cluster; // true
 * parseRedisUrl("rediss://:pw@cache:6380/2"); // { tls: true, password: "pw", db: 2, nodes: [{ host: "cache", port: 6380 }], cluster: false }
 * ```
 */
export function parseRedisUrl(url: string, source = "REDIS_URL"): ParsedRedisUrl {
  const bad = (why: string) =>
    new ConfigError(`${why} in Redis URL ${JSON.stringify(redact(url))}`, {
      file: "<environment>",
      path: source,
    });
  const m = /^(rediss?):\/\/(.*)$/i.exec(url.trim());
  if (!m) throw bad("expected redis:// or rediss://");
  const tls = m[1].toLowerCase() === "rediss";
  let rest = m[2];
  let db: number | undefined;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const path = rest.slice(slash + 1).replace(/\?.*$/, "");
    rest = rest.slice(0, slash);
    if (path !== "") {
      if (!/^\d+$/.test(path)) throw bad(`expected a database number after '/', got '${path}'`);
      db = Number(path);
    }
  }
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(":");
    const user = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    const pass = colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) : undefined;
    if (colon >= 0) {
      username = user || undefined;
      password = pass;
    } else {
      password = user || undefined; // `redis://secret@host` = password only, as redis-cli reads it
    }
  }
  const nodes = rest.split(",").map((h) => h.trim()).filter((h) => h !== "").map((h) => {
    const host = h.replace(/^rediss?:\/\//i, "");
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
    if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : 6379 };
    const parts = /^([^:]+)(?::(\d+))?$/.exec(host);
    if (!parts) throw bad(`cannot read host '${host}'`);
    return { host: parts[1], port: parts[2] ? Number(parts[2]) : 6379 };
  });
  if (nodes.length === 0) throw bad("no host");
  for (const n of nodes) if (n.port < 1 || n.port > 65535) throw bad(`bad port ${n.port}`);
  const cluster = nodes.length > 1;
  return { tls, username, password, db: cluster ? undefined : db, nodes, cluster };
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}

/** Options of {@linkcode RedisKeyValueStore}. */
export interface RedisKeyValueStoreOptions {
  /** `redis://…`, `rediss://…`, or a comma-separated host list for Redis Cluster. */
  url: string;
  /** The environment variable `url` came from, named by errors (default `REDIS_URL`). */
  source?: string;
  /** Skip TLS certificate verification (`REDIS_TLS_INSECURE=1`), for self-signed certificates. */
  tlsInsecure?: boolean;
  /** Give up connecting after this many ms (default 2000); reconnection continues in the background. */
  connectTimeoutMs?: number;
  /** Fail a command that gets no reply within this many ms (default 3000). */
  commandTimeoutMs?: number;
}

/**
 * Store options from the environment: `SESSION_REDIS_URL` > `REDIS_URL` > `redis://127.0.0.1:6379`,
 * and `REDIS_TLS_INSECURE=1`.
 *
 * @example
 * ```ts
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * import { redisOptionsFromEnv } from "@chuk/mcp-runtime/sessions";
 * redisOptionsFromEnv(envFromObject({ REDIS_URL: "redis://cache:6379" })).url; // "redis://cache:6379"
 * ```
 */
export function redisOptionsFromEnv(env: EnvSource = processEnv): RedisKeyValueStoreOptions {
  const session = env("SESSION_REDIS_URL");
  return {
    url: session || env("REDIS_URL") || DEFAULT_REDIS_URL,
    source: session ? "SESSION_REDIS_URL" : "REDIS_URL",
    tlsInsecure: ["1", "true", "yes"].includes((env("REDIS_TLS_INSECURE") ?? "").toLowerCase()),
  };
}

// Add to a set and make its expiry at least `ttl` (a new set gets exactly `ttl`); `ttl` <= 0 = no expiry.
const ADD_TO_SET = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  local cur = redis.call('TTL', KEYS[1])
  if existed == 0 or (cur >= 0 and cur < ttl) then redis.call('EXPIRE', KEYS[1], ttl) end
else
  redis.call('PERSIST', KEYS[1])
end
return 1`;

function wholeSeconds(ttl: number): number {
  return Math.max(1, Math.ceil(ttl));
}

/**
 * A {@linkcode KeyValueStore} on Redis or Redis Cluster. Keys are used as given (wrap it in a
 * `NamespacedKeyValueStore` for the `{ENVIRONMENT}:{DEPLOYMENT_ID}:` prefix); values expire with
 * Redis TTLs.
 *
 * @example
 * ```ts
 * import { RedisKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const kv = new RedisKeyValueStore({ url: "redis://127.0.0.1:6379" });
 * await kv.set("dev:default:hello", "world", 60);
 * console.log(await kv.get("dev:default:hello"));
 * await kv.close();
 * ```
 */
export class RedisKeyValueStore implements KeyValueStore {
  readonly provider = "redis";
  /** The URL with any password hidden (for logs and `/health`). */
  readonly url: string;
  /** Whether this store talks to a Redis Cluster. */
  readonly cluster: boolean;
  readonly #client: Promise<Redis | Cluster>;
  #down = false;
  #everReady = false;
  #closed = false;
  #lastError = "not connected";
  #waiters: (() => void)[] = [];

  /** Connects in the background; an unreachable Redis is reported on use, not here. */
  constructor(options: RedisKeyValueStoreOptions) {
    const parsed = parseRedisUrl(options.url, options.source);
    this.url = redact(options.url);
    this.cluster = parsed.cluster;
    this.#client = this.#connect(parsed, options);
    // Failures surface on first use, as StoreUnavailableError.
    this.#client.catch(() => {});
  }

  async #connect(parsed: ParsedRedisUrl, options: RedisKeyValueStoreOptions): Promise<Redis | Cluster> {
    const { Redis, Cluster } = await import("ioredis");
    const tls = parsed.tls ? { rejectUnauthorized: !options.tlsInsecure } : undefined;
    const common: RedisOptions = {
      username: parsed.username,
      password: parsed.password,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      commandTimeout: options.commandTimeoutMs ?? 3000,
      // A command caught by a dropped connection is retried once after reconnecting, then fails.
      maxRetriesPerRequest: 1,
      ...(tls ? { tls } : {}),
    };
    // Reconnect forever, backing off to 1 s: the store comes back by itself when Redis does.
    const backoff = (times: number) => Math.min(times * 100, 1000);
    const client: Redis | Cluster = parsed.cluster
      ? new Cluster(parsed.nodes, {
        redisOptions: common,
        clusterRetryStrategy: backoff,
        slotsRefreshTimeout: options.connectTimeoutMs ?? 2000,
        // TLS certificates name hosts, not the IPs CLUSTER SLOTS reports.
        ...(tls ? { dnsLookup: (address, cb) => cb(null, address) } : {}),
      })
      : new Redis({
        ...common,
        host: parsed.nodes[0].host,
        port: parsed.nodes[0].port,
        db: parsed.db ?? 0,
        retryStrategy: backoff,
      });
    const events = client as Redis;
    events.on("ready", () => {
      if (this.#down) log.info(`redis at ${this.url} is reachable again`);
      this.#down = false;
      this.#everReady = true;
      this.#lastError = "connection closed";
      for (const w of this.#waiters.splice(0)) w();
    });
    events.on("error", (e: Error) => {
      this.#lastError = e.message || String(e);
    });
    events.on("close", () => {
      if (this.#closed) return;
      if (!this.#down) {
        log.warn(
          `redis at ${this.url} is ${this.#everReady ? "gone" : "not reachable"} (${this.#lastError}); ` +
            "calls that need a session fail until it is back",
        );
      }
      this.#down = true;
    });
    if (this.#closed) client.disconnect();
    return client;
  }

  /** `connecting` (never connected yet), `ready`, `down` (reconnecting) or `closed`. */
  get status(): "connecting" | "ready" | "down" | "closed" {
    if (this.#closed) return "closed";
    if (this.#down) return "down";
    return this.#everReady ? "ready" : "connecting";
  }

  /**
   * Resolves when the connection is ready (at once if it is); rejects after `timeoutMs`. The store
   * reconnects by itself; this only lets a caller wait for it.
   */
  whenReady(timeoutMs = 10_000): Promise<void> {
    if (this.status === "ready") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        reject(new StoreUnavailableError("redis", `not ready after ${timeoutMs} ms (${this.#lastError})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
    });
  }

  async #run<T>(op: (client: Redis | Cluster) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError("redis", "the store is closed");
    // While Redis is down, fail at once instead of queueing behind the reconnect loop.
    if (this.#down) throw new StoreUnavailableError("redis", this.#lastError);
    try {
      return await op(await this.#client);
    } catch (e) {
      const message = errorText(e);
      if ((e as { name?: string })?.name === "ReplyError") throw new Error(`redis: ${message}`, { cause: e });
      throw new StoreUnavailableError("redis", message, { cause: e });
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#run((c) => c.get(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.#run((c) =>
      ttlSeconds && ttlSeconds > 0 ? c.set(key, value, "EX", wholeSeconds(ttlSeconds)) : c.set(key, value)
    );
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#run((c) => c.del(key))) > 0;
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    await this.#run((c) => c.expire(key, wholeSeconds(ttlSeconds)));
  }

  async addToSet(key: string, member: string, ttlSeconds?: number): Promise<void> {
    const ttl = ttlSeconds && ttlSeconds > 0 ? wholeSeconds(ttlSeconds) : 0;
    await this.#run((c) => c.eval(ADD_TO_SET, 1, key, member, String(ttl)));
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.#run((c) => c.srem(key, member));
  }

  async members(key: string): Promise<string[]> {
    return await this.#run((c) => c.smembers(key));
  }

  /** Round trip to Redis (used at startup and by health checks). */
  async ping(): Promise<void> {
    await this.#run((c) => c.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let client: Redis | Cluster;
    try {
      client = await this.#client;
    } catch {
      return; // never connected (ioredis could not be loaded)
    }
    if (client.status === "ready") {
      try {
        await client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    client.disconnect();
  }
}
