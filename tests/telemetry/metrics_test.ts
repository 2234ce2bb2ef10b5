// The Prometheus series in process: fixed names, bounded labels (unknown tools collapse to one
// label, past the cap new tools are "(other)", unknown methods "other"), upstream up/restarts from
// state changes, and the endpoint's answers (exposition format, bearer token, methods).
import assert from "node:assert/strict";
import { MAX_TOOL_LABELS, McpMetrics, OTHER_TOOL, UNKNOWN_TOOL } from "../../src/telemetry/metrics.ts";
import { metricsEndpoint } from "../../src/telemetry/endpoint.ts";
import { RuntimeTelemetry } from "../../src/telemetry/telemetry.ts";

/** `name{labels} value` lines of the exposition, as a map. */
async function samples(m: McpMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await m.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

Deno.test("series: requests and tool calls by method, tool, upstream and status", async () => {
  const m = new McpMetrics();
  m.request("tools/call", "ok");
  m.request("tools/call", "ok");
  m.request("tools/list", "error");
  m.request("made/up", "ok");
  m.toolCall(m.toolLabel("greet", true), "", "ok", 0.002);
  m.toolCall(m.toolLabel("proxy.time.now", true), "time", "tool_error", 0.3);
  const s = await samples(m);
  assert.equal(s.get('mcp_requests_total{method="tools/call",status="ok"}'), 2);
  assert.equal(s.get('mcp_requests_total{method="tools/list",status="error"}'), 1);
  assert.equal(s.get('mcp_requests_total{method="other",status="ok"}'), 1);
  assert.equal(s.get('mcp_tool_calls_total{tool="greet",upstream="",status="ok"}'), 1);
  assert.equal(s.get('mcp_tool_calls_total{tool="proxy.time.now",upstream="time",status="tool_error"}'), 1);
  assert.equal(s.get('mcp_tool_call_duration_seconds_bucket{le="0.0025",tool="greet",upstream=""}'), 1);
  assert.equal(
    s.get('mcp_tool_call_duration_seconds_bucket{le="0.25",tool="proxy.time.now",upstream="time"}'),
    0,
  );
  assert.equal(s.get('mcp_tool_call_duration_seconds_count{tool="proxy.time.now",upstream="time"}'), 1);
  assert.equal(s.get('mcp_build_info{version="0.1.0"}'), 1);
  for (
    const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds"]
  ) {
    assert.ok((s.get(name) ?? 0) > 0, `${name} is measured`);
  }
});

Deno.test("labels stay bounded: unknown tools are one label, past the cap new tools are (other)", async () => {
  const m = new McpMetrics();
  for (let i = 0; i < 50; i++) m.toolCall(m.toolLabel(`no-such-tool-${i}`, false), "", "error", 0.001);
  for (let i = 0; i < MAX_TOOL_LABELS + 20; i++) m.toolCall(m.toolLabel(`t${i}`, true), "", "ok", 0.001);
  // A tool seen before the cap keeps its own label.
  assert.equal(m.toolLabel("t0", true), "t0");
  const s = await samples(m);
  const tools = new Set(
    [...s.keys()].filter((k) => k.startsWith("mcp_tool_calls_total{")).map((k) =>
      /tool="([^"]*)"/.exec(k)![1]
    ),
  );
  assert.equal(tools.size, MAX_TOOL_LABELS + 2);
  assert.equal(s.get(`mcp_tool_calls_total{tool="${UNKNOWN_TOOL}",upstream="",status="error"}`), 50);
  assert.equal(s.get(`mcp_tool_calls_total{tool="${OTHER_TOOL}",upstream="",status="ok"}`), 20);
});

Deno.test("upstreams: up follows the state, a restart is ready → not ready, stopped drops the series", async () => {
  const t = new RuntimeTelemetry({ metrics: new McpMetrics(), logFields: false });
  const m = t.series!;
  t.upstreamState("time", "connecting");
  let s = await samples(m);
  assert.equal(s.get('mcp_upstream_up{upstream="time"}'), 0);
  assert.equal(s.get('mcp_upstream_restarts_total{upstream="time"}'), 0);
  t.upstreamState("time", "ready");
  t.upstreamState("time", "restarting");
  t.upstreamState("time", "failed"); // still down: not another restart
  t.upstreamState("time", "ready");
  t.upstreamState("time", "restarting");
  t.upstreamState("time", "ready");
  s = await samples(m);
  assert.equal(s.get('mcp_upstream_up{upstream="time"}'), 1);
  assert.equal(s.get('mcp_upstream_restarts_total{upstream="time"}'), 2);
  t.upstreamState("time", "stopped");
  s = await samples(m);
  assert.equal(s.has('mcp_upstream_up{upstream="time"}'), false);
});

Deno.test("sessions, HTTP codes and artifact bytes", async () => {
  const m = new McpMetrics();
  m.session("streamable-http", 1);
  m.session("streamable-http", 1);
  m.session("streamable-http", -1);
  m.session("stdio", 1);
  m.httpResponse(200);
  m.httpResponse(404);
  m.httpResponse(404);
  m.httpResponse(9999);
  m.artifactBytes("s3", 1000);
  m.artifactBytes("s3", 24);
  const s = await samples(m);
  assert.equal(s.get('mcp_sessions_active{transport="streamable-http"}'), 1);
  assert.equal(s.get('mcp_sessions_active{transport="stdio"}'), 1);
  assert.equal(s.get('mcp_http_responses_total{code="404"}'), 2);
  assert.equal(s.get('mcp_http_responses_total{code="other"}'), 1);
  assert.equal(s.get('mcp_artifact_bytes_written_total{provider="s3"}'), 1024);
});

Deno.test("endpoint: exposition text; bearer token when configured; GET/HEAD only", async () => {
  const m = new McpMetrics();
  m.request("ping", "ok");
  const open = metricsEndpoint(m, { path: "/metrics", bearerToken: null });
  const res = await open.handle(new Request("http://127.0.0.1/metrics"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  assert.match(await res.text(), /^mcp_requests_total\{method="ping",status="ok"\} 1$/m);

  const locked = metricsEndpoint(m, { path: "/metrics", bearerToken: "s3cret" });
  for (const auth of [undefined, "Bearer wrong", "Bearer s3cre", "Bearer s3cret2", "s3cret"]) {
    const r = await locked.handle(
      new Request("http://127.0.0.1/metrics", { headers: auth ? { authorization: auth } : {} }),
    );
    assert.equal(r.status, 401, String(auth));
    assert.equal(r.headers.get("www-authenticate"), 'Bearer realm="metrics"');
    assert.doesNotMatch(await r.text(), /mcp_/);
  }
  const ok = await locked.handle(
    new Request("http://127.0.0.1/metrics", { headers: { authorization: "Bearer s3cret" } }),
  );
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const post = await open.handle(new Request("http://127.0.0.1/metrics", { method: "POST", body: "x" }));
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  const head = await open.handle(new Request("http://127.0.0.1/metrics", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
});
