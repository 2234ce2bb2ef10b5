// Persistence across processes: user files survive a restart on sqlite metadata (with filesystem
// or sqlite blobs); a server killed with SIGKILL in the middle of a filesystem write leaves no
// partial artifact; two servers sharing Redis (or one SQLite file) + S3 see each other's user files.
import assert from "node:assert/strict";
import { toBase64 } from "../../src/tools/content.ts";
import { eventually, firstText } from "../helpers.ts";
import { artifactConfig, connectAs, idOf, startFixture } from "./e2e.ts";
import { IGNORE_WITHOUT_REDIS, IGNORE_WITHOUT_S3, REDIS_URL, s3Env, uniqueBucket } from "./services.ts";
import { NEEDS, testName } from "../services.ts";

type Client = Awaited<ReturnType<typeof connectAs>>["client"];

async function text(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const r = await client.callTool({ name, arguments: args });
  const t = firstText(r);
  if (r.isError) throw new Error(`${name}: ${t}`);
  return t;
}

/** Start the fixture, run `fn` as `user`, stop it with SIGTERM. */
async function withServer(
  path: string,
  env: Record<string, string>,
  user: string,
  fn: (c: Client) => Promise<void>,
): Promise<void> {
  const server = startFixture(path, env);
  const c = await connectAs(await server.ready, user);
  try {
    await fn(c.client);
  } finally {
    await c.close();
    const st = await server.stop();
    assert.equal(st.code, 0, server.stderr());
  }
}

for (const storage of ["filesystem", "sqlite"]) {
  Deno.test(`restart: user files survive on ${storage} storage with sqlite metadata`, async () => {
    const root = await Deno.makeTempDir({ prefix: "art-restart-" });
    const path = `${root}/config.yaml`;
    await Deno.writeTextFile(path, artifactConfig({ storage, session: "sqlite", root: `${root}/data` }));
    let noteId = "";
    let binId = "";
    let sessionId = "";
    await withServer(path, {}, "alice", async (c) => {
      noteId = idOf(
        await text(c, "write_user_file", {
          content: "kept across restarts",
          filename: "keep.md",
          mime: "text/markdown",
        }),
      );
      binId = idOf(
        await text(c, "upload_user_file", {
          content: toBase64(new Uint8Array([0, 1, 2, 255])),
          filename: "k.bin",
        }),
      );
      sessionId = idOf(await text(c, "write_file", { content: "ephemeral", filename: "tmp.txt" }));
    });
    await withServer(path, {}, "alice", async (c) => {
      const files = JSON.parse(await text(c, "list_user_files"));
      assert.deepEqual(files.map((f: { filename: string }) => f.filename).sort(), ["k.bin", "keep.md"]);
      assert.equal(await text(c, "read_file", { artifact_id: noteId }), "kept across restarts");
      const bin = JSON.parse(await text(c, "read_file", { artifact_id: binId, as_text: false }));
      assert.equal(bin.content, toBase64(new Uint8Array([0, 1, 2, 255])));
      const res = await c.readResource({ uri: `artifact://${noteId}` });
      assert.deepEqual(res.contents, [{
        uri: `artifact://${noteId}`,
        mimeType: "text/markdown",
        text: "kept across restarts",
      }]);
      // Session files belong to the connection that wrote them, not to the user.
      const r = await c.callTool({ name: "read_file", arguments: { artifact_id: sessionId } });
      assert.equal(firstText(r), `Tool execution error: File not found: ${sessionId}`);
    });
    await withServer(path, {}, "bob", async (c) => {
      assert.equal(await text(c, "list_user_files"), "[]");
    });
    await Deno.remove(root, { recursive: true });
  });
}

Deno.test("kill -9 during a filesystem write leaves no partial artifact", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-kill-" });
  const path = `${root}/config.yaml`;
  await Deno.writeTextFile(
    path,
    artifactConfig({ storage: "filesystem", session: "sqlite", root: `${root}/data` }),
  );
  const blobDir = `${root}/data/mcp-runtime`;

  const server = startFixture(path, { FIXTURE_PAUSE_FS_COMMIT: "1" });
  const c = await connectAs(await server.ready, "alice");
  const payload = new Uint8Array(2 << 20).fill(42);
  // The call never answers: the server is killed while it writes.
  const pending = c.client.callTool({
    name: "upload_user_file",
    arguments: { content: toBase64(payload), filename: "half.bin" },
  });
  pending.catch(() => {});
  const [, temp] = await server.waitForStderr(/fixture: paused before commit (\S+)/);
  assert.equal((await Deno.stat(temp)).size, payload.length, "the data was on disk, under a temporary name");
  const st = await server.stop("SIGKILL");
  assert.equal(st.signal, "SIGKILL");
  await c.close().catch(() => {});

  // Nothing at a real key: only the temporary file is left, in .tmp.
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(`${dir}/${e.name}`);
      else files.push(`${dir}/${e.name}`.slice(blobDir.length + 1));
    }
  };
  await walk(blobDir);
  assert.deepEqual(files, [temp.slice(blobDir.length + 1)]);
  assert.match(files[0], /^\.tmp\/[0-9a-f-]+\.part$/);

  await withServer(path, {}, "alice", async (c2) => {
    assert.equal(await text(c2, "list_user_files"), "[]", "no artifact for the interrupted write");
    const list = (await c2.listResources()).resources.filter((r) => r.uri.startsWith("artifact://"));
    assert.deepEqual(list, []);
    // The store works normally afterwards.
    const id = idOf(
      await text(c2, "upload_user_file", { content: toBase64(payload), filename: "whole.bin" }),
    );
    const meta = JSON.parse(await text(c2, "get_file_metadata", { artifact_id: id }));
    assert.equal(meta.bytes, payload.length);
    assert.equal((await Deno.stat(`${blobDir}/default/${id}`)).size, payload.length);
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("restart: with memory metadata, filesystem blobs do not outlive their metadata", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-orphan-" });
  const path = `${root}/config.yaml`;
  await Deno.writeTextFile(
    path,
    artifactConfig({ storage: "filesystem", session: "memory", root: `${root}/data` })
      .replace("artifacts:\n", "artifacts:\n  cleanup_interval_seconds: 0.2\n"),
  );
  const namespace = `${root}/data/mcp-runtime/default`;
  const blobs = async () => {
    const out: string[] = [];
    const walk = async (dir: string) => {
      for await (const e of Deno.readDir(dir)) {
        if (e.isDirectory) await walk(`${dir}/${e.name}`);
        else if (!e.name.startsWith("lease")) out.push(e.name);
      }
    };
    await walk(namespace).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    return out;
  };
  // Stopped normally: the files go with the metadata.
  await withServer(path, {}, "alice", async (c) => {
    await text(c, "write_user_file", { content: "gone at stop", filename: "a.txt" });
    assert.equal((await blobs()).length, 1);
  });
  assert.deepEqual(await blobs(), [], "a stopped server leaves no unreachable blobs");
  // Killed: the next server sweeps what the dead one left.
  const killed = startFixture(path);
  const c = await connectAs(await killed.ready, "alice");
  await text(c.client, "write_user_file", { content: "orphan", filename: "b.txt" });
  await c.close();
  assert.equal((await killed.stop("SIGKILL")).signal, "SIGKILL");
  assert.equal((await blobs()).length, 1);
  await withServer(path, {}, "bob", async (c2) => {
    const id = idOf(await text(c2, "write_user_file", { content: "live", filename: "c.txt" }));
    await eventually(async () => (await blobs()).length === 1, "the dead server's blobs to be swept");
    assert.equal(await text(c2, "read_file", { artifact_id: id }), "live", "the live server's blob stays");
  });
  await Deno.remove(root, { recursive: true });
});

for (const meta of ["redis", "sqlite"] as const) {
  Deno.test({
    name: testName(
      `two servers sharing ${
        meta === "redis" ? "Redis" : "one SQLite metadata file"
      } + S3 see each other's user files`,
      (meta === "redis" && IGNORE_WITHOUT_REDIS) || IGNORE_WITHOUT_S3,
      meta === "redis" && IGNORE_WITHOUT_REDIS ? NEEDS.REDIS_URL : NEEDS.S3_ENDPOINT_URL,
    ),
    ignore: (meta === "redis" && IGNORE_WITHOUT_REDIS) || IGNORE_WITHOUT_S3,
    async fn() {
      if (meta === "redis" && !REDIS_URL) throw new Error("REDIS_URL is not set (REQUIRE_SERVICES=1)");
      const root = await Deno.makeTempDir({ prefix: "art-shared-" });
      const path = `${root}/config.yaml`;
      await Deno.writeTextFile(path, artifactConfig({ storage: "s3", session: meta, root: `${root}/data` }));
      // One namespace and bucket per run: Redis and S3 are shared with other test runs.
      const env: Record<string, string> = {
        ...s3Env(uniqueBucket("shared")),
        MCP_SANDBOX_ID: `art-test-${crypto.randomUUID().slice(0, 8)}`,
        ...(REDIS_URL ? { REDIS_URL } : {}),
      };
      const a = startFixture(path, env);
      const b = startFixture(path, env);
      const ca = await connectAs(await a.ready, "alice");
      const cb = await connectAs(await b.ready, "alice");
      const bob = await connectAs(await b.ready, "bob");
      try {
        const id = idOf(
          await text(ca.client, "write_user_file", { content: "written on A", filename: "shared.txt" }),
        );
        assert.equal(await text(cb.client, "read_file", { artifact_id: id }), "written on A");
        const listed = JSON.parse(await text(cb.client, "list_user_files"));
        assert.deepEqual(listed.map((f: { artifact_id: string }) => f.artifact_id), [id]);
        assert.equal(await text(bob.client, "list_user_files"), "[]");
        assert.equal(
          await text(cb.client, "move_file", { artifact_id: id, new_filename: "renamed.txt" }),
          `File moved successfully: ${id} -> renamed.txt`,
        );
        assert.equal(
          JSON.parse(await text(ca.client, "get_file_metadata", { artifact_id: id })).filename,
          "renamed.txt",
        );
        assert.equal(
          await text(cb.client, "delete_file", { artifact_id: id }),
          `File deleted successfully: ${id}`,
        );
        const r = await ca.client.callTool({ name: "read_file", arguments: { artifact_id: id } });
        assert.equal(firstText(r), `Tool execution error: File not found: ${id}`);
      } finally {
        for (const c of [ca, cb, bob]) await c.close();
        assert.equal((await a.stop()).code, 0, a.stderr());
        assert.equal((await b.stop()).code, 0, b.stderr());
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
