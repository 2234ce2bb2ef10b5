// The stream event store: replay after an id, bounds, and sessions that cannot see each other.
import assert from "node:assert/strict";
import { MemoryEventStore } from "../../src/streams/event_store.ts";

const msg = (n: number) => ({ jsonrpc: "2.0" as const, method: `m${n}` });

async function replay(events: ReturnType<MemoryEventStore["scoped"]>, after: string): Promise<string[]> {
  const seen: string[] = [];
  await events.replayEventsAfter(after, {
    send: (_id, m) => (seen.push((m as { method: string }).method), Promise.resolve()),
  });
  return seen;
}

Deno.test("event store: replays what came after an event, per stream", async () => {
  const store = new MemoryEventStore();
  const s = store.scoped("session-a");
  const first = await s.storeEvent("stream-1", msg(1));
  await s.storeEvent("stream-2", msg(99));
  await s.storeEvent("stream-1", msg(2));
  await s.storeEvent("stream-1", msg(3));
  assert.deepEqual(await replay(s, first), ["m2", "m3"]);
  assert.equal(await s.getStreamIdForEventId(first), "stream-1");
  assert.equal(await s.getStreamIdForEventId("garbage"), undefined);
});

Deno.test("event store: another session's event ids are unknown; dropping a session forgets it", async () => {
  const store = new MemoryEventStore();
  const a = store.scoped("a");
  const b = store.scoped("b");
  const id = await a.storeEvent("s", msg(1));
  assert.equal(await b.getStreamIdForEventId(id), undefined);
  await assert.rejects(replay(b, id), /unknown event id/);
  store.drop("a");
  assert.equal(await a.getStreamIdForEventId(id), undefined);
  assert.equal(store.streams, 0);
});

Deno.test("event store: bounded per stream and in streams", async () => {
  const store = new MemoryEventStore({ maxEventsPerStream: 3, maxStreams: 2 });
  const s = store.scoped("x");
  const first = await s.storeEvent("one", msg(1));
  for (let i = 2; i <= 10; i++) await s.storeEvent("one", msg(i));
  assert.equal(store.events, 3);
  assert.deepEqual(await replay(s, first), ["m8", "m9", "m10"]); // older ones were dropped
  await s.storeEvent("two", msg(1));
  await s.storeEvent("three", msg(1)); // "one" is the least recently written: dropped
  assert.equal(store.streams, 2);
  assert.equal(await s.getStreamIdForEventId(first), undefined);
});
