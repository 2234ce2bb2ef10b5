import assert from "node:assert/strict";
import { createTestContext, type KeyValueStore, validateConfig } from "../../mod.ts";
import {
  attachBinding,
  MemoryKeyValueStore,
  NamespacedKeyValueStore,
  RedisKeyValueStore,
  SessionError,
  SessionManager,
  SessionNotFoundError,
} from "../../src/sessions/mod.ts";
import type { RequestContext } from "../../mod.ts";
import { dropKeys, keysUnder, need, service, testName, uniqueNamespace } from "../services.ts";

const redis = service("REDIS_URL");

function ctxFor(manager: SessionManager, user: string | null, followUser = false): RequestContext {
  const binding = manager.bind({ userId: user, followUser });
  const ctx = createTestContext(user ? { user: { id: user, claims: { sub: user } } } : {});
  return attachBinding(ctx, binding);
}

/** Resolve a follow-user binding, then report the session id its calls would see. */
async function sessionIdOf(ctx: RequestContext): Promise<string | undefined> {
  const { bindingOf } = await import("../../src/sessions/mod.ts");
  const b = bindingOf(ctx)!;
  await b.ready();
  return b.sessionId;
}

async function suite(store: KeyValueStore): Promise<void> {
  const m = new SessionManager({ store, sandboxId: "sbx-test" });

  // A connection has a session id at once; its record appears when first needed.
  const anon1 = ctxFor(m, null);
  const anon2 = ctxFor(m, null);
  const id1 = await sessionIdOf(anon1);
  const id2 = await sessionIdOf(anon2);
  assert.ok(id1 && id2 && id1 !== id2, "two connections, two sessions");
  assert.equal(await m.get(id1!), undefined, "lazy: no record before it is needed");
  const r1 = await m.current(anon1);
  assert.equal(r1.id, id1);
  assert.equal(r1.userId, null);
  assert.equal(r1.sandboxId, "sbx-test");
  assert.equal((await m.current(anon1)).id, id1, "same session on every call");

  // An anonymous client cannot take over another anonymous client's session, even knowing its id.
  await assert.rejects(() => m.switchTo(anon2, id1!), SessionNotFoundError);
  assert.equal(await m.infoFor(anon2, id1!), undefined);
  assert.deepEqual((await m.listFor(anon2)).map((r) => r.id), []);
  assert.deepEqual((await m.listFor(anon1)).map((r) => r.id), [id1]);

  // Authenticated: two connections of alice have separate sessions, and may switch between them.
  const alice1 = ctxFor(m, "alice");
  const alice2 = ctxFor(m, "alice");
  const bob = ctxFor(m, "bob");
  const a1 = await m.current(alice1);
  const a2 = await m.current(alice2);
  assert.notEqual(a1.id, a2.id);
  assert.equal(a1.userId, "alice");
  await m.switchTo(alice2, a1.id);
  assert.equal((await m.current(alice2)).id, a1.id, "set_session switches later calls");
  await assert.rejects(() => m.switchTo(bob, a1.id), (e) => e instanceof SessionNotFoundError);
  assert.deepEqual((await m.listFor(alice1)).map((r) => r.id).sort(), [a1.id, a2.id].sort());
  const b1 = await m.current(bob);
  assert.deepEqual((await m.listFor(bob)).map((r) => r.id), [b1.id], "bob never sees alice's sessions");

  // create_session persists and becomes current; explicit ids are unique and well-formed.
  const made = await m.createFor(alice1, {
    id: `work-${crypto.randomUUID().slice(0, 8)}`,
    metadata: { p: 1 },
  });
  assert.equal((await m.current(alice1)).id, made.id);
  assert.deepEqual((await m.get(made.id))?.metadata, { p: 1 });
  await assert.rejects(() => m.createFor(bob, { id: made.id }), /already exists/);
  await assert.rejects(() => m.createFor(bob, { id: "has space" }), SessionError);

  // clear_session: a fresh session for later calls; the old one is kept.
  const before = (await m.current(alice1)).id;
  assert.equal(await m.clear(alice1), before);
  const after = await m.current(alice1);
  assert.notEqual(after.id, before);
  assert.ok(await m.get(before));

  // Stateless HTTP: every request of alice finds the same session; bob has his own.
  const req1 = ctxFor(m, "carol", true);
  const s1 = await sessionIdOf(req1);
  assert.equal((await m.current(req1)).id, s1);
  const req2 = ctxFor(m, "carol", true);
  assert.equal(await sessionIdOf(req2), s1, "a user's stateless requests share one session");
  const dave = ctxFor(m, "dave", true);
  assert.notEqual(await sessionIdOf(dave), s1);
  // Switching in one request is seen by the next.
  const other = await m.createFor(req2, {});
  assert.equal(await sessionIdOf(ctxFor(m, "carol", true)), other.id);
  await m.switchTo(ctxFor(m, "carol", true), s1!);
  assert.equal(await sessionIdOf(ctxFor(m, "carol", true)), s1);

  // A deleted session's id stays its owner's: nobody else may create it; the owner's next call
  // starts it again.
  const victim = ctxFor(m, "erin");
  const ev = await m.current(victim);
  await m.delete(ev.id);
  await assert.rejects(() => m.create({ id: ev.id, userId: "mallory" }), /already exists/);
  const back = await m.current(victim);
  assert.equal(back.id, ev.id);
  assert.equal(back.userId, "erin");
}

Deno.test("sessions: per-connection and per-user sessions over memory", async () => {
  await suite(new NamespacedKeyValueStore(new MemoryKeyValueStore(), "dev:default:"));
});

Deno.test("sessions: TTL, auto-extend on use, recreation after expiry", async () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const now = () => clock;
  const m = new SessionManager({
    store: new MemoryKeyValueStore(now),
    sandboxId: "s",
    defaultTtlHours: 10,
    autoExtendThreshold: 0.1,
    now,
  });
  const ctx = ctxFor(m, "alice");
  const r = await m.current(ctx);
  assert.equal(r.expiresAt, "2026-01-01T10:00:00.000Z");
  // Used with 2 h left (20% > 10%): not extended, but lastAccessed moves on.
  clock += 8 * 3600_000;
  assert.equal((await m.current(ctx)).expiresAt, "2026-01-01T10:00:00.000Z");
  assert.equal((await m.get(r.id))?.lastAccessedAt, "2026-01-01T08:00:00.000Z");
  // Used with 30 min left (< 10%): extended by the full lifetime from now.
  clock += 90 * 60_000;
  assert.equal((await m.current(ctx)).expiresAt, "2026-01-01T19:30:00.000Z");
  // Not used for longer than its lifetime: gone; the connection's next call starts it again.
  clock += 11 * 3600_000;
  assert.equal(await m.get(r.id), undefined);
  const again = await m.current(ctx);
  assert.equal(again.id, r.id);
  assert.equal(again.createdAt, new Date(clock).toISOString());
  await assert.rejects(
    () => m.current(createTestContext({})),
    (e) => e instanceof SessionError && /No session context/.test(e.message),
  );
});

Deno.test("sessions: an expired session id stays bound to its creator while its files may live", async () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const now = () => clock;
  const m = new SessionManager({
    store: new MemoryKeyValueStore(now),
    sandboxId: "s",
    defaultTtlHours: 1,
    now,
  });
  // Anonymous: only the connection that held the id gets it back.
  const victim = ctxFor(m, null);
  await m.createFor(victim, { id: "notes" });
  const alice = ctxFor(m, "alice");
  await m.createFor(alice, { id: "alice-notes" });
  clock += 2 * 3600_000;
  assert.equal(await m.get("notes"), undefined, "expired");
  for (const thief of [ctxFor(m, null), ctxFor(m, "bob")]) {
    await assert.rejects(() => m.createFor(thief, { id: "notes" }), /Session already exists: notes/);
    await assert.rejects(() => m.createFor(thief, { id: "alice-notes" }), /Session already exists/);
  }
  await assert.rejects(() => m.create({ id: "notes" }), /already exists/, "nor through the API");
  assert.equal((await m.current(victim)).id, "notes", "its own connection starts it again");
  // Authenticated: the same user may create the id again from any connection.
  assert.equal((await m.createFor(ctxFor(m, "alice"), { id: "alice-notes" })).userId, "alice");
  // Once the claim has outlived everything stored under it, the id is free.
  clock += 30 * 24 * 3600_000;
  assert.equal((await m.createFor(ctxFor(m, "bob"), { id: "notes" })).userId, "bob");
});

Deno.test("sessions: manager from config uses the configured lifetime and namespace", async () => {
  const { envFromObject } = await import("../../src/config/mod.ts");
  const config = validateConfig({ sessions: { default_ttl_hours: 2, auto_extend_threshold: 0.5 } }, "inline");
  const m = SessionManager.fromConfig(
    config,
    envFromObject({ ENVIRONMENT: "qa", DEPLOYMENT_ID: "x" }),
    "sbx",
  );
  assert.equal(m.ttlSeconds, 7200);
  assert.equal(m.autoExtendThreshold, 0.5);
  assert.equal(m.namespace, "qa:x:");
  assert.equal(m.provider, "memory");
  await m.close();
});

Deno.test({
  name: testName(
    "sessions: per-connection and per-user sessions over Redis, with the documented key layout",
    redis.ignore,
    redis.why,
  ),
  ignore: redis.ignore,
  fn: async () => {
    const url = need("REDIS_URL");
    const { prefix } = uniqueNamespace();
    const store = new NamespacedKeyValueStore(new RedisKeyValueStore({ url }), prefix);
    try {
      await suite(store);
      const keys = await keysUnder(url, prefix);
      const rel = keys.map((k) => k.slice(prefix.length));
      assert.ok(rel.length > 0);
      for (const k of rel) {
        assert.match(
          k,
          /^((session|claim):[A-Za-z0-9_.:-]+|user:[^:]+:(sessions|current))$/,
          `unexpected key ${k}`,
        );
      }
      assert.ok(rel.includes("user:alice:sessions"));
      assert.ok(rel.includes("user:carol:current"));
      assert.ok(rel.some((k) => k.startsWith("session:sess-")));
    } finally {
      await dropKeys(url, prefix);
      await store.close();
    }
  },
});
