// The front door on its own: guards run once, in order, and a route plugs in behind them.
import assert from "node:assert/strict";
import { byMethod, frontDoor, guarded, jsonBody, jsonContentType, type Route } from "../../src/http/mod.ts";
import type { Authenticator } from "../../src/auth/mod.ts";

const keyAuth: Authenticator = {
  scheme: "api-key",
  authenticate: (req) =>
    Promise.resolve(
      req.headers.get("x-api-key") === "k"
        ? { ok: true, user: { id: "alice", claims: {} } }
        : { ok: false, response: new Response("no", { status: 401 }) },
    ),
};

const echo: Route = {
  paths: ["/echo"],
  handle: byMethod({
    POST: guarded(
      [jsonContentType, jsonBody(64)],
      (_req, state) => Response.json({ user: state.user?.id ?? null, body: state.body }),
    ),
  }),
};

const door = frontDoor({
  healthPath: "/health",
  health: () => ({ status: "ok" }),
  hostPolicy: { bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [] },
  authenticator: keyAuth,
  routes: [echo],
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  door(
    new Request(`http://127.0.0.1:3000${path}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-api-key": "k", ...headers },
    }),
  );

Deno.test("front door: a route behind it sees the caller and the parsed body", async () => {
  const res = await post("/echo", '{"a":1}');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { user: "alice", body: { a: 1 } });
});

Deno.test("front door: health passes without credentials; everything else needs them, unknown paths too", async () => {
  assert.equal((await door(new Request("http://127.0.0.1:3000/health"))).status, 200);
  assert.equal((await post("/echo", "{}", { "x-api-key": "wrong" })).status, 401);
  assert.equal((await post("/nowhere", "{}", { "x-api-key": "wrong" })).status, 401);
  assert.equal((await post("/nowhere", "{}")).status, 404);
});

Deno.test("front door: Host checks come before authentication; method, type and size after", async () => {
  assert.equal((await post("/echo", "{}", { host: "evil.example", "x-api-key": "wrong" })).status, 403);
  const get = await door(new Request("http://127.0.0.1:3000/echo", { headers: { "x-api-key": "k" } }));
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  assert.equal((await post("/echo", "{}", { "content-type": "text/plain" })).status, 415);
  assert.equal((await post("/echo", JSON.stringify({ big: "x".repeat(100) }))).status, 413);
  assert.equal((await post("/echo", "{not json")).status, 400);
});
