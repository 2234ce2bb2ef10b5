/**
 * OAuth under exactly the flags `cli.ts permissions` prints: the runtime as a protected resource
 * (authorization server metadata and keys), and the proxy logging in to a protected upstream
 * (authorization server, loopback redirect listener, TOKEN_ENCRYPTION_KEY).
 */

import assert from "node:assert/strict";
import { Client } from "../../src/sdk/client.ts";
import { StdioClientTransport } from "../../src/sdk/client_stdio.ts";
import { ElicitRequestSchema } from "../../src/sdk/types.ts";
import { childEnv, CLI, DENO, runCliOnce, startCli } from "../helpers.ts";
import { startAuthServer } from "../fixtures/oauth_server.ts";
import { openInBrowser } from "../../scripts/conformance_client.ts";
import { call, freePort, mcpPost, resourceConfig } from "../oauth/_helpers.ts";

async function printedFlags(dir: string, env: Record<string, string> = {}): Promise<string[]> {
  const r = await runCliOnce(["permissions", "--config", "config.yaml", "--format", "json"], {
    cwd: dir,
    env,
  });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).flags;
}

Deno.test("permissions (oauth resource): the printed flags reach the authorization server's metadata and keys", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools"] });
  const dir = await Deno.makeTempDir();
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    resourceConfig(port, { resource, authorization_servers: [as.issuer] }),
  );
  try {
    const flags = await printedFlags(dir);
    assert.ok(
      flags.some((f) => f.startsWith("--allow-net=") && f.includes(new URL(as.issuer).host)),
      flags.join(" "),
    );
    const rt = startCli(["--config", "config.yaml"], { cwd: dir, runFlags: ["run", "--quiet", ...flags] });
    try {
      const url = await rt.ready;
      const res = await mcpPost(url, call("greet", { name: "Ada" }), await as.mint(resource, "mcp:tools"));
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await res.json()).result.content[0].text, "Hello, Ada!");
    } finally {
      await rt.stop();
    }
    assert.doesNotMatch(rt.stderr(), /NotCapable/);
  } finally {
    await as.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("permissions (oauth upstream): the proxy logs in under the printed flags", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools"] });
  const upDir = await Deno.makeTempDir();
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  await Deno.writeTextFile(
    `${upDir}/config.yaml`,
    resourceConfig(port, { resource, authorization_servers: [as.issuer], scopes_supported: ["mcp:tools"] }),
  );
  const up = startCli(["--config", `${upDir}/config.yaml`]);
  const dir = await Deno.makeTempDir();
  const env = { TOKEN_ENCRYPTION_KEY: "a-token-encryption-key-of-32-characters!" };
  try {
    await up.ready;
    const oauth = { redirect_uri: "http://127.0.0.1:0/cb", authorization_servers: [as.issuer] };
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      `server: {type: stdio}\nproxy: {enabled: true, keep_root_aliases: true}\nmcp_servers:\n` +
        `  up: ${JSON.stringify({ type: "streamable-http", url: resource, oauth })}\n`,
    );
    const flags = await printedFlags(dir, env);
    const net = flags.find((f) => f.startsWith("--allow-net="))!;
    assert.ok(net.includes("127.0.0.1:0"), net); // the redirect listener
    assert.ok(flags.some((f) => f.startsWith("--allow-env=") && f.includes("TOKEN_ENCRYPTION_KEY")));
    const transport = new StdioClientTransport({
      command: DENO,
      args: ["run", "--quiet", ...flags, CLI, "--config", "config.yaml"],
      cwd: dir,
      env: childEnv(env),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    const client = new Client({ name: "operator", version: "1" }, {
      capabilities: { elicitation: { url: {} } },
    });
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      await openInBrowser((req.params as { url: string }).url);
      return { action: "accept" };
    });
    await client.connect(transport);
    try {
      for (let i = 0; i < 300; i++) {
        if ((await client.listTools()).tools.some((t) => t.name === "greet")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!(await client.listTools()).tools.some((t) => t.name === "greet")) throw new Error(stderr);
      const r = await client.callTool({ name: "greet", arguments: { name: "Ada" } });
      assert.equal((r.content as { text: string }[])[0].text, "Hello, Ada!", stderr);
    } finally {
      await client.close();
    }
    assert.doesNotMatch(stderr, /NotCapable/, stderr);
  } finally {
    await up.stop();
    await as.stop();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(upDir, { recursive: true });
  }
});
