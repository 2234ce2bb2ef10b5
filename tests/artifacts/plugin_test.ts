// The artifacts plugin inside a Runtime (no transport): registration of only the enabled tools,
// description overrides, the artifact:// provider, list_changed audience, health, clean stop.
import assert from "node:assert/strict";
import { artifactAudience, artifactsPlugin } from "../../src/artifacts/plugin.ts";
import type { ArtifactMetadata } from "../../src/artifacts/store.ts";
import { envFromObject } from "../../src/config/env.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { ConfigError } from "../../src/errors.ts";
import { createTestContext } from "../../src/core/context.ts";
import { Runtime } from "../../src/core/runtime.ts";
import { MemoryKeyValueStore } from "../../src/sessions/kv.ts";
import { SqliteKeyValueStore } from "../../src/sessions/sqlite_kv.ts";
import { MemoryBlobStore } from "../../src/artifacts/blob_memory.ts";

Deno.test("plugin: registers enabled tools and the artifact:// provider; stop removes them", async () => {
  const shared = new MemoryKeyValueStore();
  const plugin = artifactsPlugin({ keyValueStore: shared });
  const runtime = new Runtime({
    config: validateConfig({
      logging: { level: "WARNING" },
      artifacts: {
        enabled: true,
        tools: {
          write_file: { enabled: true, description: "Save a note" },
          read_file: { enabled: true },
          delete_file: { enabled: false },
        },
      },
    }, "inline"),
    env: envFromObject({}),
    plugins: [plugin],
  });
  await runtime.start();
  try {
    const tools = runtime.registry.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["write_file", "read_file"]);
    assert.equal(tools[0].description, "Save a note");
    const schema = tools[0].inputSchema as { properties: Record<string, unknown>; required?: string[] };
    assert.deepEqual(Object.keys(schema.properties).sort(), [
      "content",
      "filename",
      "meta",
      "mime",
      "scope",
      "summary",
      "ttl",
    ]);
    assert.deepEqual(schema.required?.sort(), ["content", "filename"]);
    assert.deepEqual(runtime.health().artifacts, {
      storage_provider: "memory",
      session_provider: "memory",
      bucket: "mcp-runtime",
      sandbox: "default",
    });

    const ctx = createTestContext({ sessionId: "s1" });
    const w = await runtime.registry.tools.get("write_file")!.call({ content: "hi", filename: "a.txt" }, ctx);
    const id = /Artifact ID: (\S+)/.exec((w.content[0] as { text: string }).text)![1];
    const listed = await runtime.registry.listResources(ctx);
    assert.deepEqual(listed.map((r) => r.uri), [`artifact://${id}`]);
    const read = await runtime.registry.readResource(`artifact://${id}`, ctx);
    assert.deepEqual(read?.contents, [{ uri: `artifact://${id}`, mimeType: "text/plain", text: "hi" }]);
    assert.equal(
      await runtime.registry.readResource(`artifact://${id}`, createTestContext({ sessionId: "s2" })),
      undefined,
    );
    assert.equal(await runtime.registry.readResource("artifact://", ctx), undefined);
    assert.ok(plugin.store);
  } finally {
    await runtime.stop();
  }
  assert.deepEqual(runtime.registry.listTools(), []);
  assert.deepEqual(await runtime.registry.listResources(createTestContext({ sessionId: "s1" })), []);
  assert.equal(plugin.store, undefined);
  // A store it was given is not closed by the plugin.
  await shared.set("still", "open");
  assert.equal(await shared.get("still"), "open");
});

Deno.test("plugin: a metadata store that cannot open is a config error naming the path", async () => {
  const file = await Deno.makeTempFile();
  // The metadata store is the session provider's, opened with the runtime.
  assert.throws(
    () =>
      new Runtime({
        config: validateConfig({
          logging: { level: "ERROR" },
          artifacts: { enabled: true, session_provider: "sqlite" },
        }, "inline"),
        env: envFromObject({ ARTIFACT_SQLITE_PATH: `${file}/under/a/file.sqlite` }),
        plugins: [artifactsPlugin()],
      }),
    (e) =>
      e instanceof ConfigError && /cannot open the SQLite store at .*file\.sqlite/.test(e.message) &&
      e.location.path === "ARTIFACT_SQLITE_PATH" && e.location.file === "<environment>",
  );
  // And a working one opens under the artifact root by default.
  const root = await Deno.makeTempDir();
  const ok = new Runtime({
    config: validateConfig({
      logging: { level: "ERROR" },
      artifacts: { enabled: true, session_provider: "sqlite" },
    }, "inline"),
    env: envFromObject({ ARTIFACT_FS_ROOT: root }),
    plugins: [artifactsPlugin()],
  });
  await ok.start();
  await ok.stop();
  const kv = new SqliteKeyValueStore(`${root}/artifacts.sqlite`);
  await kv.close();
  await Deno.remove(root, { recursive: true });
  await Deno.remove(file);
});

Deno.test("plugin: list_changed goes only to the sessions an artifact belongs to", () => {
  const sessions = [
    { id: "a1", user: { id: "alice" } },
    { id: "a2", user: { id: "alice" } },
    { id: "b1", user: { id: "bob" } },
    { id: "n1", user: undefined },
  ];
  const who = (m: Partial<ArtifactMetadata>) =>
    artifactAudience(sessions, m as ArtifactMetadata).map((s) => s.id);
  assert.deepEqual(who({ scope: "session", session_id: "a1", owner_id: "alice" }), ["a1"]);
  assert.deepEqual(who({ scope: "session", session_id: "a1", owner_id: "bob" }), [], "a1 is not bob's");
  assert.deepEqual(who({ scope: "session", session_id: "n1", owner_id: null }), ["n1"]);
  assert.deepEqual(who({ scope: "user", session_id: "a1", owner_id: "alice" }), ["a1", "a2"]);
  assert.deepEqual(who({ scope: "sandbox", session_id: null, owner_id: null }), ["a1", "a2", "b1", "n1"]);
  assert.deepEqual(who({ scope: "session", session_id: "zz", owner_id: null }), []);
});

Deno.test("plugin: stop does not wait forever on a sweep stuck in the blob store", async () => {
  let sweepStarted!: () => void;
  const started = new Promise<void>((resolve) => (sweepStarted = resolve));
  class StuckBlobs extends MemoryBlobStore {
    sweep(): Promise<void> {
      sweepStarted();
      return new Promise(() => {}); // a storage service that never answers
    }
  }
  const runtime = new Runtime({
    config: validateConfig({ logging: { level: "ERROR" }, artifacts: { enabled: true } }, "inline"),
    env: envFromObject({}),
    plugins: [artifactsPlugin({ blobStore: () => new StuckBlobs() })],
  });
  await runtime.start();
  await started;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    runtime.stop().then(() => "stopped"),
    new Promise((resolve) => (timer = setTimeout(() => resolve("still waiting"), 15_000))),
  ]);
  clearTimeout(timer);
  assert.equal(outcome, "stopped");
});
