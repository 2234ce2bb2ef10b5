// Globs as the configuration writes them: `*` any run (dots and slashes too), `?` one character.
import assert from "node:assert/strict";
import { globMatcher } from "../../src/util/glob.ts";

Deno.test("glob: * spans dots and slashes, ? is one character, the rest is literal", () => {
  const m = globMatcher(["proxy.fs.*", "file:///docs/*", "add?", "a+b(c)", "get-*"]);
  assert.ok(m("get-env"));
  assert.ok(m("proxy.fs.read_file"));
  assert.ok(m("proxy.fs.sub.deep"));
  assert.ok(m("file:///docs/a/b.md"));
  assert.ok(m("add2"));
  assert.ok(m("a+b(c)"));
  assert.ok(!m("add"));
  assert.ok(!m("add22"));
  assert.ok(!m("proxy.fsx.read")); // the dot is literal
  assert.ok(!m("xproxy.fs.read")); // anchored
  assert.ok(!m("aab(c)"));
});

Deno.test("glob: an empty list matches nothing, '*' everything (the empty name too)", () => {
  assert.equal(globMatcher([])("x"), false);
  assert.equal(globMatcher(["*"])(""), true);
  assert.equal(globMatcher(["?"])(""), false);
  // Multi-line names cannot slip past an anchor.
  assert.equal(globMatcher(["safe"])("safe\nevil"), false);
  assert.equal(globMatcher(["*"])("a\nb"), true);
});
