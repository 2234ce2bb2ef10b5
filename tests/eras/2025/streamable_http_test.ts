// Streamable HTTP through the real CLI in all four modes (stateless/stateful × JSON/SSE
// responses): tools, progress, headers, logging, sampling, elicitation, roots, subscriptions,
// cancellation; then the stateful session lifecycle (DELETE, unknown ids, idle reaping).
import assert from "node:assert/strict";
import type { Client } from "../../../src/sdk/client.ts";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "../../../src/sdk/types.ts";
import {
  connectHttp,
  eventually,
  firstText,
  FIXTURES,
  INITIALIZE,
  jsonText,
  nextEvent,
  postJson,
  ROOT,
  startHttpServer,
} from "../../helpers.ts";

const MODULES = `tools:
  modules_to_import: ["${FIXTURES}probe.ts", "${FIXTURES}tools.ts", "${ROOT}examples/tools.ts"]
mcp_servers:
  fx:
    location: ${FIXTURES}
    resources: {module: resources.ts}
`;

const yaml = (stateless: boolean, json: boolean, extra = "") =>
  `host: {name: http-test}\nserver: {type: streamable-http}\nstreamable-http:\n  port: 0\n  stateless: ${stateless}\n` +
  `  json_response: ${json}\n${extra}${MODULES}`;

type Log = { level: string; data: unknown };

/** Collect log notifications; `settle()` waits until everything sent before it has arrived. */
function logCollector(client: Client) {
  const logs: Log[] = [];
  let marker: ((v: unknown) => void) | undefined;
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    if (n.params.data === "--marker--") marker?.(undefined);
    else logs.push({ level: n.params.level, data: n.params.data });
  });
  return {
    logs,
    /** Log a marker at the highest level and wait for it: notifications arrive in order. */
    async settle() {
      const seen = nextEvent((resolve) => (marker = resolve));
      await client.callTool({ name: "say", arguments: { level: "error", text: "--marker--" } });
      await seen;
    },
  };
}

/**
 * In stateful JSON mode notifications travel on the GET stream the client opens right after
 * initializing; wait until it is up (a log message gets through) before relying on it.
 */
async function streamUp(client: Client): Promise<void> {
  let got = false;
  const previous = client.fallbackNotificationHandler;
  client.setNotificationHandler(LoggingMessageNotificationSchema, () => {
    got = true;
  });
  await eventually(async () => {
    await client.callTool({ name: "say", arguments: { level: "error", text: "stream check" } });
    return got ? true : undefined;
  }, "the GET stream");
  client.removeNotificationHandler("notifications/message");
  client.fallbackNotificationHandler = previous;
}

async function progressOf(client: Client, n: number): Promise<{ text: string; progress: number[] }> {
  const progress: number[] = [];
  const r = await client.callTool({ name: "count_to", arguments: { n, delay_ms: 0 } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  });
  return { text: firstText(r), progress };
}

for (const stateless of [true, false]) {
  for (const json of [true, false]) {
    const mode = `${stateless ? "stateless" : "stateful"}, ${json ? "JSON" : "SSE"} responses`;
    Deno.test(`streamable HTTP (${mode})`, async (t) => {
      const server = await startHttpServer(yaml(stateless, json));
      const c = await connectHttp(server.url, { headers: { "X-Test-Header": "visible" } });
      try {
        if (!stateless && json) await streamUp(c.client);

        await t.step("initialize, tools/list, tools/call", async () => {
          assert.equal(c.client.getServerVersion()?.name, "http-test");
          const { tools } = await c.client.listTools();
          assert.ok(tools.some((x) => x.name === "greet"));
          const r = await c.client.callTool({ name: "greet", arguments: { name: "HTTP" } });
          assert.deepEqual(r.content, [{ type: "text", text: "Hello, HTTP!" }]);
          const sid = (c.transport as { sessionId?: string }).sessionId;
          assert.equal(sid === undefined, stateless, "Mcp-Session-Id only in stateful mode");
        });

        await t.step("progress notifications reach the client", async () => {
          for (let i = 0; i < 5; i++) {
            const { text, progress } = await progressOf(c.client, 4);
            assert.equal(text, "Counted to 4");
            assert.deepEqual(progress, [1, 2, 3, 4]);
          }
        });

        await t.step("request headers are visible to tools (lower-cased)", async () => {
          const ctx = jsonText(await c.client.callTool({ name: "context", arguments: {} }));
          const headers = ctx.headers as Record<string, string>;
          assert.equal(headers["x-test-header"], "visible");
          assert.equal(headers["content-type"], "application/json");
          assert.deepEqual(ctx.helper_headers, headers);
          assert.equal(ctx.transport, "streamable-http");
          if (!stateless) {
            // The runtime session (ctx.sessionId) is its own id, stable for the connection; the
            // Mcp-Session-Id stays a transport detail that tools never see.
            const again = jsonText(await c.client.callTool({ name: "context", arguments: {} }));
            assert.match(String(ctx.session_id), /^sess-/);
            assert.equal(again.session_id, ctx.session_id);
            assert.notEqual(ctx.session_id, (c.transport as { sessionId?: string }).sessionId);
          }
        });

        await t.step("concurrent calls with progress each get their own", async () => {
          const runs = await Promise.all([2, 3, 4, 5].map((n) => progressOf(c.client, n)));
          assert.deepEqual(runs.map((r) => r.progress.length), [2, 3, 4, 5]);
        });

        if (stateless) {
          await t.step("sampling is refused with a clear error (no session to answer it)", async () => {
            const r = await c.client.callTool({ name: "ask_model", arguments: { prompt: "?" } });
            assert.equal(r.isError, true);
            assert.match(firstText(r), /^sampling needs a session/);
          });
          await t.step("answers are JSON, or a stream when the call asked for progress", async () => {
            const plain = await postJson(server.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
            assert.equal(plain.status, 200);
            assert.equal(plain.headers.get("content-type"), json ? "application/json" : "text/event-stream");
            const streamed = await postJson(server.url, {
              jsonrpc: "2.0",
              id: 2,
              method: "tools/call",
              params: { name: "count_to", arguments: { n: 2, delay_ms: 0 }, _meta: { progressToken: "x" } },
            });
            assert.equal(streamed.headers.get("content-type"), "text/event-stream");
            assert.equal(streamed.text.match(/notifications\/progress/g)?.length, 2);
            assert.match(streamed.text, /"Counted to 2"/);
          });
          return;
        }

        await t.step("logging: everything by default, then filtered by logging/setLevel", async () => {
          const col = logCollector(c.client);
          await c.client.callTool({ name: "chatty", arguments: {} });
          await col.settle();
          assert.deepEqual(col.logs.map((l) => l.level), ["debug", "info", "error"]);
          assert.deepEqual(col.logs[2].data, { problem: "error line" });
          col.logs.length = 0;
          await c.client.setLoggingLevel("warning");
          await c.client.callTool({ name: "chatty", arguments: {} });
          await col.settle();
          assert.deepEqual(col.logs.map((l) => l.level), ["error"]);
          await c.client.setLoggingLevel("debug");
        });

        await t.step("sampling, elicitation and roots from inside a tool", async () => {
          c.client.setRequestHandler(CreateMessageRequestSchema, (req) => ({
            role: "assistant",
            content: {
              type: "text",
              text: `echo ${(req.params.messages[0].content as { text: string }).text}`,
            },
            model: "test-model",
          }));
          c.client.setRequestHandler(ElicitRequestSchema, (req) => {
            assert.equal(req.params.message, "Proceed?");
            return { action: "accept", content: { ok: true } };
          });
          c.client.setRequestHandler(
            ListRootsRequestSchema,
            () => ({ roots: [{ uri: "file:///work", name: "work" }] }),
          );
          const s = await c.client.callTool({ name: "ask_model", arguments: { prompt: "ping" } });
          assert.equal(firstText(s), "model said: echo ping");
          const e = await c.client.callTool({ name: "confirm", arguments: {} });
          assert.deepEqual(e.structuredContent, { action: "accept", content: { ok: true } });
          const r = await c.client.callTool({ name: "roots", arguments: {} });
          assert.deepEqual(JSON.parse(firstText(r)), ["file:///work"]);
        });

        await t.step(
          "resources/subscribe → notifications/resources/updated; unsubscribe stops them",
          async () => {
            const updates: string[] = [];
            let wake: ((v: unknown) => void) | undefined;
            c.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
              updates.push(n.params.uri);
              wake?.(undefined);
            });
            const other = await connectHttp(server.url);
            try {
              const otherUpdates: string[] = [];
              other.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
                otherUpdates.push(n.params.uri);
              });
              await c.client.subscribeResource({ uri: "test://note" });
              const arrived = nextEvent((r) => (wake = r));
              await other.client.callTool({ name: "touch", arguments: { uri: "test://note" } });
              await arrived;
              assert.deepEqual(updates, ["test://note"]);
              await c.client.unsubscribeResource({ uri: "test://note" });
              await other.client.callTool({ name: "touch", arguments: { uri: "test://note" } });
              await logCollector(c.client).settle();
              assert.deepEqual(updates, ["test://note"], "no update after unsubscribing");
              assert.deepEqual(otherUpdates, [], "only subscribers hear about updates");
            } finally {
              await other.close();
            }
          },
        );

        await t.step("cancelling a call aborts ctx.signal", async () => {
          const controller = new AbortController();
          const call = c.client.callTool(
            { name: "abortable", arguments: { key: `cancel-${mode}` } },
            undefined,
            { signal: controller.signal, onprogress: () => controller.abort("user gave up") },
          );
          await assert.rejects(call);
          const info = await c.client.callTool({ name: "abort_info", arguments: { key: `cancel-${mode}` } });
          assert.match(firstText(info), /user gave up/);
        });
      } finally {
        await c.close();
        const status = await server.stop();
        assert.equal(status.code, 0, server.proc.stderr());
      }
    });
  }
}

Deno.test("streamable HTTP: stateful session lifecycle (DELETE, unknown ids, idle reaping)", async (t) => {
  const server = await startHttpServer(yaml(false, true, "  session_idle_timeout: 1\n"));
  const open = async () => {
    const r = await postJson(server.url, INITIALIZE);
    assert.equal(r.status, 200);
    const sid = r.headers.get("mcp-session-id");
    assert.ok(sid);
    return sid;
  };
  const list = (sid: string | null) =>
    postJson(
      server.url,
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      sid ? { "mcp-session-id": sid } : {},
    );
  try {
    await t.step("a refused initialize leaves no session behind", async () => {
      const sessions = async () => (await (await fetch(`${server.origin}/health`)).json()).sessions;
      assert.equal(await sessions(), 0);
      for (let i = 0; i < 3; i++) {
        const r = await postJson(server.url, [INITIALIZE, { ...INITIALIZE, id: 1 }]);
        assert.equal(r.status, 400);
        assert.match(r.text, /a JSON-RPC batch before initialize; send initialize alone first/);
        assert.equal(r.headers.get("mcp-session-id"), null);
      }
      assert.equal(await sessions(), 0);
    });

    await t.step(
      "json_response: plain requests get JSON, calls asking for progress get a stream",
      async () => {
        const init = await postJson(server.url, INITIALIZE);
        assert.equal(init.headers.get("content-type"), "application/json");
        assert.equal(JSON.parse(init.text).result.serverInfo.name, "http-test");
        const sid = init.headers.get("mcp-session-id")!;
        const listed = await list(sid);
        assert.equal(listed.headers.get("content-type"), "application/json");
        assert.equal(listed.headers.get("mcp-session-id"), sid);
        const streamed = await postJson(server.url, {
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "count_to", arguments: { n: 3, delay_ms: 0 }, _meta: { progressToken: 9 } },
        }, { "mcp-session-id": sid });
        assert.equal(streamed.headers.get("content-type"), "text/event-stream");
        const events = [...streamed.text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
        assert.deepEqual(events.map((e) => e.params?.progress ?? e.result?.content[0].text), [
          1,
          2,
          3,
          "Counted to 3",
        ]);
      },
    );

    await t.step("DELETE ends a session; its id is then unknown (404)", async () => {
      const sid = await open();
      assert.equal((await list(sid)).status, 200);
      const del = await fetch(server.url, { method: "DELETE", headers: { "mcp-session-id": sid } });
      await del.body?.cancel();
      assert.equal(del.status, 200);
      const after = await list(sid);
      assert.equal(after.status, 404);
      assert.equal(JSON.parse(after.text).error.code, -32001);
    });

    await t.step("an unknown session id is 404; no id and no initialize is 400", async () => {
      const unknown = await list("00000000-0000-0000-0000-000000000000");
      assert.equal(unknown.status, 404);
      assert.match(unknown.text, /Session not found/);
      const none = await list(null);
      assert.equal(none.status, 400);
      const get = await fetch(server.url, { headers: { accept: "text/event-stream" } });
      await get.body?.cancel();
      assert.equal(get.status, 400);
    });

    await t.step("a call running longer than the idle timeout keeps its session", async () => {
      const sid = await open();
      const call = await postJson(server.url, {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "step_then_wait", arguments: { ms: 3000 } }, // idle timeout: 1 s
      }, { "mcp-session-id": sid });
      assert.equal(call.status, 200);
      assert.equal(JSON.parse(call.text).result.content[0].text, "waited 3000 ms");
      assert.equal((await list(sid)).status, 200, "the session is still there");
    });

    await t.step("an idle session is reaped: its GET stream ends and its id becomes unknown", async () => {
      const sid = await open();
      const stream = await fetch(server.url, {
        headers: { accept: "text/event-stream", "mcp-session-id": sid },
      });
      assert.equal(stream.status, 200);
      // The stream ends when the server closes the session; nothing else closes it.
      const body = await stream.text();
      assert.equal(typeof body, "string");
      assert.equal((await list(sid)).status, 404);
      const health = await (await fetch(`${server.origin}/health`)).json();
      assert.equal(health.sessions, 0);
    });

    await t.step("the server keeps serving", async () => {
      const sid = await open();
      assert.equal((await list(sid)).status, 200);
    });
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.proc.stderr());
  }
});

Deno.test("streamable HTTP: health endpoint answers GET and HEAD", async () => {
  const server = await startHttpServer(yaml(true, true, "  health_path: /healthz\n"));
  try {
    const get = await fetch(`${server.origin}/healthz`);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("content-type"), "application/json");
    const body = await get.json();
    assert.equal(body.status, "ok");
    assert.equal(body.name, "http-test");
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof body.uptime_seconds, "number");
    const head = await fetch(`${server.origin}/healthz`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), "application/json");
    assert.equal(await head.text(), "");
    const old = await fetch(`${server.origin}/health`);
    await old.body?.cancel();
    assert.equal(old.status, 404, "only the configured health path");
  } finally {
    await server.stop();
  }
});

Deno.test("streamable HTTP: a second request with the id of one in flight in the session gets -32600 at once", async () => {
  const server = await startHttpServer(yaml(false, true));
  try {
    const init = await postJson(server.url, INITIALIZE);
    const sid = init.headers.get("mcp-session-id")!;
    const headers = { "mcp-session-id": sid };
    // The first call streams (it asks for progress); its first event proves it is running.
    const first = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 5,
        method: "tools/call",
        params: { name: "step_then_wait", arguments: { ms: 1500 }, _meta: { progressToken: "p" } },
      }),
    });
    const reader = first.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("notifications/progress")) text += (await reader.read()).value ?? "";
    const dup = { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "context", arguments: {} } };
    const second = await postJson(server.url, dup, headers);
    assert.equal(second.status, 200);
    assert.deepEqual(JSON.parse(second.text), {
      jsonrpc: "2.0",
      id: 5,
      error: {
        code: -32600,
        message: "Invalid Request: request id 5 is already in use by a request in flight",
      },
    });
    while (!text.includes("waited 1500 ms")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const answer = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1])).find((m) => m.id === 5);
    assert.deepEqual(answer.result, { content: [{ type: "text", text: "waited 1500 ms" }] });
    await reader.cancel().catch(() => {});
    // Answered: the id is free again.
    const again = await postJson(server.url, dup, headers);
    assert.equal(JSON.parse(again.text).result.structuredContent.transport, "streamable-http");
  } finally {
    await server.stop();
  }
});

const CALL_GREET = {
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "greet", arguments: { name: "Ada" } },
};
const COUNT_WITH_PROGRESS = {
  jsonrpc: "2.0",
  id: 2,
  method: "tools/call",
  params: { name: "count_to", arguments: { n: 2, delay_ms: 0 }, _meta: { progressToken: "p" } },
};

Deno.test("streamable HTTP: Accept is negotiated (any case, wildcards); JSON answers need JSON only", async (t) => {
  const jsonServer = await startHttpServer(yaml(true, true));
  const sseServer = await startHttpServer(yaml(true, false));
  try {
    await t.step(
      "JSON mode: application/json alone, any case, */* and application/* are served",
      async () => {
        for (
          const accept of [
            "application/json",
            "Application/JSON",
            "*/*",
            "application/*",
            "APPLICATION/JSON;q=0.9",
          ]
        ) {
          const r = await postJson(jsonServer.url, CALL_GREET, { accept });
          assert.equal(r.status, 200, `${accept}: ${r.text}`);
          assert.equal(r.headers.get("content-type"), "application/json", accept);
          assert.equal(JSON.parse(r.text).result.content[0].text, "Hello, Ada!", accept);
        }
      },
    );

    await t.step(
      "JSON mode: a client that takes JSON only gets JSON even when the call sends progress",
      async () => {
        const r = await postJson(jsonServer.url, COUNT_WITH_PROGRESS, { accept: "application/json" });
        assert.equal(r.headers.get("content-type"), "application/json");
        assert.equal(JSON.parse(r.text).result.content[0].text, "Counted to 2");
        // */* takes streams too: the progress arrives, on a stream.
        const streamed = await postJson(jsonServer.url, COUNT_WITH_PROGRESS, { accept: "*/*" });
        assert.equal(streamed.headers.get("content-type"), "text/event-stream");
        assert.equal(streamed.text.match(/notifications\/progress/g)?.length, 2);
      },
    );

    await t.step("JSON mode: an Accept that refuses JSON gets 406", async () => {
      for (const accept of ["text/event-stream", "text/html", "application/json;q=0, */*"]) {
        const r = await postJson(jsonServer.url, CALL_GREET, { accept });
        assert.equal(r.status, 406, accept);
        assert.match(r.text, /Not Acceptable: Client must accept application\/json/);
      }
    });

    await t.step("SSE mode: both are needed (any case, wildcards count)", async () => {
      for (const accept of ["*/*", "Text/Event-Stream, Application/Json", "application/*, text/*"]) {
        const r = await postJson(sseServer.url, CALL_GREET, { accept });
        assert.equal(r.status, 200, `${accept}: ${r.text}`);
        assert.equal(r.headers.get("content-type"), "text/event-stream", accept);
        assert.match(r.text, /Hello, Ada!/);
      }
      const r = await postJson(sseServer.url, CALL_GREET, { accept: "application/json" });
      assert.equal(r.status, 406);
      assert.match(r.text, /Client must accept both application\/json and text\/event-stream/);
    });
  } finally {
    for (const server of [jsonServer, sseServer]) {
      const status = await server.stop();
      assert.equal(status.code, 0, server.proc.stderr());
    }
  }
});

Deno.test("streamable HTTP: stateful with Accept: application/json alone; the GET stream takes */*", async () => {
  const server = await startHttpServer(yaml(false, true));
  try {
    const init = await postJson(server.url, INITIALIZE, { accept: "application/json" });
    assert.equal(init.status, 200, init.text);
    assert.equal(init.headers.get("content-type"), "application/json");
    const sid = init.headers.get("mcp-session-id")!;
    assert.ok(sid);
    const headers = {
      accept: "application/json",
      "mcp-session-id": sid,
      "mcp-protocol-version": "2025-06-18",
    };
    const r = await postJson(server.url, CALL_GREET, headers);
    assert.equal(JSON.parse(r.text).result.content[0].text, "Hello, Ada!");
    const stream = await fetch(server.url, { headers: { accept: "*/*", "mcp-session-id": sid } });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get("content-type"), "text/event-stream");
    await stream.body?.cancel();
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.proc.stderr());
  }
});

const PING = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
const BATCH_REFUSED =
  /JSON-RPC batches are not allowed in protocol version 2025-06-18 \(only up to 2025-03-26\)/;

Deno.test("streamable HTTP: batches follow the negotiated version; JSON mode answers a batch with JSON", async (t) => {
  const stateless = await startHttpServer(yaml(true, true));
  const stateful = await startHttpServer(yaml(false, true));
  const batch = [PING(10), CALL_GREET, {
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId: 99 },
  }];
  const served = (r: { status: number; headers: Headers; text: string }) => {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("content-type"), "application/json");
    const answers = JSON.parse(r.text);
    assert.deepEqual(answers.map((a: { id: number }) => a.id), [10, 1], "one answer per request, in order");
    assert.equal(answers[1].result.content[0].text, "Hello, Ada!");
  };
  const refused = (r: { status: number; text: string }) => {
    assert.equal(r.status, 400, r.text);
    assert.equal(JSON.parse(r.text).error.code, -32600);
    assert.match(JSON.parse(r.text).error.message, BATCH_REFUSED);
  };
  try {
    await t.step(
      "stateless: without MCP-Protocol-Version (2025-03-26) or with 2025-03-26: served",
      async () => {
        served(await postJson(stateless.url, batch));
        served(await postJson(stateless.url, batch, { "mcp-protocol-version": "2025-03-26" }));
      },
    );

    await t.step("stateless: MCP-Protocol-Version 2025-06-18: refused with -32600", async () => {
      refused(await postJson(stateless.url, batch, { "mcp-protocol-version": "2025-06-18" }));
    });

    await t.step("stateful: a session that negotiated 2025-03-26 is served, 2025-06-18 refused", async () => {
      for (const version of ["2025-03-26", "2025-06-18"]) {
        const init = await postJson(stateful.url, {
          ...INITIALIZE,
          params: { ...INITIALIZE.params, protocolVersion: version },
        });
        const sid = init.headers.get("mcp-session-id")!;
        const headers = { "mcp-session-id": sid, "mcp-protocol-version": version };
        const r = await postJson(stateful.url, batch, headers);
        if (version === "2025-03-26") served(r);
        else refused(r);
      }
    });
  } finally {
    for (const server of [stateless, stateful]) {
      const status = await server.stop();
      assert.equal(status.code, 0, server.proc.stderr());
    }
  }
});
