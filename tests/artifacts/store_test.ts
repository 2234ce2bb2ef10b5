// ArtifactStore on every blob provider (memory, filesystem, sqlite, and S3 when available):
// scopes and access rules, copy/move, expiry and cleanup, size limit, hostile filenames.
import assert from "node:assert/strict";
import type { BlobStore } from "../../src/artifacts/blob.ts";
import { FilesystemBlobStore } from "../../src/artifacts/blob_filesystem.ts";
import { MemoryBlobStore } from "../../src/artifacts/blob_memory.ts";
import { S3BlobStore } from "../../src/artifacts/blob_s3.ts";
import { SqliteBlobStore } from "../../src/artifacts/blob_sqlite.ts";
import {
  ArtifactError,
  ArtifactIdentityError,
  ArtifactNotFoundError,
  ArtifactPermissionError,
  ArtifactTooLargeError,
} from "../../src/artifacts/errors.ts";
import { ArtifactStore, mimeMatches } from "../../src/artifacts/store.ts";
import { type KeyValueStore, MemoryKeyValueStore } from "../../src/sessions/kv.ts";
import { SqliteKeyValueStore } from "../../src/sessions/sqlite_kv.ts";
import { IGNORE_WITHOUT_S3, s3Options, uniqueBucket } from "./services.ts";
import { NEEDS, testName } from "../services.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

interface Provider {
  name: string;
  ignore?: boolean;
  make(): Promise<{ blobs: BlobStore; cleanup(): Promise<void>; dir?: string }>;
}

const PROVIDERS: Provider[] = [
  {
    name: "memory",
    make: () => Promise.resolve({ blobs: new MemoryBlobStore("t"), cleanup: () => Promise.resolve() }),
  },
  {
    name: "filesystem",
    async make() {
      const dir = await Deno.makeTempDir();
      return {
        blobs: new FilesystemBlobStore(`${dir}/root`, "t"),
        dir,
        cleanup: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: "sqlite",
    async make() {
      const dir = await Deno.makeTempDir();
      return {
        blobs: new SqliteBlobStore(`${dir}/blobs.sqlite`, "t"),
        dir,
        cleanup: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: testName("s3", !!IGNORE_WITHOUT_S3, NEEDS.S3_ENDPOINT_URL),
    ignore: IGNORE_WITHOUT_S3,
    make: () =>
      Promise.resolve({
        blobs: new S3BlobStore(s3Options(uniqueBucket())),
        cleanup: () => Promise.resolve(),
      }),
  },
];

function clock() {
  let t = Date.UTC(2026, 0, 1);
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function withStore(
  p: Provider,
  fn: (
    store: ArtifactStore,
    env: { blobs: BlobStore; advance(ms: number): void; dir?: string },
  ) => Promise<void>,
): Promise<void> {
  const c = clock();
  const made = await p.make();
  await made.blobs.init();
  const store = new ArtifactStore({
    blobs: made.blobs,
    kv: new MemoryKeyValueStore(c.now),
    namespace: "tenant-a",
    maxFileBytes: 1024,
    ttl: { session: 900, user: 3600 },
    now: c.now,
  });
  try {
    await fn(store, { blobs: made.blobs, advance: c.advance, dir: made.dir });
  } finally {
    await store.close();
    await made.cleanup();
  }
}

const s1 = { sessionId: "s1" };
const s2 = { sessionId: "s2" };
const alice = { sessionId: "s3", userId: "alice" };
const bob = { sessionId: "s4", userId: "bob" };
const admin = { admin: true };

for (const p of PROVIDERS) {
  Deno.test({
    name: testName(
      `store (${p.name}): session and user scope isolation`,
      !!(p.ignore),
      NEEDS.S3_ENDPOINT_URL,
    ),
    ignore: p.ignore,
    fn: () =>
      withStore(p, async (store, { blobs }) => {
        const a = await store.write(s1, { data: enc("hello"), filename: "a.txt", mime: "text/plain" });
        assert.equal(a.scope, "session");
        assert.equal(a.session_id, "s1");
        assert.equal(a.owner_id, null);
        assert.equal(a.bytes, 5);
        assert.equal(a.sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert.equal(a.ttl, 900);
        assert.equal(a.key, `tenant-a/${a.artifact_id}`);
        assert.equal(a.storage_provider, p.name);
        assert.equal(a.session_provider, "memory");
        assert.match(a.artifact_id, /^[0-9a-f-]{36}$/);
        assert.equal(dec((await store.read(s1, a.artifact_id)).data), "hello");
        await assert.rejects(() => store.read(s2, a.artifact_id), ArtifactNotFoundError);
        await assert.rejects(() => store.get({}, a.artifact_id), ArtifactNotFoundError);
        assert.equal(await store.delete(s2, a.artifact_id), false, "another session cannot delete it");

        const u = await store.write(alice, {
          data: enc("mine"),
          filename: "u.md",
          scope: "user",
          mime: "text/markdown",
        });
        assert.equal(u.owner_id, "alice");
        assert.equal(u.ttl, 3600);
        await assert.rejects(
          () => store.write(s1, { data: enc("x"), filename: "x", scope: "user" }),
          ArtifactIdentityError,
        );
        await assert.rejects(() => store.read(bob, u.artifact_id), ArtifactNotFoundError);
        // Same user from another session still owns it.
        assert.equal(
          dec((await store.read({ sessionId: "other", userId: "alice" }, u.artifact_id)).data),
          "mine",
        );
        assert.deepEqual((await store.listUser(alice)).map((m) => m.artifact_id), [u.artifact_id]);
        assert.deepEqual(await store.listUser(bob), []);
        assert.deepEqual((await store.listSession(s1)).map((m) => m.artifact_id), [a.artifact_id]);
        assert.deepEqual(await store.listSession(s2), []);
        await assert.rejects(() => store.listUser(s1), /authentication required/);
        await assert.rejects(() => store.listSession({}), /No session context/);

        // Sandbox: written by the program, readable by all, read-only through tools.
        await assert.rejects(
          () => store.write(alice, { data: enc("x"), filename: "x", scope: "sandbox" }),
          ArtifactPermissionError,
        );
        const shared = await store.write(admin, {
          data: enc("template"),
          filename: "t.txt",
          scope: "sandbox",
        });
        assert.equal(shared.ttl, 0);
        assert.equal(shared.expires_at, null);
        assert.equal(dec((await store.read(bob, shared.artifact_id)).data), "template");
        assert.equal(dec((await store.read({}, shared.artifact_id)).data), "template");
        await assert.rejects(() => store.delete(bob, shared.artifact_id), ArtifactPermissionError);
        await assert.rejects(
          () => store.update(bob, shared.artifact_id, { filename: "x" }),
          ArtifactPermissionError,
        );

        const readable = (await store.listReadable(alice)).map((m) => m.filename).sort();
        assert.deepEqual(readable, ["t.txt", "u.md"]);

        assert.equal(await store.delete(s1, a.artifact_id), true);
        assert.equal(await store.delete(s1, a.artifact_id), false);
        assert.equal(await blobs.get(a.key), undefined, "blob removed with the artifact");
        await assert.rejects(() => store.read(s1, a.artifact_id), ArtifactNotFoundError);
        assert.equal(await store.delete(admin, shared.artifact_id), true);
        await assert.rejects(() => store.get(alice, "not-a-uuid"), ArtifactNotFoundError);
      }),
  });

  Deno.test({
    name: testName(`store (${p.name}): copy copies, move renames`, !!(p.ignore), NEEDS.S3_ENDPOINT_URL),
    ignore: p.ignore,
    fn: () =>
      withStore(p, async (store) => {
        const a = await store.write(s1, {
          data: enc("body"),
          filename: "draft.txt",
          mime: "text/plain",
          summary: "Draft",
          meta: { tag: "x" },
        });
        const c = await store.copy(s1, a.artifact_id, { filename: "final.txt" });
        assert.notEqual(c.artifact_id, a.artifact_id);
        assert.equal(c.filename, "final.txt");
        assert.equal(c.summary, "Copy of Draft");
        assert.equal(c.meta.tag, "x");
        assert.equal(c.meta.copied_from, a.artifact_id);
        assert.equal(c.session_id, "s1");
        assert.equal(dec((await store.read(s1, c.artifact_id)).data), "body");
        await assert.rejects(
          () => store.copy(s2, a.artifact_id, { filename: "stolen" }),
          ArtifactNotFoundError,
        );

        const moved = await store.update(s1, a.artifact_id, { filename: "docs/renamed.txt", summary: "New" });
        assert.equal(moved.artifact_id, a.artifact_id);
        const again = await store.get(s1, a.artifact_id);
        assert.equal(again.filename, "docs/renamed.txt");
        assert.equal(again.summary, "New");
        assert.equal(again.expires_at, a.expires_at, "a rename keeps the expiry");
        assert.equal(dec((await store.read(s1, a.artifact_id)).data), "body");
        await assert.rejects(() => store.update(s2, a.artifact_id, { filename: "x" }), ArtifactNotFoundError);
        const names = (await store.listSession(s1)).map((m) => m.filename).sort();
        assert.deepEqual(names, ["docs/renamed.txt", "final.txt"]);

        // A user file copies into the same owner's user scope.
        const u = await store.write(alice, { data: enc("u"), filename: "u", scope: "user" });
        const uc = await store.copy({ userId: "alice", sessionId: "elsewhere" }, u.artifact_id);
        assert.equal(uc.scope, "user");
        assert.equal(uc.owner_id, "alice");
        assert.equal(uc.filename, "u_copy");
        // A sandbox file copies into the caller's session.
        const sh = await store.write(admin, { data: enc("tpl"), filename: "tpl", scope: "sandbox" });
        const sc = await store.copy(s2, sh.artifact_id, { filename: "mine" });
        assert.equal(sc.scope, "session");
        assert.equal(sc.session_id, "s2");
        assert.equal(dec((await store.read(s2, sc.artifact_id)).data), "tpl");
      }),
  });

  Deno.test({
    name: testName(
      `store (${p.name}): expired artifacts are gone and their blobs cleaned up`,
      !!(p.ignore),
      NEEDS.S3_ENDPOINT_URL,
    ),
    ignore: p.ignore,
    fn: () =>
      withStore(p, async (store, { blobs, advance }) => {
        const short = await store.write(s1, { data: enc("short"), filename: "s", ttl: 10 });
        const graced = await store.write(s1, { data: enc("graced"), filename: "g", ttl: 20 });
        const orphan = await store.write(s1, { data: enc("orphan"), filename: "o", ttl: 30 });
        const long = await store.write(s1, { data: enc("long"), filename: "l", ttl: 100_000 });
        advance(9_000);
        assert.equal(dec((await store.read(s1, short.artifact_id)).data), "short");
        advance(1_000);
        // Read path: expired is not found, and the blob goes at once.
        await assert.rejects(() => store.read(s1, short.artifact_id), ArtifactNotFoundError);
        assert.equal(await blobs.get(short.key), undefined);
        // Sweep path: expired, nobody read it.
        advance(10_000);
        assert.ok(await blobs.get(graced.key), "blob still there before the sweep");
        assert.equal(await store.sweep(), 1);
        assert.equal(await blobs.get(graced.key), undefined);
        // Sweep path: the metadata is long gone from the key-value store; the blob is an orphan.
        advance(3_700_000);
        assert.ok(await blobs.get(orphan.key));
        assert.equal(await store.sweep(), 1);
        assert.equal(await blobs.get(orphan.key), undefined);
        assert.deepEqual((await store.listSession(s1)).map((m) => m.artifact_id), [long.artifact_id]);
        assert.equal(dec((await store.read(s1, long.artifact_id)).data), "long");
      }),
  });

  Deno.test({
    name: testName(
      `store (${p.name}): size limit, hostile filenames, presign`,
      !!(p.ignore),
      NEEDS.S3_ENDPOINT_URL,
    ),
    ignore: p.ignore,
    fn: () =>
      withStore(p, async (store, { blobs, dir }) => {
        await assert.rejects(
          () => store.write(s1, { data: new Uint8Array(1025), filename: "big" }),
          (e) =>
            e instanceof ArtifactTooLargeError &&
            e.message ===
              "File too large: 1025 bytes exceeds the limit of 1024 bytes (artifacts.max_file_bytes)",
        );
        const ok = await store.write(s1, { data: new Uint8Array(1024), filename: "exact" });
        assert.equal(ok.bytes, 1024);
        for (
          const name of ["../../etc/passwd", "/etc/passwd", "..\\..\\win.ini", "a/../../b", "\u0000nul", "."]
        ) {
          const m = await store.write(s1, { data: enc(name), filename: name });
          assert.equal(m.filename, name, "the filename is kept as metadata");
          assert.equal(m.key, `tenant-a/${m.artifact_id}`, "and never used as a key");
          assert.equal(dec((await store.read(s1, m.artifact_id)).data), name);
        }
        if (dir) {
          // Nothing was written outside the provider's own directory.
          const seen: string[] = [];
          for await (const e of Deno.readDir(dir)) seen.push(e.name);
          if (p.name === "filesystem") assert.deepEqual(seen, ["root"]);
          else assert.ok(seen.every((n) => n.startsWith("blobs.sqlite")), seen.join(", "));
        }
        if (p.name === "s3") {
          const url = await store.presign(s1, ok.artifact_id, 60);
          const res = await fetch(url);
          assert.equal(res.status, 200);
          assert.equal((await res.bytes()).length, 1024);
          await assert.rejects(() => store.presign(s2, ok.artifact_id, 60), ArtifactNotFoundError);
        } else {
          await assert.rejects(() => store.presign(s1, ok.artifact_id, 60), (e) =>
            e instanceof ArtifactError && /need the s3 storage provider/.test(e.message));
        }
        assert.ok(blobs.provider);
      }),
  });
}

Deno.test("store: session files stay their writer's when another user comes to hold the session id", async () => {
  // A session id can come to a second user: `create_session` with an explicit id succeeds once
  // the first owner's session record has expired, while their session files may live longer.
  await withStore(PROVIDERS[0], async (store) => {
    const mine = await store.write(alice, { data: enc("alice's"), filename: "a.txt", ttl: 7 * 24 * 3600 });
    assert.equal(mine.owner_id, "alice");
    const bobSameSession = { sessionId: alice.sessionId, userId: "bob" };
    const anonymousSameSession = { sessionId: alice.sessionId };
    for (const other of [bobSameSession, anonymousSameSession]) {
      await assert.rejects(() => store.read(other, mine.artifact_id), ArtifactNotFoundError);
      assert.deepEqual(await store.listSession(other), []);
      assert.equal(await store.delete(other, mine.artifact_id), false);
    }
    assert.equal(dec((await store.read(alice, mine.artifact_id)).data), "alice's");
    assert.deepEqual((await store.listSession(alice)).map((m) => m.filename), ["a.txt"]);
  });
});

Deno.test("store: lifetimes are capped by maxTtl, and session files by their session's expiry", async () => {
  const c = clock();
  const store = new ArtifactStore({
    blobs: new MemoryBlobStore("t"),
    kv: new MemoryKeyValueStore(c.now),
    ttl: { session: 900, user: 3600 },
    maxTtl: 7200,
    now: c.now,
  });
  const tenYears = 10 * 365 * 24 * 3600;
  const u = await store.write(alice, { data: enc("u"), filename: "u", scope: "user", ttl: tenYears });
  assert.equal(u.ttl, 7200);
  assert.equal(u.expires_at, new Date(c.now() + 7200_000).toISOString());
  // The session ends in 10 minutes: its files end with it, whatever they ask for.
  const ends = new Date(c.now() + 600_000).toISOString();
  const inSession = { ...s1, sessionExpiresAt: ends };
  const f = await store.write(inSession, { data: enc("s"), filename: "s", ttl: tenYears });
  assert.equal(f.ttl, 600);
  assert.equal(f.expires_at, ends);
  const d = await store.write(inSession, { data: enc("d"), filename: "d" }); // default 900 s > 600 s
  assert.equal(d.expires_at, ends);
  const copy = await store.copy(inSession, f.artifact_id);
  assert.equal(copy.expires_at, ends);
  c.advance(600_000);
  await assert.rejects(() => store.read(s1, f.artifact_id), ArtifactNotFoundError);
  await store.close();
});

Deno.test("store: deployments with sandbox ids tenant:a and tenant/a share no files", async () => {
  const { resolveArtifactNamespace } = await import("../../src/artifacts/settings.ts");
  const { validateConfig } = await import("../../src/config/validate.ts");
  const { envFromObject } = await import("../../src/config/env.ts");
  const dir = await Deno.makeTempDir();
  const kv = new MemoryKeyValueStore(); // one Redis, one bucket, two deployments
  const open = (id: string) =>
    new ArtifactStore({
      blobs: new FilesystemBlobStore(`${dir}/root`, "t"),
      kv,
      closeKv: false,
      namespace: resolveArtifactNamespace(
        validateConfig({}, "inline"),
        envFromObject({ MCP_SANDBOX_ID: id }),
      ),
    });
  const a = open("tenant:a");
  const b = open("tenant/a");
  try {
    await a.blobs.init();
    await b.blobs.init();
    const secret = await a.write(alice, { data: enc("a's"), filename: "a.txt", scope: "user" });
    await a.write(admin, { data: enc("a's shared"), filename: "t.md", scope: "sandbox" });
    assert.deepEqual(await b.listUser(alice), []);
    assert.deepEqual(await b.listSandbox(), []);
    await assert.rejects(() => b.read(alice, secret.artifact_id), ArtifactNotFoundError);
    assert.notEqual(a.namespace, b.namespace);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: ephemeral metadata keeps blobs in a leased run directory swept after its owner dies", async () => {
  const c = clock();
  const blobs = new MemoryBlobStore("t"); // one shared bucket, two processes with memory metadata
  const open = () =>
    new ArtifactStore({
      blobs,
      kv: new MemoryKeyValueStore(c.now),
      now: c.now,
      ephemeral: true,
      leaseMs: 60_000,
    });
  const dead = open();
  const live = open();
  const gone = await dead.write(alice, { data: enc("x"), filename: "x", scope: "user" });
  assert.match(gone.key, /^default\/run-[0-9a-z]+-[0-9a-f]{8}\/[0-9a-f-]{36}$/);
  const kept = await live.write(alice, { data: enc("y"), filename: "y", scope: "user" });
  assert.equal(await live.sweep(), 0, "leases are fresh");
  c.advance(61_000); // `dead` never renews its lease; `live` renews in every sweep
  assert.equal(await live.sweep(), 2, "the dead run (blob + lease) is removed");
  assert.equal(await blobs.get(gone.key), undefined);
  await blobs.put("default/run-0-creating/z", enc("z"), { mime: "text/plain" }); // no lease (yet)
  assert.equal(await live.sweep(), 0);
  c.advance(61_000);
  assert.equal(await live.sweep(), 1, "a run without a lease goes once a lease's length has passed");
  assert.equal(dec((await live.read(alice, kept.artifact_id)).data), "y");
  // Closing removes the run directory: nothing could reach those blobs any more.
  await live.close();
  assert.equal(blobs.size, 0);
});

Deno.test("store: user search by mime prefix and meta", async () => {
  await withStore(PROVIDERS[0], async (store) => {
    await store.write(alice, {
      data: enc("a"),
      filename: "a.md",
      mime: "text/markdown",
      scope: "user",
      meta: { project: "x", n: 1 },
    });
    await store.write(alice, {
      data: enc("b"),
      filename: "b.png",
      mime: "image/png",
      scope: "user",
      meta: { project: "x" },
    });
    await store.write(alice, {
      data: enc("c"),
      filename: "c.txt",
      mime: "text/plain",
      scope: "user",
      meta: { project: "y", deep: { a: [1, 2] } },
    });
    const names = async (f: Parameters<ArtifactStore["listUser"]>[1]) =>
      (await store.listUser(alice, f)).map((m) => m.filename).sort();
    assert.deepEqual(await names({ mimePrefix: "text/*" }), ["a.md", "c.txt"]);
    assert.deepEqual(await names({ mimePrefix: "text/" }), ["a.md", "c.txt"]);
    assert.deepEqual(await names({ mimePrefix: "text" }), ["a.md", "c.txt"]);
    assert.deepEqual(await names({ mimePrefix: "image/png" }), ["b.png"]);
    assert.deepEqual(await names({ mimePrefix: "*/*" }), ["a.md", "b.png", "c.txt"]);
    assert.deepEqual(await names({ metaFilter: { project: "x" } }), ["a.md", "b.png"]);
    assert.deepEqual(await names({ metaFilter: { project: "x", n: 1 } }), ["a.md"]);
    assert.deepEqual(await names({ metaFilter: { deep: { a: [1, 2] } } }), ["c.txt"]);
    assert.deepEqual(await names({ mimePrefix: "text/*", metaFilter: { project: "y" } }), ["c.txt"]);
    assert.deepEqual(await names({ metaFilter: { project: "z" } }), []);
  });
  assert.equal(mimeMatches("text/plain", "TEXT/*"), true);
  assert.equal(mimeMatches("textual/x", "text"), false);
});

Deno.test("store: a crash between blob and metadata leaves nothing visible, and the sweep removes the blob", async () => {
  const blobs = new MemoryBlobStore("t");
  const kv = new MemoryKeyValueStore();
  let failMeta = true;
  // A metadata store that dies on the metadata write, as a process killed at that moment would.
  const flaky: KeyValueStore = {
    provider: "flaky",
    get: (k) => kv.get(k),
    set: (k, v, ttl) =>
      failMeta && k.includes(":meta:") ? Promise.reject(new Error("connection lost")) : kv.set(k, v, ttl),
    delete: (k) => failMeta && k.includes(":meta:") ? Promise.reject(new Error("down")) : kv.delete(k),
    expire: (k, t) => kv.expire(k, t),
    addToSet: (k, m, t) => kv.addToSet(k, m, t),
    removeFromSet: (k, m) => kv.removeFromSet(k, m),
    members: (k) => kv.members(k),
    close: () => kv.close(),
  };
  const store = new ArtifactStore({ blobs: wrapNoDelete(blobs), kv: flaky });
  await assert.rejects(() => store.write(s1, { data: enc("x"), filename: "x" }), /connection lost/);
  assert.deepEqual(await store.listSession(s1), []);
  failMeta = false;
  // The cleanup in the failure path failed too (as after a crash): the sweep removes the blob.
  assert.equal(blobs.size, 1);
  assert.equal(await store.sweep(), 1);
  assert.equal(blobs.size, 0);
  await store.close();
});

/** A blob store whose first delete fails (the writer cannot clean up after itself). */
function wrapNoDelete(inner: MemoryBlobStore): BlobStore {
  let calls = 0;
  return {
    provider: inner.provider,
    bucket: inner.bucket,
    init: () => inner.init(),
    put: (k, d, i) => inner.put(k, d, i),
    get: (k) => inner.get(k),
    delete: (k) => (calls++ === 0 ? Promise.reject(new Error("storage unreachable")) : inner.delete(k)),
    copy: (a, b, i) => inner.copy(a, b, i),
    close: () => inner.close(),
  };
}

Deno.test("store: sqlite metadata and filesystem blobs survive reopening", async () => {
  const dir = await Deno.makeTempDir();
  const open = async () => {
    const blobs = new FilesystemBlobStore(`${dir}/fs`, "b");
    await blobs.init();
    return new ArtifactStore({ blobs, kv: new SqliteKeyValueStore(`${dir}/meta.sqlite`) });
  };
  const first = await open();
  const m = await first.write(alice, { data: enc("persist"), filename: "p.txt", scope: "user" });
  await first.close();
  const second = await open();
  assert.equal(dec((await second.read(alice, m.artifact_id)).data), "persist");
  assert.deepEqual((await second.listUser(alice)).map((x) => x.filename), ["p.txt"]);
  await second.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("store: the sweep reads only due expiry buckets; a blob that failed to delete is retried", async () => {
  const c = clock();
  const kv = new MemoryKeyValueStore(c.now);
  const read: string[] = [];
  const counting: KeyValueStore = {
    provider: "memory",
    get: (k) => kv.get(k),
    set: (k, v, t) => kv.set(k, v, t),
    delete: (k) => kv.delete(k),
    expire: (k, t) => kv.expire(k, t),
    addToSet: (k, m, t) => kv.addToSet(k, m, t),
    removeFromSet: (k, m) => kv.removeFromSet(k, m),
    members: (k) => {
      read.push(k.replace(/^artifact:default:/, ""));
      return kv.members(k);
    },
    close: () => kv.close(),
  };
  const inner = new MemoryBlobStore();
  let failDeletes = false;
  const blobs: BlobStore = {
    provider: "memory",
    bucket: "b",
    init: () => inner.init(),
    put: (k, d, i) => inner.put(k, d, i),
    get: (k) => inner.get(k),
    delete: (k) => (failDeletes ? Promise.reject(new Error("S3 down")) : inner.delete(k)),
    copy: (a, b, i) => inner.copy(a, b, i),
    close: () => inner.close(),
  };
  const store = new ArtifactStore({ blobs, kv: counting, now: c.now });
  await store.sweep(); // first sweep sets the cursor
  for (let i = 0; i < 50; i++) await store.write(alice, { data: enc("u"), filename: `u${i}`, scope: "user" });
  const soon = await store.write(s1, { data: enc("s"), filename: "soon", ttl: 60 });
  read.length = 0;
  assert.equal(await store.sweep(), 0);
  // The in-flight set and the current hour's bucket; not the 50 artifacts due next year.
  assert.equal(read.length, 2, read.join(", "));
  c.advance(2 * 3600_000);
  read.length = 0;
  assert.equal(await store.sweep(), 1);
  assert.equal(await inner.get(soon.key), undefined);
  assert.ok(read.length <= 4, read.join(", "));
  read.length = 0;
  await store.sweep();
  assert.equal(read.length, 2, "the cursor moved past the swept hours");

  // Deleting while the blob store is down: the artifact is gone at once, the blob follows later.
  const doomed = await store.write(alice, { data: enc("d"), filename: "d", scope: "user" });
  failDeletes = true;
  assert.equal(await store.delete(alice, doomed.artifact_id), true);
  await assert.rejects(() => store.read(alice, doomed.artifact_id), ArtifactNotFoundError);
  assert.ok(await inner.get(doomed.key));
  assert.equal(await store.sweep(), 0, "still down");
  failDeletes = false;
  assert.equal(await store.sweep(), 1);
  assert.equal(await inner.get(doomed.key), undefined);
  await store.close();
});
