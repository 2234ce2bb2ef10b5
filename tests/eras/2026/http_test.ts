/**
 * The 2026-07-28 wire over streamable HTTP, raw (as the official suite and hand-written clients
 * send it), against the CLI on the default configuration (stateless, JSON answers) and the
 * stateful one: the era rule's probes, discovery, errors and their HTTP statuses, headers, logs,
 * progress, listen streams, caching hints, input_required rounds and their signed state — and
 * 2025 clients on the same endpoint, unchanged.
 */

import assert from "node:assert/strict";
import { firstText, postJson, ROOT, startCli, startHttpServer } from "../../helpers.ts";
import { connectHttp } from "../../helpers.ts";
import { call, envelope, listen, standardHeaders, V2026 } from "./wire.ts";
import { Runtime } from "../../../src/core/runtime.ts";
import { validateConfig } from "../../../src/config/validate.ts";
import { collectDefinitions, registerDefinitions } from "../../../src/tools/loader.ts";
import { defineTool } from "../../../define.ts";
import { closeModernEra, modernEra } from "../../../src/app/modern.ts";
import { modernPost } from "../../../src/eras/2026/http.ts";
import { SessionLimits } from "../../../src/eras/2025/session_limits.ts";

const STATELESS = `${ROOT}examples/conformance/config.stateless.yaml`;
const STATEFUL = `${ROOT}examples/conformance/config.yaml`;

async function withServer(
  config: string,
  fn: (url: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const proc = startCli(["--config", config, "--port", "0"], { env });
  try {
    await fn(await proc.ready);
  } finally {
    const status = await proc.stop();
    assert.equal(status.code, 0, proc.stderr());
  }
}

function error(
  a: { body: Record<string, unknown> },
): { code: number; message: string; data?: Record<string, unknown> } {
  return a.body.error as { code: number; message: string; data?: Record<string, unknown> };
}

function result(a: { body: Record<string, unknown> }): Record<string, unknown> {
  assert.ok(a.body.result, `expected a result, got ${JSON.stringify(a.body)}`);
  return a.body.result as Record<string, unknown>;
}

Deno.test("2026 wire: which era, and the version, envelope and header errors with their HTTP statuses", async () => {
  await withServer(STATELESS, async (url) => {
    // claim, no MCP-Protocol-Version → 400 -32020; header disagrees → 400 -32020
    let a = await call(url, "tools/list", {}, { headers: { "mcp-protocol-version": null }, id: "no-header" });
    assert.deepEqual([a.status, error(a).code, a.body.id], [400, -32020, "no-header"]);
    a = await call(url, "tools/list", {}, { headers: { "mcp-protocol-version": "2025-11-25" } });
    assert.deepEqual([a.status, error(a).code], [400, -32020]);
    // claim of a version this server does not speak → 400 -32022 with the versions it does
    a = await call(url, "server/discover", {
      _meta: { ...envelope(), "io.modelcontextprotocol/protocolVersion": "v999" },
    }, {
      headers: { "mcp-protocol-version": "v999" },
      id: 301,
    });
    assert.deepEqual([a.status, error(a).code, a.body.id], [400, -32022, 301]);
    assert.deepEqual(error(a).data, { supported: [V2026], requested: "v999" });
    // modern header, no envelope → 400 -32602 (never a silent 2025 request)
    for (
      const meta of [null, { "io.modelcontextprotocol/clientCapabilities": {} }, {
        "io.modelcontextprotocol/protocolVersion": V2026,
      }]
    ) {
      a = await call(url, "server/discover", { _meta: meta });
      assert.deepEqual([a.status, error(a).code], [400, -32602], JSON.stringify(meta));
    }
    // clientInfo is optional
    a = await call(url, "server/discover", {
      _meta: {
        "io.modelcontextprotocol/protocolVersion": V2026,
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    });
    assert.equal(a.status, 200);
    // methods the era removed, and unknown ones → 404 -32601 with the request's id
    for (
      const method of [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "resources/unsubscribe",
        "unknown/method",
      ]
    ) {
      a = await call(url, method, {}, { id: `m-${method}` });
      assert.deepEqual([a.status, error(a).code, a.body.id], [404, -32601, `m-${method}`], method);
    }
    // a batch holding a modern request → 400 -32600
    const batch = await postJson(url, [{
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: { _meta: envelope() },
    }], {
      "mcp-protocol-version": V2026,
    });
    assert.equal(batch.status, 400);
    assert.equal(JSON.parse(batch.text).error.code, -32600);
    // header validation (SEP-2243): Mcp-Method and Mcp-Name mirror the body, case-sensitive values, trimmed
    a = await call(url, "tools/list", {}, { headers: { "mcp-method": null } });
    assert.deepEqual([a.status, error(a).code], [400, -32020]);
    a = await call(url, "tools/list", {}, { headers: { "mcp-method": "TOOLS/LIST" } });
    assert.deepEqual([a.status, error(a).code], [400, -32020]);
    a = await call(url, "tools/list", {}, { headers: { "MCP-METHOD": " tools/list " } });
    assert.equal(a.status, 200);
    a = await call(url, "tools/call", { name: "test_simple_text", arguments: {} }, {
      headers: { "mcp-name": "other" },
    });
    assert.deepEqual([a.status, error(a).code], [400, -32020]);
    a = await call(url, "tools/call", { name: "test_simple_text", arguments: {} }, {
      headers: { "mcp-name": null },
    });
    assert.deepEqual([a.status, error(a).code], [400, -32020]);
    // Mcp-Param-* for x-mcp-header arguments: literal or =?base64?…?=, strictly
    const region = (header: string | null) =>
      call(url, "tools/call", { name: "test_x_mcp_header", arguments: { region: "Hello" } }, {
        headers: { "Mcp-Param-Region": header },
      });
    assert.equal(firstText(result(await region("Hello"))), "region=Hello");
    assert.equal((await region(`=?base64?${btoa("Hello")}?=`)).status, 200);
    for (const bad of [null, "Other", "=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?="]) {
      a = await region(bad);
      assert.deepEqual([a.status, error(a).code], [400, -32020], String(bad));
    }
    // a 2025 client on the same endpoint is served as before (stateless: no session)
    const legacy = await postJson(url, {
      jsonrpc: "2.0",
      id: 9,
      method: "tools/call",
      params: { name: "test_simple_text" },
    });
    assert.equal(legacy.status, 200);
    assert.equal(JSON.parse(legacy.text).result.resultType, undefined);
  });
});

Deno.test("2026 wire: discovery, resultType and serverInfo on every result, caching hints, missing resources, -32021", async () => {
  await withServer(STATELESS, async (url) => {
    const discover = result(await call(url, "server/discover"));
    assert.deepEqual(discover.supportedVersions, [V2026]);
    assert.equal(discover.resultType, "complete");
    assert.deepEqual((discover._meta as Record<string, unknown>)["io.modelcontextprotocol/serverInfo"], {
      name: "chuk-conformance-example",
      version:
        (discover._meta as Record<string, { version: string }>)["io.modelcontextprotocol/serverInfo"].version,
    });
    const caps = discover.capabilities as Record<string, Record<string, unknown>>;
    assert.equal(caps.tools.listChanged, true);
    assert.ok(caps.extensions["io.modelcontextprotocol/tasks"]);
    for (const method of ["tools/list", "prompts/list", "resources/list", "resources/templates/list"]) {
      const r = result(await call(url, method));
      assert.deepEqual([r.resultType, r.ttlMs, r.cacheScope], ["complete", 0, "private"], method);
    }
    const read = result(await call(url, "resources/read", { uri: "test://static-text" }));
    assert.deepEqual([read.ttlMs, read.cacheScope], [0, "private"]);
    const completion = result(
      await call(url, "completion/complete", {
        ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
        argument: { name: "arg1", value: "pa" },
      }),
    );
    assert.deepEqual((completion.completion as { values: string[] }).values, ["paris", "park", "party"]);
    assert.ok(!("ttlMs" in completion));
    // A missing resource: -32602 with data.uri (not -32002), HTTP 200
    const missing = await call(url, "resources/read", { uri: "test://nowhere" });
    assert.deepEqual([missing.status, error(missing).code, error(missing).data?.uri], [
      200,
      -32602,
      "test://nowhere",
    ]);
    // A tool that needs sampling, for a client that did not declare it: -32021, HTTP 400
    const needs = await call(url, "tools/call", { name: "test_missing_capability", arguments: {} });
    assert.deepEqual([needs.status, error(needs).code], [400, -32021]);
    assert.deepEqual(error(needs).data, { requiredCapabilities: { sampling: {} } });
    // An unknown tool is -32602 (HTTP 200)
    const unknown = await call(url, "tools/call", { name: "nope", arguments: {} });
    assert.deepEqual([unknown.status, error(unknown).code], [200, -32602]);
  });
});

Deno.test("2026 wire: log messages only when the request asks for a level; progress streams before the result", async () => {
  await withServer(STATELESS, async (url) => {
    const quiet = await call(url, "tools/call", { name: "test_tool_with_logging", arguments: {} });
    assert.equal(quiet.contentType, "application/json");
    assert.equal(firstText(result(quiet)), "Tool with logging executed successfully");
    const loud = await call(url, "tools/call", { name: "test_tool_with_logging", arguments: {} }, {
      meta: { "io.modelcontextprotocol/logLevel": "info" },
    });
    assert.equal(loud.contentType, "text/event-stream");
    assert.deepEqual(loud.frames.map((f) => f.method), Array(3).fill("notifications/message"));
    const above = await call(url, "tools/call", { name: "test_tool_with_logging", arguments: {} }, {
      meta: { "io.modelcontextprotocol/logLevel": "error" },
    });
    assert.equal(above.frames.length, 0);
    const progress = await call(url, "tools/call", { name: "test_tool_with_progress", arguments: {} }, {
      meta: { progressToken: "p-1" },
    });
    assert.deepEqual(progress.frames.map((f) => (f.params as { progress: number }).progress), [0, 50, 100]);
    assert.equal(result(progress).resultType, "complete");
  });
});

Deno.test("2026 wire: subscriptions/listen — acknowledged first, tagged, filtered, fed by other requests", async () => {
  for (const config of [STATELESS, STATEFUL]) {
    await withServer(config, async (url) => {
      const tools = await listen(url, {
        toolsListChanged: true,
        resourceSubscriptions: ["test://watched-resource"],
      }, { id: 77 });
      const prompts = await listen(url, { promptsListChanged: true }, { id: "p" });
      try {
        assert.equal(tools.status, 200);
        const ack = await tools.next();
        assert.equal(ack?.method, "notifications/subscriptions/acknowledged");
        const params = ack?.params as Record<string, unknown>;
        assert.deepEqual(params.notifications, {
          toolsListChanged: true,
          resourceSubscriptions: ["test://watched-resource"],
        });
        assert.equal((params._meta as Record<string, unknown>)["io.modelcontextprotocol/subscriptionId"], 77);
        assert.equal((await prompts.next())?.method, "notifications/subscriptions/acknowledged");
        // Changes made by other requests reach the open streams.
        await call(url, "tools/call", { name: "test_trigger_tool_change", arguments: {} });
        await call(url, "tools/call", { name: "test_update_watched_resource", arguments: {} });
        await call(url, "tools/call", { name: "test_trigger_prompt_change", arguments: {} });
        const changed = await tools.next();
        assert.equal(changed?.method, "notifications/tools/list_changed");
        assert.equal(
          (changed?.params as Record<string, Record<string, unknown>>)
            ._meta["io.modelcontextprotocol/subscriptionId"],
          77,
        );
        const updated = await tools.next();
        assert.equal(updated?.method, "notifications/resources/updated");
        assert.equal((updated?.params as { uri: string }).uri, "test://watched-resource");
        // The prompts-only stream saw the prompt change, and nothing else before it.
        assert.equal((await prompts.next())?.method, "notifications/prompts/list_changed");
      } finally {
        await tools.close();
        await prompts.close();
      }
      const bad = await listen(url, { resourceSubscriptions: "test://x" });
      assert.equal(bad.status, 200);
      assert.equal(((await bad.next())?.error as { code: number }).code, -32602);
    });
  }
});

Deno.test("2026 wire: input_required rounds — keys, state, multi-round, tampering, bad answers", async () => {
  await withServer(STATELESS, async (url) => {
    const caps = { elicitation: {}, sampling: {}, roots: {} };
    const tool = (name: string, extra: Record<string, unknown> = {}) =>
      call(url, "tools/call", { name, arguments: {}, ...extra }, { caps });
    const r1 = result(await tool("test_input_required_result_multi_round"));
    assert.equal(r1.resultType, "input_required");
    assert.deepEqual(Object.keys(r1.inputRequests as object), ["step1"]);
    assert.equal(typeof r1.requestState, "string");
    const r2 = result(
      await tool("test_input_required_result_multi_round", {
        inputResponses: { step1: { action: "accept", content: { name: "Ada" } } },
        requestState: r1.requestState,
      }),
    );
    assert.deepEqual(Object.keys(r2.inputRequests as object), ["step2"]);
    assert.notEqual(r2.requestState, r1.requestState);
    // Only the new answer is sent: the first travels in the state.
    const r3 = result(
      await tool("test_input_required_result_multi_round", {
        inputResponses: { step2: { action: "accept", content: { color: "green" } } },
        requestState: r2.requestState,
      }),
    );
    assert.equal(firstText(r3), "Ada likes green");
    // Tampered or reused elsewhere: -32602
    let a = await tool("test_input_required_result_multi_round", {
      inputResponses: { step2: { action: "accept", content: { color: "x" } } },
      requestState: `${r2.requestState}-TAMPERED`,
    });
    assert.equal(error(a).code, -32602);
    a = await tool("test_input_required_result_elicitation", { requestState: r2.requestState });
    assert.equal(error(a).code, -32602);
    assert.match(error(a).message, /another request/);
    // A malformed answer or inputResponses: -32602, never a completed call
    a = await tool("test_input_required_result_elicitation", { inputResponses: { user_name: 12345 } });
    assert.equal(error(a).code, -32602);
    a = await tool("test_input_required_result_elicitation", { inputResponses: null });
    assert.equal(error(a).code, -32602);
    // Only what the client can answer is asked; lists never answer input_required
    const partial = result(
      await call(url, "tools/call", { name: "test_input_required_result_capabilities", arguments: {} }, {
        caps: { sampling: {} },
      }),
    );
    assert.deepEqual(Object.keys(partial.inputRequests as object), ["summary"]);
    assert.equal(result(await call(url, "tools/list", {}, { caps })).resultType, "complete");
  });
});

Deno.test("2026 wire: the request-state key — instances sharing REQUEST_STATE_KEY continue each other's rounds; others refuse", async () => {
  const key = { REQUEST_STATE_KEY: "a shared key for this test run" };
  const config = `host: { name: shared }
server: { type: streamable-http }
streamable-http: { port: 0 }
mcp_servers:
  c: { location: "${ROOT}examples/conformance", tools: { module: tools.ts } }
`;
  const a = await startHttpServer(config, { env: key });
  const b = await startHttpServer(config, { env: key });
  const c = await startHttpServer(config);
  try {
    assert.match(c.proc.stderr(), /random key of this process.*REQUEST_STATE_KEY/s);
    assert.doesNotMatch(a.proc.stderr(), /random key/);
    const caps = { elicitation: {} };
    const first = result(
      await call(a.url, "tools/call", { name: "test_input_required_result_elicitation", arguments: {} }, {
        caps,
      }),
    );
    const retry = {
      name: "test_input_required_result_elicitation",
      arguments: {},
      requestState: first.requestState,
      inputResponses: { user_name: { action: "accept", content: { name: "Bo" } } },
    };
    assert.equal(firstText(result(await call(b.url, "tools/call", retry, { caps }))), "Hello, Bo!");
    const refused = await call(c.url, "tools/call", retry, { caps });
    assert.equal(error(refused).code, -32602);
    assert.equal(error(refused).data?.reason, "invalid_request_state");
  } finally {
    for (const s of [a, b, c]) assert.equal((await s.stop()).code, 0);
    for (const s of [a, b, c]) await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("2026 wire: caching hints come from the module's configuration and the definition", async () => {
  const resources = `import { defineResource } from "${ROOT}define.ts";
export const a = defineResource({ uri: "note://a", handler: () => "A" });
export const b = defineResource({ uri: "note://b", cache: { ttlMs: 60000, scope: "public" }, handler: () => "B" });
`;
  const server = await startHttpServer(
    `server: { type: streamable-http }
streamable-http: { port: 0 }
mcp_servers:
  notes:
    location: "."
    resources: { module: notes.ts, cache: { ttl_ms: 5000, scope: public } }
`,
    { files: { "notes.ts": resources } },
  );
  try {
    const read = async (uri: string) => {
      const r = result(await call(server.url, "resources/read", { uri }));
      return [r.ttlMs, r.cacheScope];
    };
    assert.deepEqual(await read("note://a"), [5000, "public"]); // the module's
    assert.deepEqual(await read("note://b"), [60000, "public"]); // its own
    const list = result(await call(server.url, "resources/list"));
    assert.deepEqual([list.ttlMs, list.cacheScope], [5000, "public"]); // the strictest of its entries
    const tools = result(await call(server.url, "tools/list"));
    assert.deepEqual([tools.ttlMs, tools.cacheScope], [0, "private"]); // no tools: nothing to reuse
  } finally {
    assert.equal((await server.stop()).code, 0);
    await Deno.remove(server.dir, { recursive: true });
  }
});

Deno.test("2026 wire beside 2025 on the stateful endpoint: an SDK v1 session keeps real server→client requests", async () => {
  await withServer(STATEFUL, async (url) => {
    const c = await connectHttp(url);
    try {
      const { CreateMessageRequestSchema } = await import("../../../src/sdk/types.ts");
      c.client.setRequestHandler(CreateMessageRequestSchema, () => ({
        role: "assistant",
        content: { type: "text", text: "from a real request" },
        model: "m",
      }));
      const r = await c.client.callTool({ name: "test_sampling", arguments: { prompt: "hi" } });
      assert.equal(firstText(r), "LLM response: from a real request");
      // Meanwhile a 2026 request on the same endpoint gets its own wire.
      const modern = result(
        await call(url, "tools/call", { name: "test_input_required_result_sampling", arguments: {} }, {
          caps: { sampling: {} },
        }),
      );
      assert.equal(modern.resultType, "input_required");
    } finally {
      await c.close();
    }
    // A modern header with a session id stays with the 2025 session rules.
    const res = await fetch(url, {
      method: "POST",
      headers: { ...standardHeaders("tools/list"), "mcp-session-id": "no-such-session" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});

Deno.test("2026 wire: a client that goes away cancels its call (the handler's signal aborts)", async () => {
  // In process, on the era's HTTP handler: the request's signal is what Deno.serve aborts when the
  // client goes away (watched only once a call has run for a while, so quick calls never pay).
  const runtime = new Runtime({ config: validateConfig({}, "inline") });
  await runtime.start();
  let cancelled!: () => void;
  const seen = new Promise<void>((resolve) => (cancelled = resolve));
  const wait = defineTool({
    name: "wait_for_cancel",
    inputSchema: { type: "object" },
    timeout: 0,
    handler: (_args, ctx) =>
      new Promise((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          cancelled();
          resolve("cancelled");
        });
      }),
  });
  registerDefinitions(runtime.registry, collectDefinitions({ wait }), "test", { defaultTimeout: 0 });
  try {
    const post = modernPost({ endpoint: modernEra(runtime) });
    const client = new AbortController();
    const params = { name: "wait_for_cancel", arguments: {}, _meta: envelope() };
    const message = { jsonrpc: "2.0", id: 1, method: "tools/call", params };
    const req = new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: standardHeaders("tools/call", params),
      signal: client.signal,
    });
    const answered = post(req, message, undefined);
    setTimeout(() => client.abort(), 250);
    await seen;
    await answered;
  } finally {
    await closeModernEra(runtime);
    await runtime.stop();
  }
});

Deno.test("2026 wire on a view endpoint: only the view's tools, the view's description in discover, the rest unknown", async () => {
  const server = await startHttpServer(`server: { type: streamable-http }
streamable-http: { port: 0 }
views:
  greet: { tools: ["test_simple_text", "test_input_required_result_elicitation"], description: "Greetings only" }
mcp_servers:
  c: { location: "${ROOT}examples/conformance", tools: { module: tools.ts } }
`);
  try {
    const view = `${server.url}/greet`;
    const tools = result(await call(view, "tools/list")).tools as { name: string }[];
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      "test_input_required_result_elicitation",
      "test_simple_text",
    ]);
    assert.equal(result(await call(view, "server/discover")).instructions, "Greetings only");
    const hidden = await call(view, "tools/call", { name: "test_x_mcp_header", arguments: { region: "x" } }, {
      headers: { "Mcp-Param-Region": "x" },
    });
    assert.deepEqual([hidden.status, error(hidden).code], [200, -32602]);
    // A round inside the view works as anywhere else.
    const round = result(
      await call(view, "tools/call", { name: "test_input_required_result_elicitation", arguments: {} }, {
        caps: { elicitation: {} },
      }),
    );
    assert.equal(round.resultType, "input_required");
    // The full endpoint still lists everything.
    assert.ok((result(await call(server.url, "tools/list")).tools as unknown[]).length > 10);
  } finally {
    assert.equal((await server.stop()).code, 0);
    await Deno.remove(server.dir, { recursive: true });
  }
});

Deno.test("2026 wire under the HTTP rules of both eras: no batches, Accept negotiated, listen streams counted", async () => {
  const yaml = "server: {type: streamable-http}\nstreamable-http:\n  port: 0\n  max_sessions: 1\n" +
    "mcp_servers:\n  conformance:\n    location: " + JSON.stringify(`${ROOT}examples/conformance`) +
    "\n    tools: { module: tools.ts }\n";
  const server = await startHttpServer(yaml);
  try {
    const url = server.url;
    // A batch of 2026 requests: the era has no batches (-32600), whatever the body claims.
    const params = { _meta: envelope() };
    const batch = await fetch(url, {
      method: "POST",
      headers: standardHeaders("server/discover", params),
      body: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "server/discover", params }]),
    });
    assert.equal(batch.status, 400);
    assert.equal((await batch.json()).error.code, -32600);
    // A client taking JSON alone (allowed in JSON-response mode) gets JSON: the result without the
    // progress that would have streamed before it.
    const jsonOnly = await call(url, "tools/call", { name: "test_tool_with_progress", arguments: {} }, {
      meta: { progressToken: "p-json" },
      headers: { accept: "application/json" },
    });
    assert.equal(jsonOnly.contentType, "application/json");
    assert.equal(result(jsonOnly).resultType, "complete");
    // A listen stream is text/event-stream: such a client gets 406.
    const noStream = await listen(url, { toolsListChanged: true }, {
      headers: { accept: "application/json" },
    });
    assert.equal(noStream.status, 406);
    // A listen stream is a long-lived connection: max_sessions (1) counts it; a request is not one.
    const first = await listen(url, { toolsListChanged: true }, { id: "one" });
    try {
      assert.equal((await first.next())?.method, "notifications/subscriptions/acknowledged");
      const second = await listen(url, { toolsListChanged: true }, { id: "two" });
      assert.equal(second.status, 503);
      assert.match(String(((await second.next())?.error as { message: string }).message), /max_sessions/);
      assert.equal((await call(url, "tools/list")).status, 200);
    } finally {
      await first.close();
    }
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.proc.stderr());
  }
});

Deno.test("2026 wire: a listen slot frees when its client leaves; a client that does not read its stream is dropped", async () => {
  const runtime = new Runtime({ config: validateConfig({}, "inline") });
  await runtime.start();
  const limits = new SessionLimits({ maxSessions: 1, maxSessionsPerUser: 1, section: "streamable-http" });
  const post = modernPost({
    endpoint: modernEra(runtime),
    admitListen: (user) => limits.admit(user),
    maxQueueBytes: 1024,
  });
  const open = (client: AbortController) => {
    const params = { notifications: { toolsListChanged: true }, _meta: envelope() };
    const message = { jsonrpc: "2.0", id: "l", method: "subscriptions/listen", params };
    const req = new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: standardHeaders("subscriptions/listen", params),
      signal: client.signal,
    });
    return post(req, message, undefined);
  };
  try {
    const leaving = new AbortController();
    const res = await open(leaving);
    assert.equal(res.status, 200);
    assert.equal(limits.size, 1);
    assert.equal((await open(new AbortController())).status, 503);
    leaving.abort();
    await res.body?.cancel().catch(() => {});
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(limits.size, 0, "the slot of a client that left is free");

    // Nobody reads this one: past 1 KiB queued it is dropped, its slot freed.
    const idle = await open(new AbortController());
    assert.equal(idle.status, 200);
    for (let i = 0; i < 100 && limits.size > 0; i++) runtime.changes.emit("listChanged", "tools");
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(limits.size, 0, "the stream of a client that does not read was dropped");
    await assert.rejects(() => idle.text());
  } finally {
    await closeModernEra(runtime);
    await runtime.stop();
  }
});
