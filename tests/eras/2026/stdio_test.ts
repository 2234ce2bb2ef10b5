/**
 * The 2026-07-28 wire over stdio, beside the 2025 connection in the same process: a probe with
 * `server/discover`, calls with their envelope, an input_required round, a listen stream ended by
 * `notifications/cancelled` — and a 2025 `initialize` session on the same stdin.
 */

import assert from "node:assert/strict";
import { spawnStdio } from "../../helpers.ts";
import { envelope, V2026 } from "./wire.ts";

const CONFIG = "examples/conformance/config.stdio.yaml";

Deno.test("stdio: both eras on one process", async () => {
  const p = spawnStdio(["--config", CONFIG]);
  const send = (m: unknown) => p.send(JSON.stringify(m) + "\n");
  const answer = (id: unknown) => p.out.until((m) => m.id === id && ("result" in m || "error" in m));
  try {
    await send({ jsonrpc: "2.0", id: "d", method: "server/discover", params: { _meta: envelope() } });
    const discover = (await answer("d")).result as Record<string, unknown>;
    assert.deepEqual(discover.supportedVersions, [V2026]);
    assert.equal(discover.resultType, "complete");

    // An input_required round: the retry brings the answer and the state.
    const caps = { elicitation: {} };
    const params = { name: "test_input_required_result_elicitation", arguments: {}, _meta: envelope(caps) };
    await send({ jsonrpc: "2.0", id: 1, method: "tools/call", params });
    const first = (await answer(1)).result as { resultType: string; requestState: string };
    assert.equal(first.resultType, "input_required");
    await send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: {
        ...params,
        requestState: first.requestState,
        inputResponses: { user_name: { action: "accept", content: { name: "Cy" } } },
      },
    });
    const second = (await answer(2)).result as { content: { text: string }[] };
    assert.equal(second.content[0].text, "Hello, Cy!");

    // Removed on this wire, but the 2025 session (below) still has ping.
    await send({ jsonrpc: "2.0", id: 3, method: "ping", params: { _meta: envelope() } });
    assert.equal(((await answer(3)).error as { code: number }).code, -32601);

    // A listen stream: acknowledged, fed by a change another request makes, ended by a cancel.
    await send({
      jsonrpc: "2.0",
      id: "L",
      method: "subscriptions/listen",
      params: { notifications: { toolsListChanged: true }, _meta: envelope() },
    });
    const ack = await p.out.until((m) => m.method === "notifications/subscriptions/acknowledged");
    assert.equal(
      (ack.params as Record<string, Record<string, unknown>>)._meta["io.modelcontextprotocol/subscriptionId"],
      "L",
    );
    await send({
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "test_trigger_tool_change", arguments: {}, _meta: envelope() },
    });
    const changed = await p.out.until((m) => m.method === "notifications/tools/list_changed");
    assert.equal(
      (changed.params as Record<string, Record<string, unknown>>)
        ._meta["io.modelcontextprotocol/subscriptionId"],
      "L",
    );
    await answer(4);
    await send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "L" } });

    // The 2025 handshake on the same stdin, and a call of that session.
    await send({
      jsonrpc: "2.0",
      id: 10,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "old", version: "1" } },
    });
    assert.equal(((await answer(10)).result as { protocolVersion: string }).protocolVersion, "2025-11-25");
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({ jsonrpc: "2.0", id: 11, method: "ping" });
    assert.deepEqual((await answer(11)).result, {});
    await send({
      jsonrpc: "2.0",
      id: 12,
      method: "tools/call",
      params: { name: "test_simple_text", arguments: {} },
    });
    const legacy = (await answer(12)).result as Record<string, unknown>;
    assert.equal(legacy.resultType, undefined);
  } finally {
    await p.closeStdin();
    const status = await p.child.status;
    assert.equal(status.code, 0, await p.stderr);
  }
});
