// The Upstream connection against a scripted in-process server (raw JSON-RPC, so it can send what
// a real SDK server never would): a malformed answer is that call's problem, not the connection's;
// server→client messages are never routed to a caller they cannot be proven to belong to.
import assert from "node:assert/strict";
import { createTestContext, type RequestContext, Runtime, validateConfig } from "../../mod.ts";
import { ProxyPlugin } from "../../src/proxy/plugin.ts";
import { Upstream } from "../../src/proxy/upstream.ts";
import type { Transport } from "../../src/sdk/server.ts";
import type { JSONRPCMessage } from "../../src/sdk/types.ts";

type Message = Record<string, unknown> & { id?: number | string; method?: string; params?: never };

/** One end of an in-process link; `send` delivers to the other end a microtask later. */
class LinkEnd implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  other!: LinkEnd;
  #closed = false;
  start(): Promise<void> {
    return Promise.resolve();
  }
  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("link closed"));
    queueMicrotask(() => this.other.onmessage?.(message));
    return Promise.resolve();
  }
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.onclose?.();
    return this.other.close();
  }
}

/**
 * A scripted upstream: answers initialize and tools/list itself, hands every tools/call to
 * `onCall`. Counts the connections the Upstream opened.
 */
function scriptedServer(onCall: (msg: Message, reply: (m: unknown) => void) => void) {
  let connections = 0;
  const factory = (): Transport => {
    connections++;
    const client = new LinkEnd();
    const server = new LinkEnd();
    client.other = server;
    server.other = client;
    const reply = (m: unknown) => void server.send(m as JSONRPCMessage);
    server.onmessage = (raw) => {
      const msg = raw as unknown as Message;
      const result = (r: unknown) => reply({ jsonrpc: "2.0", id: msg.id, result: r });
      if (msg.method === "initialize") {
        result({
          protocolVersion: (msg.params as unknown as { protocolVersion: string }).protocolVersion,
          capabilities: { tools: {}, logging: {} },
          serverInfo: { name: "scripted", version: "1" },
        });
      } else if (msg.method === "tools/list") {
        result({
          tools: ["bad", "slow", "echo"].map((name) => ({ name, inputSchema: { type: "object" } })),
        });
      } else if (msg.method === "tools/call") {
        onCall(msg, reply);
      }
    };
    return client;
  };
  return { factory, connections: () => connections };
}

const ENTRY = validateConfig({ mcp_servers: { fx: { type: "stdio", command: "unused" } } }, "test")
  .mcp_servers.fx;
const HOST = { connections: new Set<never>(), env: () => undefined, baseDir: "/" };

Deno.test("upstream: a malformed result fails that call only; the shared connection stays up", async () => {
  const server = scriptedServer((msg, reply) => {
    const name = (msg.params as unknown as { name: string }).name;
    const result = name === "bad"
      ? { content: "not a list of content blocks" }
      : { content: [{ type: "text", text: "ok" }] };
    reply({ jsonrpc: "2.0", id: msg.id, result });
  });
  const up = new Upstream("fx", ENTRY, HOST, { transportFactory: server.factory });
  await up.start();
  try {
    assert.equal(up.state, "ready");
    const bad = await up.callTool("bad", {}, createTestContext(), 10, "proxy.fx.bad");
    assert.equal(bad.isError, true);
    assert.match((bad.content[0] as { text: string }).text, /^Upstream 'fx' sent an invalid result/);
    assert.equal(up.state, "ready");
    assert.equal(up.status().restarts, 0);
    const ok = await up.callTool("echo", {}, createTestContext(), 10, "proxy.fx.echo");
    assert.deepEqual(ok.content, [{ type: "text", text: "ok" }]);
    assert.equal(server.connections(), 1, "no reconnect");
  } finally {
    await up.stop();
  }
});

Deno.test("upstream: a log during calls of callers without a session id goes to none of them", async () => {
  const pending: Message[] = [];
  const server = scriptedServer((msg, reply) => {
    pending.push(msg);
    if (pending.length < 2) return;
    // Both calls are in flight: log, then (after the log is handled) answer both.
    reply({
      jsonrpc: "2.0",
      method: "notifications/message",
      params: { level: "info", data: "whose is this?" },
    });
    setTimeout(() => {
      for (const m of pending) {
        reply({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: "done" }] } });
      }
    }, 0);
  });
  const up = new Upstream("fx", ENTRY, HOST, { transportFactory: server.factory });
  await up.start();
  try {
    // Two callers whose session could not be resolved (e.g. the session store was down): the
    // same "no session id" must not make them one caller.
    const seen: string[] = [];
    const caller = (who: string, user: string): RequestContext =>
      createTestContext({
        user: { id: user, claims: {} },
        onNotification: (method) => seen.push(`${who}: ${method}`),
      });
    const results = await Promise.all([
      up.callTool("slow", {}, caller("alice", "alice"), 10, "proxy.fx.slow"),
      up.callTool("slow", {}, caller("bob", "bob"), 10, "proxy.fx.slow"),
    ]);
    assert.deepEqual(results.map((r) => r.isError), [undefined, undefined]);
    assert.deepEqual(seen, []);
  } finally {
    await up.stop();
  }
});

Deno.test("proxy: isolation per-session gives a call without a session id no shared instance", async () => {
  const server = scriptedServer((msg, reply) =>
    reply({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: "ok" }] } })
  );
  const config = validateConfig({
    proxy: { enabled: true },
    mcp_servers: { fx: { type: "stdio", command: "unused", isolation: "per-session" } },
  }, "test");
  const runtime = new Runtime({
    config,
    plugins: [new ProxyPlugin({ transportFactories: { fx: server.factory } })],
  });
  await runtime.start();
  try {
    const echo = runtime.registry.tools.get("proxy.fx.echo")!;
    assert.ok(echo);
    for (const user of ["alice", "bob"]) {
      const r = await echo.call({}, createTestContext({ user: { id: user, claims: {} } }));
      assert.equal(r.isError, true);
      assert.match((r.content[0] as { text: string }).text, /no session/);
    }
    assert.equal(server.connections(), 1, "only the discovery connection");
    const own = await echo.call({}, createTestContext({ sessionId: "s1" }));
    assert.deepEqual(own.content, [{ type: "text", text: "ok" }]);
    assert.equal(server.connections(), 2, "one instance for session s1");
  } finally {
    await runtime.stop();
  }
});
