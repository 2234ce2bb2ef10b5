// Per-client sessions and the session tools, end to end: the CLI is spawned and clients talk MCP
// to it over the real transports; Redis is real.
import assert from "node:assert/strict";
import { bearer, SECRET, sign } from "../auth/tokens.ts";
import {
  type Connected,
  connectHttp,
  connectSse,
  connectStdio,
  eventually,
  firstText,
  FIXTURES,
  postJson,
  startCli,
  tempConfig,
} from "../helpers.ts";
import {
  dropKeys,
  ignoreWithoutRedisServer,
  keysUnder,
  need,
  NEEDS,
  OwnRedis,
  service,
  testName,
  uniqueNamespace,
} from "../services.ts";

const TOOLS = `tools:\n  modules_to_import: ["${FIXTURES}identity_tools.ts"]\n`;
const SESSION_TOOLS = `session_tools:
  enabled: true
  tools:
    get_current_session: {enabled: true}
    set_session: {enabled: true}
    clear_session: {enabled: true}
    list_sessions: {enabled: true}
    get_session_info: {enabled: true}
    create_session: {enabled: true}
`;

const redis = service("REDIS_URL");
const cluster = service("REDIS_CLUSTER_URL");

async function tool(c: Connected, name: string, args: Record<string, unknown> = {}) {
  const r = await c.client.callTool({ name, arguments: args });
  const text = firstText(r);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { isError: r.isError === true, text, json: json ?? {} };
}

async function sessionOf(c: Connected): Promise<string> {
  return (await tool(c, "whoami")).json.session as string;
}

Deno.test("sessions e2e: each connection has its own session (stateful HTTP, SSE, stdio)", async () => {
  const http = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n${TOOLS}`,
  );
  const sse = await tempConfig(`server: {type: sse}\nsse: {port: 0}\n${TOOLS}`);
  const procs = [startCli(["--config", http.path]), startCli(["--config", sse.path])];
  try {
    const [httpUrl, sseUrl] = await Promise.all(procs.map((p) => p.ready));
    for (const [url, connect] of [[httpUrl, connectHttp], [sseUrl, connectSse]] as const) {
      const a = await connect(url);
      const b = await connect(url);
      const sa = await sessionOf(a);
      const sb = await sessionOf(b);
      assert.match(sa, /^sess-\d+-[0-9a-f]{24}$/);
      assert.notEqual(sa, sb, `two clients of ${url} share no session`);
      assert.equal(await sessionOf(a), sa, "a client keeps its session");
      assert.equal(await sessionOf(b), sb);
      await a.close();
      await b.close();
    }
    const stdio = await connectStdio(["--config", http.path, "--transport", "stdio"]);
    const s = await sessionOf(stdio);
    assert.equal(await sessionOf(stdio), s);
    await stdio.close();
  } finally {
    for (const p of procs) await p.stop();
  }
});

Deno.test("sessions e2e: stateless HTTP — a user's connections share one session, anonymous calls do not", async () => {
  const authed = await tempConfig(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n${TOOLS}`,
  );
  const open = await tempConfig(`server: {type: streamable-http}\nstreamable-http: {port: 0}\n${TOOLS}`);
  const a = startCli(["--config", authed.path], { env: { JWT_SECRET_KEY: SECRET } });
  const o = startCli(["--config", open.path]);
  try {
    const [authedUrl, openUrl] = await Promise.all([a.ready, o.ready]);
    const alice1 = await connectHttp(authedUrl, { headers: bearer(await sign({ sub: "alice" })) });
    const alice2 = await connectHttp(authedUrl, { headers: bearer(await sign({ sub: "alice", n: 2 })) });
    const bob = await connectHttp(authedUrl, { headers: bearer(await sign({ sub: "bob" })) });
    const s = await sessionOf(alice1);
    assert.equal(await sessionOf(alice2), s, "alice's two connections share her session");
    assert.equal(await sessionOf(alice1), s);
    assert.notEqual(await sessionOf(bob), s, "bob has his own");
    for (const c of [alice1, alice2, bob]) await c.close();

    const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } };
    const one = JSON.parse((await postJson(openUrl, call)).text).result.structuredContent.session;
    const two = JSON.parse((await postJson(openUrl, call)).text).result.structuredContent.session;
    assert.ok(one && two);
    assert.notEqual(one, two, "anonymous stateless calls never share a session");
  } finally {
    await a.stop();
    await o.stop();
  }
});

/** The session tools, as alice and bob, on a server using `provider`; returns alice's session ids. */
async function sessionToolsScenario(url: string): Promise<{ first: string; made: string }> {
  const alice = await connectHttp(url, { headers: bearer(await sign({ sub: "alice" })) });
  const bob = await connectHttp(url, { headers: bearer(await sign({ sub: "bob" })) });
  try {
    const tools = (await alice.client.listTools()).tools.map((t) => t.name);
    for (
      const n of [
        "get_current_session",
        "set_session",
        "clear_session",
        "list_sessions",
        "get_session_info",
        "create_session",
      ]
    ) {
      assert.ok(tools.includes(n), `${n} is listed`);
    }
    const cur = await tool(alice, "get_current_session");
    assert.equal(cur.isError, false, cur.text);
    const first = cur.json.session_id as string;
    assert.equal(cur.json.status, "active");
    assert.equal(cur.json.message, `Current session: ${first}`);
    assert.equal(await sessionOf(alice), first, "ctx.sessionId is the runtime session");

    const madeId = `proj-${crypto.randomUUID().slice(0, 8)}`;
    const made = await tool(alice, "create_session", { session_id: madeId, metadata: { project: "apollo" } });
    assert.equal(made.isError, false, made.text);
    assert.equal(made.json.session_id, madeId);
    assert.equal(made.json.status, "created");
    assert.equal(made.json.is_current, true);
    assert.equal((made.json.metadata as Record<string, unknown>).project, "apollo");
    assert.equal((made.json.metadata as Record<string, unknown>).created_via, "session_management_tools");
    assert.equal(await sessionOf(alice), madeId, "create_session switched later calls");

    const dup = await tool(bob, "create_session", { session_id: madeId });
    assert.equal(dup.isError, true);
    assert.match(dup.text, /already exists/);

    const list = await tool(alice, "list_sessions");
    assert.deepEqual((list.json.sessions as string[]).sort(), [first, madeId].sort());
    assert.equal(list.json.count, 2);
    assert.equal(list.json.current_session, madeId);

    const info = await tool(alice, "get_session_info", { session_id: madeId });
    assert.equal(info.json.status, "active");
    assert.equal(info.json.is_current, true);
    assert.equal(info.json.user_id, "alice");
    assert.deepEqual((info.json.metadata as Record<string, unknown>).project, "apollo");

    const back = await tool(alice, "set_session", { session_id: first });
    assert.equal(back.isError, false, back.text);
    assert.equal(back.text, `Session context set to: ${first}`);
    assert.equal(await sessionOf(alice), first);

    // Bob: cannot switch to, see or list alice's sessions.
    const steal = await tool(bob, "set_session", { session_id: madeId });
    assert.equal(steal.isError, true);
    assert.equal(steal.text, `Failed to set session context: Session not found: ${madeId}`);
    const peek = await tool(bob, "get_session_info", { session_id: madeId });
    assert.equal(peek.json.status, "unknown");
    assert.equal(peek.json.metadata, undefined);
    const bobs = await tool(bob, "list_sessions");
    assert.equal(bobs.json.count, 1);
    assert.ok(
      !(bobs.json.sessions as string[]).includes(madeId) && !(bobs.json.sessions as string[]).includes(first),
    );
    const empty = await tool(bob, "set_session", { session_id: " " });
    assert.equal(empty.text, "Failed to set session context: Session ID must be a non-empty string");

    const cleared = await tool(alice, "clear_session");
    assert.equal(cleared.text, `Session context cleared (was: ${first})`);
    const fresh = await sessionOf(alice);
    assert.notEqual(fresh, first);
    assert.notEqual(fresh, madeId);
    return { first, made: madeId };
  } finally {
    await alice.close();
    await bob.close();
  }
}

Deno.test("sessions e2e: session tools over memory", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0, stateless: false}\n${TOOLS}${SESSION_TOOLS}`,
  );
  const proc = startCli(["--config", path], { env: { JWT_SECRET_KEY: SECRET } });
  try {
    await sessionToolsScenario(await proc.ready);
  } finally {
    await proc.stop();
  }
});

Deno.test({
  name: testName(
    "sessions e2e: session tools over Redis; keys namespaced; a second instance sees the same sessions",
    redis.ignore,
    redis.why,
  ),
  ignore: redis.ignore,
  fn: async () => {
    const url = need("REDIS_URL");
    const ns = uniqueNamespace();
    const { path } = await tempConfig(
      `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0, stateless: false}\n` +
        `artifacts: {session_provider: redis}\n${TOOLS}${SESSION_TOOLS}`,
    );
    const env = { JWT_SECRET_KEY: SECRET, REDIS_URL: url, ...ns.env };
    const one = startCli(["--config", path], { env });
    const two = startCli(["--config", path], { env });
    const elsewhere = startCli(["--config", path], {
      env: { ...env, DEPLOYMENT_ID: `${ns.env.DEPLOYMENT_ID}x` },
    });
    try {
      const { first, made } = await sessionToolsScenario(await one.ready);
      const keys = (await keysUnder(url, ns.prefix)).map((k) => k.slice(ns.prefix.length));
      assert.ok(keys.includes(`session:${first}`), keys.join(" "));
      assert.ok(keys.includes(`session:${made}`));
      assert.ok(keys.includes("user:alice:sessions"));
      assert.ok(keys.includes("user:bob:sessions"));
      assert.ok(keys.every((k) => /^(session:|claim:|user:)/.test(k)), keys.join(" "));
      // Every key expires.
      const { Redis } = await import("ioredis");
      const probe = new Redis(url);
      for (const k of keys) assert.ok((await probe.ttl(ns.prefix + k)) > 0, `${k} has a TTL`);
      probe.disconnect();

      // Another instance of the same deployment shares the store: alice can resume there.
      const alice = await connectHttp(await two.ready, { headers: bearer(await sign({ sub: "alice" })) });
      const list = await tool(alice, "list_sessions");
      assert.ok((list.json.sessions as string[]).includes(made), JSON.stringify(list.json));
      assert.equal((await tool(alice, "set_session", { session_id: made })).isError, false);
      assert.equal(await sessionOf(alice), made);
      await alice.close();
      // Another deployment on the same Redis sees nothing of it.
      const stranger = await connectHttp(await elsewhere.ready, {
        headers: bearer(await sign({ sub: "alice" })),
      });
      const none = await tool(stranger, "set_session", { session_id: made });
      assert.equal(none.isError, true);
      await stranger.close();
    } finally {
      for (const p of [one, two, elsewhere]) await p.stop();
      await dropKeys(url, ns.prefix);
    }
  },
});

Deno.test({
  name: testName("sessions e2e: session tools over Redis Cluster", cluster.ignore, cluster.why),
  ignore: cluster.ignore,
  fn: async () => {
    const url = need("REDIS_CLUSTER_URL");
    const ns = uniqueNamespace();
    const { path } = await tempConfig(
      `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0, stateless: false}\n${TOOLS}${SESSION_TOOLS}`,
    );
    const proc = startCli(["--config", path], {
      env: { JWT_SECRET_KEY: SECRET, SESSION_PROVIDER: "redis", REDIS_URL: `${url}/0`, ...ns.env },
    });
    try {
      const { made } = await sessionToolsScenario(await proc.ready);
      const keys = await keysUnder(url, ns.prefix);
      assert.ok(keys.includes(`${ns.prefix}session:${made}`), keys.join(" "));
      const health = await (await fetch(new URL("/health", await proc.ready))).json();
      assert.deepEqual(health.session_store, { provider: "redis", status: "ready" });
    } finally {
      await proc.stop();
      await dropKeys(url, ns.prefix);
    }
  },
});

Deno.test({
  name: testName(
    "sessions e2e: Redis stopped mid-run — clear errors, the server keeps running, and recovers",
    ignoreWithoutRedisServer(),
    NEEDS["redis-server"],
  ),
  ignore: ignoreWithoutRedisServer(),
  fn: async () => {
    const own = new OwnRedis();
    await own.start();
    const { path } = await tempConfig(
      `server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n${TOOLS}${SESSION_TOOLS}`,
    );
    const proc = startCli(["--config", path], { env: { SESSION_PROVIDER: "redis", REDIS_URL: own.url } });
    let c: Connected | undefined;
    try {
      const url = await proc.ready;
      const healthUrl = new URL("/health", url);
      c = await connectHttp(url);
      const before = await tool(c, "create_session", { metadata: { step: 1 } });
      assert.equal(before.isError, false, before.text);
      const id = before.json.session_id as string;

      await own.stop();
      const down = await tool(c, "get_current_session");
      assert.equal(down.isError, true);
      assert.match(down.text, /^Session store unavailable \(redis\)/);
      // Calls that do not need a session still work; the server is up.
      const who = await tool(c, "whoami");
      assert.equal(who.isError, false);
      assert.equal(who.json.session, id);
      const health = await (await fetch(healthUrl)).json();
      assert.equal(health.session_store.status, "down");

      await own.start();
      // The store reconnects by itself; /health says when (bounded wait, no restart).
      await eventually(
        async () => (await (await fetch(healthUrl)).json()).session_store.status === "ready",
        "the session store to report ready",
        { everyMs: 100 },
      );
      const after = await tool(c, "get_current_session");
      assert.equal(after.isError, false, after.text);
      // Redis came back empty: the connection's session is started again under the same id.
      assert.equal(after.json.session_id, id);
    } finally {
      await c?.close();
      const st = await proc.stop();
      assert.equal(st.code, 0, proc.stderr());
      await own.stop();
    }
  },
});
