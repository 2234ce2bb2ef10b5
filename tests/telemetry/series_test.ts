// Every series of the issue, produced by a real server: a stateful streamable-HTTP runtime with a
// proxied stdio upstream (the fixture) and memory artifacts, scraped on its own listener with a
// bearer token. Checks sessions while a client is connected and after it leaves, tool calls
// (local, proxied, unknown), an upstream crash counted as a restart and up again, HTTP codes,
// artifact bytes, and the endpoint's guards (token, Host check). A real 2026-07-28 client's
// requests are counted too, `server/discover` (which the era answers itself) with them.
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "../../src/sdk/client_v2.ts";
import { retainingFetch } from "../../src/sdk/fetch.ts";
import { connectHttp, eventually, firstText, rawHttp, ROOT, startCli, tempConfig } from "../helpers.ts";
import { fixtureYaml } from "../proxy/_helpers.ts";
import { call } from "../eras/2026/wire.ts";

async function scrape(origin: string, token?: string): Promise<Map<string, number>> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${origin}/metrics`, { headers });
  assert.equal(res.status, 200);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

Deno.test("series from a live server: sessions, tool calls, upstream restarts, HTTP codes, artifact bytes", async () => {
  const token = "scrape-token";
  const { dir, path } = await tempConfig(
    "server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n" +
      `metrics: {enabled: true, bearer_token: ${token}}\n` +
      "artifacts: {enabled: true, tools: {write_file: {enabled: true}}}\n" +
      "proxy: {enabled: true}\nmcp_servers:\n" + fixtureYaml("up"),
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const origin = new URL(url).origin;
    const c = await connectHttp(url);
    let s = await scrape(origin, token);
    assert.equal(s.get('mcp_sessions_active{transport="streamable-http"}'), 1);
    assert.equal(s.get('mcp_upstream_up{upstream="up"}'), 1);
    assert.equal(s.get('mcp_upstream_restarts_total{upstream="up"}'), 0);
    assert.equal(s.get('mcp_requests_total{method="initialize",status="ok"}'), 1);

    assert.equal(
      firstText(await c.client.callTool({ name: "proxy.up.echo", arguments: { text: "a" } })),
      "a",
    );
    const w = await c.client.callTool({
      name: "write_file",
      arguments: { content: "12345", filename: "f.txt" },
    });
    assert.notEqual(w.isError, true, JSON.stringify(w));
    await assert.rejects(c.client.callTool({ name: "no_such_tool", arguments: {} }), /Unknown tool/);
    await c.client.callTool({ name: "proxy.up.crash", arguments: {} });
    // The crash is seen, the upstream restarted: up again, one restart counted.
    await eventually(
      async () => {
        const m = await scrape(origin, token);
        return m.get('mcp_upstream_restarts_total{upstream="up"}') === 1 &&
          m.get('mcp_upstream_up{upstream="up"}') === 1;
      },
      "the upstream restarted and counted",
      { tries: 200, everyMs: 100 },
    );
    const notFound = await fetch(`${origin}/nowhere`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();

    s = await scrape(origin, token);
    assert.equal(s.get('mcp_tool_calls_total{tool="proxy.up.echo",upstream="up",status="ok"}'), 1);
    assert.equal(s.get('mcp_tool_calls_total{tool="write_file",upstream="",status="ok"}'), 1);
    assert.equal(s.get('mcp_tool_calls_total{tool="(unknown)",upstream="",status="error"}'), 1);
    assert.equal(s.get('mcp_tool_calls_total{tool="proxy.up.crash",upstream="up",status="ok"}'), 1);
    assert.equal(s.get('mcp_tool_call_duration_seconds_count{tool="proxy.up.echo",upstream="up"}'), 1);
    assert.equal(s.get('mcp_artifact_bytes_written_total{provider="memory"}'), 5);
    assert.ok((s.get('mcp_http_responses_total{code="200"}') ?? 0) >= 5);
    assert.equal(s.get('mcp_http_responses_total{code="404"}'), 1);
    assert.ok((s.get('mcp_requests_total{method="tools/call",status="ok"}') ?? 0) >= 3);

    // The endpoint's guards: no token → 401; a foreign Host on a loopback bind → 403.
    const anon = await fetch(`${origin}/metrics`);
    assert.equal(anon.status, 401);
    await anon.body?.cancel();
    const rebound = await rawHttp(
      origin,
      `GET /metrics HTTP/1.1\nHost: evil.example.com\nAuthorization: Bearer ${token}\nConnection: close`,
    );
    assert.equal(rebound.status, 403);
    assert.doesNotMatch(rebound.body, /mcp_/);

    await c.close();
    await eventually(
      async () => (await scrape(origin, token)).get('mcp_sessions_active{transport="streamable-http"}') === 0,
      "the session no longer counted",
    );
    s = await scrape(origin, token);
    assert.equal(s.get('mcp_http_responses_total{code="401"}'), 1);
    assert.equal(s.get('mcp_http_responses_total{code="403"}'), 1);
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("2026-07-28 requests are counted like the others: server/discover, tools/list, tools/call, tasks/get, a removed method", async () => {
  const { dir, path } = await tempConfig(
    "server: {type: streamable-http}\nstreamable-http: {port: 0}\nmetrics: {enabled: true}\n" +
      `tools: {modules_to_import: [${ROOT}examples/tools.ts]}\n`,
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    // A real 2026 client: it opens with `server/discover`, which the era answers itself.
    const client = new Client({ name: "v2-pinned", version: "1.0.0" }, {
      versionNegotiation: { mode: { pin: "2026-07-28" } },
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: retainingFetch }));
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
      assert.ok((await client.listTools()).tools.some((t) => t.name === "greet"));
      assert.equal(
        firstText(await client.callTool({ name: "greet", arguments: { name: "m" } })),
        "Hello, m!",
      );
    } finally {
      await client.close();
    }
    // What the era answers itself besides discovery: a task lookup, and a method the version removed.
    const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} } };
    const lookup = await call(url, "tasks/get", { taskId: "no-such-task" }, { caps: TASKS });
    assert.ok(lookup.body.error, "an unknown task is an error");
    assert.equal((await call(url, "ping")).status, 404);
    const s = await scrape(new URL(url).origin);
    assert.equal(s.get('mcp_requests_total{method="tasks/get",status="error"}'), 1);
    assert.equal(s.get('mcp_requests_total{method="ping",status="error"}'), 1);
    assert.equal(s.get('mcp_requests_total{method="server/discover",status="ok"}'), 1);
    assert.equal(s.get('mcp_requests_total{method="tools/list",status="ok"}'), 1);
    assert.equal(s.get('mcp_requests_total{method="tools/call",status="ok"}'), 1);
    assert.equal(s.get('mcp_requests_total{method="initialize",status="ok"}'), undefined);
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
