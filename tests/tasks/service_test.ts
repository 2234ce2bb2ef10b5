// The task service on its own: lifecycle, asks parked until answered, cancel, isolation by user,
// and a task whose process went away.
import assert from "node:assert/strict";
import { ChangeBus } from "../../src/core/bus.ts";
import { MemoryKeyValueStore } from "../../src/sessions/kv.ts";
import { TaskService, taskView } from "../../src/tasks/service.ts";
import { checkAnswer } from "../../src/eras/2026/answers.ts";
import { ProtocolError } from "../../src/errors.ts";

async function code(p: Promise<unknown>): Promise<number> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${e}`);
  return e.code;
}

Deno.test("tasks: created durably, completed with the tool's result, announced on the bus", async () => {
  const bus = new ChangeBus();
  const seen: string[] = [];
  bus.on("taskChanged", ({ task }) => seen.push(String(task.status)));
  const tasks = new TaskService(new MemoryKeyValueStore(), bus, {
    defaultTtlMs: 60_000,
    defaultPollIntervalMs: 250,
  });
  try {
    const task = await tasks.create("alice");
    const created = task.createResult();
    assert.equal(created.resultType, "task");
    assert.equal(created.status, "working");
    assert.equal(created.ttlMs, 60_000);
    assert.equal(created.pollIntervalMs, 250);
    assert.ok(!("requestState" in created) && !("result" in created));
    assert.equal((await tasks.get(task.id, "alice")).status, "working");
    await task.complete({ resultType: "complete", content: [{ type: "text", text: "done" }] });
    const view = taskView(await tasks.get(task.id, "alice"));
    assert.equal(view.status, "completed");
    assert.deepEqual(view.result, { content: [{ type: "text", text: "done" }] });
    assert.deepEqual(seen, ["working", "completed"]);
    assert.equal(tasks.running, 0);
  } finally {
    await tasks.close();
  }
});

Deno.test("tasks: an ask parks the task until tasks/update answers it; partial answers keep it waiting", async () => {
  const tasks = new TaskService(new MemoryKeyValueStore(), new ChangeBus(), { check: checkAnswer });
  try {
    const task = await tasks.create(null);
    const asks = Promise.all([
      task.ask({ method: "elicitation/create", params: { message: "a?" } }, undefined),
      task.ask({ method: "roots/list" }, "where"),
    ]);
    await new Promise((r) => setTimeout(r, 0));
    let record = await tasks.get(task.id, null);
    assert.equal(record.status, "input_required");
    assert.deepEqual(Object.keys(record.inputRequests ?? {}), ["elicitation-1", "where"]);
    // A malformed answer is refused; an unknown key is ignored.
    assert.equal(await code(tasks.update(task.id, null, { where: { roots: "nope" } })), -32602);
    await tasks.update(task.id, null, {
      nobody: 1,
      "elicitation-1": { action: "accept", content: { x: "y" } },
    });
    record = await tasks.get(task.id, null);
    assert.equal(record.status, "input_required");
    assert.deepEqual(Object.keys(record.inputRequests ?? {}), ["where"]);
    await tasks.update(task.id, null, { where: { roots: [] } });
    assert.equal((await tasks.get(task.id, null)).status, "working");
    assert.deepEqual(await asks, [{ action: "accept", content: { x: "y" } }, { roots: [] }]);
  } finally {
    await tasks.close();
  }
});

Deno.test("tasks: cancel aborts the handler's signal and is idempotent; unknown and foreign ids are -32602", async () => {
  const tasks = new TaskService(new MemoryKeyValueStore(), new ChangeBus());
  try {
    const task = await tasks.create("alice");
    const waiting = task.ask({ method: "roots/list" }, undefined);
    waiting.catch(() => {});
    await tasks.cancel(task.id, "alice");
    assert.ok(task.signal.aborted);
    await assert.rejects(waiting);
    assert.equal((await tasks.get(task.id, "alice")).status, "cancelled");
    await tasks.cancel(task.id, "alice"); // a finished task: the same empty ack
    await task.complete({ content: [] }); // a late result does not undo the cancel
    assert.equal((await tasks.get(task.id, "alice")).status, "cancelled");
    assert.equal(await code(tasks.get(task.id, "mallory")), -32602);
    assert.equal(await code(tasks.cancel(task.id, null)), -32602);
    assert.equal(await code(tasks.get("no-such-task", "alice")), -32602);
    assert.equal(await code(tasks.get(undefined, "alice")), -32602);
  } finally {
    await tasks.close();
  }
});

Deno.test("tasks: a protocol failure is 'failed' with its error; a task whose process went away reads as failed", async () => {
  let now = 1_000_000;
  const store = new MemoryKeyValueStore(() => now);
  const a = new TaskService(store, new ChangeBus(), { heartbeatMs: 1000, now: () => now });
  const b = new TaskService(store, new ChangeBus(), { heartbeatMs: 1000, now: () => now });
  try {
    const failed = await a.create(null);
    await failed.fail(new ProtocolError(-32603, "crashed", { why: "test" }));
    const view = taskView(await b.get(failed.id, null));
    assert.equal(view.status, "failed");
    assert.deepEqual(view.error, { code: -32603, message: "crashed", data: { why: "test" } });
    assert.ok(!("result" in view));

    const orphan = await a.create(null);
    // Another instance sees it working while its owner's heartbeat is fresh ...
    assert.equal((await b.get(orphan.id, null)).status, "working");
    // ... and failed once the heartbeat is three intervals old.
    now += 3500;
    const lost = await b.get(orphan.id, null);
    assert.equal(lost.status, "failed");
    assert.match(lost.error?.message ?? "", /stopped/);
  } finally {
    await a.close();
    await b.close();
  }
});
