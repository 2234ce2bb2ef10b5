// Combined mode and name clashes: local tools beside proxied ones, root aliases from two
// upstreams, the OpenAI-only surface, and children that never see the proxy's secrets.
import assert from "node:assert/strict";
import { connectStdio, firstText, ROOT, startCli, tempConfig } from "../helpers.ts";
import { fixtureYaml } from "./_helpers.ts";

const EXAMPLES = `${ROOT}examples/tools.ts`;

Deno.test("local tools win over aliases; the first upstream in mcp_servers wins a clash; /health lists clashes", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\n` +
      `tools:\n  modules_to_import: ["${EXAMPLES}"]\n` +
      `proxy: {enabled: true, keep_root_aliases: true, openai_compatible: true}\n` +
      `mcp_servers:\n${fixtureYaml("one", {}, { FIXTURE_NAME: "one" })}${
        fixtureYaml("two", {}, { FIXTURE_NAME: "two" })
      }`,
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const health = await (await fetch(new URL("/health", url))).json();
    const clashes = health.proxy.collisions as {
      kind: string;
      name: string;
      kept: string;
      dropped: string;
    }[];
    // `echo` is a local example tool: it beats both upstreams' root aliases.
    assert.ok(
      clashes.some((c) => c.name === "echo" && /examples/.test(c.kept) && c.dropped === "upstream 'one'"),
    );
    // `pid` exists only upstream: `one` (listed first) keeps the root alias.
    assert.ok(
      clashes.some((c) => c.name === "pid" && c.kept === "upstream 'one'" && c.dropped === "upstream 'two'"),
    );

    const c = await connectStdio(["proxy", "--config", path, "--transport", "stdio"]);
    try {
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      for (const n of ["one_echo", "two_echo", "echo", "greet", "pid"]) {
        assert.ok(names.includes(n), `${n} in ${names.join(",")}`);
      }
      // openai_compatible: no dotted proxied name is listed.
      assert.ok(!names.some((n) => n.startsWith("proxy.")), names.join(","));
      assert.equal(names.filter((n) => n === "echo").length, 1);
      // The local echo answers `echo`; the upstreams answer their namespaced names.
      assert.equal(
        firstText(await c.client.callTool({ name: "echo", arguments: { text: "local" } })),
        "local",
      );
      const static1 = await c.client.readResource({ uri: "fixture://static" });
      assert.equal((static1.contents[0] as { text: string }).text, "static from one");
    } finally {
      await c.close();
    }
  } finally {
    await proc.stop();
  }
});

Deno.test("only_openai_tools lists only <server>_<tool> names", async () => {
  const c = await connectStdio([
    "proxy",
    "--openai-compatible",
    "--only-openai-tools",
    "--stdio",
    "fx",
    "--command",
    Deno.execPath(),
    "--",
    "run",
    "-A",
    "--quiet",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}tests/fixtures/upstream_server.ts`,
  ]);
  try {
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.length > 5);
    assert.ok(names.every((n) => n.startsWith("fx_")), names.join(","));
    const prompts = (await c.client.listPrompts()).prompts.map((p) => p.name);
    assert.deepEqual(prompts, ["fx_greet"]);
    assert.equal(firstText(await c.client.callTool({ name: "fx_add", arguments: { a: 1, b: 2 } })), "3");
  } finally {
    await c.close();
  }
});

Deno.test("stdio children get PATH/HOME/LANG plus their own env, never the proxy's secrets", async () => {
  const { path } = await tempConfig(
    `server: {type: stdio}\nproxy: {enabled: true}\nmcp_servers:\n${
      fixtureYaml("fx", {}, { GREETING: "hi" })
    }`,
  );
  const c = await connectStdio(["--config", path], { env: { SECRET_TOKEN: "do-not-leak", LANG: "C.UTF-8" } });
  try {
    const env = JSON.parse(firstText(
      await c.client.callTool({
        name: "proxy.fx.env",
        arguments: { names: ["SECRET_TOKEN", "GREETING", "PATH", "LANG"] },
      }),
    ));
    assert.equal(env.SECRET_TOKEN, null);
    assert.equal(env.GREETING, "hi");
    assert.equal(env.LANG, "C.UTF-8");
    assert.ok(env.PATH);
  } finally {
    await c.close();
  }
});
