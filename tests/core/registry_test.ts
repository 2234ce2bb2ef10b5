// The registry in-process: duplicate names name both sources, change notifications, read order.
import assert from "node:assert/strict";
import {
  collectDefinitions,
  createTestContext,
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineTool,
  DuplicateNameError,
  registerDefinitions,
  Registry,
} from "../../mod.ts";

const opts = { defaultTimeout: 60 };
const tool = (name: string) => defineTool({ name, inputSchema: { type: "object" }, handler: () => name });

Deno.test("duplicate names are errors naming both sources, for every kind", () => {
  const r = new Registry();
  registerDefinitions(
    r,
    collectDefinitions({
      t: tool("same"),
      p: definePrompt({ name: "p", handler: () => "x" }),
      res: defineResource({ uri: "a://b", handler: () => "x" }),
      tpl: defineResourceTemplate({ uriTemplate: "a://{x}", handler: () => "x" }),
    }),
    "first.ts",
    opts,
  );
  const cases: [Record<string, unknown>, string][] = [
    [{ t: tool("same") }, "duplicate tool 'same': defined by first.ts and by second.ts"],
    [
      { p: definePrompt({ name: "p", handler: () => "y" }) },
      "duplicate prompt 'p': defined by first.ts and by second.ts",
    ],
    [
      { r: defineResource({ uri: "a://b", handler: () => "y" }) },
      "duplicate resource 'a://b': defined by first.ts and by second.ts",
    ],
    [
      { x: defineResourceTemplate({ uriTemplate: "a://{x}", handler: () => "y" }) },
      "duplicate resource template 'a://{x}': defined by first.ts and by second.ts",
    ],
  ];
  for (const [ns, message] of cases) {
    assert.throws(() => registerDefinitions(r, collectDefinitions(ns), "second.ts", opts), (e: unknown) => {
      assert.ok(e instanceof DuplicateNameError);
      assert.equal(e.message, message);
      assert.equal(e.exitCode, 2);
      return true;
    });
  }
  assert.equal(r.tools.get("same")?.source, "first.ts", "the first definition stays");
});

Deno.test("changes are announced once per list per batch; the tool list cache follows changes", () => {
  const r = new Registry();
  const seen: string[] = [];
  const off = r.onChange((kind) => seen.push(kind));
  registerDefinitions(
    r,
    collectDefinitions({ a: tool("a"), b: tool("b"), p: definePrompt({ name: "p", handler: () => "x" }) }),
    "m.ts",
    opts,
  );
  assert.deepEqual(seen.sort(), ["prompts", "tools"]);
  assert.deepEqual(r.listTools().map((t) => t.name), ["a", "b"]);
  r.tools.add({
    tool: { name: "c", inputSchema: { type: "object" } },
    source: "x",
    call: () => Promise.resolve({ content: [] }),
  });
  assert.deepEqual(r.listTools().map((t) => t.name), ["a", "b", "c"]);
  assert.equal(r.tools.remove("a"), true);
  assert.equal(r.tools.remove("a"), false);
  assert.deepEqual(r.listTools().map((t) => t.name), ["b", "c"]);
  off();
  r.tools.remove("b");
  assert.equal(seen.length, 4, "no events after unsubscribing");
});

Deno.test("resources/read order: fixed, then providers, then templates; unknown → undefined", async () => {
  const r = new Registry();
  const ctx = createTestContext();
  registerDefinitions(
    r,
    collectDefinitions({
      fixed: defineResource({ uri: "x://fixed", handler: () => "fixed" }),
      tpl: defineResourceTemplate({ uriTemplate: "x://{name}", handler: (_u, v) => `template ${v.name}` }),
    }),
    "m.ts",
    opts,
  );
  r.addResourceProvider({
    source: "provider",
    list: () => Promise.resolve([{ uri: "x://provided", name: "p" }]),
    read: (uri) =>
      Promise.resolve(uri === "x://provided" ? { contents: [{ uri, text: "provider" }] } : undefined),
  });
  const text = async (uri: string) => {
    const res = await r.readResource(uri, ctx);
    return res && (res.contents[0] as { text: string }).text;
  };
  assert.equal(await text("x://fixed"), "fixed");
  assert.equal(await text("x://provided"), "provider");
  assert.equal(await text("x://other"), "template other");
  assert.equal(await text("y://nothing"), undefined);
  assert.deepEqual((await r.listResources(ctx)).map((x) => x.uri), ["x://fixed", "x://provided"]);
});

Deno.test("definitions are validated when defined and when registered", () => {
  assert.throws(
    () => defineTool({ name: "", handler: () => "" } as never),
    /'name' must be a non-empty string/,
  );
  assert.throws(() => defineTool({ name: "x", handler: "no" } as never), /'handler' must be a function/);
  assert.throws(
    () => defineTool({ name: "x", timeout: -1, handler: () => "" }),
    /'timeout' must be a number/,
  );
  assert.throws(
    () => defineResource({ uri: "not a uri", handler: () => "" }),
    /'uri' must be an absolute URI/,
  );
  const r = new Registry();
  assert.throws(
    () => registerDefinitions(r, collectDefinitions({ t: tool("has space") }), "m.ts", opts),
    /m\.ts: invalid tool name "has space"/,
  );
  assert.throws(
    () =>
      registerDefinitions(
        r,
        collectDefinitions({
          t: defineTool({ name: "t", inputSchema: { type: "string" } as never, handler: () => "" }),
        }),
        "m.ts",
        opts,
      ),
    /inputSchema must have type "object"/,
  );
});

Deno.test("collectDefinitions: arrays, default exports, untagged plain objects by slot", () => {
  const plainTool = { name: "p", inputSchema: { type: "object" }, handler: () => "" };
  const untagged = { name: "u", handler: () => "" };
  const both = collectDefinitions({ a: [plainTool, tool("t")], default: plainTool, n: 3, s: "x" });
  assert.deepEqual(both.tools.map((t) => t.name), ["p", "t"]);
  assert.equal(collectDefinitions({ untagged }, "tools").tools.length, 1);
  assert.equal(collectDefinitions({ untagged }, "prompts").prompts.length, 1);
  assert.equal(collectDefinitions({ untagged }, "resources").tools.length, 0);
});
