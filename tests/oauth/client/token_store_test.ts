/**
 * The OAuth token store: records are encrypted at rest (TOKEN_ENCRYPTION_KEY), bound to their key
 * (a record copied under another user's key does not open), unreadable with another secret, and a
 * persistent store refuses tokens without the secret. Real SQLite and Redis stores.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MemoryKeyValueStore } from "../../../src/sessions/kv.ts";
import { SqliteKeyValueStore } from "../../../src/sessions/sqlite_kv.ts";
import { RedisKeyValueStore } from "../../../src/sessions/redis_kv.ts";
import { ConfigError } from "../../../src/errors.ts";
import { openOAuthRecordStore, TokenCipher } from "../../../src/oauth/client/token_store.ts";
import { need, service } from "../../services.ts";

const SECRET = "correct horse battery staple, thirty-two+";
const TOKENS = { access_token: "at-SECRET-VALUE-123", refresh_token: "rt-SECRET-VALUE-456" };
const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("TokenCipher: round trip, bound to the record key, useless with another secret", async () => {
  const cipher = await TokenCipher.fromSecret(SECRET);
  const sealed = await cipher.seal("hello", "oauth:gh:tokens:user:alice");
  assert.ok(!sealed.includes("hello"));
  assert.equal(await cipher.open(sealed, "oauth:gh:tokens:user:alice"), "hello");
  // Copied under bob's key, alice's record does not open.
  assert.equal(await cipher.open(sealed, "oauth:gh:tokens:user:bob"), undefined);
  const other = await TokenCipher.fromSecret(SECRET + "!");
  assert.equal(await other.open(sealed, "oauth:gh:tokens:user:alice"), undefined);
  await assert.rejects(
    () => TokenCipher.fromSecret("short"),
    (e) => e instanceof ConfigError && /TOKEN_ENCRYPTION_KEY/.test(String(e)),
  );
});

Deno.test("openOAuthRecordStore: persistent stores need TOKEN_ENCRYPTION_KEY; memory does not", async () => {
  const dir = await Deno.makeTempDir();
  const sqlite = new SqliteKeyValueStore(`${dir}/s.db`);
  try {
    await assert.rejects(
      () => openOAuthRecordStore(sqlite, env({})),
      (e) => e instanceof ConfigError && /TOKEN_ENCRYPTION_KEY/.test(e.message) && /sqlite/.test(e.message),
    );
    const memory = await openOAuthRecordStore(new MemoryKeyValueStore(), env({}));
    assert.equal(memory.encrypted, false);
    await memory.set("k", TOKENS);
    assert.deepEqual(await memory.get("k"), TOKENS);
  } finally {
    await sqlite.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encryption at rest in SQLite: the file holds no token; a wrong key reads nothing", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tokens.db`;
  try {
    const kv = new SqliteKeyValueStore(path);
    const store = await openOAuthRecordStore(kv, env({ TOKEN_ENCRYPTION_KEY: SECRET }));
    await store.set("oauth:gh:tokens:_", { tokens: TOKENS });
    assert.deepEqual(await store.get("oauth:gh:tokens:_"), { tokens: TOKENS });
    await kv.close();
    // Read the database file itself.
    const raw = await Deno.readFile(path);
    const text = new TextDecoder("latin1").decode(raw);
    assert.ok(!text.includes("SECRET-VALUE"), "the token is stored in clear text");
    const db = new DatabaseSync(path);
    const rows = db.prepare("SELECT * FROM sqlite_master WHERE type = 'table'").all();
    assert.ok(rows.length > 0);
    db.close();
    const again = new SqliteKeyValueStore(path);
    const wrong = await openOAuthRecordStore(again, env({ TOKEN_ENCRYPTION_KEY: SECRET + "x" }));
    const reported: string[] = [];
    wrong.onUnreadable = (k) => reported.push(k);
    assert.equal(await wrong.get("oauth:gh:tokens:_"), undefined);
    assert.deepEqual(reported, ["oauth:gh:tokens:_"]);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const redis = service("REDIS_URL");
Deno.test({
  name: "encryption at rest in Redis: the stored value holds no token",
  ignore: redis.ignore,
  fn: async () => {
    const url = need("REDIS_URL");
    const kv = new RedisKeyValueStore({ url, source: "REDIS_URL" });
    const key = `test:oauth:${crypto.randomUUID()}:tokens:_`;
    try {
      const store = await openOAuthRecordStore(kv, env({ TOKEN_ENCRYPTION_KEY: SECRET }));
      await store.set(key, { tokens: TOKENS }, 60);
      const raw = await kv.get(key);
      assert.ok(raw && raw.startsWith("enc1:") && !raw.includes("SECRET-VALUE"));
      assert.deepEqual(await store.get(key), { tokens: TOKENS });
    } finally {
      await kv.delete(key);
      await kv.close();
    }
  },
});
