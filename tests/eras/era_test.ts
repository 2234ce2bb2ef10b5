// Which era a message belongs to: the body-primary rule of protocol-2026.md §3.1, case by case.
import assert from "node:assert/strict";
import { claimedVersion, classifyMessage } from "../../src/eras/era.ts";

const claim = (version: string, method = "tools/list") => ({
  jsonrpc: "2.0",
  id: 1,
  method,
  params: { _meta: { "io.modelcontextprotocol/protocolVersion": version } },
});

Deno.test("era: a body that claims a version in _meta is the 2026 era's, whatever the version", () => {
  assert.equal(classifyMessage(claim("2026-07-28")).era, "2026");
  assert.equal(classifyMessage(claim("v999.0.0")).era, "2026"); // answered -32022 there
  assert.equal(classifyMessage(claim("2025-11-25")).era, "2026"); // likewise
  assert.equal(classifyMessage(claim("2026-07-28", "initialize")).era, "2026"); // answered 404 there
  assert.equal(claimedVersion(claim("2026-07-28")), "2026-07-28");
});

Deno.test("era: the header never upgrades a body that claims nothing, except a modern header without a session", () => {
  const plain = { jsonrpc: "2.0", id: 1, method: "tools/list" };
  assert.equal(classifyMessage(plain).era, "2025");
  assert.equal(classifyMessage(plain, { headerVersion: "2025-11-25" }).era, "2025");
  // A modern header without an envelope is a malformed modern request (refused with -32602 there).
  assert.equal(classifyMessage(plain, { headerVersion: "2026-07-28" }).era, "2026");
  assert.equal(classifyMessage(plain, { headerVersion: " 2026-07-28 " }).era, "2026");
  // ... but a request of a 2025 session stays with its session.
  assert.equal(classifyMessage(plain, { headerVersion: "2026-07-28", sessionId: "abc" }).era, "2025");
  // initialize without a claim is always the 2025 handshake.
  const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25" } };
  assert.equal(classifyMessage(init, { headerVersion: "2026-07-28" }).era, "2025");
});

Deno.test("era: responses, malformed bodies and legacy batches are 2025; a batch with a modern request is invalid", () => {
  assert.equal(classifyMessage({ jsonrpc: "2.0", id: 1, result: {} }).era, "2025");
  assert.equal(classifyMessage("nonsense").era, "2025");
  assert.equal(classifyMessage([{ jsonrpc: "2.0", method: "notifications/initialized" }]).era, "2025");
  const mixed = classifyMessage([{ jsonrpc: "2.0", id: 2, method: "tools/list" }, claim("2026-07-28")]);
  assert.equal(mixed.era, "invalid");
  // A claim inside a non-object _meta is no claim.
  assert.equal(
    classifyMessage({ jsonrpc: "2.0", id: 1, method: "x", params: { _meta: "2026-07-28" } }).era,
    "2025",
  );
});
