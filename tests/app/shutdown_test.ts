// Graceful shutdown on SIGTERM, through the real CLI: new connections are refused, an in-flight
// call still answers, the process exits 0, and children owned by plugins are stopped.
import assert from "node:assert/strict";
import { eventually, FIXTURES, sseEvents, startCli, startHttpServer } from "../helpers.ts";

const YAML = (type: "streamable-http" | "sse") =>
  `server: {type: ${type}}\n${type}: {port: 0}\ntools:\n  modules_to_import: ["${FIXTURES}probe.ts"]\n`;

const CALL = (id: number, ms: number) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "step_then_wait", arguments: { ms }, _meta: { progressToken: "p" } },
  });

Deno.test("SIGTERM (streamable HTTP): stop accepting, finish the in-flight call, exit 0", async () => {
  const server = await startHttpServer(YAML("streamable-http"));
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: CALL(1, 1000),
  });
  const stream = sseEvents(res.body!);
  const first = await stream.next();
  assert.equal((first?.data as { method: string }).method, "notifications/progress", "the call is running");
  server.proc.child.kill("SIGTERM");
  await server.proc.waitForStderr(/stopping: 1 call\(s\) in flight/);
  // New connections are refused while the call (1 s) is still running.
  await eventually(
    async () => {
      try {
        await (await fetch(`${server.origin}/health`)).body?.cancel();
        return undefined;
      } catch {
        return true;
      }
    },
    "the listener to close",
    { tries: 40, everyMs: 10 },
  );
  const rest: unknown[] = [];
  for (let e = await stream.next(); e; e = await stream.next()) rest.push(e.data);
  assert.deepEqual(rest.at(-1), {
    jsonrpc: "2.0",
    id: 1,
    result: { content: [{ type: "text", text: "waited 1000 ms" }] },
  });
  const status = await server.proc.status;
  assert.equal(status.code, 0, server.proc.stderr());
});

Deno.test("SIGTERM (SSE): the in-flight call still answers on the stream before exit", async () => {
  const server = await startHttpServer(YAML("sse"));
  const stream = sseEvents((await fetch(server.url)).body!);
  const endpoint = await stream.next();
  assert.equal(endpoint?.event, "endpoint");
  const posted = await fetch(new URL(String(endpoint.data), server.origin), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: CALL(5, 800),
  });
  await posted.body?.cancel();
  assert.equal(posted.status, 202);
  assert.equal(((await stream.next())?.data as { method: string }).method, "notifications/progress");
  server.proc.child.kill("SIGTERM");
  const seen: unknown[] = [];
  for (let e = await stream.next(); e; e = await stream.next()) seen.push(e.data);
  assert.deepEqual(seen.at(-1), {
    jsonrpc: "2.0",
    id: 5,
    result: { content: [{ type: "text", text: "waited 800 ms" }] },
  });
  assert.equal((await server.proc.status).code, 0, server.proc.stderr());
});

Deno.test("SIGTERM stops plugins: a child process they own is gone when the server exits", async () => {
  const proc = startCli([], { entry: `${FIXTURES}plugin_server.ts` });
  const url = await proc.ready;
  const pid = Number((await proc.waitForStderr(/child pid (\d+)/))[1]);
  const health = await (await fetch(new URL("/health", url))).json();
  assert.equal(health.child_holder.child, pid, "the plugin reports in /health");
  assert.ok((await Deno.stat(`/proc/${pid}`)).isDirectory, "the child runs");
  const status = await proc.stop("SIGTERM");
  assert.equal(status.code, 0, proc.stderr());
  assert.match(proc.stderr(), /child stopped/);
  await assert.rejects(Deno.stat(`/proc/${pid}`), Deno.errors.NotFound);
});

Deno.test("a second signal exits at once, without waiting for calls in flight", async () => {
  const server = await startHttpServer(YAML("streamable-http"));
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: CALL(1, 60_000),
  });
  const stream = sseEvents(res.body!);
  await stream.next(); // the call is running
  server.proc.child.kill("SIGINT");
  await server.proc.waitForStderr(/stopping: 1 call\(s\) in flight/);
  server.proc.child.kill("SIGINT");
  const status = await server.proc.status;
  assert.equal(status.code, 130);
  assert.match(server.proc.stderr(), /SIGINT again: exiting without waiting for calls in flight/);
  await stream.cancel();
});

Deno.test("SIGTERM the moment the ready banner appears stops gracefully (exit 0), every time", async () => {
  // A supervisor may signal as soon as it reads the banner: the handlers are in place by then.
  const yaml = "server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n" +
    "artifacts:\n  enabled: true\n  tools: {write_file: {enabled: true}}\n";
  for (let i = 0; i < 5; i++) {
    const server = await startHttpServer(yaml);
    const status = await server.stop();
    assert.equal(status.code, 0, `run ${i + 1}: ${server.proc.stderr()}`);
    assert.match(server.proc.stderr(), /stopping: 0 call\(s\) in flight/);
  }
});
