// Self-healing: a crashed upstream is reported while down, restarted with backoff, announced with
// list_changed when back; stdio children and their own children never outlive the proxy.
import assert from "node:assert/strict";
import { ToolListChangedNotificationSchema } from "../../src/sdk/types.ts";
import {
  connectHttp,
  connectStdio,
  DENO,
  eventually,
  firstText,
  INITIALIZE,
  newClient,
  spawnStdio,
  startCli,
  tempConfig,
} from "../helpers.ts";
import { alive, FIXTURE_ARGS, fixtureYaml } from "./_helpers.ts";

async function health(
  url: string,
): Promise<{ proxy: { upstreams: Record<string, Record<string, unknown>> } }> {
  const res = await fetch(new URL("/health", url));
  return await res.json();
}

Deno.test("a crashed stdio upstream: isError while down, restarted, list_changed when back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "proxy-crash-" });
  const failFile = `${dir}/fail`;
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\nproxy: {enabled: true}\n` +
      `mcp_servers:\n${fixtureYaml("fx", {}, { FIXTURE_FAIL_FILE: failFile })}`,
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const client = newClient();
    const c = await connectHttp(url, { client });
    try {
      const pid1 = Number(firstText(await client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      assert.ok(await alive(pid1));

      // From now on the upstream cannot start: it stays down until the fail file goes away.
      await Deno.writeTextFile(failFile, "");
      await client.callTool({ name: "proxy.fx.crash", arguments: {} });
      await eventually(
        async () => (await health(url)).proxy.upstreams.fx.state !== "ready",
        "upstream down",
        {
          tries: 200,
        },
      );
      const down = await client.callTool({ name: "proxy.fx.echo", arguments: { text: "x" } });
      assert.equal(down.isError, true);
      assert.match(firstText(down), /^Upstream 'fx' is (restarting|failed)/);
      assert.ok(!(await alive(pid1)), "the crashed child is gone");

      const back = new Promise<void>((resolve) =>
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())
      );
      await Deno.remove(failFile);
      await back;
      assert.equal(
        firstText(await client.callTool({ name: "proxy.fx.echo", arguments: { text: "again" } })),
        "again",
      );
      const h = (await health(url)).proxy.upstreams.fx;
      assert.equal(h.state, "ready");
      assert.equal(h.restarts, 1);
      const pid2 = Number(firstText(await client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      assert.notEqual(pid2, pid1);
    } finally {
      await c.close();
    }
  } finally {
    assert.equal((await proc.stop()).code, 0, proc.stderr());
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startup: a broken upstream does not stop the others, and its state is visible", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\nproxy: {enabled: true}\n` +
      `mcp_servers:\n  broken: {type: stdio, command: /nonexistent/mcp-server}\n${fixtureYaml("fx")}`,
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const h = (await health(url)).proxy.upstreams;
    assert.equal(h.fx.state, "ready");
    assert.match(String(h.broken.state), /restarting|failed/);
    assert.match(String(h.broken.last_error), /not found|No such file/i);
    const c = await connectHttp(url);
    try {
      assert.equal(
        firstText(await c.client.callTool({ name: "proxy.fx.echo", arguments: { text: "ok" } })),
        "ok",
      );
    } finally {
      await c.close();
    }
  } finally {
    await proc.stop();
  }
});

Deno.test("no orphans: a grandchild that ignores EOF dies with the proxy's process group", async () => {
  // bash is the direct child; the MCP server is bash's child and keeps running after its stdin
  // closes, so only a signal to the whole group can end it.
  const script = `${[DENO, ...FIXTURE_ARGS].map((a) => `'${a}'`).join(" ")}; true`;
  const c = await connectStdio([
    "proxy",
    "--stdio",
    "fx",
    "--command",
    "bash",
    "--env",
    "FIXTURE_IGNORE_EOF=1",
    "--",
    "-c",
    script,
  ]);
  const pid = Number(firstText(await c.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
  assert.ok(await alive(pid));
  await c.close(); // the proxy's stdin closes; it shuts down and ends its children's group
  await eventually(async () => !(await alive(pid)), `grandchild ${pid} gone`, { tries: 300 });
});

Deno.test("a stdout line over max_line_bytes: the upstream is reported and restarted; the proxy stays small", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\nproxy: {enabled: true}\n` +
      `mcp_servers:\n${fixtureYaml("fx", { max_line_bytes: 1 << 20 })}`,
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const c = await connectHttp(url);
    try {
      const pid1 = Number(firstText(await c.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      const flood = await c.client.callTool({ name: "proxy.fx.flood", arguments: { mib: 64 } });
      assert.equal(flood.isError, true, firstText(flood));
      await proc.waitForStderr(/ERROR proxy\.fx\.stderr: stdout line longer than 1048576 bytes: not MCP/);
      await eventually(
        async () => {
          const fx = (await health(url)).proxy.upstreams.fx;
          return fx.state === "ready" && (fx.restarts as number) >= 1;
        },
        "the upstream restarted",
        { tries: 200 },
      );
      assert.ok(!(await alive(pid1)), "the flooding child is gone");
      const echo = await c.client.callTool({ name: "proxy.fx.echo", arguments: { text: "back" } });
      assert.equal(firstText(echo), "back");
      // It held at most the cap of the line: RSS far below the 64 MiB written.
      const status = await Deno.readTextFile(`/proc/${proc.child.pid}/status`);
      const peakMb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
      assert.ok(peakMb < 200, `peak RSS ${peakMb.toFixed(0)} MB`);
    } finally {
      await c.close();
    }
  } finally {
    await proc.stop();
  }
});

Deno.test("stdin EOF with an upstream that ignores EOF: the proxy exits on its own before a client's kill window, no grandchild left", async () => {
  // The SDK client's close() ends stdin, waits 2 s, then SIGTERMs the server (and its children,
  // in their own process groups, would be orphaned): the proxy has to be gone before that.
  const script = `${[DENO, ...FIXTURE_ARGS].map((a) => `'${a}'`).join(" ")}; true`;
  const p = spawnStdio([
    "proxy",
    "--stdio",
    "fx",
    "--command",
    "bash",
    "--env",
    "FIXTURE_IGNORE_EOF=1",
    "--",
    "-c",
    script,
  ]);
  await p.send(JSON.stringify(INITIALIZE) + "\n");
  await p.out.until((m) => m.id === 0);
  await p.send(
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n" +
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "proxy.fx.pid" } }) +
      "\n",
  );
  const answer = await p.out.until((m) => m.id === 1) as { result: { content: { text: string }[] } };
  const pid = Number(answer.result.content[0].text);
  assert.ok(await alive(pid));
  const started = performance.now();
  await p.closeStdin();
  const KILL_WINDOW_MS = 2000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    p.child.status,
    new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), KILL_WINDOW_MS)),
  ]);
  clearTimeout(timer);
  const elapsed = Math.round(performance.now() - started);
  if (!status) p.child.kill("SIGKILL");
  await p.child.status;
  const stderr = await p.stderr;
  await p.out.cancel();
  assert.ok(status, `still running ${KILL_WINDOW_MS} ms after stdin EOF:\n${stderr}`);
  assert.equal(status.code, 0, stderr);
  console.log(`  proxy exited ${elapsed} ms after stdin EOF`);
  await eventually(async () => !(await alive(pid)), `grandchild ${pid} gone`, { tries: 300 });
});
