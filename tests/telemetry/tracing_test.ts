// Traces end to end over real OTLP/HTTP: a small receiver in this test collects what Deno's
// built-in OpenTelemetry exports (OTEL_DENO=true, http/json) from three processes — our proxy
// (run with exactly the flags `cli.ts permissions` prints: the exporter needs no grant) and two
// upstreams that are our own runtime, one over stdio and one over streamable HTTP. The test is the
// client: it sends tools/call with a W3C `traceparent` header, and checks the chain
// client → proxy SERVER span → proxy CLIENT span → upstream SERVER span, the semantic-convention
// names and attributes, `_meta.traceparent` winning over the header, errors, a caller that does
// not sample — in the header or in `_meta` — (nothing recorded, the upstreams told), and the trace
// id in the proxy's JSON log lines.
import assert from "node:assert/strict";
import { CLI, DENO, eventually, ROOT, runCliOnce, startCli, tempConfig } from "../helpers.ts";
import { freePort } from "../services.ts";

interface Span {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  status: { code?: number; message?: string };
}

const SERVER = 2;
const CLIENT = 3;

/** An OTLP/HTTP (JSON) receiver: every span it was sent. */
function receiver(): { url: string; spans: Span[]; close(): Promise<void> } {
  const spans: Span[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const body = await req.text();
    if (path === "/v1/traces") {
      for (const rs of JSON.parse(body).resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a: { key: string }) => a.key === "service.name")?.value
          ?.stringValue;
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes: Record<string, unknown> = {};
            for (const a of s.attributes ?? []) attributes[a.key] = Object.values(a.value)[0];
            spans.push({
              service,
              name: s.name,
              kind: s.kind,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? "",
              attributes,
              links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({
                traceId: l.traceId,
                spanId: l.spanId,
              })),
              status: s.status ?? {},
            });
          }
        }
      }
    }
    return Response.json({});
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans,
    close: () => server.shutdown(),
  };
}

function otelEnv(endpoint: string, service: string): Record<string, string> {
  return {
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_SERVICE_NAME: service,
    // Deno's default (always_on) records a span whatever the caller's traceparent says.
    OTEL_TRACES_SAMPLER: "parentbased_always_on",
  };
}

const hex = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("spans over OTLP: client → proxy → upstream (stdio and HTTP), _meta beats the header, errors, log trace ids", async () => {
  const otlp = receiver();
  const upHttpPort = freePort();
  const proxyPort = freePort();
  const upstreamYaml = `tools: {modules_to_import: [${ROOT}examples/tools.ts]}\n`;
  const upHttp = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: ${upHttpPort}}\n${upstreamYaml}`,
  );
  const upStdio = await tempConfig(`server: {type: stdio}\n${upstreamYaml}`);
  const stdioEntry = {
    type: "stdio",
    command: DENO,
    args: ["run", "-A", "--quiet", CLI, "--config", upStdio.path],
    env: { ...otelEnv(otlp.url, "upstream-stdio"), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  };
  const proxy = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: ${proxyPort}}\nproxy: {enabled: true}\n` +
      `logging: {format: json, loggers: {request: DEBUG}}\nmcp_servers:\n` +
      `  up_stdio: ${JSON.stringify(stdioEntry)}\n` +
      `  up_http: {type: streamable-http, url: "http://127.0.0.1:${upHttpPort}/mcp"}\n`,
  );
  // Planned with tracing on, as the proxy runs: the flags let it read the sampler (the fast path).
  const flags = await runCliOnce(["permissions", "--config", proxy.path, "--format", "flags"], {
    env: otelEnv(otlp.url, "proxy"),
  });
  assert.match(flags.stdout, /OTEL_TRACES_SAMPLER,OTEL_TRACES_SAMPLER_ARG/);
  assert.equal(flags.code, 0, flags.stderr);
  const httpUpstream = startCli(["--config", upHttp.path], { env: otelEnv(otlp.url, "upstream-http") });
  const proxyProc = startCli(["--config", proxy.path], {
    env: otelEnv(otlp.url, "proxy"),
    runFlags: ["run", "--quiet", ...flags.stdout.trim().split(" ")],
  });
  const client = { traceId: hex(16), spanId: hex(8) };
  const metaClient = { traceId: hex(16), spanId: hex(8) };
  const headerOnly = { traceparent: `00-${client.traceId}-${client.spanId}-01` };
  const unsampled = { traceId: hex(16), spanId: hex(8) };
  const metaUnsampled = { traceId: hex(16), spanId: hex(8) };
  try {
    await httpUpstream.ready;
    const url = await proxyProc.ready;
    await proxyProc.waitForStderr(/"logger":"proxy.up_http".*"msg":"ready/);
    await proxyProc.waitForStderr(/"logger":"proxy.up_stdio".*"msg":"ready/);
    for (const [id, upstream] of [[1, "up_stdio"], [2, "up_http"]] as const) {
      const r = await post(url, {
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: `proxy.${upstream}.greet`, arguments: { name: "trace" } },
      }, headerOnly) as { result: { content: { text: string }[] } };
      assert.equal(r.result.content[0].text, "Hello, trace!");
    }
    // _meta.traceparent is the MCP parent; the HTTP request's context becomes a link.
    await post(url, {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: {
        name: "proxy.up_stdio.greet",
        arguments: { name: "meta" },
        _meta: { traceparent: `00-${metaClient.traceId}-${metaClient.spanId}-01` },
      },
    }, headerOnly);
    const err = await post(url, {
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "no_such_tool", arguments: {} },
    }, headerOnly) as { error: { code: number } };
    assert.equal(err.error.code, -32602);
    // A caller that does not sample: nothing is recorded anywhere, and the upstream is told so.
    await post(url, {
      jsonrpc: "2.0",
      id: 5,
      method: "tools/call",
      params: { name: "proxy.up_stdio.greet", arguments: { name: "unsampled" } },
    }, { traceparent: `00-${unsampled.traceId}-${unsampled.spanId}-00` });
    // The same in _meta, with no header (Deno records the HTTP request as a root of its own): the
    // MCP parent decides, for the proxy and for the HTTP upstream (its `_meta` and its header).
    await post(url, {
      jsonrpc: "2.0",
      id: 6,
      method: "tools/call",
      params: {
        name: "proxy.up_http.greet",
        arguments: { name: "unsampled" },
        _meta: { traceparent: `00-${metaUnsampled.traceId}-${metaUnsampled.spanId}-00` },
      },
    }, {});
  } finally {
    await proxyProc.stop();
    await httpUpstream.stop();
  }
  try {
    const spans = otlp.spans;
    const byId = new Map<string, Span>();
    const find = (what: string, pred: (s: Span) => boolean): Span =>
      spans.find(pred) ??
        assert.fail(`no ${what} among:\n${spans.map((s) => `${s.service} ${s.name}`).join("\n")}`);
    const parentOf = (s: Span) => byId.get(s.parentSpanId);
    const ancestors = (s: Span): string[] => {
      const out: string[] = [];
      for (let p = s.parentSpanId; p; p = byId.get(p)?.parentSpanId ?? "") out.push(p);
      return out;
    };
    await eventually(
      () => {
        for (const s of spans) byId.set(s.spanId, s);
        return spans.filter((s) => s.service?.startsWith("upstream-") && s.name === "tools/call greet")
          .length >= 3;
      },
      "the upstreams' spans to arrive",
      { tries: 100, everyMs: 100 },
    );

    for (const upstream of ["up_stdio", "up_http"]) {
      const server = find(
        `proxy SERVER span for ${upstream}`,
        (s) =>
          s.service === "proxy" && s.kind === SERVER && s.name === `tools/call proxy.${upstream}.greet` &&
          s.traceId === client.traceId,
      );
      assert.equal(server.attributes["mcp.method.name"], "tools/call");
      assert.equal(server.attributes["gen_ai.tool.name"], `proxy.${upstream}.greet`);
      assert.equal(server.attributes["gen_ai.operation.name"], "execute_tool");
      assert.equal(server.attributes["network.transport"], "tcp");
      assert.ok(server.attributes["jsonrpc.request.id"]);
      // The HTTP request's span (Deno's, from the traceparent header) is the parent; its parent is the client.
      assert.ok(ancestors(server).includes(client.spanId), "the client's span is an ancestor");
      const clientSpan = find(
        `proxy CLIENT span to ${upstream}`,
        (s) =>
          s.service === "proxy" && s.kind === CLIENT && s.name === "tools/call greet" &&
          s.parentSpanId === server.spanId,
      );
      assert.equal(clientSpan.attributes["chuk.upstream"], upstream);
      assert.equal(clientSpan.attributes["gen_ai.tool.name"], "greet");
      assert.equal(clientSpan.attributes["network.transport"], upstream === "up_http" ? "tcp" : "pipe");
      const service = upstream === "up_http" ? "upstream-http" : "upstream-stdio";
      const upstreamSpan = find(
        `${service} SERVER span`,
        (s) =>
          s.service === service && s.kind === SERVER && s.name === "tools/call greet" &&
          s.traceId === client.traceId,
      );
      // params._meta.traceparent carried the proxy's client span.
      assert.equal(upstreamSpan.parentSpanId, clientSpan.spanId);
      if (upstream === "up_http") {
        // The traceparent header too: Deno's HTTP server span in the upstream descends from the client span.
        const httpSpan = find(
          "the HTTP upstream's request span",
          (s) =>
            s.service === "upstream-http" && s.kind === SERVER && s.name === "POST" &&
            s.traceId === client.traceId,
        );
        assert.ok(ancestors(httpSpan).includes(clientSpan.spanId), "the header carried the client span");
        assert.deepEqual(upstreamSpan.links.map((l) => l.spanId), [httpSpan.spanId]);
      }
    }

    const viaMeta = find(
      "the proxy span parented by _meta.traceparent",
      (s) => s.service === "proxy" && s.kind === SERVER && s.traceId === metaClient.traceId,
    );
    assert.equal(viaMeta.parentSpanId, metaClient.spanId);
    assert.equal(viaMeta.links.length, 1);
    assert.equal(viaMeta.links[0].traceId, client.traceId, "the HTTP context is linked");
    assert.ok(
      spans.some((s) =>
        s.service === "upstream-stdio" && s.traceId === metaClient.traceId && parentOf(s)?.service === "proxy"
      ),
    );

    const failed = find(
      "the failed call's span",
      (s) => s.service === "proxy" && s.kind === SERVER && s.attributes["jsonrpc.request.id"] === "4",
    );
    assert.equal(failed.name, "tools/call", "an unknown tool name stays out of the span name");
    assert.equal(failed.attributes["error.type"], "-32602");
    assert.equal(failed.attributes["rpc.response.status_code"], "-32602");
    assert.equal(failed.status.code, 2);
    assert.match(String(failed.status.message), /Unknown tool/);

    for (const { traceId } of [unsampled, metaUnsampled]) {
      assert.deepEqual(spans.filter((s) => s.traceId === traceId).map((s) => `${s.service} ${s.name}`), []);
    }
    const count = (service: string, kind: number) =>
      spans.filter((s) => s.service === service && s.kind === kind && s.name === "tools/call greet").length;
    // Had the upstreams not learnt that, they would have started traces of their own for calls 5
    // and 6; and the proxy sent calls 1–3 only in a span.
    assert.equal(count("upstream-stdio", SERVER), 2);
    assert.equal(count("upstream-http", SERVER), 1);
    assert.equal(count("proxy", CLIENT), 3);

    const logged = proxyProc.stderr().split("\n").filter((l) => l.includes('"logger":"request"')).map((l) =>
      JSON.parse(l)
    );
    assert.ok(logged.some((l) => l.trace_id === client.traceId && l.tool === "proxy.up_http.greet"));
    assert.ok(logged.some((l) => l.trace_id === metaClient.traceId));
    // An unrecorded request's log lines still carry its trace id (the parent's).
    assert.ok(logged.some((l) => l.trace_id === metaUnsampled.traceId && l.tool === "proxy.up_http.greet"));
  } finally {
    await otlp.close();
    for (const d of [upHttp.dir, upStdio.dir, proxy.dir]) await Deno.remove(d, { recursive: true });
  }
});
