// Local tools over the real stdio transport: listing, every result shape, argument validation
// (zod and JSON Schema), errors, plain-object modules and the request-context helpers.
import assert from "node:assert/strict";
import { ARTIFACT_TOOL_NAMES, SESSION_TOOL_NAMES } from "../../src/config/mod.ts";
import { connectStdio, firstText, FIXTURES, jsonText, ROOT, tempConfig } from "../helpers.ts";

async function server() {
  const { path } = await tempConfig(`server: {type: stdio}
tools:
  modules_to_import:
    - ${FIXTURES}results.ts
    - ${FIXTURES}tools.ts
    - ${FIXTURES}probe.ts
    - ${FIXTURES}plain_module.ts
    - ${ROOT}examples/tools.ts
`);
  return await connectStdio(["--config", path]);
}

Deno.test("local tools over stdio", async (t) => {
  const c = await server();
  const call = (name: string, args: Record<string, unknown> = {}) =>
    c.client.callTool({ name, arguments: args });
  try {
    await t.step("tools/list shows every exported definition with its JSON Schema", async () => {
      const { tools } = await c.client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      for (
        const n of ["r_string", "v_zod", "slow", "context", "plain_triple", "plain_default", "greet", "add"]
      ) {
        assert.ok(byName.has(n), `${n} listed`);
      }
      assert.equal(new Set(tools.map((x) => x.name)).size, tools.length, "no duplicates");
      // zod shape → JSON Schema with required keys and defaults
      const vz = byName.get("v_zod")!;
      assert.equal(vz.inputSchema.type, "object");
      assert.deepEqual(vz.inputSchema.required, ["count"]);
      assert.deepEqual((vz.inputSchema.properties as Record<string, unknown>).tag, {
        type: "string",
        default: "none",
      });
      // JSON Schema kept as written
      const vj = byName.get("v_json")!;
      assert.deepEqual(vj.inputSchema.required, ["name"]);
      assert.equal((vj.inputSchema as Record<string, unknown>).additionalProperties, false);
      // outputSchema and annotations listed
      const add = byName.get("add")!;
      assert.deepEqual(add.outputSchema?.required, ["sum"]);
      assert.equal(add.annotations?.readOnlyHint, true);
      assert.equal(add.description, "Add two numbers");
    });

    await t.step("built-in session and artifact tools are off by default", async () => {
      const { tools } = await c.client.listTools();
      const builtins = new Set<string>([...SESSION_TOOL_NAMES, ...ARTIFACT_TOOL_NAMES]);
      assert.deepEqual(tools.filter((x) => builtins.has(x.name)), []);
    });

    await t.step("a string becomes one text item", async () => {
      assert.deepEqual(await call("r_string"), { content: [{ type: "text", text: "plain text" }] });
      assert.deepEqual(await call("r_async"), { content: [{ type: "text", text: "async text" }] });
    });

    await t.step("a plain object becomes JSON text and structuredContent", async () => {
      const r = await call("r_object");
      const value = { a: 1, nested: { b: [1, 2] }, word: "héllo" };
      assert.deepEqual(r.structuredContent, value);
      assert.deepEqual(JSON.parse(firstText(r)), value);
      assert.equal(r.isError, undefined);
    });

    await t.step("a CallToolResult is passed through as is", async () => {
      const r = await call("r_call_tool_result");
      assert.deepEqual(r.content, [{ type: "text", text: "as is" }]);
      assert.deepEqual(r.structuredContent, { kept: true });
      assert.deepEqual(r._meta, { note: "kept" });
    });

    await t.step("numbers, arrays, undefined and bytes", async () => {
      assert.deepEqual((await call("r_number")).content, [{ type: "text", text: "42" }]);
      assert.deepEqual((await call("r_array")).content, [{ type: "text", text: '[1,"two"]' }]);
      assert.deepEqual((await call("r_undefined")).content, []);
      assert.deepEqual((await call("r_bytes")).content, [{
        type: "resource",
        resource: {
          uri: "data:application/octet-stream",
          blob: "aGk=",
          mimeType: "application/octet-stream",
        },
      }]);
    });

    await t.step("content helpers: image, text, embedded resources, resource links", async () => {
      assert.deepEqual((await call("r_image")).content, [
        { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
      ]);
      assert.deepEqual((await call("r_blocks")).content, [
        { type: "text", text: "one" },
        { type: "image", data: "aGk=", mimeType: "image/gif" },
        {
          type: "resource",
          resource: { uri: "file:///notes.md", text: "# Notes", mimeType: "text/markdown" },
        },
        {
          type: "resource",
          resource: { uri: "file:///b.bin", blob: "AQID", mimeType: "application/octet-stream" },
        },
        { type: "resource_link", uri: "docs://guide", name: "guide", mimeType: "text/markdown" },
      ]);
    });

    await t.step("zod validation errors name the field; defaults are applied", async () => {
      const bad = await call("v_zod", { count: "three" });
      assert.equal(bad.isError, true);
      assert.match(firstText(bad), /^Invalid arguments for tool 'v_zod': count: .*expected number/);
      const frac = await call("v_zod", { count: 1.5 });
      assert.match(firstText(frac), /count: .*int/i);
      const missing = await call("v_zod", {});
      assert.match(firstText(missing), /count: /);
      assert.deepEqual((await call("v_zod", { count: 2 })).structuredContent, { count: 2, tag: "none" });
      const nested = await call("v_zod_nested", { user: { age: -1 } });
      assert.equal(nested.isError, true);
      assert.match(firstText(nested), /user\.age: /);
    });

    await t.step("JSON Schema validation errors name the field", async () => {
      const wrongType = await call("v_json", { name: 5 });
      assert.equal(wrongType.isError, true);
      assert.equal(firstText(wrongType), "Invalid arguments for tool 'v_json': name: must be string");
      const missing = await call("v_json", {});
      assert.equal(
        firstText(missing),
        "Invalid arguments for tool 'v_json': name: required property is missing",
      );
      const range = await call("v_json", { name: "x", n: 0 });
      assert.match(firstText(range), /^Invalid arguments for tool 'v_json': n: must be >= 1/);
      const extra = await call("v_json", { name: "x", other: 1 });
      assert.match(firstText(extra), /unexpected extra property/);
      assert.equal(firstText(await call("v_json", { name: "x", n: 2 })), "x:2");
    });

    await t.step("outputSchema is enforced on structured results", async () => {
      assert.deepEqual((await call("v_output", { bad: false })).structuredContent, { sum: 3 });
      const bad = await call("v_output", { bad: true });
      assert.equal(bad.isError, true);
      assert.match(
        firstText(bad),
        /^Tool execution error: result does not match the tool's outputSchema: sum: /,
      );
    });

    await t.step("a thrown error becomes isError with 'Tool execution error: <message>'", async () => {
      assert.deepEqual(await call("fail", { message: "kaput" }), {
        content: [{ type: "text", text: "Tool execution error: kaput" }],
        isError: true,
      });
      assert.equal(
        firstText(await call("fail_exact")),
        "exactly this message",
        "ToolError keeps its message",
      );
    });

    await t.step("an unknown tool is a protocol error (-32602)", async () => {
      await assert.rejects(call("no_such_tool"), (e: Error & { code?: number }) => {
        assert.equal(e.code, -32602);
        assert.equal(e.message, "MCP error -32602: Unknown tool: no_such_tool");
        return true;
      });
    });

    await t.step("plain-object modules without imports load (named and default exports)", async () => {
      assert.deepEqual((await call("plain_triple", { x: 2 })).structuredContent, { value: 6 });
      assert.equal(firstText(await call("plain_default")), "from the default export");
      assert.equal(firstText(await call("plain_object_tool", { x: 4 })), "8");
      const bad = await call("plain_triple", { x: "2" });
      assert.equal(bad.isError, true, "plain objects are validated too");
      const { resources } = await c.client.listResources();
      assert.ok(resources.some((r) => r.uri === "plain://hello"));
      const prompt = await c.client.getPrompt({ name: "plain_prompt", arguments: { topic: "Deno" } });
      assert.deepEqual(prompt.messages, [{
        role: "user",
        content: { type: "text", text: "Tell me about Deno" },
      }]);
    });

    await t.step("getRequestContext() and ctx agree; headers are {} on stdio", async () => {
      const ctx = jsonText(await call("context"));
      assert.equal(ctx.same_context, true);
      assert.deepEqual(ctx.headers, {});
      assert.deepEqual(ctx.helper_headers, {});
      assert.equal(ctx.transport, "stdio");
      assert.equal(typeof ctx.session_id, "string");
      assert.equal(ctx.aborted, false);
    });

    await t.step("concurrent calls each get their own context", async () => {
      const results = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            c.client.callTool({ name: "context", arguments: {}, _meta: { progressToken: `tok-${i}` } }),
        ),
      );
      assert.deepEqual(results.map((r) => jsonText(r).progress_token), results.map((_, i) => `tok-${i}`));
    });
  } finally {
    await c.close();
  }
});
