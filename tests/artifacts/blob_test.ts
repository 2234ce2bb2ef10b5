// The BlobStore contract on each provider, plus each provider's own promises: the filesystem
// writes atomically and creates its root, S3 does multipart uploads and real presigned URLs.
import assert from "node:assert/strict";
import type { BlobStore } from "../../src/artifacts/blob.ts";
import { FilesystemBlobStore } from "../../src/artifacts/blob_filesystem.ts";
import { MemoryBlobStore } from "../../src/artifacts/blob_memory.ts";
import { S3BlobStore } from "../../src/artifacts/blob_s3.ts";
import { SqliteBlobStore } from "../../src/artifacts/blob_sqlite.ts";
import { IGNORE_WITHOUT_S3, s3Options, uniqueBucket } from "./services.ts";
import { NEEDS, testName } from "../services.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

const providers: { name: string; ignore?: boolean; make(): Promise<BlobStore> }[] = [
  { name: "memory", make: () => Promise.resolve(new MemoryBlobStore()) },
  { name: "filesystem", make: async () => new FilesystemBlobStore(`${await Deno.makeTempDir()}/x`, "b") },
  { name: "sqlite", make: async () => new SqliteBlobStore(`${await Deno.makeTempDir()}/b.sqlite`, "b") },
  {
    name: testName("s3", !!IGNORE_WITHOUT_S3, NEEDS.S3_ENDPOINT_URL),
    ignore: IGNORE_WITHOUT_S3,
    make: () => Promise.resolve(new S3BlobStore(s3Options(uniqueBucket()))),
  },
];

for (const p of providers) {
  Deno.test({
    name: testName(`blob contract (${p.name})`, !!(p.ignore), NEEDS.S3_ENDPOINT_URL),
    ignore: p.ignore,
    async fn() {
      const blobs = await p.make();
      await blobs.init();
      await blobs.init(); // idempotent
      try {
        assert.equal(blobs.provider, p.name);
        const info = { mime: "text/plain" };
        assert.equal(await blobs.get("ns/missing"), undefined);
        await blobs.put("ns/a", enc("one"), info);
        assert.equal(dec(await blobs.get("ns/a")), "one");
        await blobs.put("ns/a", enc("two"), info); // replace
        assert.equal(dec(await blobs.get("ns/a")), "two");
        await blobs.put("ns/empty", new Uint8Array(), info);
        assert.equal((await blobs.get("ns/empty"))?.length, 0);
        const bin = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
        await blobs.put("ns/bin", bin, { mime: "application/octet-stream" });
        assert.deepEqual(await blobs.get("ns/bin"), bin);
        assert.equal(await blobs.copy("ns/a", "ns/b", info), true);
        assert.equal(dec(await blobs.get("ns/b")), "two");
        assert.equal(await blobs.copy("ns/nope", "ns/c", info), false);
        assert.equal(await blobs.get("ns/c"), undefined);
        assert.equal(await blobs.delete("ns/a"), true);
        assert.equal(await blobs.delete("ns/a"), false);
        assert.equal(await blobs.get("ns/a"), undefined);
        assert.equal(dec(await blobs.get("ns/b")), "two", "the copy is independent");
        for (
          const bad of ["../x", "ns/../../x", "/abs", "ns//x", "", ".hidden/x", "ns/..", "a\\b", "ns/x y"]
        ) {
          await assert.rejects(() => blobs.put(bad, enc("x"), info), /invalid blob key/, bad);
        }
        // One level of names below a prefix; a whole prefix deleted at once.
        await blobs.put("ls/run-1/a", enc("1"), info);
        await blobs.put("ls/run-1/b", enc("2"), info);
        await blobs.put("ls/run-2/lease", enc("3"), info);
        await blobs.put("ls/top", enc("4"), info);
        await blobs.put("lsx/run-3", enc("5"), info);
        assert.deepEqual((await blobs.list!("ls/")).sort(), ["run-1", "run-2", "top"]);
        assert.deepEqual(await blobs.list!("none/"), []);
        assert.equal(await blobs.deletePrefix!("ls/run-1/"), 2);
        assert.deepEqual((await blobs.list!("ls/")).sort(), ["run-2", "top"]);
        assert.equal(dec(await blobs.get("ls/run-2/lease")), "3");
        assert.equal(dec(await blobs.get("lsx/run-3")), "5");
        assert.equal(await blobs.deletePrefix!("none/"), 0);
        await assert.rejects(() => blobs.list!("../"), /invalid blob/);
        await assert.rejects(() => blobs.deletePrefix!("ls"), /invalid blob prefix/);
      } finally {
        await blobs.close();
      }
    },
  });
}

Deno.test("filesystem blobs: root created, temp-then-rename, stale temp files swept", async () => {
  const dir = await Deno.makeTempDir();
  const root = `${dir}/does/not/exist/yet`;
  let seenTemp = "";
  const blobs = new FilesystemBlobStore(root, "bkt", {
    staleTempMs: 0,
    beforeCommit: async (temp, final) => {
      seenTemp = temp;
      // At this moment the complete data is in the temp file and nothing is at the final path.
      assert.equal((await Deno.readFile(temp)).length, 3 << 20);
      await assert.rejects(() => Deno.stat(final), Deno.errors.NotFound);
    },
  });
  await blobs.init();
  assert.ok((await Deno.stat(`${root}/bkt/.tmp`)).isDirectory);
  await blobs.put("ns/big", new Uint8Array(3 << 20).fill(7), { mime: "application/octet-stream" });
  assert.match(seenTemp, /\/bkt\/\.tmp\/[0-9a-f-]+\.part$/);
  await assert.rejects(() => Deno.stat(seenTemp), Deno.errors.NotFound, "temp file renamed away");
  assert.equal((await Deno.stat(`${root}/bkt/ns/big`)).size, 3 << 20);

  // A failed commit leaves neither the final file nor the temp file.
  const failing = new FilesystemBlobStore(root, "bkt", {
    beforeCommit: () => Promise.reject(new Error("disk full")),
  });
  await assert.rejects(() => failing.put("ns/fail", enc("x"), { mime: "text/plain" }), /disk full/);
  await assert.rejects(() => Deno.stat(`${root}/bkt/ns/fail`), Deno.errors.NotFound);
  assert.deepEqual([...Deno.readDirSync(`${root}/bkt/.tmp`)], []);

  // A writer killed mid-write leaves a .part file; the sweep removes stale ones.
  await Deno.writeFile(`${root}/bkt/.tmp/dead.part`, enc("partial"));
  await blobs.sweep();
  assert.deepEqual([...Deno.readDirSync(`${root}/bkt/.tmp`)], []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: testName(
    "s3 blobs: multipart upload for large objects, presigned GET, existing bucket",
    !!IGNORE_WITHOUT_S3,
    NEEDS.S3_ENDPOINT_URL,
  ),
  ignore: IGNORE_WITHOUT_S3,
  async fn() {
    const bucket = uniqueBucket();
    const blobs = new S3BlobStore({ ...s3Options(bucket), partSize: 5 << 20, multipartThreshold: 5 << 20 });
    await blobs.init(); // creates the bucket
    const again = new S3BlobStore(s3Options(bucket));
    await again.init(); // finds it
    try {
      const commands: string[] = [];
      blobs.client.middlewareStack.add((next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      }, { step: "initialize" });
      const big = Uint8Array.from({ length: (11 << 20) + 123 }, (_, i) => (i * 31) % 251);
      await blobs.put("ns/big", big, { mime: "application/octet-stream" });
      assert.deepEqual(commands, [
        "CreateMultipartUploadCommand",
        "UploadPartCommand",
        "UploadPartCommand",
        "UploadPartCommand",
        "CompleteMultipartUploadCommand",
      ]);
      const back = await again.get("ns/big");
      assert.equal(back?.length, big.length);
      assert.deepEqual(back, big);
      await blobs.put("ns/doc", enc("presigned body"), { mime: "text/markdown" });
      const url = await blobs.presign("ns/doc", 60, { mime: "text/markdown", filename: "report é.md" });
      assert.match(url, /X-Amz-Signature=/);
      assert.doesNotMatch(url, /x-amz-checksum/i, "no empty-body checksum in presigned URLs");
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/markdown");
      assert.match(res.headers.get("content-disposition") ?? "", /filename\*=UTF-8''report%20%C3%A9\.md/);
      assert.equal(await res.text(), "presigned body");
    } finally {
      await blobs.close();
      await again.close();
    }
  },
});

Deno.test("s3 blobs: an unreachable endpoint fails init with a clear message", async () => {
  // Port 9 (discard) on loopback: nothing listens there.
  const blobs = new S3BlobStore({
    bucket: "x",
    endpoint: "http://127.0.0.1:9",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  blobs.client.config.maxAttempts = () => Promise.resolve(1);
  await assert.rejects(() => blobs.init(), /S3 bucket 'x' is not usable/);
  await blobs.close();
});
