// Isolation over real HTTP: two sessions and two users never see each other's artifacts, through
// tools or artifact:// resources; identity never comes from arguments; hostile filenames and the
// size limit. Also: custom resources and artifacts list together, and the stdio CLI path.
import assert from "node:assert/strict";
import { toBase64 } from "../../src/tools/content.ts";
import { connectStdio, eventually, firstText, ROOT, runCliOnce } from "../helpers.ts";
import { ALL_TOOLS_YAML, artifactConfig, connectAs, idOf, startFixture } from "./e2e.ts";

type Client = Awaited<ReturnType<typeof connectAs>>["client"];

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const r = await client.callTool({ name, arguments: args });
  return { text: firstText(r), isError: r.isError === true };
}

Deno.test("isolation: sessions and users over HTTP, tools and artifact:// resources", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-iso-" });
  const path = `${root}/config.yaml`;
  await Deno.writeTextFile(
    path,
    artifactConfig({
      storage: "filesystem",
      session: "sqlite",
      root: `${root}/data`,
      maxFileBytes: 1000,
      extra: `tools:\n  modules_to_import: ["${ROOT}examples/resources.ts"]`,
    }),
  );
  const server = startFixture(path);
  const url = await server.ready;
  const a1 = await connectAs(url, "alice");
  const a2 = await connectAs(url, "alice"); // same user, another session
  const b1 = await connectAs(url, "bob");
  const anon = await connectAs(url);
  try {
    const sA = idOf(
      (await call(a1.client, "write_file", { content: "alice session", filename: "s.txt" })).text,
    );
    const uA = idOf(
      (await call(a1.client, "write_user_file", {
        content: "alice user",
        filename: "u.md",
        mime: "text/markdown",
      }))
        .text,
    );
    const sB = idOf(
      (await call(b1.client, "write_file", { content: "bob session", filename: "s.txt" })).text,
    );
    const missing = crypto.randomUUID();
    const notFound = (id: string) => `Tool execution error: File not found: ${id}`;

    // Owner reads; the same user in another session reads user files but not session files.
    assert.equal((await call(a1.client, "read_file", { artifact_id: sA })).text, "alice session");
    assert.equal((await call(a2.client, "read_file", { artifact_id: uA })).text, "alice user");
    assert.deepEqual(await call(a2.client, "read_file", { artifact_id: sA }), {
      text: notFound(sA),
      isError: true,
    });

    // Bob: alice's artifacts are exactly as missing as a random id, through every tool.
    for (const [id, label] of [[sA, "session"], [uA, "user"], [missing, "missing"]]) {
      for (
        const [tool, args] of [
          ["read_file", {}],
          ["get_file_metadata", {}],
          ["get_presigned_url", {}],
          ["copy_file", { new_filename: "stolen" }],
          ["move_file", { new_filename: "stolen" }],
        ] as const
      ) {
        const r = await call(b1.client, tool, { artifact_id: id, ...args });
        assert.deepEqual(r, { text: notFound(id), isError: true }, `${tool} on ${label}`);
      }
      assert.equal(
        (await call(b1.client, "delete_file", { artifact_id: id })).text,
        `File not found or already deleted: ${id}`,
      );
    }
    assert.equal((await call(a1.client, "read_file", { artifact_id: uA })).text, "alice user", "still there");
    const bobFiles = JSON.parse((await call(b1.client, "list_session_files")).text);
    assert.deepEqual(bobFiles.map((f: { artifact_id: string }) => f.artifact_id), [sB]);
    assert.equal((await call(b1.client, "list_user_files")).text, "[]");

    // Resources: each caller lists only what it may read; custom resources list alongside.
    const uris = async (c: Client) => (await c.listResources()).resources.map((r) => r.uri);
    const aliceUris = await uris(a1.client);
    assert.ok(aliceUris.includes("config://app/settings"), "custom resources are listed too");
    assert.deepEqual(
      aliceUris.filter((u) => u.startsWith("artifact://")).sort(),
      [`artifact://${sA}`, `artifact://${uA}`].sort(),
    );
    assert.deepEqual((await uris(a2.client)).filter((u) => u.startsWith("artifact://")), [
      `artifact://${uA}`,
    ]);
    assert.deepEqual((await uris(b1.client)).filter((u) => u.startsWith("artifact://")), [
      `artifact://${sB}`,
    ]);
    assert.deepEqual((await uris(anon.client)).filter((u) => u.startsWith("artifact://")), []);
    for (const id of [sA, uA, missing]) {
      await assert.rejects(
        () => b1.client.readResource({ uri: `artifact://${id}` }),
        (e: Error) => e.message.includes(`Resource not found: artifact://${id}`),
      );
    }
    const custom = await a1.client.readResource({ uri: "config://app/settings" });
    assert.equal(custom.contents.length, 1);

    // Identity never comes from arguments: extra identity arguments are rejected outright.
    const spoof = await call(b1.client, "read_file", { artifact_id: sA, session_id: "whatever" });
    assert.equal(spoof.isError, true);
    assert.match(spoof.text, /Invalid arguments for tool 'read_file'/);
    const spoofUser = await call(anon.client, "list_user_files", { user_id: "alice" });
    assert.equal(spoofUser.isError, true);

    // Anonymous callers have sessions but no user storage.
    const anonUser = await call(anon.client, "write_user_file", { content: "x", filename: "x" });
    assert.deepEqual(anonUser, {
      text: "Tool execution error: No user context available - authentication required",
      isError: true,
    });
    assert.match(
      (await call(anon.client, "write_file", { content: "x", filename: "x", scope: "user" })).text,
      /authentication required/,
    );
    assert.match((await call(anon.client, "list_user_files")).text, /authentication required/);
    assert.match(
      (await call(anon.client, "write_file", { content: "x", filename: "x" })).text,
      /^File created in session storage/,
    );
    // Sandbox scope is read-only through tools.
    assert.deepEqual(await call(a1.client, "write_file", { content: "x", filename: "x", scope: "sandbox" }), {
      text: "Tool execution error: Cannot write to sandbox scope through tools (admin only)",
      isError: true,
    });

    // Hostile filenames are metadata: stored, listed and read back, never used as paths.
    for (const name of ["../../etc/passwd", "/etc/shadow", "..\\..\\boot.ini", "a/../../../../tmp/x"]) {
      const id = idOf((await call(a1.client, "write_file", { content: name, filename: name })).text);
      assert.equal((await call(a1.client, "read_file", { artifact_id: id })).text, name);
      const meta = JSON.parse((await call(a1.client, "get_file_metadata", { artifact_id: id })).text);
      assert.equal(meta.filename, name);
      assert.equal(meta.key, `default/${id}`);
    }
    const onDisk: string[] = [];
    for await (const e of Deno.readDir(`${root}/data/mcp-runtime/default`)) onDisk.push(e.name);
    assert.ok(onDisk.length >= 4 && onDisk.every((n) => /^[0-9a-f-]{36}$/.test(n)), onDisk.join(","));
    await assert.rejects(() => Deno.stat(`${root}/etc`), Deno.errors.NotFound);

    // Size limit: a clear error, nothing stored.
    const before = JSON.parse((await call(a1.client, "list_session_files")).text).length;
    assert.deepEqual(await call(a1.client, "write_file", { content: "x".repeat(1001), filename: "big" }), {
      text:
        "Tool execution error: File too large: 1001 bytes exceeds the limit of 1000 bytes (artifacts.max_file_bytes)",
      isError: true,
    });
    assert.deepEqual(
      await call(a1.client, "upload_file", { content: toBase64(new Uint8Array(1001)), filename: "big" }),
      {
        text:
          "Tool execution error: File too large: 1001 bytes exceeds the limit of 1000 bytes (artifacts.max_file_bytes)",
        isError: true,
      },
    );
    assert.match(
      (await call(a1.client, "upload_file", { content: toBase64(new Uint8Array(1000)), filename: "ok" }))
        .text,
      /^File uploaded/,
    );
    assert.equal(JSON.parse((await call(a1.client, "list_session_files")).text).length, before + 1);
    assert.deepEqual(await call(a1.client, "upload_file", { content: "@@not base64@@", filename: "bad" }), {
      text: "Tool execution error: Failed to upload file: invalid base64 content",
      isError: true,
    });
  } finally {
    for (const c of [a1, a2, b1, anon]) await c.close();
    const st = await server.stop();
    assert.equal(st.code, 0, server.stderr());
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("stdio CLI: artifact tools through the config's plugin, with progress", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-stdio-" });
  const path = `${root}/config.yaml`;
  await Deno.writeTextFile(
    path,
    `server: {type: stdio}\nartifacts:\n  enabled: true\n  tools:\n    write_file: {enabled: true}\n    upload_file: {enabled: true}\n    read_file: {enabled: true}\n`,
  );
  const c = await connectStdio(["--config", path]);
  try {
    const names = (await c.client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ["read_file", "upload_file", "write_file"], "only enabled tools are listed");
    // The session hears about new artifacts (notifications arrive before the call's answer).
    const notified: string[] = [];
    c.client.fallbackNotificationHandler = (n) => {
      notified.push(n.method);
      return Promise.resolve();
    };
    const progress: string[] = [];
    const w = await c.client.callTool(
      { name: "write_file", arguments: { content: "hi", filename: "a.txt" } },
      undefined,
      {
        onprogress: (p) => progress.push(`${p.progress}/${p.total} ${p.message}`),
      },
    );
    assert.deepEqual(progress, ["1/3 Preparing content", "2/3 Writing 2 bytes", "3/3 File created"]);
    assert.deepEqual(notified, ["notifications/resources/list_changed"]);
    progress.length = 0;
    await c.client.callTool(
      { name: "upload_file", arguments: { content: "aGk=", filename: "b.bin" } },
      undefined,
      { onprogress: (p) => progress.push(`${p.progress}/${p.total} ${p.message}`) },
    );
    assert.deepEqual(progress, [
      "1/4 Decoding content",
      "2/4 Preparing 2 bytes",
      "3/4 Uploading to memory storage",
      "4/4 Upload complete",
    ]);
    const r = await c.client.callTool({ name: "read_file", arguments: { artifact_id: idOf(firstText(w)) } });
    assert.equal(firstText(r), "hi");
    // stdio never authenticates: user storage is refused.
    const u = await c.client.callTool({
      name: "write_file",
      arguments: { content: "x", filename: "x", scope: "user" },
    });
    assert.equal(firstText(u), "Tool execution error: No user context available - authentication required");
    // Without a progress token nothing is sent, and the call still works.
    const quiet = await c.client.callTool({ name: "write_file", arguments: { content: "q", filename: "q" } });
    assert.match(firstText(quiet), /^File created/);
  } finally {
    await c.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CLI: an unknown storage provider in the environment is a config error (exit 2)", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-cfg-" });
  await Deno.writeTextFile(`${root}/config.yaml`, `server: {type: stdio}\nartifacts: {enabled: true}\n`);
  const r = await runCliOnce(["--config", `${root}/config.yaml`], {
    env: { ARTIFACT_STORAGE_PROVIDER: "floppy" },
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /ARTIFACT_STORAGE_PROVIDER: unknown storage provider "floppy"/);
  const bad = await runCliOnce(["--config", `${root}/config.yaml`], {
    env: { ARTIFACT_STORAGE_PROVIDER: "s3", ARTIFACT_BUCKET: "b", AWS_ACCESS_KEY_ID: "only-half" },
  });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /set both the access key id and the secret access key/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("config: every artifact tool is off by default; unknown tool names are config errors", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-cfg-" });
  await Deno.writeTextFile(`${root}/a.yaml`, `server: {type: stdio}\nartifacts: {enabled: true}\n`);
  const c = await connectStdio(["--config", `${root}/a.yaml`]);
  try {
    assert.deepEqual((await c.client.listTools()).tools, []);
  } finally {
    await c.close();
  }
  await Deno.writeTextFile(
    `${root}/b.yaml`,
    `artifacts:\n  enabled: true\n  tools:\n${ALL_TOOLS_YAML}\n    rm_rf: {enabled: true}\n`,
  );
  const r = await runCliOnce(["--config", `${root}/b.yaml`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /artifacts\.tools\.rm_rf: unknown key 'rm_rf'/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("isolation: an expired session id cannot be taken over with create_session; TTLs are capped", async () => {
  const root = await Deno.makeTempDir({ prefix: "art-takeover-" });
  const path = `${root}/config.yaml`;
  // Sessions live ~2 s and are never extended, so the victim's session expires during the test.
  await Deno.writeTextFile(
    path,
    artifactConfig({
      storage: "filesystem",
      session: "memory",
      root: `${root}/data`,
      extra: `sessions: {default_ttl_hours: 0.0005, auto_extend_threshold: 0}
session_tools:
  enabled: true
  tools: {create_session: {enabled: true}, get_session_info: {enabled: true}}`,
    }),
  );
  const server = startFixture(path);
  const url = await server.ready;
  const victim = await connectAs(url);
  const attacker = await connectAs(url);
  const bob = await connectAs(url, "bob");
  try {
    assert.match((await call(victim.client, "create_session", { session_id: "notes" })).text, /"created"/);
    const tenYears = 10 * 365 * 24 * 3600;
    const secret = idOf(
      (await call(victim.client, "write_file", {
        content: "victim secret",
        filename: "s.txt",
        ttl: tenYears,
      }))
        .text,
    );
    // A file of a session lives no longer than the session (and never past artifacts.max_ttl_hours).
    const meta = JSON.parse((await call(victim.client, "get_file_metadata", { artifact_id: secret })).text);
    assert.ok(meta.ttl <= 720 * 3600, `ttl ${meta.ttl} is capped`);
    assert.ok(
      Date.parse(meta.expires_at) - Date.now() <= 2_000,
      `expires with its session: ${meta.expires_at}`,
    );
    await eventually(
      async () =>
        JSON.parse((await call(victim.client, "get_session_info", { session_id: "notes" })).text)
          .status === "unknown",
      "the victim's session to expire",
    );
    // Nobody else may claim the expired id, anonymous or authenticated.
    for (const [label, c] of [["anonymous", attacker], ["bob", bob]] as const) {
      const taken = await call(c.client, "create_session", { session_id: "notes" });
      assert.equal(taken.isError, true, `${label}: ${taken.text}`);
      assert.match(taken.text, /Session already exists: notes/);
      assert.deepEqual(await call(c.client, "read_file", { artifact_id: secret }), {
        text: `Tool execution error: File not found: ${secret}`,
        isError: true,
      });
    }
    // A user file asking for ten years gets the cap.
    const u = idOf(
      (await call(bob.client, "write_user_file", { content: "b", filename: "b.txt", ttl: tenYears })).text,
    );
    assert.equal(
      JSON.parse((await call(bob.client, "get_file_metadata", { artifact_id: u })).text).ttl,
      720 * 3600,
    );
  } finally {
    for (const c of [victim, attacker, bob]) await c.close();
    const st = await server.stop();
    assert.equal(st.code, 0, server.stderr());
    await Deno.remove(root, { recursive: true });
  }
});
