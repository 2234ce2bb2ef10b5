/**
 * A real 2026-07-28 client — the SDK v2 client, pinned to 2026-07-28 and in `auto` negotiation —
 * against the runtime on its default configuration (stateless streamable HTTP, JSON answers) and
 * on the stateful one: discovery, calls, progress, and `ctx.elicit()` / `ctx.sample()` /
 * `ctx.listRoots()` answered through `input_required` rounds the client drives itself.
 */

import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "../../../src/sdk/client_v2.ts";
import { retainingFetch } from "../../../src/sdk/client.ts";
import { firstText, ROOT, startCli } from "../../helpers.ts";

const STATELESS = `${ROOT}examples/conformance/config.stateless.yaml`;
const STATEFUL = `${ROOT}examples/conformance/config.yaml`;

type Mode = { pin: string } | "auto";

async function withServer(config: string, fn: (url: string) => Promise<void>): Promise<void> {
  const proc = startCli(["--config", config, "--port", "0"]);
  try {
    await fn(await proc.ready);
  } finally {
    const status = await proc.stop();
    assert.equal(status.code, 0, proc.stderr());
  }
}

/** A v2 client with handlers for what servers may ask (elicitation, sampling, roots). */
async function connect(url: string, mode: Mode): Promise<{ client: Client; close(): Promise<void> }> {
  const client = new Client({ name: "v2-test", version: "1.0.0" }, {
    capabilities: { elicitation: {}, sampling: {}, roots: { listChanged: true } },
    versionNegotiation: { mode },
  });
  client.setRequestHandler("elicitation/create", (req) => {
    const schema = "requestedSchema" in req.params ? req.params.requestedSchema : undefined;
    const props = Object.keys(schema?.properties ?? {});
    return {
      action: "accept",
      content: Object.fromEntries(props.map((p) => [p, p === "ok" ? true : "Ada"])),
    };
  });
  client.setRequestHandler("sampling/createMessage", () => ({
    role: "assistant",
    content: { type: "text", text: "Paris" },
    model: "test-model",
    stopReason: "endTurn",
  }));
  client.setRequestHandler("roots/list", () => ({ roots: [{ uri: "file:///work", name: "work" }] }));
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: retainingFetch });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

for (const [label, config] of [["stateless (default)", STATELESS], ["stateful", STATEFUL]] as const) {
  for (const mode of [{ pin: "2026-07-28" }, "auto"] as const) {
    const name = typeof mode === "string" ? mode : `pin ${mode.pin}`;
    Deno.test(`SDK v2 client (${name}) on the ${label} config speaks 2026-07-28 and answers input_required rounds`, async () => {
      await withServer(config, async (url) => {
        const { client, close } = await connect(url, mode);
        try {
          assert.equal(client.getProtocolEra(), "modern");
          assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
          assert.equal(client.getServerVersion()?.name, "chuk-conformance-example");
          const tools = (await client.listTools()).tools.map((t) => t.name);
          assert.ok(tools.includes("test_input_required_result_multi_round"));
          assert.equal(
            firstText(await client.callTool({ name: "test_simple_text", arguments: {} })),
            "This is a simple text response for testing.",
          );
          // One round, then two rounds, then three asks at once: the client answers each round.
          assert.equal(
            firstText(
              await client.callTool({ name: "test_input_required_result_elicitation", arguments: {} }),
            ),
            "Hello, Ada!",
          );
          assert.equal(
            firstText(
              await client.callTool({ name: "test_input_required_result_multi_round", arguments: {} }),
            ),
            "Ada likes Ada",
          );
          assert.match(
            firstText(
              await client.callTool({ name: "test_input_required_result_multiple_inputs", arguments: {} }),
            ),
            /^Paris Ada \(1 root\(s\)\)$/,
          );
          const prompt = await client.getPrompt({ name: "test_input_required_result_prompt", arguments: {} });
          assert.match(JSON.stringify(prompt.messages), /Use this context: Ada/);
          // Progress rides the call's own response (an SSE answer on this wire).
          const progress: number[] = [];
          await client.callTool({ name: "test_tool_with_progress", arguments: {} }, {
            onprogress: (p) => void progress.push(p.progress),
          });
          assert.deepEqual(progress, [0, 50, 100]);
        } finally {
          await close();
        }
      });
    });
  }
}

Deno.test("SDK v2 client in its default (legacy) mode gets a 2025 session on the same endpoint", async () => {
  await withServer(STATEFUL, async (url) => {
    const client = new Client({ name: "v2-legacy", version: "1.0.0" }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: retainingFetch }));
    try {
      assert.equal(client.getProtocolEra(), "legacy");
      assert.equal(client.getNegotiatedProtocolVersion(), "2025-11-25");
      assert.equal(
        firstText(await client.callTool({ name: "test_simple_text", arguments: {} })),
        "This is a simple text response for testing.",
      );
    } finally {
      await client.close();
    }
  });
});
