// The KeyValueStore contract, run against the memory store and the SQLite store (the SQLite one
// also across processes-worth of reopening), with a fake clock for expiry.
import assert from "node:assert/strict";
import { type KeyValueStore, MemoryKeyValueStore } from "../../src/sessions/kv.ts";
import { SqliteKeyValueStore } from "../../src/sessions/sqlite_kv.ts";

interface Clock {
  now(): number;
  advance(ms: number): void;
}

function clock(): Clock {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const providers: [string, (c: Clock) => Promise<KeyValueStore>][] = [
  ["memory", (c) => Promise.resolve(new MemoryKeyValueStore(c.now))],
  [
    "sqlite",
    async (c) => new SqliteKeyValueStore(await Deno.makeTempFile({ suffix: ".sqlite" }), { now: c.now }),
  ],
];

for (const [name, make] of providers) {
  Deno.test(`kv contract (${name}): values, TTL, delete, expire`, async () => {
    const c = clock();
    const kv = await make(c);
    try {
      assert.equal(await kv.get("a"), undefined);
      await kv.set("a", "1");
      await kv.set("b", "2", 10);
      assert.equal(await kv.get("a"), "1");
      assert.equal(await kv.get("b"), "2");
      c.advance(9_999);
      assert.equal(await kv.get("b"), "2");
      c.advance(1);
      assert.equal(await kv.get("b"), undefined, "expired at exactly ttl");
      await kv.set("a", "one", 5);
      assert.equal(await kv.get("a"), "one");
      await kv.expire("a", 100);
      c.advance(50_000);
      assert.equal(await kv.get("a"), "one", "expire() extended the ttl");
      assert.equal(await kv.delete("a"), true);
      assert.equal(await kv.delete("a"), false);
      assert.equal(await kv.get("a"), undefined);
      await kv.expire("missing", 10); // no-op, no throw
    } finally {
      await kv.close();
    }
  });

  Deno.test(`kv contract (${name}): sets and their expiry`, async () => {
    const c = clock();
    const kv = await make(c);
    try {
      assert.deepEqual(await kv.members("s"), []);
      await kv.addToSet("s", "x", 10);
      await kv.addToSet("s", "y", 5); // shorter ttl never shortens the set
      await kv.addToSet("s", "x", 10); // duplicates are ignored
      assert.deepEqual((await kv.members("s")).sort(), ["x", "y"]);
      c.advance(9_000);
      assert.equal((await kv.members("s")).length, 2);
      await kv.addToSet("s", "z", 20); // longer ttl extends
      c.advance(5_000);
      assert.deepEqual((await kv.members("s")).sort(), ["x", "y", "z"]);
      await kv.removeFromSet("s", "y");
      assert.deepEqual((await kv.members("s")).sort(), ["x", "z"]);
      c.advance(20_000);
      assert.deepEqual(await kv.members("s"), [], "set expired");
      await kv.addToSet("p", "a"); // no ttl: permanent
      await kv.addToSet("p", "b", 1);
      c.advance(10_000);
      assert.deepEqual((await kv.members("p")).sort(), ["a", "b"]);
      await kv.expire("p", 1);
      c.advance(1_000);
      assert.deepEqual(await kv.members("p"), []);
      await kv.addToSet("d", "a");
      assert.equal(await kv.delete("d"), true, "delete() removes sets too");
      assert.deepEqual(await kv.members("d"), []);
    } finally {
      await kv.close();
    }
  });
}

Deno.test("sqlite kv: data survives reopening, expired rows are purged on open", async () => {
  const c = clock();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/nested/dir/kv.sqlite`; // parent directories are created
  const a = new SqliteKeyValueStore(path, { now: c.now });
  await a.set("keep", "v");
  await a.set("short", "v", 1);
  await a.addToSet("set", "m1");
  await a.addToSet("set", "m2");
  await a.close();
  await assert.rejects(() => a.get("keep"), /closed/);
  c.advance(2_000);
  const b = new SqliteKeyValueStore(path, { now: c.now });
  try {
    assert.equal(await b.get("keep"), "v");
    assert.equal(await b.get("short"), undefined);
    assert.deepEqual(await b.members("set"), ["m1", "m2"]);
  } finally {
    await b.close();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sqlite kv: two connections to one file see each other's writes", async () => {
  const path = await Deno.makeTempFile({ suffix: ".sqlite" });
  const a = new SqliteKeyValueStore(path);
  const b = new SqliteKeyValueStore(path);
  try {
    await a.set("k", "from a", 60);
    assert.equal(await b.get("k"), "from a");
    await b.addToSet("s", "m");
    assert.deepEqual(await a.members("s"), ["m"]);
  } finally {
    await a.close();
    await b.close();
  }
});
