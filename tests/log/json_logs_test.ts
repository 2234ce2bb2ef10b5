// JSON logs end to end: the CLI with CHUK_MCP_LOG_FORMAT=json (and logging.format: json) writes
// nothing but JSON objects to stderr, and a proxied tool call's lines carry the request's fields:
// request_id, session, user (a real bearer token), tool, upstream, duration_ms.
import assert from "node:assert/strict";
import { connectHttp, firstText, startCli, tempConfig } from "../helpers.ts";
import { fixtureYaml } from "../proxy/_helpers.ts";
import { bearer, SECRET, sign } from "../auth/tokens.ts";
import { call } from "../eras/2026/wire.ts";

function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((l) => l.trim()).map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`not a JSON line: ${l}`);
    }
  });
}

for (const how of ["env", "config"] as const) {
  Deno.test(`json logs (${how === "env" ? "CHUK_MCP_LOG_FORMAT=json" : "logging.format: json"}): every line is JSON; a proxied call's lines carry its fields`, async () => {
    const { dir, path } = await tempConfig(
      "server: {type: streamable-http, auth: bearer}\n" +
        "streamable-http: {port: 0, stateless: false}\n" +
        `logging: {level: INFO, loggers: {request: DEBUG}${how === "config" ? ", format: json" : ""}}\n` +
        "proxy: {enabled: true}\nmcp_servers:\n" + fixtureYaml("up"),
    );
    const proc = startCli(["--config", path], {
      env: { JWT_SECRET_KEY: SECRET, ...(how === "env" ? { CHUK_MCP_LOG_FORMAT: "json" } : {}) },
    });
    try {
      const url = await proc.ready;
      const c = await connectHttp(url, { headers: bearer(await sign({ sub: "alice" })) });
      const r = await c.client.callTool({ name: "proxy.up.echo", arguments: { text: "hi" } });
      assert.equal(firstText(r), "hi");
      await proc.waitForStderr(/"msg":"tools\/call proxy\.up\.echo ok in [\d.]+ ms"/);
      await c.close();
    } finally {
      await proc.stop();
      await Deno.remove(dir, { recursive: true });
    }
    const lines = jsonLines(proc.stderr());
    for (const l of lines) {
      assert.equal(typeof l.ts, "string");
      assert.match(String(l.level), /^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$/);
      assert.equal(typeof l.logger, "string");
      assert.equal(typeof l.msg, "string");
    }
    const call = lines.find((l) => l.logger === "request" && String(l.msg).startsWith("tools/call "))!;
    assert.equal(call.tool, "proxy.up.echo");
    assert.equal(call.upstream, "up");
    assert.equal(call.user, "alice");
    assert.match(String(call.session), /^sess-\d+-[0-9a-f]+$/);
    assert.equal(typeof call.request_id, "number");
    assert.equal(typeof call.duration_ms, "number");
    assert.equal(call.trace_id, undefined, "no trace id without tracing");
    // The upstream's own lines name it too; the banner is a log line of its own.
    assert.ok(
      lines.some((l) => l.logger === "proxy.up" && l.upstream === "up" && /^ready:/.test(String(l.msg))),
    );
    assert.ok(
      lines.some((l) => l.logger === "server" && /ready: streamable-http at http/.test(String(l.msg))),
    );
  });
}

Deno.test("json logs: a 2026-07-28 request's line carries its JSON-RPC id", async () => {
  const { dir, path } = await tempConfig(
    "server: {type: streamable-http}\nstreamable-http: {port: 0}\n" +
      "logging: {level: INFO, format: json, loggers: {request: DEBUG}}\n" +
      "proxy: {enabled: true}\nmcp_servers:\n" + fixtureYaml("up"),
  );
  const proc = startCli(["--config", path]);
  try {
    const url = await proc.ready;
    const r = await call(url, "tools/call", { name: "proxy.up.echo", arguments: { text: "hi" } }, {
      id: 4242,
    });
    assert.equal((r.body.result as { content: { text: string }[] }).content[0].text, "hi");
    await proc.waitForStderr(/"msg":"tools\/call proxy\.up\.echo ok in [\d.]+ ms"/);
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
  const line = jsonLines(proc.stderr()).find((l) =>
    l.logger === "request" && String(l.msg).startsWith("tools/call ")
  )!;
  assert.equal(line.request_id, 4242);
});
