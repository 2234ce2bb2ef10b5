// Hot reload end to end, for both triggers (SIGHUP, --watch): two real servers — streamable HTTP
// (stateful) and stdio — each proxying the fixture upstream and serving a local tool module, run
// under exactly the flags `cli.ts permissions` prints (so --watch works without read access to the
// folder). A real SDK client stays connected to each through four reloads:
// 1. an upstream added and the module edited → the new tools appear (list_changed), the module's
//    new version answers, the first upstream is not restarted;
// 2. an upstream removed, plus keys that need a restart (a session setting; the HTTP server's
//    listen port) → its tools go, a warning names each key, the server stays where it listens;
// 3. an invalid configuration → one error line naming file, line and key; nothing changes;
// 4. an upstream whose command the process may not run → refused, naming the flag.
// /health shows the generation throughout.
import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  PromptListChangedNotificationSchema,
  type Tool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { type Connected, connectHttp, connectStdio, firstText, runCliOnce, startCli } from "../helpers.ts";
import { fixtureYaml } from "../proxy/_helpers.ts";

const MODULE_V1 = `export const hello = {
  kind: "tool", name: "hello", description: "v1", inputSchema: { type: "object" }, handler: () => "hello v1",
};\n`;
// The edit also adds a prompt: clients get prompts/list_changed too.
const MODULE_V2 = `// edited\n${MODULE_V1.replaceAll("v1", "v2")}export const brief = {
  kind: "prompt", name: "brief", description: "v2", handler: () => "brief v2",
};\n`;

function config(
  transport: "http" | "stdio",
  upstreams: string[],
  extra = "",
  port = 0,
): string {
  const server = transport === "http"
    ? `server: {type: streamable-http}\nstreamable-http: {port: ${port}, stateless: false}\n`
    : "server: {type: stdio}\n";
  return server + "tools: {modules_to_import: [tools.ts]}\nproxy: {enabled: true}\n" + extra +
    "mcp_servers:\n" + upstreams.map((u) => fixtureYaml(u)).join("");
}

/** Counts tools/list_changed (or prompts/list_changed) and lets a test wait for the next one. */
function listChanges(
  client: Client,
  schema: typeof ToolListChangedNotificationSchema | typeof PromptListChangedNotificationSchema =
    ToolListChangedNotificationSchema,
): { next(): Promise<void> } {
  const waiters: (() => void)[] = [];
  client.setNotificationHandler(schema, () => {
    for (const w of waiters.splice(0)) w();
  });
  const method = schema.shape.method.value;
  return {
    next: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${method} within 30 s`)), 30_000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/** List tools until `ok` holds, waiting for a list_changed between tries. */
async function toolsUntil(
  c: Connected,
  changes: { next(): Promise<void> },
  ok: (names: string[], tools: Tool[]) => boolean,
): Promise<string[]> {
  for (let i = 0; i < 10; i++) {
    const next = changes.next();
    next.catch(() => {});
    const tools = (await c.client.listTools()).tools;
    const names = tools.map((t) => t.name);
    if (ok(names, tools)) return names;
    await next;
  }
  throw new Error("the tools never matched");
}

/** Resolves once the text `stream` wrote so far (`text()`) matches `pattern`; events, no polling. */
function outputMatches(
  stream: { on(event: "data", fn: () => void): unknown; off(event: "data", fn: () => void): unknown },
  text: () => string,
  pattern: RegExp,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no match for ${pattern} within 30 s:\n${text()}`)),
      30_000,
    );
    const check = () => pattern.test(text()) && done();
    const done = (e?: Error) => {
      clearTimeout(timer);
      stream.off("data", check);
      if (e) reject(e);
      else resolve();
    };
    stream.on("data", check);
    check();
  });
}

async function health(url: string): Promise<{ generation: number; last_reload_error: string | null }> {
  const res = await fetch(new URL("/health", url));
  return (await res.json()).config;
}

for (const trigger of ["SIGHUP", "--watch"] as const) {
  Deno.test(`hot reload (${trigger}): add, remove, invalid, not permitted — HTTP and stdio clients stay connected`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "reload-test-" });
    const httpConfig = `${dir}/http.yaml`;
    const stdioConfig = `${dir}/stdio.yaml`;
    const module = `${dir}/tools.ts`;
    await Deno.writeTextFile(module, MODULE_V1);
    await Deno.writeTextFile(httpConfig, config("http", ["a"]));
    await Deno.writeTextFile(stdioConfig, config("stdio", ["a"]));
    const watch = trigger === "--watch" ? ["--watch"] : [];
    const flagsOf = async (path: string) => {
      const r = await runCliOnce(["permissions", "--config", path, "--format", "flags"]);
      assert.equal(r.code, 0, r.stderr);
      return ["run", "--quiet", ...r.stdout.trim().split(" ")];
    };
    const httpProc = startCli(["--config", httpConfig, ...watch], { runFlags: await flagsOf(httpConfig) });
    let stdio: (Connected & { stderr(): string }) | undefined;
    let http: Connected | undefined;
    try {
      const url = await httpProc.ready;
      http = await connectHttp(url);
      stdio = await connectStdio(["--config", stdioConfig, ...watch], {
        runFlags: await flagsOf(stdioConfig),
      });
      const clients = [
        { c: http, changes: listChanges(http.client), path: httpConfig, kind: "http" as const },
        { c: stdio, changes: listChanges(stdio.client), path: stdioConfig, kind: "stdio" as const },
      ];
      const promptChanges = clients.map(({ c }) => {
        const changes = listChanges(c.client, PromptListChangedNotificationSchema);
        const next = changes.next();
        next.catch(() => {});
        return next;
      });
      const sessionId = http.transport.sessionId;
      const stdioPid = (stdio.transport as unknown as { pid: number }).pid;
      const stdioErr = (stdio.transport as unknown as { stderr: Parameters<typeof outputMatches>[0] }).stderr;
      const logged = (kind: "http" | "stdio", pattern: RegExp) =>
        kind === "http"
          ? within(httpProc.waitForStderr(pattern), () => `no match for ${pattern}:\n${httpProc.stderr()}`)
          : outputMatches(stdioErr, stdio!.stderr, pattern);
      const reload = async (write: (kind: "http" | "stdio", path: string) => Promise<void>) => {
        for (const { kind, path } of clients) await write(kind, path);
        if (trigger === "SIGHUP") {
          httpProc.child.kill("SIGHUP");
          Deno.kill(stdioPid, "SIGHUP");
        }
      };
      for (const { c, changes } of clients) {
        await toolsUntil(c, changes, (n) => n.includes("proxy.a.echo") && n.includes("hello"));
        assert.equal(firstText(await c.client.callTool({ name: "hello", arguments: {} })), "hello v1");
      }
      const pidOfA = new Map<string, string>();
      for (const { c, kind } of clients) {
        pidOfA.set(kind, firstText(await c.client.callTool({ name: "proxy.a.pid", arguments: {} })));
      }
      assert.equal((await health(url)).generation, 1);

      // 1. Add upstream b; edit the module.
      await reload(async (kind, path) => {
        await Deno.writeTextFile(path, config(kind, ["a", "b"]));
        if (kind === "http") await Deno.writeTextFile(module, MODULE_V2);
      });
      for (const { c, changes, kind } of clients) {
        await toolsUntil(c, changes, (n) => n.includes("proxy.b.echo") && n.includes("proxy.a.echo"));
        assert.equal(
          firstText(await c.client.callTool({ name: "proxy.b.echo", arguments: { text: `via b ${kind}` } })),
          `via b ${kind}`,
        );
        // The module's new version (the reload that saw it may come after the one that saw b).
        await toolsUntil(
          c,
          changes,
          (_, tools) => tools.find((t) => t.name === "hello")?.description === "v2",
        );
        assert.equal(firstText(await c.client.callTool({ name: "hello", arguments: {} })), "hello v2");
        // a kept its process: not restarted.
        assert.equal(
          firstText(await c.client.callTool({ name: "proxy.a.pid", arguments: {} })),
          pidOfA.get(kind),
        );
      }
      // The module's new prompt: prompts/list_changed reached both clients.
      await Promise.all(promptChanges);
      for (const { c } of clients) {
        assert.ok((await c.client.listPrompts()).prompts.some((p) => p.name === "brief"));
      }
      const afterAdd = (await health(url)).generation;
      assert.ok(afterAdd >= 2, `generation ${afterAdd}`);

      // 2. Remove upstream a; a session setting and the HTTP listen port change too (they need a
      // restart: a warning each).
      await reload((kind, path) =>
        Deno.writeTextFile(path, config(kind, ["b"], "sessions: {default_ttl_hours: 48}\n", 1))
      );
      for (const { c, changes, kind } of clients) {
        const names = await toolsUntil(c, changes, (n) => !n.includes("proxy.a.echo"));
        assert.ok(names.includes("proxy.b.echo") && names.includes("hello"), names.join(" "));
        await assert.rejects(
          c.client.callTool({ name: "proxy.a.echo", arguments: { text: "x" } }),
          /Unknown tool: proxy\.a\.echo/,
        );
        assert.equal(
          firstText(await c.client.callTool({ name: "proxy.b.echo", arguments: { text: "b" } })),
          "b",
        );
        // The warning names the key (it is said again at later reloads until a restart).
        await logged(
          kind,
          /WARNING reload: sessions\.default_ttl_hours changed: it takes effect after a restart/,
        );
        if (kind === "http") {
          await logged(
            kind,
            /WARNING reload: streamable-http\.port changed: it takes effect after a restart/,
          );
        }
      }
      // Still served where it listened.
      const afterRemove = (await health(url)).generation;
      assert.equal(afterRemove, afterAdd + 1);

      // 3. An invalid configuration: one error line with file, line and key; nothing changes.
      const invalid = (kind: "http" | "stdio") =>
        config(kind, ["b"], "sessions: {default_ttl_hours: 48}\n") + "  broken: {type: stdio, command: 5}\n";
      await reload((kind, path) => Deno.writeTextFile(path, invalid(kind)));
      for (const { c, kind, path } of clients) {
        const line = invalid(kind).split("\n").findIndex((l) => l.includes("broken")) + 1;
        const refused = new RegExp(
          `ERROR reload: refused \\(.*\\), the configuration in force stays: ${
            escape(path)
          }:${line}: mcp_servers\\.broken\\.command: [^\\n]+\\n`,
        );
        await logged(kind, refused);
        const names = (await c.client.listTools()).tools.map((t) => t.name);
        assert.ok(names.includes("proxy.b.echo") && !names.includes("proxy.a.echo"), names.join(" "));
        assert.equal(
          firstText(await c.client.callTool({ name: "proxy.b.echo", arguments: { text: "still" } })),
          "still",
        );
      }
      const h = await health(url);
      assert.equal(h.generation, afterRemove);
      assert.match(String(h.last_reload_error), /mcp_servers\.broken\.command/);

      // 4. An upstream the process may not run: refused, naming the flag to restart with.
      await reload((kind, path) =>
        Deno.writeTextFile(
          path,
          config(kind, ["b"], "sessions: {default_ttl_hours: 48}\n") +
            "  other: {type: stdio, command: definitely-not-granted-cmd}\n",
        )
      );
      const denied =
        /refused \(.*\), the configuration in force stays: .*needs --allow-run=definitely-not-granted-cmd/;
      for (const { kind } of clients) await logged(kind, denied);
      assert.equal((await health(url)).generation, afterRemove);

      // The same connections all along.
      assert.equal(http.transport.sessionId, sessionId);
      for (const { c } of clients) {
        assert.equal(firstText(await c.client.callTool({ name: "hello", arguments: {} })), "hello v2");
      }
    } finally {
      await stdio?.close();
      await http?.close();
      await httpProc.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("hot reload: a changed upstream restarts, the namespace renames, a name clash changes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "reload-test-" });
  const path = `${dir}/config.yaml`;
  const module = `${dir}/tools.ts`;
  const other = `${dir}/other.ts`;
  await Deno.writeTextFile(module, MODULE_V1);
  await Deno.writeTextFile(other, MODULE_V1.replace("v1", "other"));
  const write = (modules: string[], namespace: string, env: string) =>
    Deno.writeTextFile(
      path,
      "server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n" +
        `tools: {modules_to_import: [${
          modules.join(", ")
        }]}\nproxy: {enabled: true, namespace: ${namespace}}\n` +
        "mcp_servers:\n" + fixtureYaml("a", {}, { MARK: env }),
    );
  await write(["tools.ts"], "proxy", "one");
  const proc = startCli(["--config", path]);
  let http: Connected | undefined;
  try {
    const url = await proc.ready;
    http = await connectHttp(url);
    const changes = listChanges(http.client);
    await toolsUntil(http, changes, (n) => n.includes("proxy.a.pid"));
    const pid = firstText(await http.client.callTool({ name: "proxy.a.pid", arguments: {} }));

    // The upstream's env and the namespace change: a restarts (a new process), every name moves.
    await write(["tools.ts"], "up", "two");
    proc.child.kill("SIGHUP");
    await toolsUntil(http, changes, (n) => n.includes("up.a.pid") && !n.includes("proxy.a.pid"));
    await proc.waitForStderr(/generation 2 in force \(SIGHUP\): restart-upstream a, rename/);
    // The new process has listed (its tools stayed listed meanwhile).
    await within(proc.waitForStderr(/generation 2[^]*INFO proxy\.a: ready/), () => proc.stderr());
    const restarted = firstText(await http.client.callTool({ name: "up.a.pid", arguments: {} }));
    assert.match(restarted, /^\d+$/);
    assert.notEqual(restarted, pid);

    // A second module defining the same tool: refused, naming both; nothing changes.
    await write(["tools.ts", "other.ts"], "other", "three");
    proc.child.kill("SIGHUP");
    await within(
      proc.waitForStderr(
        /refused \(SIGHUP\), the configuration in force stays: .*hello.*tools\.ts.*other\.ts/,
      ),
      () => proc.stderr(),
    );
    const names = (await http.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("up.a.pid") && names.includes("hello"), `${names.join(" ")}\n${proc.stderr()}`);
    assert.equal(firstText(await http.client.callTool({ name: "up.a.pid", arguments: {} })), restarted);
    assert.equal(firstText(await http.client.callTool({ name: "hello", arguments: {} })), "hello v1");
    assert.equal((await health(url)).generation, 2);
  } finally {
    await http?.close();
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `pending`, or a failure (saying `why()`) after 30 s. */
function within(pending: Promise<unknown>, why: () => string): Promise<void> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    pending.then(() => {}),
    new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(why())), 30_000))),
  ]).finally(() => clearTimeout(timer));
}
