// The fleet link between a session's SDK server and transport: ids of requests to the client name
// the instance, answers come back to the number the server used, withdrawals name the request as
// the client knows it, resource updates are left to the fleet, and stored events know their request.
import assert from "node:assert/strict";
import { answerOwner, FleetLink } from "../../../src/eras/2025/fleet_link.ts";
import type { Transport, TransportSendOptions } from "../../../src/sdk/server.ts";
import type { JSONRPCMessage } from "../../../src/sdk/types.ts";

/** A transport that records what it is asked to send (and for which request, as the event store would see it). */
class Recorder implements Transport {
  sent: { message: JSONRPCMessage; options?: TransportSendOptions; storedFor?: string | number }[] = [];
  link?: FleetLink;
  onmessage?: Transport["onmessage"];
  start = () => Promise.resolve();
  close = () => Promise.resolve();
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.sent.push({ message, ...(options ? { options } : {}), storedFor: this.link?.sendingFor });
    return Promise.resolve();
  }
}

Deno.test("fleet link: request ids name the instance; answers, withdrawals and updates", async () => {
  const inner = new Recorder();
  // The state hook: when it ran (how much was sent by then), and it finishes when the test says
  const hooked: number[] = [];
  let shared!: () => void;
  const link = new FleetLink(inner, "0123456789ab", () => {
    hooked.push(inner.sent.length);
    return new Promise<void>((resolve) => shared = resolve);
  });
  inner.link = link;
  const received: JSONRPCMessage[] = [];
  link.onmessage = (m) => void received.push(m);
  await link.start();

  await link.send({ jsonrpc: "2.0", id: 7, method: "sampling/createMessage", params: {} }, {
    relatedRequestId: 3,
  });
  assert.deepEqual(inner.sent[0].message, {
    jsonrpc: "2.0",
    id: "0123456789ab:7",
    method: "sampling/createMessage",
    params: {},
  });
  assert.equal(inner.sent[0].storedFor, 3, "stored as an event of request 3's stream");
  await link.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } }, {
    relatedRequestId: 3,
  });
  assert.deepEqual((inner.sent[1].message as { params: unknown }).params, { requestId: "0123456789ab:7" });
  // A resource update with no request is the fleet's to deliver (once per session)
  await link.send({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "x" } });
  assert.equal(inner.sent.length, 2);
  assert.deepEqual(hooked, [], "no state hook for requests and notifications");
  // A response waits for the state hook (the fleet knows what the request changed before the
  // client does), then is stored for its own id
  const responded = link.send({ jsonrpc: "2.0", id: 3, result: {} });
  await Promise.resolve();
  assert.deepEqual(hooked, [2], "the hook ran before the response was sent");
  assert.equal(inner.sent.length, 2, "the response waits for the hook");
  shared();
  await responded;
  assert.equal(inner.sent[2].storedFor, 3);
  assert.equal(link.sendingFor, undefined);

  // The client's answer, here or handed over by another instance: back to the server's number
  inner.onmessage!({ jsonrpc: "2.0", id: "0123456789ab:7", result: { ok: 1 } });
  link.deliver({ jsonrpc: "2.0", id: "0123456789ab:8", result: {} });
  assert.deepEqual(received.map((m) => (m as { id: unknown }).id), [7, 8]);
  // Anything else passes as it is
  inner.onmessage!({ jsonrpc: "2.0", id: "client-1", method: "tools/list" });
  assert.equal((received[2] as { id: unknown }).id, "client-1");
});

Deno.test("fleet link: which instance an answer belongs to", () => {
  assert.equal(answerOwner({ jsonrpc: "2.0", id: "0123456789ab:12", result: {} }), "0123456789ab");
  assert.equal(
    answerOwner({ jsonrpc: "2.0", id: "0123456789ab:12", error: { code: 1, message: "" } }),
    "0123456789ab",
  );
  for (
    const m of [
      { jsonrpc: "2.0", id: 12, result: {} },
      { jsonrpc: "2.0", id: "0123456789ab:12", method: "ping" },
      { jsonrpc: "2.0", id: "xyz:12", result: {} },
      { jsonrpc: "2.0", id: "0123456789ab:", result: {} },
      null,
      "0123456789ab:1",
    ]
  ) assert.equal(answerOwner(m), undefined, JSON.stringify(m));
});
