/**
 * Memory of our proxy under held state (`deno task bench:memory`): RSS of the proxy process idle,
 * after N calls through the stdio proxy, and per idle stateful streamable-HTTP session (N sessions
 * opened with `initialize` + `notifications/initialized`, then left idle; RSS, and the V8 heap
 * held after a full GC, read through the inspector). Raw JSON-RPC on
 * loopback from this process (no SDK client, so the client stays cheap); every loop is bounded
 * by a count; every child is stopped at the end. See scripts/bench/README.md.
 *
 * ```sh
 * deno task bench:memory                         # 100,000 calls, 1,000 sessions
 * deno task bench:memory --calls 20000 --sessions 200
 * deno task bench:memory --calls 7000000 --sessions 0   # about 10 minutes of steady c16 load
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { rssMiB } from "./proc.ts";
import { type HeapReader, heapReader } from "./inspector.ts";
import { DENO, FIXTURE, freePort, ROOT } from "./targets.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const INIT = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "bench-memory", version: "1" },
};

function upstreamArgs(): string[] {
  return ["--stdio", "up0", "--command", "node", "--", FIXTURE];
}

/** Settle, then read the proxy's RSS (MiB). */
async function settledRss(pid: number, ms = 1500): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return rssMiB(pid) ?? NaN;
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // already gone
  }
  await child.status;
}

/** RSS idle and after `calls` echo calls (16 in flight) through `cli.ts proxy` on stdio. */
async function stdioCalls(calls: number): Promise<Record<string, number>> {
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", "--quiet", `${ROOT}cli.ts`, "proxy", ...upstreamArgs()],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  let buf = "";
  const next = async (): Promise<{ id?: number; result?: { tools?: { name: string }[] } }> => {
    for (;;) {
      const i = buf.indexOf("\n");
      if (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        return JSON.parse(line);
      }
      const r = await reader.read();
      if (r.done) throw new Error("proxy closed its stdout");
      buf += dec.decode(r.value, { stream: true });
    }
  };
  const send = (m: unknown) => writer.write(enc.encode(JSON.stringify(m) + "\n"));
  try {
    await send({ jsonrpc: "2.0", id: 1, method: "initialize", params: INIT });
    await next();
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    const tools = (await next()).result?.tools ?? [];
    const echo = tools.find((t) => t.name.endsWith("echo"))?.name;
    if (!echo) throw new Error("no echo tool listed");
    const idle = await settledRss(child.pid);
    let id = 10;
    const t0 = performance.now();
    const quarters: number[] = [];
    // Each call's time from its send to its answer (ms), for the percentiles under steady load.
    const latency = new Float64Array(calls);
    const sentAt = new Map<number, number>();
    for (let done = 0; done < calls;) {
      const n = Math.min(16, calls - done);
      for (let j = 0; j < n; j++) {
        sentAt.set(id, performance.now());
        await send({
          jsonrpc: "2.0",
          id: id++,
          method: "tools/call",
          params: { name: echo, arguments: { text: "hello" } },
        });
      }
      for (let j = 0; j < n; j++) {
        const answer = await next();
        latency[done + j] = performance.now() - (sentAt.get(answer.id!) ?? NaN);
        sentAt.delete(answer.id!);
      }
      // RSS at each quarter: flat after warm-up, or growing with the calls?
      if (Math.floor((done * 4) / calls) !== Math.floor(((done + n) * 4) / calls)) {
        quarters.push(rssMiB(child.pid) ?? NaN);
      }
      done += n;
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = await settledRss(child.pid);
    const atQuarters = Object.fromEntries(quarters.map((q, i) => [`q${i + 1}MiB`, q]));
    latency.sort();
    const at = (p: number) => latency[Math.min(calls - 1, Math.floor(p * calls))];
    return { idleMiB: idle, ...atQuarters, afterMiB: after, calls, seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    await writer.close().catch(() => {});
    await reader.cancel().catch(() => {});
    await stop(child);
  }
}

/** RSS before and after `sessions` idle stateful streamable-HTTP sessions. */
async function statefulSessions(sessions: number): Promise<Record<string, number>> {
  const dir = `${ROOT}.tmp/bench`;
  Deno.mkdirSync(dir, { recursive: true });
  const config = `${dir}/memory-stateful.yaml`;
  Deno.writeTextFileSync(
    config,
    `# written by scripts/bench/memory.ts\nstreamable-http:\n  stateless: false\n  json_response: true\n` +
      `  max_sessions: ${sessions + 100}\n  max_sessions_per_user: ${sessions + 100}\n`,
  );
  const port = freePort();
  const inspectPort = freePort();
  const child = new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      "--quiet",
      // The heap held per session is read through the inspector, GC first (RSS counts headroom too).
      `--inspect=127.0.0.1:${inspectPort}`,
      `${ROOT}cli.ts`,
      "proxy",
      "--config",
      config,
      "--transport",
      "streamable-http",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...upstreamArgs(),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}/mcp`;
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const ids: string[] = [];
  let heap: HeapReader | undefined;
  const open = async (): Promise<void> => {
    const r = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: INIT }),
    });
    await r.arrayBuffer();
    const sid = r.headers.get("mcp-session-id");
    if (!r.ok || !sid) throw new Error(`initialize: HTTP ${r.status}`);
    ids.push(sid);
    const n = await fetch(url, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": sid, "mcp-protocol-version": INIT.protocolVersion },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    await n.arrayBuffer();
  };
  try {
    for (let i = 0; i < 200; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // A few first, so the code paths of a session are loaded before the baseline.
    for (let i = 0; i < 10; i++) await open();
    heap = await heapReader(inspectPort);
    const heapBefore = await heap.usedKiB();
    const before = await settledRss(child.pid);
    const half = Math.floor(sessions / 2);
    for (let i = 0; i < half; i++) await open();
    const middle = await settledRss(child.pid);
    for (let i = half; i < sessions; i++) await open();
    const after = await settledRss(child.pid);
    const heapAfter = await heap.usedKiB();
    return {
      heapBeforeMiB: heapBefore / 1024,
      heapAfterMiB: heapAfter / 1024,
      heapKibPerSession: (heapAfter - heapBefore) / sessions,
      beforeMiB: before,
      middleMiB: middle,
      afterMiB: after,
      sessions,
      kibPerSession: ((after - before) * 1024) / sessions,
      // The second half alone: start-up garbage and heap growth steps weigh less.
      kibPerSessionSecondHalf: ((after - middle) * 1024) / (sessions - half),
    };
  } finally {
    heap?.close();
    for (const sid of ids) {
      await fetch(url, { method: "DELETE", headers: { "mcp-session-id": sid } }).then((r) => r.body?.cancel())
        .catch(() => {});
    }
    await stop(child);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { calls: { type: "string" }, sessions: { type: "string" } },
  });
  const calls = Number(values.calls ?? 100_000);
  const sessions = Number(values.sessions ?? 1000);
  console.log(`load ${Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")}`);
  if (calls > 0) console.log("stdio", JSON.stringify(await stdioCalls(calls)));
  if (sessions > 0) console.log("stateful-http", JSON.stringify(await statefulSessions(sessions)));
}
