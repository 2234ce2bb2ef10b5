// Resources over stdio: fixed text, a blob keeping its declared MIME type, templates (listing,
// reading, completion), not-found and failing handlers as protocol errors.
import assert from "node:assert/strict";
import { connectStdio, FIXTURES, ROOT, tempConfig } from "../helpers.ts";

Deno.test("resources and templates over stdio", async (t) => {
  const { path } = await tempConfig(`server: {type: stdio}
mcp_servers:
  fixtures:
    location: ${FIXTURES}
    resources: {module: resources.ts}
  examples:
    location: ${ROOT}examples
    resources: {module: resources.ts}
`);
  const c = await connectStdio(["--config", path]);
  try {
    await t.step("resources/list: fixed resources and template-enumerated ones", async () => {
      const { resources } = await c.client.listResources();
      const uris = resources.map((r) => r.uri);
      for (
        const u of [
          "test://note",
          "test://logo.png",
          "config://app/settings",
          "docs://guide",
          "greetings://fr",
        ]
      ) {
        assert.ok(uris.includes(u), `${u} listed`);
      }
      const logo = resources.find((r) => r.uri === "test://logo.png")!;
      assert.equal(logo.mimeType, "image/png");
      assert.equal(logo.name, "Logo");
    });

    await t.step("text resource keeps its declared MIME type", async () => {
      const r = await c.client.readResource({ uri: "test://note" });
      assert.deepEqual(r.contents, [{ uri: "test://note", mimeType: "text/markdown", text: "# Note" }]);
      const json = await c.client.readResource({ uri: "config://app/settings" });
      assert.equal(json.contents[0].mimeType, "application/json");
      assert.equal(JSON.parse(String((json.contents[0] as { text?: string }).text)).version, "1.0.0");
    });

    await t.step("bytes become a base64 blob with the declared MIME type", async () => {
      const r = await c.client.readResource({ uri: "test://logo.png" });
      assert.deepEqual(r.contents, [{ uri: "test://logo.png", mimeType: "image/png", blob: "iVBORw==" }]);
    });

    await t.step("templates are listed and read with their variables", async () => {
      const { resourceTemplates } = await c.client.listResourceTemplates();
      const templates = resourceTemplates.map((x) => x.uriTemplate).sort();
      assert.deepEqual(templates, ["greetings://{lang}", "items://{id}"]);
      const r = await c.client.readResource({ uri: "items://apple" });
      assert.deepEqual(r.contents, [{
        uri: "items://apple",
        mimeType: "application/json",
        text: '{"id":"apple"}',
      }]);
      const g = await c.client.readResource({ uri: "greetings://de" });
      assert.deepEqual(g.contents, [{ uri: "greetings://de", mimeType: "text/plain", text: "Hallo" }]);
    });

    await t.step("template completion", async () => {
      const r = await c.client.complete({
        ref: { type: "ref/resource", uri: "items://{id}" },
        argument: { name: "id", value: "ap" },
      });
      assert.deepEqual(r.completion.values, ["apple", "apricot"]);
      const none = await c.client.complete({
        ref: { type: "ref/resource", uri: "items://{id}" },
        argument: { name: "other", value: "" },
      });
      assert.deepEqual(none.completion.values, []);
    });

    await t.step("an unknown URI is a -32002 'Resource not found' error", async () => {
      await assert.rejects(
        c.client.readResource({ uri: "test://missing" }),
        (e: Error & { code?: number }) => {
          assert.equal(e.code, -32002);
          assert.equal(e.message, "MCP error -32002: Resource not found: test://missing");
          return true;
        },
      );
    });

    await t.step(
      "a failing handler is an internal error naming the URI; the server keeps serving",
      async () => {
        await assert.rejects(
          c.client.readResource({ uri: "test://broken" }),
          (e: Error & { code?: number }) => {
            assert.equal(e.code, -32603);
            assert.match(e.message, /Failed to read resource test:\/\/broken: disk on fire/);
            return true;
          },
        );
        await assert.rejects(
          c.client.readResource({ uri: "greetings://xx" }),
          /no greeting for language 'xx'/,
        );
        assert.equal((await c.client.readResource({ uri: "test://note" })).contents.length, 1);
      },
    );
  } finally {
    await c.close();
  }
});
