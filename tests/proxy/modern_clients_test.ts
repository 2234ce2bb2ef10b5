// 2026-07-28 clients through the proxy: a 2025-only upstream's requests during a call become
// input_required rounds (the upstream call is held across them, not run again); a 2026
// upstream's rounds pass through as they are. Real parts: the SDK v2 client pinned to
// 2026-07-28, raw 2026 requests, the SDK v1 fixture upstream, server-everything from npm, the
// SDK v2 fixture of both eras.
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "../../src/sdk/client_v2.ts";
import { retainingFetch } from "../../src/sdk/fetch.ts";
import { DENO, eventually, firstText, ROOT, startCli, tempConfig } from "../helpers.ts";
import { call, listen } from "../eras/2026/wire.ts";
import { type ExternalServer, fixtureYaml, npmServerPath, startExternal } from "./_helpers.ts";

/** The proxy on streamable HTTP (default: stateless, as the default config) in front of `upstreams`. */
async function proxyFront(upstreams: string, http = "stateless: true") {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, ${http}}\n` +
      `proxy: {enabled: true}\nmcp_servers:\n${upstreams}`,
  );
  const cli = startCli(["--config", path]);
  return { cli, url: await cli.ready };
}

/** The SDK v2 client pinned to 2026-07-28, answering what it is asked and counting the asks. */
async function modernClient(url: string, asked: string[] = []) {
  const client = new Client({ name: "v2-pinned", version: "1.0.0" }, {
    capabilities: { elicitation: {}, sampling: {}, roots: { listChanged: true } },
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  client.setRequestHandler("elicitation/create", (req) => {
    asked.push(`elicit:${req.params.message}`);
    const schema = "requestedSchema" in req.params ? req.params.requestedSchema : undefined;
    const properties = (schema?.properties ?? {}) as Record<string, { type?: string }>;
    // The required fields (all, when none is), each with a value of its type.
    const wanted = schema?.required?.length ? schema.required : Object.keys(properties);
    const value = (type?: string) =>
      type === "boolean" ? true : type === "number" || type === "integer" ? 1 : "Ada";
    return {
      action: "accept",
      content: Object.fromEntries(wanted.map((p) => [p, value(properties[p]?.type)])),
    };
  });
  client.setRequestHandler("sampling/createMessage", () => {
    asked.push("sample");
    return { role: "assistant", content: { type: "text", text: "bright" }, model: "test" };
  });
  client.setRequestHandler("roots/list", () => {
    asked.push("roots");
    return { roots: [{ uri: "file:///work", name: "work" }] };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: retainingFetch }));
  return client;
}

async function health(url: string): Promise<Record<string, Record<string, unknown>>> {
  const body = await (await fetch(new URL("/health", url))).json();
  return body.proxy.upstreams;
}

const FULL = { elicitation: {}, sampling: {}, roots: {} };

Deno.test("a client pinned to 2026-07-28 uses a 2025 upstream through the stateless front: its requests during a call are input_required rounds, and the call goes on (not run again)", async () => {
  const front = await proxyFront(fixtureYaml("fx"));
  const asked: string[] = [];
  const client = await modernClient(front.url, asked);
  try {
    assert.equal(client.getProtocolEra(), "modern");
    assert.equal((await health(front.url)).fx.protocol_version, "2025-11-25");
    const tools = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes("proxy.fx.survey"), tools.join(","));
    const text = async (name: string, args: Record<string, unknown> = {}) =>
      firstText(await client.callTool({ name: `proxy.fx.${name}`, arguments: args }));
    assert.equal(await text("echo", { text: "hi" }), "hi");
    // Two rounds (an elicitation, then a sampling request) of one run of the upstream tool.
    assert.equal(await text("survey"), "Ada: bright (run 1)");
    assert.deepEqual(asked, ["elicit:Name?", "sample"]);
    assert.equal(await text("survey"), "Ada: bright (run 2)");
    assert.equal(await text("ask", { prompt: "?" }), "sampled: bright");
    assert.match(await text("confirm"), /^elicited: accept \{"ok":true\}$/);

    // Progress arrives on the call's own response.
    const seen: number[] = [];
    const r = await client.callTool({ name: "proxy.fx.progress", arguments: { steps: 3 } }, {
      onprogress: (p) => void seen.push(p.progress),
    });
    assert.ok(!r.isError, JSON.stringify(r));
    assert.deepEqual(seen, [1, 2, 3]);

    // Resources and prompts.
    const read = await client.readResource({ uri: "fixture://static" });
    assert.equal(read.contents[0].uri, "fixture://static");
    const prompt = await client.getPrompt({ name: "proxy.fx.greet", arguments: { name: "Bo" } });
    assert.match(JSON.stringify(prompt.messages), /Bo/);
  } finally {
    await client.close();
    await front.cli.stop();
  }
});

Deno.test("2026 wire to a 2025 upstream: the rounds as the client sees them (keys, a state that changes, tampering, a missing answer, an undeclared capability)", async () => {
  const front = await proxyFront(fixtureYaml("fx"));
  try {
    const params = { name: "proxy.fx.survey", arguments: {} };
    const r1 = await call(front.url, "tools/call", params, { caps: FULL });
    assert.equal(r1.status, 200);
    const first = r1.body.result as Record<string, unknown>;
    assert.equal(first.resultType, "input_required");
    assert.deepEqual(Object.keys(first.inputRequests as object), ["elicitation-1"]);
    assert.equal(
      (first.inputRequests as Record<string, { method: string }>)["elicitation-1"].method,
      "elicitation/create",
    );
    assert.equal(typeof first.requestState, "string");

    // A tampered state is refused; the call waits on.
    const tampered = await call(front.url, "tools/call", {
      ...params,
      inputResponses: { "elicitation-1": { action: "accept", content: { name: "Ada" } } },
      requestState: `${first.requestState}x`,
    }, { caps: FULL });
    assert.equal((tampered.body.error as { code: number }).code, -32602, JSON.stringify(tampered.body));

    // An answer under a key nobody asked: asked again.
    const again = await call(front.url, "tools/call", {
      ...params,
      inputResponses: { wrong: { action: "accept", content: {} } },
      requestState: first.requestState,
    }, { caps: FULL });
    const againResult = again.body.result as Record<string, unknown>;
    assert.equal(againResult.resultType, "input_required");
    assert.deepEqual(Object.keys(againResult.inputRequests as object), ["elicitation-1"]);

    // An answer of the wrong shape: a clear error.
    const bad = await call(front.url, "tools/call", {
      ...params,
      inputResponses: { "elicitation-1": 12345 },
      requestState: againResult.requestState,
    }, { caps: FULL });
    assert.equal((bad.body.error as { code: number }).code, -32602, JSON.stringify(bad.body));

    const r2 = await call(front.url, "tools/call", {
      ...params,
      inputResponses: { "elicitation-1": { action: "accept", content: { name: "Ada" } } },
      requestState: againResult.requestState,
    }, { caps: FULL });
    const second = r2.body.result as Record<string, unknown>;
    assert.equal(second.resultType, "input_required", JSON.stringify(r2.body));
    assert.deepEqual(Object.keys(second.inputRequests as object), ["sampling-1"]);
    assert.notEqual(second.requestState, first.requestState);

    const r3 = await call(front.url, "tools/call", {
      ...params,
      inputResponses: {
        "sampling-1": { role: "assistant", content: { type: "text", text: "kind" }, model: "m" },
      },
      requestState: second.requestState,
    }, { caps: FULL });
    const done = r3.body.result as { resultType: string; content: { text: string }[] };
    assert.equal(done.resultType, "complete", JSON.stringify(r3.body));
    assert.equal(done.content[0].text, "Ada: kind (run 1)");

    // Logs by the 2026 rules: on the call's response only when the request names a level.
    const quiet = await call(front.url, "tools/call", {
      name: "proxy.fx.log",
      arguments: { message: "psst" },
    });
    assert.deepEqual(quiet.frames, []);
    const loud = await call(
      front.url,
      "tools/call",
      { name: "proxy.fx.log", arguments: { message: "hey" } },
      {
        meta: { "io.modelcontextprotocol/logLevel": "info" },
      },
    );
    assert.deepEqual(loud.frames.map((f) => [f.method, (f.params as { data: unknown }).data]), [
      ["notifications/message", "hey"],
    ]);

    // The state of a finished call continues nothing.
    const replay = await call(front.url, "tools/call", {
      ...params,
      inputResponses: {
        "sampling-1": { role: "assistant", content: { type: "text", text: "x" }, model: "m" },
      },
      requestState: second.requestState,
    }, { caps: FULL });
    assert.equal((replay.body.error as { code: number }).code, -32602, JSON.stringify(replay.body));

    // A client that cannot answer sampling: the call fails as a 2026 server's would.
    const missing = await call(
      front.url,
      "tools/call",
      { name: "proxy.fx.ask", arguments: { prompt: "?" } },
      {
        caps: { elicitation: {} },
      },
    );
    assert.equal(missing.status, 400);
    const error = missing.body.error as { code: number; data: unknown };
    assert.equal(error.code, -32021);
    assert.deepEqual(error.data, { requiredCapabilities: { sampling: {} } });
  } finally {
    await front.cli.stop();
  }
});

Deno.test("2026 wire to a 2025 upstream: a client that goes away while the upstream works cancels the upstream call", async () => {
  const front = await proxyFront(fixtureYaml("fx"));
  try {
    const gone = new AbortController();
    const res = await fetch(front.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "proxy.fx.slow",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: {
          name: "proxy.fx.slow",
          arguments: { ms: 30_000 },
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            progressToken: "p1",
          },
        },
      }),
      signal: gone.signal,
    });
    // The call streams: its first progress says the upstream is working. Then the client leaves.
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /notifications\/progress/);
    gone.abort();
    await reader.cancel().catch(() => {});
    const stats = async () => {
      const r = await call(front.url, "tools/call", { name: "proxy.fx.stats", arguments: {} });
      return JSON.parse((r.body.result as { content: { text: string }[] }).content[0].text);
    };
    await eventually(async () => (await stats()).cancelled === 1, "the upstream call's cancellation");
  } finally {
    await front.cli.stop();
  }
});

Deno.test("a client pinned to 2026-07-28 uses server-everything (npm, 2025-only, stdio): tools, resources, prompts, its sampling and elicitation via input_required", async () => {
  const everything = await npmServerPath("everything");
  const front = await proxyFront(`  ev: {type: stdio, command: node, args: ["${everything}", "stdio"]}\n`);
  const asked: string[] = [];
  const client = await modernClient(front.url, asked);
  try {
    // server-everything registers its sampling and elicitation tools after `initialized`.
    const names = await eventually(async () => {
      const names = (await client.listTools()).tools.map((t) => t.name);
      return names.includes("proxy.ev.trigger-elicitation-request") ? names : undefined;
    }, "server-everything's sampling and elicitation tools");
    assert.ok(names.includes("proxy.ev.trigger-sampling-request"), names.join(","));
    assert.equal(
      firstText(await client.callTool({ name: "proxy.ev.echo", arguments: { message: "hi" } })),
      "Echo: hi",
    );
    const sampled = await client.callTool({
      name: "proxy.ev.trigger-sampling-request",
      arguments: { prompt: "?" },
    });
    assert.match(JSON.stringify(sampled.content), /bright/);
    const elicited = await client.callTool({ name: "proxy.ev.trigger-elicitation-request", arguments: {} });
    assert.ok(!elicited.isError, JSON.stringify(elicited));
    // (server-everything also asks for roots on its own soon after connecting; when that lands during a
    // call it is part of that call's round, answered like the rest.)
    assert.deepEqual(asked.map((a) => a.split(":")[0]).filter((a) => a !== "roots"), ["sample", "elicit"]);

    const { resources } = await client.listResources();
    assert.ok(resources.length > 0);
    const read = await client.readResource({ uri: resources[0].uri });
    assert.equal(read.contents[0].uri, resources[0].uri);
    const { prompts } = await client.listPrompts();
    const simple = prompts.find((p) => p.name === "proxy.ev.simple-prompt");
    assert.ok(simple, prompts.map((p) => p.name).join(","));
    const got = await client.getPrompt({ name: simple.name });
    assert.ok(got.messages.length > 0);
  } finally {
    await client.close();
    await front.cli.stop();
  }
});

const MODERN = `${ROOT}tests/fixtures/modern_server.ts`;

/** The SDK v2 fixture over streamable HTTP (`MODERN_ONLY=1`: 2026 only), and its URL. */
async function modernUpstream(env: Record<string, string> = {}): Promise<ExternalServer & { url: string }> {
  const server = await startExternal(
    DENO,
    ["run", "-A", "--quiet", MODERN],
    { DENO_TLS_CA_STORE: "system", NO_COLOR: "1", ...env },
    /listening on http:\S+/,
  );
  return { ...server, url: /listening on (http:\S+)/.exec(server.stderr())![1] };
}

for (const http of ["stateless: true", "stateless: false"]) {
  Deno.test(`2026 client → proxy (${http}) → 2026 upstream: rounds pass through with the upstream's keys and questions`, async () => {
    const upstream = await modernUpstream({ MODERN_ONLY: "1" });
    const front = await proxyFront(`  modern: {type: streamable-http, url: "${upstream.url}"}\n`, http);
    const asked: string[] = [];
    const client = await modernClient(front.url, asked);
    try {
      assert.equal((await health(front.url)).modern.protocol_version, "2026-07-28");
      const text = async (name: string, args: Record<string, unknown> = {}) =>
        firstText(await client.callTool({ name: `proxy.modern.${name}`, arguments: args }));
      assert.equal(await text("greet"), "Hello, Ada!");
      assert.equal(await text("interview"), "Ada: bright");
      assert.equal(await text("where"), "roots: file:///work");
      assert.deepEqual(asked, ["elicit:What is your name?", "elicit:Name?", "sample", "roots"]);

      // On the wire: the upstream's own keys, its state wrapped in ours.
      const r1 = await call(front.url, "tools/call", { name: "proxy.modern.greet", arguments: {} }, {
        caps: FULL,
      });
      const first = r1.body.result as Record<string, unknown>;
      assert.equal(first.resultType, "input_required", JSON.stringify(r1.body));
      const keys = Object.keys(first.inputRequests as object);
      assert.deepEqual(keys, ["user_name"]);
      assert.deepEqual(
        (first.inputRequests as Record<string, { params: { message: string } }>).user_name.params.message,
        "What is your name?",
      );
      const r2 = await call(front.url, "tools/call", {
        name: "proxy.modern.greet",
        arguments: {},
        inputResponses: Object.fromEntries(
          keys.map((k) => [k, { action: "accept", content: { name: "Bo" } }]),
        ),
        requestState: first.requestState,
      }, { caps: FULL });
      const done = r2.body.result as { resultType: string; content: { text: string }[] };
      assert.equal(done.resultType, "complete", JSON.stringify(r2.body));
      assert.equal(done.content[0].text, "Hello, Bo!");

      // A caller that cannot answer: the upstream's refusal reaches it as the upstream gave it.
      const refused = await call(front.url, "tools/call", { name: "proxy.modern.greet", arguments: {} });
      assert.equal(refused.status, 400);
      assert.equal((refused.body.error as { code: number }).code, -32021, JSON.stringify(refused.body));
    } finally {
      await client.close();
      await front.cli.stop();
      await upstream.stop();
    }
  });
}

Deno.test("subscriptions/listen on the proxy hears a 2025 upstream's list changes and the updates of the resources it names (the proxy subscribes upstream while a stream wants them)", async () => {
  const front = await proxyFront(fixtureYaml("fx"));
  const text = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await call(front.url, "tools/call", { name: `proxy.fx.${name}`, arguments: args });
    const result = r.body.result as { isError?: boolean; content: { text: string }[] };
    assert.equal(result?.isError, undefined, JSON.stringify(r.body));
    return result.content[0].text;
  };
  const stream = await listen(front.url, {
    toolsListChanged: true,
    resourceSubscriptions: ["fixture://static"],
  });
  try {
    assert.equal(stream.status, 200);
    const ack = await stream.next();
    assert.equal(ack?.method, "notifications/subscriptions/acknowledged");
    await eventually(
      async () => (await text("subscribed")) === '["fixture://static"]',
      "the upstream subscription",
    );
    await text("add_tool", { name: "extra" });
    assert.equal((await stream.next())?.method, "notifications/tools/list_changed");
    // A change announced with nothing changed is passed on too.
    await text("announce");
    assert.equal((await stream.next())?.method, "notifications/tools/list_changed");
    await text("touch", { uri: "fixture://static" });
    const updated = await stream.next();
    assert.equal(updated?.method, "notifications/resources/updated");
    assert.equal((updated?.params as { uri: string }).uri, "fixture://static");
  } finally {
    await stream.close();
  }
  try {
    // The stream is gone: so is the upstream subscription.
    await eventually(async () => (await text("subscribed")) === "[]", "the upstream unsubscription");
  } finally {
    await front.cli.stop();
  }
});
