// Deterministic replay: asks answered from recorded answers, missing ones collected into one round.
import assert from "node:assert/strict";
import { askClient, InputRound } from "../../src/core/input.ts";
import { createTestContext } from "../../src/core/context.ts";

const elicit = (message: string) => ({ method: "elicitation/create" as const, params: { message } });

Deno.test("input round: recorded answers come back in order, by explicit or counted key", async () => {
  const round = new InputRound({
    name: { action: "accept" },
    "elicitation-1": "second",
    "roots-1": { roots: [] },
  });
  assert.deepEqual(await round.ask(elicit("name?"), "name"), { action: "accept" });
  assert.equal(await round.ask(elicit("again?"), undefined), "second"); // counted: elicitation-1
  assert.deepEqual(await round.ask({ method: "roots/list" }, undefined), { roots: [] });
  assert.deepEqual(Object.keys(round.used).sort(), ["elicitation-1", "name", "roots-1"]);
});

Deno.test("input round: asks made together end one round with all of them; answered ones are not asked again", async () => {
  const round = new InputRound({ a: "known" });
  const asks = Promise.all([
    round.ask(elicit("a"), "a"),
    round.ask(elicit("b"), "b"),
    round.ask({ method: "sampling/createMessage", params: { messages: [], maxTokens: 5 } }, undefined),
  ]);
  asks.catch(() => {});
  const outcome = await round.ended;
  assert.equal(outcome.kind, "input");
  assert.deepEqual(Object.keys(outcome.kind === "input" ? outcome.requests : {}), ["b", "sampling-1"]);
  round.abandon(new Error("over"));
  await assert.rejects(asks, /over/);
});

Deno.test("input round: the same key twice gets a unique second key; a bad answer ends the round as invalid", async () => {
  const round = new InputRound(
    { q: 1 },
    (_r, a) => a === 1 ? { ok: true, value: a } : { ok: false, message: "no" },
  );
  assert.equal(await round.ask(elicit("1"), "q"), 1);
  void round.ask(elicit("2"), "q").catch(() => {}); // q#2: missing
  assert.deepEqual(Object.keys((await round.ended as { requests: object }).requests), ["q#2"]);

  const bad = new InputRound(
    { q: 2 },
    (_r, a) => a === 1 ? { ok: true, value: a } : { ok: false, message: "no" },
  );
  void bad.ask(elicit("1"), "q").catch(() => {});
  assert.deepEqual(await bad.ended, { kind: "invalid", key: "q", message: "no" });
});

Deno.test("askClient: input requests answered through a client's asks, each under its key", async () => {
  const ctx = createTestContext();
  const seen: unknown[] = [];
  const client = {
    ...ctx,
    elicit: (
      params: unknown,
      o: unknown,
    ) => (seen.push(["elicit", params, o]), Promise.resolve({ action: "decline" as const })),
    listRoots: () => Promise.resolve({ roots: [{ uri: "file:///x" }] }),
  };
  const answers = await askClient(client, { who: elicit("who?"), where: { method: "roots/list" } });
  assert.deepEqual(answers, { who: { action: "decline" }, where: { roots: [{ uri: "file:///x" }] } });
  assert.equal((seen[0] as [string, unknown, { key?: string }])[2].key, "who");
});
