/**
 * The conformance example server (`examples/conformance/`) end to end with the SDK client, over
 * its own config (stateful streamable HTTP, SSE answers): what the official suite checks, plus
 * what it does not look at (log filtering, resource update notifications, missing client
 * capabilities, template completion). The suite itself runs in `suite_test.ts` and in CI.
 */

import assert from "node:assert/strict";
import { z } from "zod";
import { CreateMessageRequestSchema } from "../../src/sdk/types.ts";
import { Client } from "../../src/sdk/client.ts";
import { type CliProcess, connectHttp, connectStdio, firstText, startCli } from "../helpers.ts";

/** `elicitation/create` as the client sees it (the SDK barrel exports only what the runtime uses). */
const ElicitRequest = z.object({
  method: z.literal("elicitation/create"),
  params: z.looseObject({ requestedSchema: z.looseObject({ properties: z.record(z.string(), z.any()) }) }),
});

const CONFIG = new URL("../../examples/conformance/config.yaml", import.meta.url).pathname;
const STDIO_CONFIG = new URL("../../examples/conformance/config.stdio.yaml", import.meta.url).pathname;

async function withServer(fn: (url: string, proc: CliProcess) => Promise<void>): Promise<void> {
  const proc = startCli(["--config", CONFIG, "--port", "0"]);
  try {
    const url = await proc.ready;
    await fn(url, proc);
  } finally {
    const status = await proc.stop();
    assert.equal(status.code, 0, proc.stderr());
  }
}

Deno.test("conformance example: lists every fixture the suite calls", async () => {
  await withServer(async (url) => {
    const c = await connectHttp(url);
    try {
      const tools = (await c.client.listTools()).tools;
      for (
        const name of [
          "test_simple_text",
          "test_image_content",
          "test_audio_content",
          "test_embedded_resource",
          "test_multiple_content_types",
          "test_tool_with_logging",
          "test_tool_with_progress",
          "test_error_handling",
          "test_sampling",
          "test_elicitation",
          "test_elicitation_sep1034_defaults",
          "test_elicitation_sep1330_enums",
          "json_schema_2020_12_tool",
        ]
      ) assert.ok(tools.some((t) => t.name === name && t.description), `tool ${name}`);
      const schema = tools.find((t) => t.name === "json_schema_2020_12_tool")!.inputSchema;
      assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
      assert.ok(schema.$defs);
      assert.equal(schema.additionalProperties, false);

      const resources = (await c.client.listResources()).resources.map((r) => r.uri);
      assert.deepEqual(resources.sort(), [
        "test://static-binary",
        "test://static-text",
        "test://watched-resource",
      ]);
      const templates = (await c.client.listResourceTemplates()).resourceTemplates;
      assert.deepEqual(templates.map((t) => t.uriTemplate), ["test://template/{id}/data"]);
      const prompts = (await c.client.listPrompts()).prompts.map((p) => p.name);
      assert.deepEqual(prompts.sort(), [
        "test_input_required_result_prompt",
        "test_prompt_with_arguments",
        "test_prompt_with_embedded_resource",
        "test_prompt_with_image",
        "test_simple_prompt",
      ]);

      const binary = (await c.client.readResource({ uri: "test://static-binary" })).contents[0];
      assert.equal(binary.mimeType, "image/png");
      assert.ok("blob" in binary && typeof binary.blob === "string" && binary.blob.startsWith("iVBORw0KGgo"));
      const data = (await c.client.readResource({ uri: "test://template/123/data" })).contents[0];
      assert.ok("text" in data);
      assert.deepEqual(JSON.parse(String(data.text)), {
        id: "123",
        templateTest: true,
        data: "Data for ID: 123",
      });

      const audio = await c.client.callTool({ name: "test_audio_content", arguments: {} });
      const item = (audio.content as { type: string; data: string; mimeType: string }[])[0];
      assert.equal(item.mimeType, "audio/wav");
      assert.equal(atob(item.data).slice(0, 4), "RIFF");

      const error = await c.client.callTool({ name: "test_error_handling", arguments: {} });
      assert.equal(error.isError, true);
      assert.equal(firstText(error), "This tool intentionally returns an error for testing");
    } finally {
      await c.close();
    }
  });
});

Deno.test("conformance example: sampling and elicitation ride the tool call's own stream", async () => {
  await withServer(async (url) => {
    const c = await connectHttp(url);
    try {
      let sampled = 0;
      c.client.setRequestHandler(CreateMessageRequestSchema, (req) => {
        sampled++;
        const message = req.params.messages[0].content as { type: string; text: string };
        assert.equal(req.params.maxTokens, 100);
        return { role: "assistant", content: { type: "text", text: `echo ${message.text}` }, model: "m" };
      });
      let schemas: Record<string, unknown>[] = [];
      c.client.setRequestHandler(ElicitRequest, (req) => {
        schemas.push(req.params.requestedSchema.properties);
        return { action: "accept", content: { username: "u", email: "e@x" } };
      });
      // Repeated: a request routed to the GET stream would hang here whenever that stream is late.
      for (let i = 0; i < 10; i++) {
        const s = await c.client.callTool({ name: "test_sampling", arguments: { prompt: `p${i}` } });
        assert.equal(firstText(s), `LLM response: echo p${i}`);
        const e = await c.client.callTool({ name: "test_elicitation", arguments: { message: "who?" } });
        assert.equal(firstText(e), `User response: action=accept, content={"username":"u","email":"e@x"}`);
      }
      assert.equal(sampled, 10);
      assert.equal(schemas.length, 10);

      schemas = [];
      await c.client.callTool({ name: "test_elicitation_sep1034_defaults", arguments: {} });
      await c.client.callTool({ name: "test_elicitation_sep1330_enums", arguments: {} });
      const [defaults, enums] = schemas as Record<string, Record<string, unknown>>[];
      assert.deepEqual(
        Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, v.default])),
        { name: "John Doe", age: 30, score: 95.5, status: "active", verified: true },
      );
      assert.deepEqual(enums.legacyEnum.enumNames, ["Option One", "Option Two", "Option Three"]);
      assert.equal((enums.titledMulti.items as { anyOf: unknown[] }).anyOf.length, 3);
    } finally {
      await c.close();
    }
  });
});

Deno.test("conformance example: a client without sampling/elicitation gets a tool error, not a hang", async () => {
  await withServer(async (url) => {
    const c = await connectHttp(url, { client: new Client({ name: "bare", version: "1.0.0" }) });
    try {
      const s = await c.client.callTool({ name: "test_sampling", arguments: { prompt: "x" } });
      assert.equal(s.isError, true);
      assert.match(firstText(s), /does not support sampling/);
      const e = await c.client.callTool({ name: "test_elicitation", arguments: { message: "x" } });
      assert.equal(e.isError, true);
      assert.match(firstText(e), /does not support elicitation/);
    } finally {
      await c.close();
    }
  });
});

Deno.test("conformance example: progress, logs and the log level", async () => {
  await withServer(async (url) => {
    const c = await connectHttp(url);
    try {
      const logs: { level: string; data: unknown }[] = [];
      c.client.fallbackNotificationHandler = (n) => {
        if (n.method === "notifications/message") logs.push(n.params as { level: string; data: unknown });
        return Promise.resolve();
      };
      await c.client.setLoggingLevel("debug");
      await c.client.callTool({ name: "test_tool_with_logging", arguments: {} });
      // Notifications travel on the call's stream, before its answer: no waiting needed.
      assert.deepEqual(logs.map((l) => l.data), [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
      ]);
      await c.client.setLoggingLevel("warning");
      await c.client.callTool({ name: "test_tool_with_logging", arguments: {} });
      assert.equal(logs.length, 3, "info entries are filtered out at level warning");

      for (let i = 0; i < 5; i++) {
        const progress: number[] = [];
        await c.client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
          onprogress: (p) => progress.push(p.progress),
        });
        assert.deepEqual(progress, [0, 50, 100]);
      }
    } finally {
      await c.close();
    }
  });
});

Deno.test("conformance example: subscriptions, updates and completions", async () => {
  await withServer(async (url) => {
    const c = await connectHttp(url);
    try {
      const updates: string[] = [];
      let notify: () => void = () => {};
      c.client.fallbackNotificationHandler = (n) => {
        if (n.method === "notifications/resources/updated") {
          updates.push(String(n.params?.uri));
          notify();
        }
        return Promise.resolve();
      };
      const nextUpdate = () => new Promise<void>((r) => (notify = r));
      const uri = "test://watched-resource";

      await c.client.subscribeResource({ uri });
      let seen = nextUpdate();
      await c.client.callTool({ name: "test_update_watched_resource", arguments: { content: "v1" } });
      await seen;
      const read = (await c.client.readResource({ uri })).contents[0];
      assert.ok("text" in read && read.text === "v1");

      await c.client.unsubscribeResource({ uri });
      await c.client.callTool({ name: "test_update_watched_resource", arguments: { content: "v2" } });
      // Re-subscribe and update again: the updates share one stream, so had "v2" been announced,
      // its notification would arrive before this one.
      await c.client.subscribeResource({ uri });
      seen = nextUpdate();
      await c.client.callTool({ name: "test_update_watched_resource", arguments: { content: "v3" } });
      await seen;
      assert.deepEqual(updates, [uri, uri]);

      const prompt = await c.client.complete({
        ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
        argument: { name: "arg1", value: "par" },
      });
      assert.deepEqual(prompt.completion.values, ["paris", "park", "party"]);
      const template = await c.client.complete({
        ref: { type: "ref/resource", uri: "test://template/{id}/data" },
        argument: { name: "id", value: "1" },
      });
      assert.deepEqual(template.completion.values, ["1", "123"]);
    } finally {
      await c.close();
    }
  });
});

/**
 * POST over a raw connection: `fetch` always sends the URL's own Host header, and the suite's
 * DNS-rebinding scenario sets a foreign one. Returns the status and the body text.
 */
async function rawPost(url: string, headers: Record<string, string>, body: string) {
  const u = new URL(url);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  const lines = [
    `POST ${u.pathname} HTTP/1.1`,
    ...Object.entries({
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "content-length": String(new TextEncoder().encode(body).length),
      connection: "close",
      ...headers,
    }).map(([k, v]) => `${k}: ${v}`),
  ];
  await conn.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n${body}`));
  const text = await new Response(conn.readable).text();
  return { status: Number(text.split(" ")[1]), text };
}

Deno.test("conformance example: DNS-rebinding protection on the loopback bind", async () => {
  await withServer(async (url) => {
    const init = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    const host = new URL(url).host;
    const evilHost = await rawPost(url, { host: "evil.example.com" }, init);
    assert.equal(evilHost.status, 403, evilHost.text);
    assert.match(evilHost.text, /invalid Host header/);
    const evilOrigin = await rawPost(url, { host, origin: "http://evil.example.com" }, init);
    assert.equal(evilOrigin.status, 403, evilOrigin.text);
    assert.match(evilOrigin.text, /invalid Origin header/);
    const good = await rawPost(url, { host, origin: `http://${host}` }, init);
    assert.equal(good.status, 200, good.text);
  });
});

Deno.test("conformance example: the stdio config (the proxy's upstream) serves the same fixtures", async () => {
  const c = await connectStdio(["--config", STDIO_CONFIG]);
  try {
    const tools = (await c.client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes("test_sampling") && tools.includes("test_simple_text"), tools.join(", "));
    c.client.setRequestHandler(CreateMessageRequestSchema, () => ({
      role: "assistant",
      content: { type: "text", text: "over stdio" },
      model: "m",
    }));
    const s = await c.client.callTool({ name: "test_sampling", arguments: { prompt: "x" } });
    assert.equal(firstText(s), "LLM response: over stdio");
    const progress: number[] = [];
    await c.client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.deepEqual(progress, [0, 50, 100]);
  } finally {
    await c.close();
  }
});
