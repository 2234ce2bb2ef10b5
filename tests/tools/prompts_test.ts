// Prompts over stdio: listing with arguments, rendering, missing required arguments, completion.
import assert from "node:assert/strict";
import { connectStdio, ROOT, tempConfig } from "../helpers.ts";

Deno.test("prompts over stdio", async (t) => {
  const { path } = await tempConfig(`server: {type: stdio}
mcp_servers:
  examples:
    location: ${ROOT}examples
    prompts: {module: prompts.ts}
`);
  const c = await connectStdio(["--config", path]);
  try {
    await t.step("prompts/list shows declared arguments", async () => {
      const { prompts } = await c.client.listPrompts();
      const review = prompts.find((p) => p.name === "code_review")!;
      assert.equal(review.description, "Review a piece of code");
      assert.deepEqual(review.arguments?.map((a) => [a.name, a.required ?? false]), [
        ["code", true],
        ["language", false],
      ]);
      assert.ok(prompts.some((p) => p.name === "summarize"));
    });

    await t.step("prompts/get renders with arguments (text and message-list handlers)", async () => {
      const r = await c.client.getPrompt({
        name: "code_review",
        arguments: { code: "x = 1", language: "python" },
      });
      assert.equal(r.description, "Review a piece of code");
      assert.deepEqual(r.messages, [{
        role: "user",
        content: { type: "text", text: "Please review this python code for bugs and readability:\n\nx = 1" },
      }]);
      const s = await c.client.getPrompt({
        name: "summarize",
        arguments: { text: "long text", sentences: "2" },
      });
      assert.deepEqual(s.messages[0].content, {
        type: "text",
        text: "Summarise in 2 sentences:\n\nlong text",
      });
    });

    await t.step("a missing required argument is an invalid-params error naming it", async () => {
      await assert.rejects(
        c.client.getPrompt({ name: "code_review", arguments: { language: "go" } }),
        (e: Error & { code?: number }) => {
          assert.equal(e.code, -32602);
          assert.equal(
            e.message,
            "MCP error -32602: Prompt 'code_review' is missing required argument(s): code",
          );
          return true;
        },
      );
    });

    await t.step("an unknown prompt is an invalid-params error", async () => {
      await assert.rejects(c.client.getPrompt({ name: "nope" }), /Unknown prompt: nope/);
    });

    await t.step("argument completion", async () => {
      const r = await c.client.complete({
        ref: { type: "ref/prompt", name: "code_review" },
        argument: { name: "language", value: "py" },
      });
      assert.deepEqual(r.completion, { values: ["python"], total: 1, hasMore: false });
      const all = await c.client.complete({
        ref: { type: "ref/prompt", name: "code_review" },
        argument: { name: "language", value: "" },
      });
      assert.equal(all.completion.values.length, 4);
      await assert.rejects(
        c.client.complete({ ref: { type: "ref/prompt", name: "nope" }, argument: { name: "a", value: "" } }),
        /Unknown prompt: nope/,
      );
    });
  } finally {
    await c.close();
  }
});
