// Tool modules loaded from a config reach the artifact store as ctx.artifacts, scoped like the
// built-in tools (what one writes, the other reads); and the manual's "From code" snippet, run as
// written, writes where a server with the manual's configuration reads.
import assert from "node:assert/strict";
import { connectStdio, DENO, firstText, ROOT, tempConfig } from "../helpers.ts";

const NOTES = `export const save = {
  name: "save_note",
  inputSchema: { type: "object", properties: { text: { type: "string" }, scope: { type: "string" } } },
  handler: async ({ text, scope }, ctx) =>
    (await ctx.artifacts.write({ data: text, filename: "note.txt", mime: "text/plain", scope })).artifact_id,
};
export const mine = {
  name: "my_files",
  inputSchema: { type: "object" },
  handler: async (_args, ctx) => (await ctx.artifacts.list()).map((m) => m.filename).sort(),
};
export const readBack = {
  name: "read_back",
  inputSchema: { type: "object", properties: { id: { type: "string" } } },
  handler: async ({ id }, ctx) => new TextDecoder().decode((await ctx.artifacts.read(id)).data),
};
export const off = {
  name: "has_artifacts",
  inputSchema: { type: "object" },
  handler: (_args, ctx) => String(ctx.artifacts !== undefined),
};
`;

Deno.test("ctx.artifacts: a config's tool module and the built-in tools share the store and its scopes", async () => {
  const { path } = await tempConfig(
    "server: {type: stdio}\ntools:\n  modules_to_import: [notes.ts]\n" +
      "artifacts:\n  enabled: true\n  tools: {write_file: {enabled: true}, read_file: {enabled: true}, " +
      "list_session_files: {enabled: true}}\n",
    { "notes.ts": NOTES },
  );
  const c = await connectStdio(["--config", path]);
  try {
    const id = firstText(
      await c.client.callTool({ name: "save_note", arguments: { text: "from a module" } }),
    );
    assert.match(id, /^[0-9a-f-]{36}$/);
    // The built-in tools see what the module wrote, in the same session...
    const read = await c.client.callTool({ name: "read_file", arguments: { artifact_id: id } });
    assert.equal(firstText(read), "from a module");
    const listed = JSON.parse(
      firstText(await c.client.callTool({ name: "list_session_files", arguments: {} })),
    );
    assert.deepEqual(listed.map((f: { artifact_id: string }) => f.artifact_id), [id]);
    // ...and the module sees what the tools wrote.
    const written = firstText(
      await c.client.callTool({
        name: "write_file",
        arguments: { content: "by a tool", filename: "tool.txt" },
      }),
    );
    const toolId = /Artifact ID: (\S+)/.exec(written)![1];
    assert.equal(
      firstText(await c.client.callTool({ name: "read_back", arguments: { id: toolId } })),
      "by a tool",
    );
    assert.deepEqual(
      JSON.parse(firstText(await c.client.callTool({ name: "my_files", arguments: {} }))),
      ["note.txt", "tool.txt"],
    );
    // The same rules as the tools: no user on stdio, so no user files; sandbox files are read-only.
    const user = await c.client.callTool({ name: "save_note", arguments: { text: "x", scope: "user" } });
    assert.equal(user.isError, true);
    assert.match(firstText(user), /No user context available - authentication required/);
    const sandbox = await c.client.callTool({
      name: "save_note",
      arguments: { text: "x", scope: "sandbox" },
    });
    assert.equal(sandbox.isError, true);
  } finally {
    await c.close();
  }
});

Deno.test("ctx.artifacts is undefined when artifacts are off", async () => {
  const { path } = await tempConfig("server: {type: stdio}\ntools:\n  modules_to_import: [notes.ts]\n", {
    "notes.ts": NOTES,
  });
  const c = await connectStdio(["--config", path]);
  try {
    assert.equal(firstText(await c.client.callTool({ name: "has_artifacts", arguments: {} })), "false");
  } finally {
    await c.close();
  }
});

/** The first fenced block of `lang` after `heading` in a docs chapter. */
async function docsBlock(file: string, heading: string, lang: string): Promise<string> {
  const text = await Deno.readTextFile(`${ROOT}docs/${file}`);
  const from = heading ? text.indexOf(heading) : 0;
  assert.ok(from >= 0, heading);
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)\\n```").exec(text.slice(from));
  assert.ok(m, `${file}: a ${lang} block after '${heading}'`);
  return m[1];
}

Deno.test("docs/artifacts.md: the 'From code' snippet writes where the server of the chapter's config reads", async () => {
  const config = "server: {type: stdio}\n" + await docsBlock("artifacts.md", "", "yaml");
  const snippet = await docsBlock("artifacts.md", "## From code", "ts");
  const { dir, path } = await tempConfig(config, { "seed.ts": snippet });
  assert.equal(path, `${dir}/config.yaml`, "the snippet opens config.yaml");
  const seeded = await new Deno.Command(DENO, {
    args: ["run", "-A", "--quiet", "--config", `${ROOT}deno.json`, "seed.ts"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(seeded.code, 0, new TextDecoder().decode(seeded.stderr));
  const c = await connectStdio(["--config", path], { cwd: dir });
  try {
    const { resources } = await c.client.listResources();
    const template = resources.find((r) => r.name === "template.md");
    assert.ok(template, JSON.stringify(resources));
    const read = await c.client.readResource({ uri: template.uri });
    assert.equal((read.contents[0] as { text: string }).text, "# Template");
    const viaTool = await c.client.callTool({
      name: "read_file",
      arguments: { artifact_id: template.uri.slice("artifact://".length) },
    });
    assert.equal(firstText(viaTool), "# Template");
  } finally {
    await c.close();
  }
});
