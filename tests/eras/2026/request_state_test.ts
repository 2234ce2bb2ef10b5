// requestState: signed, bound to the request and caller, expiring; anything else is -32602.
import assert from "node:assert/strict";
import { RequestStateCodec } from "../../../src/eras/2026/request_state.ts";
import { HmacStateSigner } from "../../../src/signing/signer.ts";
import { ProtocolError } from "../../../src/errors.ts";

const binding = {
  method: "tools/call",
  params: { name: "greet", arguments: { a: 1, b: [1, 2] } },
  userId: "alice",
};

async function refused(p: Promise<unknown>, reason: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof ProtocolError, `not refused: ${e}`);
  assert.equal(e.code, -32602);
  assert.deepEqual(e.data, { reason: "invalid_request_state" });
  assert.match(e.message, reason);
}

Deno.test("request state: round trip; the params digest ignores key order", async () => {
  const codec = new RequestStateCodec(HmacStateSigner.fromSecret("a key of at least sixteen"));
  const token = await codec.mint({ answers: { name: { action: "accept" } }, round: 2 }, binding);
  assert.match(token, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const reordered = { ...binding, params: { arguments: { b: [1, 2], a: 1 }, name: "greet" } };
  assert.deepEqual(await codec.open(token, reordered), { answers: { name: { action: "accept" } }, round: 2 });
});

Deno.test("request state: tampered, foreign, expired or misbound state is refused", async () => {
  let now = 1_000_000;
  const codec = new RequestStateCodec(HmacStateSigner.fromSecret("a key of at least sixteen"), {
    ttlMs: 1000,
    now: () => now,
  });
  const token = await codec.mint({ answers: {}, round: 1 }, binding);
  await refused(codec.open(token + "-TAMPERED", binding), /malformed|signature/);
  const [v, kid, body, mac] = token.split(".");
  const forged = btoa(
    JSON.stringify({ m: "tools/call", h: "x", u: "alice", e: now + 1e6, r: 1, a: { x: 1 } }),
  )
    .replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  await refused(codec.open(`${v}.${kid}.${forged}.${mac}`, binding), /signature/);
  await refused(codec.open(`${v}.${kid}.${body}`, binding), /not a request state/);
  await refused(codec.open(42, binding), /not a string/);
  const other = new RequestStateCodec(HmacStateSigner.fromSecret("another key, sixteen+"));
  await refused(other.open(token, binding), /signature/);
  await refused(codec.open(token, { ...binding, userId: "mallory" }), /another request/);
  await refused(codec.open(token, { ...binding, params: { name: "other" } }), /another request/);
  await refused(codec.open(token, { ...binding, method: "prompts/get" }), /another request/);
  now += 2000;
  await refused(codec.open(token, binding), /expired/);
});

Deno.test("request state: bounded in size and rounds", async () => {
  const codec = new RequestStateCodec(HmacStateSigner.random(), { maxBytes: 200, maxRounds: 3 });
  await assert.rejects(codec.mint({ answers: { big: "x".repeat(500) }, round: 1 }, binding), /limit/);
  await assert.rejects(codec.mint({ answers: {}, round: 4 }, binding), /more than 3 rounds/);
  await refused(codec.open("v1." + "a".repeat(300), binding), /too long/);
  assert.throws(() => HmacStateSigner.fromSecret("short"), /16 bytes/);
});
