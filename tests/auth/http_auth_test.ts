// Bearer JWT over the real transports: the CLI is spawned, clients talk MCP over loopback HTTP.
import assert from "node:assert/strict";
import { exportJWK } from "jose";
import {
  connectHttp,
  connectSse,
  firstText,
  FIXTURES,
  postJson,
  runCliOnce,
  startCli,
  tempConfig,
} from "../helpers.ts";
import { bearer, keyPair, now, SECRET, sign, unsignedToken } from "./tokens.ts";

const TOOLS = `tools:\n  modules_to_import: ["${FIXTURES}identity_tools.ts"]\n`;

function call(name: string, id = 1) {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("http auth: bad tokens get 401 + WWW-Authenticate and never reach a tool; good ones carry the user", async () => {
  const rsa = await keyPair("RS256");
  const { dir, path } = await tempConfig(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n${TOOLS}`,
  );
  const markFile = `${dir}/marks.txt`;
  const proc = startCli(["--config", path], {
    env: { JWT_SECRET_KEY: SECRET, JWT_PUBLIC_KEY: rsa.pem, JWT_LEEWAY: "0", MARK_FILE: markFile },
  });
  try {
    const url = await proc.ready;
    const origin = new URL(url).origin;
    const other = await keyPair("RS256");
    const bad: [string, Record<string, string>, RegExp][] = [
      ["missing", {}, /^Bearer realm=/],
      ["not bearer", { authorization: "Basic dTpw" }, /invalid_token/],
      ["malformed", bearer("abc.def"), /invalid_token/],
      ["expired", bearer(await sign({ sub: "a", exp: now() - 30 }, { exp: null })), /expired/],
      ["not yet valid", bearer(await sign({ sub: "a", nbf: now() + 3600 })), /not yet valid/],
      [
        "wrong secret",
        bearer(await sign({ sub: "a" }, { key: "wrong-secret-wrong-secret-wrong-secret" })),
        /signature/,
      ],
      [
        "wrong RSA key",
        bearer(await sign({ sub: "a" }, { alg: "RS256", key: other.privateKey })),
        /signature/,
      ],
      [
        "wrong algorithm",
        bearer(await sign({ sub: "a" }, { alg: "ES256", key: (await keyPair("ES256")).privateKey })),
        /algorithm/,
      ],
      ["alg none", bearer(unsignedToken({ sub: "admin", exp: now() + 60 })), /algorithm/],
      ["no user claim", bearer(await sign({ scope: "x" })), /no user/],
    ];
    for (const [label, headers, challenge] of bad) {
      const r = await postJson(url, call("mark"), headers);
      assert.equal(r.status, 401, `${label}: ${r.status} ${r.text}`);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer /, label);
      assert.match(r.headers.get("www-authenticate") ?? "", challenge, label);
      assert.equal(r.headers.get("content-type"), "application/json", label);
      assert.ok(JSON.parse(r.text).error_description, label);
    }
    // Other methods and paths are no way around it; only GET/HEAD of the health path are open.
    const get = await fetch(url, { headers: { accept: "text/event-stream" } });
    await get.body?.cancel();
    assert.equal(get.status, 401);
    const unknown = await fetch(`${origin}/elsewhere`);
    await unknown.body?.cancel();
    assert.equal(unknown.status, 401);
    const healthPost = await postJson(`${origin}/health`, {});
    assert.equal(healthPost.status, 401);
    const health = await fetch(`${origin}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const head = await fetch(`${origin}/health`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await exists(markFile), false, "no refused request reached the tool");

    // Good tokens: HS256 with the secret, RS256 with the PEM key; the tool sees the user and claims.
    const hs = await postJson(url, call("whoami"), bearer(await sign({ sub: "alice", role: "admin" })));
    assert.equal(hs.status, 200, hs.text);
    const who = JSON.parse(hs.text).result.structuredContent;
    assert.equal(who.user, "alice");
    assert.equal(who.claims.role, "admin");
    const rs = await postJson(
      url,
      call("whoami"),
      bearer(await sign({ uid: "bob" }, { alg: "RS256", key: rsa.privateKey })),
    );
    assert.equal(JSON.parse(rs.text).result.structuredContent.user, "bob");
    const marked = await postJson(url, call("mark"), bearer(await sign({ sub: "alice" })));
    assert.equal(marked.status, 200);
    assert.equal(await Deno.readTextFile(markFile), "reached\n");

    // The SDK client with a token works end to end.
    const c = await connectHttp(url, { headers: bearer(await sign({ user_id: "carol" })) });
    const r = await c.client.callTool({ name: "whoami", arguments: {} });
    assert.equal(JSON.parse(firstText(r)).user, "carol");
    await c.close();
  } finally {
    const st = await proc.stop();
    assert.equal(st.code, 0, proc.stderr());
  }
});

Deno.test("http auth: ES256 key from a file, and RS256 keys from a JWKS URL", async () => {
  const ec = await keyPair("ES256");
  const rsa = await keyPair("RS256");
  const jwk = { ...(await exportJWK(rsa.publicKey)), kid: "k1", alg: "RS256" };
  const jwksServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ keys: [jwk] }),
  );
  const { dir, path } = await tempConfig(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n${TOOLS}`,
  );
  await Deno.writeTextFile(`${dir}/ec.pem`, ec.pem);
  const proc = startCli(["--config", path], {
    env: {
      JWT_PUBLIC_KEY_FILE: `${dir}/ec.pem`,
      JWT_JWKS_URL: `http://127.0.0.1:${jwksServer.addr.port}/jwks.json`,
    },
  });
  try {
    const url = await proc.ready;
    const es = await postJson(
      url,
      call("whoami"),
      bearer(await sign({ sub: "erin" }, { alg: "ES256", key: ec.privateKey })),
    );
    assert.equal(JSON.parse(es.text).result.structuredContent.user, "erin");
    const rs = await postJson(
      url,
      call("whoami"),
      bearer(await sign({ id: "jay" }, { alg: "RS256", key: rsa.privateKey, kid: "k1" })),
    );
    assert.equal(JSON.parse(rs.text).result.structuredContent.user, "jay");
    const hs = await postJson(url, call("whoami"), bearer(await sign({ sub: "x" })));
    assert.equal(hs.status, 401, "no secret configured: HMAC tokens are refused");
  } finally {
    await proc.stop();
    await jwksServer.shutdown();
  }
});

Deno.test("http auth: SSE needs a token, and a connection is only usable by its own user", async () => {
  const { path } = await tempConfig(`server: {type: sse, auth: bearer}\nsse: {port: 0}\n${TOOLS}`);
  const proc = startCli(["--config", path], { env: { JWT_SECRET_KEY: SECRET } });
  try {
    const url = await proc.ready;
    const origin = new URL(url).origin;
    const anon = await fetch(url, { headers: { accept: "text/event-stream" } });
    await anon.body?.cancel();
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /^Bearer/);

    const alice = bearer(await sign({ sub: "alice" }));
    const c = await connectSse(url, { headers: alice });
    const who = JSON.parse(firstText(await c.client.callTool({ name: "whoami", arguments: {} })));
    assert.equal(who.user, "alice");
    assert.equal(who.transport, "sse");
    // Find alice's connection id by opening a raw stream of her own.
    const raw = await fetch(url, { headers: { accept: "text/event-stream", ...alice } });
    const reader = raw.body!.getReader();
    let first = "";
    while (!first.includes("\n\n")) first += new TextDecoder().decode((await reader.read()).value);
    const endpoint = /data: (\S+)/.exec(first)![1];
    const ping = { jsonrpc: "2.0", id: 9, method: "ping" };
    const asBob = await postJson(`${origin}${endpoint}`, ping, bearer(await sign({ sub: "bob" })));
    assert.equal(asBob.status, 404, "another user's connection is 'not found'");
    assert.match(asBob.text, /Session not found/);
    const noToken = await postJson(`${origin}${endpoint}`, ping);
    assert.equal(noToken.status, 401);
    const asAlice = await postJson(`${origin}${endpoint}`, ping, alice);
    assert.equal(asAlice.status, 202);
    await reader.cancel();
    await c.close();
  } finally {
    await proc.stop();
  }
});

Deno.test("http auth: a stateful session is 'not found' for another user's token", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0, stateless: false}\n${TOOLS}`,
  );
  const proc = startCli(["--config", path], { env: { JWT_SECRET_KEY: SECRET } });
  try {
    const url = await proc.ready;
    const alice = bearer(await sign({ sub: "alice" }));
    const init = {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    };
    const opened = await postJson(url, init, alice);
    assert.equal(opened.status, 200, opened.text);
    const sid = opened.headers.get("mcp-session-id")!;
    assert.ok(sid);
    const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" };
    await postJson(url, { jsonrpc: "2.0", method: "notifications/initialized" }, { ...headers, ...alice });
    const asBob = await postJson(url, call("whoami"), { ...headers, ...bearer(await sign({ sub: "bob" })) });
    assert.equal(asBob.status, 404);
    assert.match(asBob.text, /Session not found/);
    const asAlice = await postJson(url, call("whoami"), { ...headers, ...alice });
    assert.equal(asAlice.status, 200, asAlice.text);
    assert.equal(JSON.parse(asAlice.text).result.structuredContent.user, "alice");
  } finally {
    await proc.stop();
  }
});

Deno.test("http auth: bearer without a key is a configuration error (exit 2)", async () => {
  const { path } = await tempConfig(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n`,
  );
  const r = await runCliOnce(["--config", path]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /config\.yaml: server\.auth: 'bearer' needs a key/);
  assert.match(r.stderr, /JWT_SECRET_KEY/);
  const bad = await runCliOnce(["--config", path], {
    env: { JWT_SECRET_KEY: "x", JWT_ALLOWED_ALGORITHMS: "none" },
  });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /JWT_ALLOWED_ALGORITHMS/);
});
