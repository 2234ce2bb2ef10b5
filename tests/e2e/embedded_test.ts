// The first commands a newcomer runs: the embedded default (no config file) over HTTP and over
// stdio, and each example config, all serving the example tools, resources and prompts.
import assert from "node:assert/strict";
import {
  type Connected,
  connectHttp,
  connectSse,
  connectStdio,
  firstText,
  ROOT,
  startCli,
} from "../helpers.ts";

const EXAMPLE_TOOLS = ["add", "count_to", "current_time", "echo", "greet", "whoami"];

async function exerciseExamples(c: Connected) {
  const tools = (await c.client.listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(tools, EXAMPLE_TOOLS);
  assert.equal(
    firstText(await c.client.callTool({ name: "greet", arguments: { name: "newcomer" } })),
    "Hello, newcomer!",
  );
  assert.deepEqual((await c.client.callTool({ name: "add", arguments: { a: 40, b: 2 } })).structuredContent, {
    sum: 42,
  });
  const time = await c.client.callTool({ name: "current_time", arguments: { timezone: "Europe/Paris" } });
  assert.equal((time.structuredContent as { timezone: string }).timezone, "Europe/Paris");
  const progress: number[] = [];
  await c.client.callTool({ name: "count_to", arguments: { n: 3, delay_ms: 1 } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  });
  assert.deepEqual(progress, [1, 2, 3]);
  const uris = (await c.client.listResources()).resources.map((r) => r.uri);
  assert.ok(uris.includes("config://app/settings") && uris.includes("docs://guide"));
  const guide = await c.client.readResource({ uri: "docs://guide" });
  assert.equal(guide.contents[0].mimeType, "text/markdown");
  const prompts = (await c.client.listPrompts()).prompts.map((p) => p.name).sort();
  assert.deepEqual(prompts, ["code_review", "summarize"]);
}

Deno.test("no config: the embedded default serves the examples over streamable HTTP", async () => {
  // An empty working directory: no config.yaml to find.
  const cwd = await Deno.makeTempDir();
  const proc = startCli(["--port", "0"], { cwd });
  try {
    const url = await proc.ready;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const banner = proc.stderr();
    assert.match(
      banner,
      /MCP server "chuk-mcp-runtime" ready: streamable-http at .* \(stateless, JSON responses\)/,
    );
    // The banner's ready-to-paste curl line works as printed.
    const curl = /try: +curl -s (\S+) (.*) -d '(.*)'$/m.exec(banner);
    assert.ok(curl, banner);
    const headers = Object.fromEntries(
      [...curl[2].matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1], m[2]]),
    );
    const res = await fetch(curl[1], { method: "POST", headers, body: curl[3] });
    assert.equal(res.status, 200);
    const listed = await res.json();
    assert.deepEqual(listed.result.tools.map((t: { name: string }) => t.name).sort(), EXAMPLE_TOOLS);
    const health = /health: curl -s (\S+)/.exec(banner)![1];
    assert.equal((await (await fetch(health)).json()).status, "ok");
    const c = await connectHttp(url);
    try {
      await exerciseExamples(c);
    } finally {
      await c.close();
    }
  } finally {
    const status = await proc.stop();
    assert.equal(status.code, 0, proc.stderr());
  }
});

Deno.test("no config, --transport stdio: the embedded default for MCP clients that spawn it", async () => {
  const cwd = await Deno.makeTempDir();
  const c = await connectStdio(["--transport", "stdio"], { cwd });
  try {
    assert.equal(c.client.getServerVersion()?.name, "chuk-mcp-runtime");
    await exerciseExamples(c);
  } finally {
    await c.close();
  }
});

Deno.test("examples/config.stdio.yaml", async () => {
  const c = await connectStdio(["--config", `${ROOT}examples/config.stdio.yaml`], { cwd: "/" });
  try {
    assert.equal(c.client.getServerVersion()?.name, "example-stdio");
    await exerciseExamples(c);
  } finally {
    await c.close();
  }
});

for (
  const [file, connect] of [
    ["config.http.yaml", connectHttp],
    ["config.http-stateful.yaml", connectHttp],
    ["config.sse.yaml", connectSse],
  ] as const
) {
  Deno.test(`examples/${file} (on a free port)`, async () => {
    const proc = startCli(["--config", `${ROOT}examples/${file}`, "--port", "0"], { cwd: "/" });
    try {
      const c = await connect(await proc.ready);
      try {
        await exerciseExamples(c);
      } finally {
        await c.close();
      }
    } finally {
      assert.equal((await proc.stop()).code, 0, proc.stderr());
    }
  });
}
