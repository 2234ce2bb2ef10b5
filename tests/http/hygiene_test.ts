// HTTP hygiene on both HTTP transports, with raw requests where fetch would not send them:
// DNS-rebinding protection (Host/Origin), body limits (declared and chunked, never buffered
// whole), malformed JSON, wrong Content-Type/Accept, unknown paths and methods — and the server
// keeps serving after each.
import assert from "node:assert/strict";
import { checkHostAndOrigin } from "../../src/http/mod.ts";
import {
  FIXTURES,
  INITIALIZE,
  parseRawResponse,
  postJson,
  rawHttp,
  startHttpServer,
  writeAll,
} from "../helpers.ts";

const LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });

function yaml(type: "streamable-http" | "sse", extra = "") {
  return `server: {type: ${type}}\n${type}:\n  port: 0\n  max_body_bytes: 4096\n${extra}` +
    `tools:\n  modules_to_import: ["${FIXTURES}probe.ts"]\n`;
}

/** A raw POST to `path` with the given extra header lines. */
function post(origin: string, path: string, headerLines: string[], body = LIST) {
  const port = new URL(origin).port;
  return rawHttp(
    origin,
    [
      `POST ${path} HTTP/1.1`,
      ...(headerLines.some((h) => /^host:/i.test(h)) ? [] : [`Host: 127.0.0.1:${port}`]),
      "Content-Type: application/json",
      "Accept: application/json, text/event-stream",
      `Content-Length: ${new TextEncoder().encode(body).length}`,
      "Connection: close",
      ...headerLines,
    ].join("\n"),
    body,
  );
}

/** Stream a chunked body of up to `limit` bytes; stop as soon as the server answers. */
async function chunkedFlood(origin: string, path: string, limit: number) {
  const u = new URL(origin);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${u.port}\r\nContent-Type: application/json\r\n` +
    "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  let answered = false;
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    let text = "";
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
        const { head, body } = parseRawResponse(text);
        const length = /^content-length:\s*(\d+)/im.exec(head);
        if (length && body.length >= Number(length[1])) break;
      }
    } catch {
      // reset after the answer
    }
    answered = true;
    // The server has answered and reads no more: closing makes the blocked write fail.
    try {
      conn.close();
    } catch {
      // already closed
    }
    return text;
  })();
  let sent = 0;
  try {
    await writeAll(conn, new TextEncoder().encode(head));
    const chunk = new TextEncoder().encode(`10000\r\n${"[".repeat(0x10000)}\r\n`);
    while (!answered && sent < limit) {
      await writeAll(conn, chunk);
      sent += 0x10000;
    }
  } catch {
    // the server closed the connection on us: expected once it has answered
  }
  const text = await reading;
  return { sent, ...parseRawResponse(text) };
}

for (const type of ["streamable-http", "sse"] as const) {
  Deno.test(`HTTP hygiene (${type})`, async (t) => {
    const server = await startHttpServer(yaml(type));
    const port = new URL(server.origin).port;
    // For SSE, requests go to a live session's message endpoint.
    let path = "/mcp";
    let stream: ReadableStreamDefaultReader<string> | undefined;
    if (type === "sse") {
      const res = await fetch(server.url);
      stream = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let first = "";
      while (!first.includes("\n\n")) first += (await stream.read()).value ?? "";
      path = /data: (.*)/.exec(first)![1];
    }
    const okStatus = type === "sse" ? 202 : 200;
    const stillServing = async () => {
      const r = await post(server.origin, path, []);
      assert.equal(r.status, okStatus, `server still serves: ${r.head}`);
    };
    try {
      await t.step("loopback Host names pass: 127.0.0.1, localhost, [::1]", async () => {
        for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "localhost"]) {
          assert.equal((await post(server.origin, path, [`Host: ${host}`])).status, okStatus, host);
        }
      });

      await t.step("a foreign Host is refused with 403 (DNS rebinding)", async () => {
        const r = await post(server.origin, path, ["Host: evil.example.com"]);
        assert.equal(r.status, 403);
        assert.match(r.body, /invalid Host header 'evil\.example\.com'/);
        assert.equal(JSON.parse(r.body).error.code, -32000);
        await stillServing();
      });

      await t.step("Origin: loopback origins pass, foreign ones get 403", async () => {
        for (const origin of ["http://localhost:5173", "http://127.0.0.1:9999", "http://[::1]:3000"]) {
          assert.equal((await post(server.origin, path, [`Origin: ${origin}`])).status, okStatus, origin);
        }
        for (const origin of ["http://evil.example.com", "null", "not a url", "http://localhost.evil.com"]) {
          const r = await post(server.origin, path, [`Origin: ${origin}`]);
          assert.equal(r.status, 403, origin);
        }
        await stillServing();
      });

      await t.step("a declared body over max_body_bytes gets 413 without being read", async () => {
        // Declares 100 MiB but sends only a few bytes: an answer proves nothing waited for the rest.
        const r = await rawHttp(
          server.origin,
          `POST ${path} HTTP/1.1\nHost: 127.0.0.1:${port}\nContent-Type: application/json\n` +
            `Accept: application/json, text/event-stream\nContent-Length: ${
              100 * 1024 * 1024
            }\nConnection: close`,
          '{"jsonrpc":',
        );
        assert.equal(r.status, 413);
        assert.match(r.body, /Payload too large: request body exceeds 4096 bytes/);
        await stillServing();
      });

      await t.step("a chunked body over max_body_bytes gets 413 while it is still being sent", async () => {
        const limit = 256 * 1024 * 1024;
        const r = await chunkedFlood(server.origin, path, limit);
        assert.equal(r.status, 413, r.head);
        assert.ok(r.sent < limit, `answered after ${r.sent} bytes of a ${limit}-byte body`);
        await stillServing();
      });

      await t.step("malformed JSON gets 400 with JSON-RPC -32700", async () => {
        const r = await post(server.origin, path, [], '{"jsonrpc": "2.0", "id": 1, "method"');
        assert.equal(r.status, 400);
        assert.deepEqual(JSON.parse(r.body), {
          jsonrpc: "2.0",
          error: { code: -32700, message: "Parse error: invalid JSON" },
          id: null,
        });
        const empty = await post(server.origin, path, [], "");
        assert.equal(empty.status, 400);
        await stillServing();
      });

      await t.step("a wrong Content-Type gets 415", async () => {
        const r = await rawHttp(
          server.origin,
          `POST ${path} HTTP/1.1\nHost: 127.0.0.1:${port}\nContent-Type: text/plain\n` +
            `Accept: application/json, text/event-stream\nContent-Length: ${LIST.length}\nConnection: close`,
          LIST,
        );
        assert.equal(r.status, 415);
        assert.match(r.body, /Content-Type must be application\/json/);
        await stillServing();
      });

      if (type === "streamable-http") {
        await t.step("an Accept that refuses JSON gets 406 (JSON answers, the default)", async () => {
          for (const accept of ["text/event-stream", "text/html", "application/json;q=0, */*"]) {
            const r = await postJson(server.url, LIST, { accept });
            assert.equal(r.status, 406, accept);
            assert.match(r.text, /Not Acceptable/);
          }
          await stillServing();
        });
      }

      await t.step("unknown paths get 404, wrong methods 405", async () => {
        const nf = await fetch(`${server.origin}/nope`);
        assert.equal(nf.status, 404);
        await nf.body?.cancel();
        const put = await fetch(`${server.origin}${path}`, { method: "PUT", body: "x" });
        assert.equal(put.status, 405);
        assert.ok(put.headers.get("allow"));
        await put.body?.cancel();
        await stillServing();
      });
    } finally {
      await stream?.cancel();
      const status = await server.stop();
      assert.equal(status.code, 0, server.proc.stderr());
    }
  });
}

Deno.test("allowed_hosts and allowed_origins widen what a loopback bind accepts", async () => {
  const server = await startHttpServer(
    yaml(
      "streamable-http",
      "  allowed_hosts: [mcp.example.com]\n  allowed_origins: ['https://app.example.com']\n",
    ),
  );
  try {
    assert.equal((await post(server.origin, "/mcp", ["Host: mcp.example.com"])).status, 200);
    assert.equal((await post(server.origin, "/mcp", ["Host: MCP.example.com:443"])).status, 200);
    assert.equal((await post(server.origin, "/mcp", ["Origin: https://app.example.com"])).status, 200);
    assert.equal((await post(server.origin, "/mcp", ["Origin: https://other.example.com"])).status, 403);
    assert.equal((await post(server.origin, "/mcp", ["Host: other.example.com"])).status, 403);
  } finally {
    await server.stop();
  }
});

Deno.test("checkHostAndOrigin: a non-loopback bind accepts any Host unless allowed_hosts is set", () => {
  const req = (headers: Record<string, string>) => new Request("http://x/mcp", { headers });
  const open = { bindHost: "0.0.0.0", maxBodyBytes: 1, allowedHosts: [], allowedOrigins: [] };
  assert.equal(checkHostAndOrigin(req({ host: "anything.example:80" }), open), undefined);
  assert.equal(checkHostAndOrigin(req({ origin: "https://anywhere.example" }), open), undefined);
  const pinned = { ...open, allowedHosts: ["api.example.com"], allowedOrigins: ["https://ui.example.com"] };
  assert.equal(checkHostAndOrigin(req({ host: "api.example.com:8443" }), pinned), undefined);
  assert.equal(checkHostAndOrigin(req({ host: "evil.example" }), pinned)?.status, 403);
  assert.equal(checkHostAndOrigin(req({ origin: "https://evil.example" }), pinned)?.status, 403);
  assert.equal(checkHostAndOrigin(req({ origin: "https://ui.example.com" }), pinned), undefined);
});

Deno.test("checkHostAndOrigin: a 127.x bind accepts its own address as Host and Origin", () => {
  const req = (headers: Record<string, string>) => new Request("http://x/mcp", { headers });
  const bind = { bindHost: "127.0.0.2", maxBodyBytes: 1, allowedHosts: [], allowedOrigins: [] };
  // The banner prints http://127.0.0.2:PORT/mcp: what it prints must work.
  assert.equal(checkHostAndOrigin(req({ host: "127.0.0.2:3000" }), bind), undefined);
  assert.equal(checkHostAndOrigin(req({ origin: "http://127.0.0.2:3000" }), bind), undefined);
  assert.equal(checkHostAndOrigin(req({ host: "localhost:3000" }), bind), undefined);
  // Still no name that DNS could point at us.
  assert.equal(checkHostAndOrigin(req({ host: "127.0.0.2.evil.example" }), bind)?.status, 403);
  assert.equal(checkHostAndOrigin(req({ origin: "http://127.evil.example" }), bind)?.status, 403);
});

/** Peak resident memory of a process (VmHWM), in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

/** Open a connection that declares `declared` body bytes, sends `sent` of them, and resolves with the answer. */
async function slowBody(origin: string, path: string, declared: number, sent: string): Promise<number> {
  const u = new URL(origin);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  try {
    await writeAll(
      conn,
      new TextEncoder().encode(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${u.port}\r\nContent-Type: application/json\r\n` +
          `Accept: application/json, text/event-stream\r\nContent-Length: ${declared}\r\n\r\n${sent}`,
      ),
    );
    const buf = new Uint8Array(4096);
    let text = "";
    while (!/\r\n\r\n/.test(text)) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return parseRawResponse(text).status;
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the server
    }
  }
}

Deno.test("a declared Content-Length allocates nothing before its bytes arrive; slow bodies get 408", async () => {
  // 100 peers declare 8,000,000 bytes (under the 8 MiB default limit) and send one. Reading
  // with Request.text() reserved the declared size up front: RSS went from ~85 MB to ~900 MB.
  const server = await startHttpServer(
    `server: {type: streamable-http}\nstreamable-http:\n  port: 0\n  body_timeout: 2\n`,
  );
  try {
    const pid = server.proc.child.pid;
    const before = await peakRss(pid);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => slowBody(server.origin, "/mcp", 8_000_000, "{")),
    );
    assert.deepEqual(new Set(answers), new Set([408]), "every slow body ends with 408 Request Timeout");
    const grown = (await peakRss(pid)) - before;
    assert.ok(grown < 64 * 1024 * 1024, `peak RSS grew by ${(grown / 1048576).toFixed(1)} MB (bound: 64 MB)`);
    // The server still serves.
    const res = await postJson(server.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    assert.equal(res.status, 200);
  } finally {
    await server.stop();
  }
});

Deno.test("a malformed Host gets 400, with no stack trace in the log; the server keeps serving", async () => {
  // Non-loopback bind: Host checks would let anything through, so only the URL can fail.
  for (const host of ["127.0.0.1", "0.0.0.0"]) {
    const server = await startHttpServer(
      yaml("streamable-http").replace("port: 0", `port: 0\n  host: ${host}`),
    );
    try {
      const origin = server.origin.replace("0.0.0.0", "127.0.0.1");
      for (const bad of ["[::1", "exa mple.com", "a/b", "[zz]:1", "host:99999999", "%"]) {
        const r = await post(origin, "/mcp", [`Host: ${bad}`]);
        assert.equal(r.status, 400, `${host} bind, Host ${JSON.stringify(bad)}: ${r.status} ${r.body}`);
        assert.deepEqual(JSON.parse(r.body).error, {
          code: -32000,
          message: "Bad Request: invalid Host header",
        });
      }
      assert.equal((await post(origin, "/mcp", [])).status, 200, "still serving");
    } finally {
      await server.stop();
    }
    const log = server.proc.stderr();
    assert.doesNotMatch(log, /\n\s+at /, "no stack trace");
    assert.doesNotMatch(log, /TypeError|Invalid URL/);
  }
});

Deno.test("CORS: origins in allowed_origins get preflight answers and CORS headers; others get none", async () => {
  const server = await startHttpServer(
    "server: {type: streamable-http}\nstreamable-http:\n  port: 0\n  stateless: false\n" +
      "  allowed_origins: ['https://app.example.com']\n",
  );
  const app = "https://app.example.com";
  try {
    // Preflight: answered before authentication, naming every header an MCP client sends.
    const pre = await fetch(server.url, {
      method: "OPTIONS",
      headers: {
        origin: app,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, mcp-session-id",
      },
    });
    await pre.body?.cancel();
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), app);
    const allowed = (pre.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/,\s*/);
    for (
      const h of [
        "authorization",
        "content-type",
        "mcp-session-id",
        "mcp-protocol-version",
        "mcp-method",
        "mcp-name",
        "last-event-id",
      ]
    ) assert.ok(allowed.includes(h), `Allow-Headers lacks ${h}: ${allowed}`);
    const methods = pre.headers.get("access-control-allow-methods") ?? "";
    for (const m of ["GET", "POST", "DELETE"]) assert.ok(methods.includes(m), methods);
    assert.match(pre.headers.get("vary") ?? "", /origin/i);

    // A 2026-07-28 client's Mcp-Param-<name> headers: allowed as asked; other names are not.
    const pre2026 = await fetch(server.url, {
      method: "OPTIONS",
      headers: {
        origin: app,
        "access-control-request-method": "POST",
        "access-control-request-headers": "mcp-method, Mcp-Param-Region, x-evil",
      },
    });
    await pre2026.body?.cancel();
    const allowed2026 = (pre2026.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(
      /,\s*/,
    );
    assert.ok(allowed2026.includes("mcp-param-region"), `${allowed2026}`);
    assert.ok(!allowed2026.includes("x-evil"), `${allowed2026}`);

    // The real request: Allow-Origin, and the session id exposed to the page.
    const init = await postJson(server.url, INITIALIZE, { origin: app });
    assert.equal(init.status, 200);
    assert.equal(init.headers.get("access-control-allow-origin"), app);
    assert.match(init.headers.get("access-control-expose-headers") ?? "", /mcp-session-id/i);
    assert.ok(init.headers.get("mcp-session-id"));
    // Errors carry them too (a page must be able to read why it was refused).
    const refused = await postJson(server.url, { jsonrpc: "2.0", id: 1, method: "tools/list" }, {
      origin: app,
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get("access-control-allow-origin"), app);

    // Nothing for other origins, nor without one.
    for (const headers of [{ origin: "https://evil.example.com" }, {} as Record<string, string>]) {
      const other = await fetch(server.url, {
        method: "OPTIONS",
        headers: { ...headers, "access-control-request-method": "POST" },
      });
      await other.body?.cancel();
      assert.notEqual(other.status, 204);
      assert.equal(other.headers.get("access-control-allow-origin"), null);
      const post = await postJson(server.url, INITIALIZE, headers);
      assert.equal(post.headers.get("access-control-allow-origin"), null);
      assert.equal(post.headers.get("access-control-expose-headers"), null);
    }
  } finally {
    await server.stop();
  }
});
