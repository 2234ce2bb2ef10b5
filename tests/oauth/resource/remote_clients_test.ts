/**
 * Third-party OAuth clients against the runtime as a protected resource: `npm:mcp-remote` (the
 * stdio bridge desktop apps use for remote servers) and the Inspector's CLI mode each discover the
 * metadata, register with the authorization server (`npm:oidc-provider`), complete the login and
 * call a tool. The browser step is the test following the printed URL (the fixture server
 * consents at once). The Inspector logs in only on a terminal: it runs under `script` (a pty).
 */

import assert from "node:assert/strict";
import { childEnv, DENO, startCli } from "../../helpers.ts";
import { onPath } from "../../services.ts";
import { startAuthServer } from "../../fixtures/oauth_server.ts";
import { openInBrowser } from "../../../scripts/conformance_client.ts";
import { freePort, resourceConfig } from "../_helpers.ts";

/** Pinned: cached by .ci/run (`deno cache npm:…`), so the tests themselves only touch loopback. */
export const MCP_REMOTE = "npm:mcp-remote@0.15.1";
/** The Inspector (its CLI mode). */
export const INSPECTOR = "npm:@modelcontextprotocol/inspector@2.12.0";

/** The authorization URL in terminal output (it ends at whitespace or an escape sequence). */
const AUTH_URL_ON_A_TERMINAL = new RegExp(
  `(http://127\\.0\\.0\\.1:\\d+/auth\\?[^\\s${String.fromCharCode(27)}]+)`,
);

/** A runtime protected by an oidc-provider authorization server. */
async function protectedRuntime() {
  const as = await startAuthServer({ scopes: ["mcp:tools"] });
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    resourceConfig(port, { resource, authorization_servers: [as.issuer], scopes_supported: ["mcp:tools"] }),
  );
  const rt = startCli(["--config", `${dir}/config.yaml`]);
  await rt.ready;
  return {
    as,
    resource,
    dir,
    async stop() {
      await rt.stop();
      await as.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "the Inspector CLI discovers the metadata, logs in with oidc-provider and calls a tool",
  ignore: !onPath("script"),
  fn: async () => {
    const rs = await protectedRuntime();
    const callback = `http://127.0.0.1:${freePort()}/oauth/callback`;
    const command = [
      DENO,
      "run",
      "-A",
      "--no-config",
      INSPECTOR,
      "--cli",
      rs.resource,
      "--method",
      "tools/call",
      "--tool-name",
      "whoami",
      "--callback-url",
      callback,
    ].join(" ");
    const child = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      env: childEnv({ HOME: rs.dir, MCP_INSPECTOR_SECRET_STORE: "memory" }),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const decoder = new TextDecoder();
    let out = "";
    const pumps = [child.stdout, child.stderr].map(async (s) => {
      for await (const c of s) out += decoder.decode(c, { stream: true });
    });
    try {
      let url: string | undefined;
      for (let i = 0; i < 1200 && !url; i++) {
        url = AUTH_URL_ON_A_TERMINAL.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(url, `the Inspector printed no authorization URL:\n${out}`);
      assert.equal(new URL(url).searchParams.get("resource"), rs.resource);
      await openInBrowser(url);
      const status = await child.status;
      await Promise.all(pumps);
      assert.equal(status.code, 0, out);
      assert.match(out, /"user_id": "alice"/);
      assert.equal(rs.as.counts.authorizations, 1);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited
      }
      await child.status;
      await rs.stop();
    }
  },
});

Deno.test("mcp-remote discovers the metadata, logs in with oidc-provider and calls a tool", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools"] });
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    resourceConfig(port, { resource, authorization_servers: [as.issuer], scopes_supported: ["mcp:tools"] }),
  );
  const rt = startCli(["--config", `${dir}/config.yaml`]);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let bridge: Deno.ChildProcess | undefined;
  try {
    await rt.ready;
    bridge = new Deno.Command(DENO, {
      args: ["run", "-A", "--no-config", MCP_REMOTE, resource, String(freePort()), "--allow-http"],
      env: childEnv({ MCP_REMOTE_CONFIG_DIR: `${dir}/mcp-auth` }),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let err = "";
    const stderrDone = (async () => {
      for await (const c of bridge.stderr) err += decoder.decode(c, { stream: true });
    })();
    // It prints the authorization URL (and fails to start a browser here): the test is the browser.
    let url: string | undefined;
    for (let i = 0; i < 600 && !url; i++) {
      url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(err)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(url, `mcp-remote printed no authorization URL:\n${err}`);
    assert.equal(new URL(url).searchParams.get("resource"), resource);
    await openInBrowser(url);

    const writer = bridge.stdin.getWriter();
    const send = (m: unknown) => writer.write(encoder.encode(JSON.stringify(m) + "\n"));
    const reader = bridge.stdout.getReader();
    let out = "";
    const answer = async (id: number) => {
      for (let i = 0; i < 200; i++) {
        const line = out.split("\n").find((l) => l.includes(`"id":${id}`));
        if (line) return JSON.parse(line);
        const { value, done } = await reader.read();
        if (done) break;
        out += decoder.decode(value, { stream: true });
      }
      throw new Error(`no answer ${id}:\n${out}\n${err}`);
    };
    await send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
    });
    assert.ok((await answer(1)).result.serverInfo);
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "whoami", arguments: {} } });
    const who = JSON.parse((await answer(2)).result.content[0].text);
    assert.equal(who.user_id, "alice"); // the account that logged in at the authorization server
    assert.equal(as.counts.registrations, 1);
    assert.equal(as.counts.authorizations, 1);
    await writer.close().catch(() => {});
    reader.releaseLock();
    bridge.kill("SIGTERM");
    await bridge.status;
    await bridge.stdout.cancel().catch(() => {});
    await stderrDone;
    bridge = undefined;
  } finally {
    if (bridge) {
      try {
        bridge.kill("SIGKILL");
      } catch {
        // gone
      }
      await bridge.status;
    }
    await rt.stop();
    await as.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
