/**
 * Tasks end to end over the 2026-07-28 wire: a task-supporting tool answers with a task, the
 * client polls `tasks/get`, and the finished task is still there after the server restarts —
 * its record lives in the session store (SQLite here, Redis when REDIS_URL is set).
 */

import assert from "node:assert/strict";
import { ROOT, startHttpServer } from "../helpers.ts";
import { dropKeys, need, service, uniqueNamespace } from "../services.ts";
import { call } from "../eras/2026/wire.ts";

const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} } };

function config(extra: string): string {
  return `server: { type: streamable-http }
streamable-http: { port: 0 }
${extra}
mcp_servers:
  c: { location: "${ROOT}examples/conformance", tools: { module: tools.ts } }
`;
}

async function poll(url: string, taskId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const r = (await call(url, "tasks/get", { taskId }, { caps: TASKS })).body.result as Record<
      string,
      unknown
    >;
    if (["completed", "failed", "cancelled"].includes(String(r.status))) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${taskId} did not finish`);
}

async function survivesRestart(yaml: string, env: Record<string, string> = {}): Promise<void> {
  const first = await startHttpServer(yaml, { env });
  let taskId: string;
  let result: unknown;
  try {
    const created = (await call(
      first.url,
      "tools/call",
      { name: "slow_compute", arguments: { seconds: 0.1, label: "r" } },
      {
        caps: TASKS,
      },
    )).body.result as Record<string, unknown>;
    assert.equal(created.resultType, "task");
    taskId = String(created.taskId);
    const done = await poll(first.url, taskId);
    assert.equal(done.status, "completed");
    result = done.result;
    assert.deepEqual(result, { content: [{ type: "text", text: "Computed r after 0.1s" }] });
  } finally {
    assert.equal((await first.stop()).code, 0);
  }
  const second = await startHttpServer(yaml, { env });
  try {
    const again = (await call(second.url, "tasks/get", { taskId }, { caps: TASKS })).body.result as Record<
      string,
      unknown
    >;
    assert.equal(again.status, "completed");
    assert.deepEqual(again.result, result);
    // Without the extension declared, the task methods are refused (-32021).
    const refused = await call(second.url, "tasks/get", { taskId });
    assert.equal((refused.body.error as { code: number }).code, -32021);
  } finally {
    assert.equal((await second.stop()).code, 0);
    await Deno.remove(second.dir, { recursive: true });
    await Deno.remove(first.dir, { recursive: true });
  }
}

Deno.test("tasks: a finished task survives a restart (SQLite session store)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-tasks-" });
  try {
    await survivesRestart(config(`artifacts: { session_provider: sqlite, sqlite_path: "${dir}/state.db" }`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const redis = service("REDIS_URL");
Deno.test({
  name: "tasks: a finished task survives a restart (Redis session store)",
  ignore: redis.ignore,
  async fn() {
    const url = need("REDIS_URL");
    const { env, prefix } = uniqueNamespace();
    try {
      await survivesRestart(config(""), { ...env, SESSION_PROVIDER: "redis", REDIS_URL: url });
    } finally {
      await dropKeys(url, prefix);
    }
  },
});
