// Connections are bounded: `max_sessions` for the whole server and `max_sessions_per_user` for
// one authenticated user, on stateful streamable HTTP and on SSE; a full server says so clearly
// (503, 429) and takes new ones again as soon as one closes.
import assert from "node:assert/strict";
import { bearer, SECRET, sign } from "../../auth/tokens.ts";
import { eventually, INITIALIZE, postJson, startHttpServer } from "../../helpers.ts";

Deno.test("stateful streamable HTTP: max_sessions and max_sessions_per_user", async () => {
  const server = await startHttpServer(
    "server: {type: streamable-http, auth: bearer}\nstreamable-http:\n  port: 0\n  stateless: false\n" +
      "  max_sessions: 3\n  max_sessions_per_user: 2\n",
    { env: { JWT_SECRET_KEY: SECRET } },
  );
  const as = async (user: string) => bearer(await sign({ sub: user }));
  const open = async (user: string) => {
    const r = await postJson(server.url, INITIALIZE, await as(user));
    return { status: r.status, sid: r.headers.get("mcp-session-id"), body: r.text };
  };
  try {
    const a1 = await open("alice");
    const a2 = await open("alice");
    assert.deepEqual([a1.status, a2.status], [200, 200]);
    const a3 = await open("alice");
    assert.equal(a3.status, 429, a3.body);
    assert.equal(a3.sid, null);
    assert.deepEqual(JSON.parse(a3.body).error, {
      code: -32000,
      message:
        "Too many sessions: user 'alice' has 2, the most allowed (streamable-http.max_sessions_per_user); " +
        "close one (DELETE) or wait for an idle one to expire",
    });
    assert.equal((await open("bob")).status, 200);
    const c1 = await open("carol");
    assert.equal(c1.status, 503, c1.body);
    assert.deepEqual(JSON.parse(c1.body).error, {
      code: -32000,
      message:
        "Too many sessions: the server holds 3, the most allowed (streamable-http.max_sessions); try again later",
    });
    // Ending one makes room at once.
    const del = await fetch(server.url, {
      method: "DELETE",
      headers: { ...await as("alice"), "mcp-session-id": a1.sid! },
    });
    await del.body?.cancel();
    assert.equal(del.status, 200);
    assert.equal((await open("carol")).status, 200);
    const health = await (await fetch(new URL("/health", server.url))).json();
    assert.equal(health.sessions, 3);
  } finally {
    await server.stop();
  }
});

Deno.test("SSE: max_sessions bounds open event streams", async () => {
  const server = await startHttpServer("server: {type: sse}\nsse:\n  port: 0\n  max_sessions: 2\n");
  const open = () => fetch(server.url, { headers: { accept: "text/event-stream" } });
  try {
    const s1 = await open();
    const s2 = await open();
    assert.deepEqual([s1.status, s2.status], [200, 200]);
    const s3 = await open();
    assert.equal(s3.status, 503);
    assert.match(
      JSON.parse(await s3.text()).error.message,
      /^Too many sessions: the server holds 2.*sse\.max_sessions/,
    );
    await s1.body!.cancel();
    await eventually(async () => {
      const r = await open();
      if (r.status === 200) return r;
      await r.body?.cancel();
    }, "room for a new stream").then((r) => r.body!.cancel());
    await s2.body!.cancel();
  } finally {
    await server.stop();
  }
});
