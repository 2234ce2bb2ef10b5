// Every artifact tool, over real streamable HTTP against a spawned server, on each storage
// provider: memory, filesystem, sqlite (blobs and metadata) and S3 (s3rver).
import assert from "node:assert/strict";
import { ARTIFACT_TOOL_NAMES } from "../../src/config/schema.ts";
import { toBase64 } from "../../src/tools/content.ts";
import { firstText } from "../helpers.ts";
import { artifactConfig, connectAs, idOf, startFixture } from "./e2e.ts";
import { IGNORE_WITHOUT_S3, s3Env, uniqueBucket } from "./services.ts";
import { NEEDS, testName } from "../services.ts";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0x00, 0x80]);

interface Case {
  storage: string;
  session: string;
  ignore?: boolean;
  env?: () => Record<string, string>;
}

const CASES: Case[] = [
  { storage: "memory", session: "memory" },
  { storage: "filesystem", session: "memory" },
  { storage: "vfs-sqlite", session: "sqlite" },
  { storage: "s3", session: "memory", ignore: IGNORE_WITHOUT_S3, env: () => s3Env(uniqueBucket()) },
];

for (const c of CASES) {
  Deno.test({
    name: testName(
      `artifact tools over HTTP: all 16 on ${c.storage} storage (${c.session} metadata)`,
      !!(c.ignore),
      NEEDS.S3_ENDPOINT_URL,
    ),
    ignore: c.ignore,
    async fn() {
      const root = await Deno.makeTempDir({ prefix: "art-e2e-" });
      const path = `${root}/config.yaml`;
      await Deno.writeTextFile(
        path,
        artifactConfig({ storage: c.storage, session: c.session, root: `${root}/data` }),
      );
      const server = startFixture(path, c.env?.() ?? {});
      try {
        const url = await server.ready;
        const alice = await connectAs(url, "alice");
        try {
          await exerciseAllTools(alice.client, c.storage);
        } finally {
          await alice.close();
        }
      } finally {
        const st = await server.stop();
        assert.equal(st.code, 0, server.stderr());
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}

type Client = Awaited<ReturnType<typeof connectAs>>["client"];

async function exerciseAllTools(client: Client, storage: string): Promise<void> {
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await client.callTool({ name, arguments: args });
    return { text: firstText(r), isError: r.isError === true, structured: r.structuredContent };
  };
  const ok = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await call(name, args);
    assert.equal(r.isError, false, `${name}: ${r.text}`);
    return r;
  };

  // Enabled tools are listed.
  const listed = (await client.listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(listed, [...ARTIFACT_TOOL_NAMES].sort());

  // write_file with progress (3 steps).
  const steps: { progress: number; total?: number; message?: string }[] = [];
  const w = await client.callTool(
    {
      name: "write_file",
      arguments: {
        content: "# Q3\n\nAll good.",
        filename: "docs/report.md",
        mime: "text/markdown",
        summary: "Q3 report",
      },
    },
    undefined,
    { onprogress: (p) => steps.push(p) },
  );
  const reportId = idOf(firstText(w));
  assert.equal(firstText(w), `File created in session storage. Artifact ID: ${reportId}`);
  assert.deepEqual(steps.map((s) => [s.progress, s.total]), [[1, 3], [2, 3], [3, 3]]);
  assert.equal(steps[1].message, "Writing 15 bytes");

  // upload_file with progress (4 steps).
  const up: number[] = [];
  const u = await client.callTool(
    { name: "upload_file", arguments: { content: toBase64(PNG), filename: "img.png", mime: "image/png" } },
    undefined,
    { onprogress: (p) => up.push(p.progress * 10 + (p.total ?? 0)) },
  );
  const imgId = idOf(firstText(u));
  assert.equal(firstText(u), `File uploaded to session storage. Artifact ID: ${imgId}`);
  assert.deepEqual(up, [14, 24, 34, 44]);

  // read_file: text, and base64 with metadata.
  assert.equal((await ok("read_file", { artifact_id: reportId })).text, "# Q3\n\nAll good.");
  const raw = await ok("read_file", { artifact_id: imgId, as_text: false });
  const rawObj = JSON.parse(raw.text);
  assert.equal(rawObj.content, toBase64(PNG));
  assert.equal(rawObj.mime, "image/png");
  assert.equal(rawObj.size, PNG.length);
  assert.equal(rawObj.scope, "session");
  assert.equal(rawObj.metadata.artifact_id, imgId);
  assert.equal(rawObj.metadata.meta.uploaded_via, "mcp");

  // list_session_files / list_directory.
  const files = JSON.parse((await ok("list_session_files")).text);
  assert.deepEqual(files.map((f: { filename: string }) => f.filename).sort(), ["docs/report.md", "img.png"]);
  assert.deepEqual(Object.keys(files[0]).sort(), [
    "artifact_id",
    "bytes",
    "created",
    "filename",
    "mime",
    "scope",
    "summary",
  ]);
  const full = JSON.parse((await ok("list_session_files", { include_metadata: true })).text);
  assert.equal(full[0].sha256.length, 64);
  const dir = JSON.parse((await ok("list_directory", { directory_path: "docs/" })).text);
  assert.deepEqual(dir.map((f: { artifact_id: string }) => f.artifact_id), [reportId]);

  // copy_file copies; move_file renames.
  const copied = await ok("copy_file", {
    artifact_id: reportId,
    new_filename: "docs/copy.md",
    new_summary: "A copy",
  });
  const copyId = idOf(copied.text);
  assert.equal(copied.text, `File copied successfully. New artifact ID: ${copyId}`);
  assert.equal((await ok("read_file", { artifact_id: copyId })).text, "# Q3\n\nAll good.");
  const moved = await ok("move_file", { artifact_id: reportId, new_filename: "archive/final.md" });
  assert.equal(moved.text, `File moved successfully: ${reportId} -> archive/final.md`);
  const meta = JSON.parse((await ok("get_file_metadata", { artifact_id: reportId })).text);
  assert.equal(meta.filename, "archive/final.md");
  assert.equal(meta.summary, "Q3 report");
  assert.equal(meta.mime, "text/markdown");
  assert.equal(meta.scope, "session");
  assert.equal(meta.bytes, 15);
  assert.equal(meta.storage_provider, storage);
  for (
    const k of [
      "artifact_id",
      "session_id",
      "sandbox_id",
      "key",
      "sha256",
      "stored_at",
      "updated_at",
      "ttl",
      "session_provider",
      "owner_id",
    ]
  ) {
    assert.ok(k in meta, k);
  }
  assert.deepEqual(JSON.parse((await ok("list_directory", { directory_path: "docs/" })).text).length, 1);

  // get_presigned_url: a real URL on S3, a clear error elsewhere.
  const presigned = await call("get_presigned_url", { artifact_id: copyId, expires_in: "short" });
  if (storage === "s3") {
    assert.equal(presigned.isError, false, presigned.text);
    assert.match(presigned.text, /X-Amz-Expires=900/);
    const res = await fetch(presigned.text);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "# Q3\n\nAll good.");
  } else {
    assert.equal(presigned.isError, true);
    assert.equal(
      presigned.text,
      `Tool execution error: Presigned URLs need the s3 storage provider; this server stores artifacts in '${storage}'`,
    );
  }

  // Explicit session and user tools.
  const sw = await ok("write_session_file", { content: "scratch", filename: "scratch.txt" });
  assert.match(sw.text, /^File created in session storage\. Artifact ID: /);
  const su = await ok("upload_session_file", { content: toBase64(PNG), filename: "s.png" });
  assert.match(su.text, /^File uploaded to session storage\. Artifact ID: /);
  const uw = await ok("write_user_file", {
    content: '{"k":1}',
    filename: "prefs.json",
    mime: "application/json",
    meta: { kind: "prefs" },
  });
  assert.match(uw.text, /^File created in user storage\. Artifact ID: /);
  const uu = await ok("upload_user_file", {
    content: toBase64(PNG),
    filename: "avatar.png",
    mime: "image/png",
  });
  assert.match(uu.text, /^File uploaded to user storage\. Artifact ID: /);
  const uf = await ok("write_file", { content: "note", filename: "note.txt", scope: "user", ttl: 60 });
  assert.match(uf.text, /^File created in user storage/);
  assert.equal(JSON.parse((await ok("get_file_metadata", { artifact_id: idOf(uf.text) })).text).ttl, 60);

  const names = async (args: Record<string, unknown>) =>
    JSON.parse((await ok("list_user_files", args)).text).map((f: { filename: string }) => f.filename).sort();
  assert.deepEqual(await names({}), ["avatar.png", "note.txt", "prefs.json"]);
  assert.deepEqual(await names({ mime_prefix: "text/*" }), ["note.txt"]);
  assert.deepEqual(await names({ mime_prefix: "image/" }), ["avatar.png"]);
  assert.deepEqual(await names({ meta_filter: { kind: "prefs" } }), ["prefs.json"]);
  const userFull = JSON.parse((await ok("list_user_files", { include_metadata: true })).text);
  assert.ok(
    userFull.every((m: { owner_id: string; scope: string }) => m.owner_id === "alice" && m.scope === "user"),
  );

  // get_storage_stats.
  const stats = JSON.parse((await ok("get_storage_stats")).text);
  assert.equal(stats.storage_provider, storage);
  assert.equal(stats.session_file_count, 5);
  assert.equal(stats.user_id, "alice");
  assert.equal(stats.user_file_count, 3);
  assert.equal(stats.user_total_bytes, 7 + PNG.length + 4);

  // artifact:// resources: everything alice may read, text for text/JSON, blob otherwise.
  const resources = (await client.listResources()).resources.filter((r) => r.uri.startsWith("artifact://"));
  assert.equal(resources.length, 8);
  const report = resources.find((r) => r.uri === `artifact://${reportId}`);
  assert.deepEqual(report, {
    uri: `artifact://${reportId}`,
    name: "archive/final.md",
    description: "Q3 report",
    mimeType: "text/markdown",
    size: 15,
  });
  const text = await client.readResource({ uri: `artifact://${reportId}` });
  assert.deepEqual(text.contents, [{
    uri: `artifact://${reportId}`,
    mimeType: "text/markdown",
    text: "# Q3\n\nAll good.",
  }]);
  const json = await client.readResource({ uri: `artifact://${idOf(uw.text)}` });
  assert.deepEqual(json.contents, [{
    uri: `artifact://${idOf(uw.text)}`,
    mimeType: "application/json",
    text: '{"k":1}',
  }]);
  const blob = await client.readResource({ uri: `artifact://${imgId}` });
  assert.deepEqual(blob.contents, [{
    uri: `artifact://${imgId}`,
    mimeType: "image/png",
    blob: toBase64(PNG),
  }]);

  // delete_file, then everything reads as not found.
  assert.equal(
    (await ok("delete_file", { artifact_id: copyId })).text,
    `File deleted successfully: ${copyId}`,
  );
  assert.equal(
    (await ok("delete_file", { artifact_id: copyId })).text,
    `File not found or already deleted: ${copyId}`,
  );
  const gone = await call("read_file", { artifact_id: copyId });
  assert.equal(gone.isError, true);
  assert.equal(gone.text, `Tool execution error: File not found: ${copyId}`);
  await assert.rejects(() => client.readResource({ uri: `artifact://${copyId}` }), /Resource not found/);
}
