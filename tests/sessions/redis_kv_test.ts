import assert from "node:assert/strict";
import { Cluster, Redis } from "ioredis";
import { ConfigError, type KeyValueStore, validateConfig } from "../../mod.ts";
import {
  createKeyValueStore,
  keyNamespace,
  MemoryKeyValueStore,
  NamespacedKeyValueStore,
  parseRedisUrl,
  RedisKeyValueStore,
  redisOptionsFromEnv,
  resolveSessionProvider,
  StoreUnavailableError,
} from "../../src/sessions/mod.ts";
import { envFromObject } from "../../src/config/mod.ts";
import {
  dropKeys,
  ignoreWithoutRedisServer,
  keysUnder,
  need,
  NEEDS,
  OwnRedis,
  service,
  testName,
  uniqueNamespace,
} from "../services.ts";

const redis = service("REDIS_URL");
const cluster = service("REDIS_CLUSTER_URL");

/** What every provider must do: the KeyValueStore contract. */
async function contract(kv: KeyValueStore, prefix: string): Promise<void> {
  assert.equal(await kv.get(`${prefix}missing`), undefined);
  await kv.set(`${prefix}a`, "1");
  assert.equal(await kv.get(`${prefix}a`), "1");
  await kv.set(`${prefix}a`, "2", 60);
  assert.equal(await kv.get(`${prefix}a`), "2");
  assert.equal(await kv.delete(`${prefix}a`), true);
  assert.equal(await kv.delete(`${prefix}a`), false);
  assert.equal(await kv.get(`${prefix}a`), undefined);

  await kv.addToSet(`${prefix}set`, "x", 60);
  await kv.addToSet(`${prefix}set`, "y", 60);
  await kv.addToSet(`${prefix}set`, "x", 60);
  assert.deepEqual((await kv.members(`${prefix}set`)).sort(), ["x", "y"]);
  await kv.removeFromSet(`${prefix}set`, "x");
  assert.deepEqual(await kv.members(`${prefix}set`), ["y"]);
  assert.deepEqual(await kv.members(`${prefix}noset`), []);
  await kv.expire(`${prefix}set`, 60);
  assert.equal(await kv.delete(`${prefix}set`), true);
}

Deno.test("kv: memory store meets the contract, and expires", async () => {
  let clock = 1_000_000;
  const kv = new MemoryKeyValueStore(() => clock);
  await contract(kv, "m:");
  await kv.set("t", "v", 10);
  clock += 11_000;
  assert.equal(await kv.get("t"), undefined);
  await kv.close();
});

Deno.test("kv: redis URLs (standalone, TLS, cluster lists, /db)", () => {
  assert.deepEqual(parseRedisUrl("redis://127.0.0.1:6379"), {
    tls: false,
    username: undefined,
    password: undefined,
    db: undefined,
    nodes: [{ host: "127.0.0.1", port: 6379 }],
    cluster: false,
  });
  const tls = parseRedisUrl("rediss://user:p%40ss@cache.example:6380/2");
  assert.equal(tls.tls, true);
  assert.equal(tls.username, "user");
  assert.equal(tls.password, "p@ss");
  assert.equal(tls.db, 2);
  const c = parseRedisUrl("redis://:pw@n1:7000,n2:7001,n3/0");
  assert.equal(c.cluster, true);
  assert.equal(c.db, undefined, "a cluster has no /db");
  assert.equal(c.password, "pw");
  assert.deepEqual(c.nodes, [{ host: "n1", port: 7000 }, { host: "n2", port: 7001 }, {
    host: "n3",
    port: 6379,
  }]);
  assert.deepEqual(parseRedisUrl("redis://[::1]:7000,[::1]:7001").nodes, [
    { host: "::1", port: 7000 },
    { host: "::1", port: 7001 },
  ]);
  assert.throws(() => parseRedisUrl("http://x"), ConfigError);
  assert.throws(() => parseRedisUrl("redis://h/zero"), ConfigError);
  assert.equal(
    redisOptionsFromEnv(envFromObject({ SESSION_REDIS_URL: "redis://a", REDIS_URL: "redis://b" })).url,
    "redis://a",
  );
  assert.equal(redisOptionsFromEnv(envFromObject({ REDIS_URL: "redis://b" })).url, "redis://b");
  assert.equal(redisOptionsFromEnv(envFromObject({ REDIS_TLS_INSECURE: "1" })).tlsInsecure, true);
  // A bad URL is reported under the variable it came from.
  assert.throws(
    () => new RedisKeyValueStore(redisOptionsFromEnv(envFromObject({ SESSION_REDIS_URL: "http://x" }))),
    (e) => e instanceof ConfigError && e.location.path === "SESSION_REDIS_URL",
  );
  assert.throws(
    () => new RedisKeyValueStore(redisOptionsFromEnv(envFromObject({ REDIS_URL: "http://x" }))),
    (e) => e instanceof ConfigError && e.location.path === "REDIS_URL",
  );
});

Deno.test("kv: provider and namespace come from config and environment", async () => {
  const config = validateConfig({ artifacts: { session_provider: "redis" } }, "inline");
  assert.equal(resolveSessionProvider(config, envFromObject({})), "redis");
  assert.equal(
    resolveSessionProvider(config, envFromObject({ ARTIFACT_SESSION_PROVIDER: "memory" })),
    "memory",
  );
  assert.equal(
    resolveSessionProvider(
      config,
      envFromObject({ SESSION_PROVIDER: "memory", ARTIFACT_SESSION_PROVIDER: "redis" }),
    ),
    "memory",
  );
  assert.throws(
    () => resolveSessionProvider(config, envFromObject({ SESSION_PROVIDER: "postgres" })),
    (e) => e instanceof ConfigError && /SESSION_PROVIDER/.test(e.message),
  );
  const memory = createKeyValueStore(validateConfig({}, "inline"), envFromObject({}));
  assert.equal(memory.provider, "memory");
  await memory.close();
  assert.equal(keyNamespace(envFromObject({})), "dev:default:");
  assert.equal(keyNamespace(envFromObject({ ENV: "stage" })), "stage:default:");
  assert.equal(keyNamespace(envFromObject({ ENVIRONMENT: "prod", DEPLOYMENT_ID: "eu-1" })), "prod:eu-1:");
  // Two deployments never share a prefix, whatever their names contain.
  const a = keyNamespace(envFromObject({ ENVIRONMENT: "a:b", DEPLOYMENT_ID: "c" }));
  const b = keyNamespace(envFromObject({ ENVIRONMENT: "a", DEPLOYMENT_ID: "b:c" }));
  const c = keyNamespace(envFromObject({ ENVIRONMENT: "a", DEPLOYMENT_ID: "b%3Ac" }));
  assert.equal(new Set([a, b, c]).size, 3, `${a} ${b} ${c}`);
});

Deno.test({
  name: testName(
    "kv: redis store meets the contract, TTLs land in Redis, keys are namespaced",
    redis.ignore,
    redis.why,
  ),
  ignore: redis.ignore,
  fn: async () => {
    const url = need("REDIS_URL");
    const { prefix } = uniqueNamespace();
    const raw = new RedisKeyValueStore({ url });
    const kv = new NamespacedKeyValueStore(raw, prefix);
    const probe = new Redis(url);
    try {
      await contract(kv, "");
      await kv.set("session:abc", "{}", 120);
      await kv.addToSet("user:alice:sessions", "abc", 90);
      const ttl = await probe.ttl(`${prefix}session:abc`);
      assert.ok(ttl > 100 && ttl <= 120, `ttl ${ttl}`);
      // A set's expiry only grows.
      await kv.addToSet("user:alice:sessions", "def", 30);
      const setTtl = await probe.ttl(`${prefix}user:alice:sessions`);
      assert.ok(setTtl > 60 && setTtl <= 90, `set ttl ${setTtl}`);
      assert.deepEqual(await keysUnder(url, prefix), [
        `${prefix}session:abc`,
        `${prefix}user:alice:sessions`,
      ]);
      assert.equal(raw.status, "ready");
    } finally {
      await dropKeys(url, prefix);
      probe.disconnect();
      await kv.close();
    }
  },
});

Deno.test({
  name: testName(
    "kv: redis cluster store meets the contract and spreads keys over the nodes",
    cluster.ignore,
    cluster.why,
  ),
  ignore: cluster.ignore,
  fn: async () => {
    const url = need("REDIS_CLUSTER_URL");
    const { prefix } = uniqueNamespace();
    const kv = new NamespacedKeyValueStore(new RedisKeyValueStore({ url: `${url}/0` }), prefix);
    assert.equal((kv.inner as RedisKeyValueStore).cluster, true);
    try {
      await contract(kv, "");
      for (let i = 0; i < 30; i++) await kv.set(`session:s${i}`, String(i), 60);
      for (let i = 0; i < 30; i++) assert.equal(await kv.get(`session:s${i}`), String(i));
      // Every master holds some of them.
      const nodes = parseRedisUrl(url).nodes;
      const perNode: number[] = [];
      for (const n of nodes) perNode.push((await keysUnder(`redis://${n.host}:${n.port}`, prefix)).length);
      assert.equal(perNode.reduce((a, b) => a + b, 0), 30);
      assert.ok(perNode.every((n) => n > 0), `keys per node: ${perNode}`);
      const c = new Cluster(nodes);
      try {
        assert.ok((await c.ttl(`${prefix}session:s0`)) > 0);
      } finally {
        c.disconnect();
      }
    } finally {
      await kv.close();
      const nodes = parseRedisUrl(url).nodes;
      const c = new Cluster(nodes);
      for (let i = 0; i < 30; i++) await c.del(`${prefix}session:s${i}`);
      c.disconnect();
    }
  },
});

Deno.test({
  name: testName(
    "kv: redis going away fails fast with a clear error, and recovers without a restart",
    ignoreWithoutRedisServer(),
    NEEDS["redis-server"],
  ),
  ignore: ignoreWithoutRedisServer(),
  fn: async () => {
    const own = new OwnRedis();
    await own.start();
    const kv = new RedisKeyValueStore({ url: own.url });
    try {
      await kv.set("k", "v", 60);
      assert.equal(await kv.get("k"), "v");
      await own.stop();
      const started = Date.now();
      await assert.rejects(
        () => kv.get("k"),
        (e) => e instanceof StoreUnavailableError && /redis/.test(e.message),
      );
      // Later calls fail at once, without waiting on the reconnect loop.
      const t0 = Date.now();
      await assert.rejects(() => kv.set("k", "w"), StoreUnavailableError);
      assert.ok(Date.now() - t0 < 500, "fails fast while Redis is down");
      assert.ok(Date.now() - started < 5000);
      assert.equal(kv.status, "down");
      await own.start();
      // Reconnection happens in the background.
      await kv.whenReady(10_000);
      assert.equal(kv.status, "ready");
      await kv.set("k", "again", 60);
      assert.equal(await kv.get("k"), "again");
    } finally {
      await kv.close();
      await own.stop();
    }
  },
});
