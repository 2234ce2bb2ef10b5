/**
 * The proxy as an OAuth client of a protected upstream, end to end with real processes: our
 * runtime with `oauth:` as the upstream, `npm:oidc-provider` as the authorization server, the
 * proxy CLI in between, and an MCP client (the person at the keyboard) that opens the login URLs
 * the proxy sends it. Login on connect, step-up on 403, refresh before expiry, `cli.ts auth login`
 * into SQLite (encrypted), and one user's upstream token never serving another.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Client, retainingFetch, StreamableHTTPClientTransport } from "../../../src/sdk/client.ts";
import { StdioClientTransport } from "../../../src/sdk/client_stdio.ts";
import { ElicitRequestSchema } from "../../../src/sdk/types.ts";
import { openInBrowser } from "../../../scripts/conformance_client.ts";
import { childEnv, CLI, DENO, startCli } from "../../helpers.ts";
import { startAuthServer, type TestAuthServer } from "../../fixtures/oauth_server.ts";
import { freePort, resourceConfig } from "../_helpers.ts";
import { sign } from "../../auth/tokens.ts";

const KEY = "a-token-encryption-key-of-32-characters!";

/** The protected upstream: our runtime with `oauth:` and the example tools (add needs mcp:admin). */
async function protectedUpstream(as: TestAuthServer) {
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/upstream.yaml`,
    resourceConfig(port, {
      resource,
      authorization_servers: [as.issuer],
      scopes_supported: ["mcp:tools"],
      tool_scopes: { add: ["mcp:admin"] },
    }),
  );
  const cli = startCli(["--config", `${dir}/upstream.yaml`]);
  await cli.ready;
  return {
    resource,
    dir,
    async stop() {
      await cli.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function proxyYaml(
  resource: string,
  oauth: Record<string, unknown>,
  server = `server: { type: "stdio" }`,
): string {
  return [
    server,
    `proxy: { enabled: true, keep_root_aliases: true }`,
    `mcp_servers:`,
    `  up: ${
      JSON.stringify({
        type: "streamable-http",
        url: resource,
        oauth: { redirect_uri: "http://127.0.0.1:0/cb", ...oauth },
      })
    }`,
    ``,
  ].join("\n");
}

/** A stdio client of the proxy that opens every login URL it is sent (and counts them). */
async function operator(config: string, env: Record<string, string> = {}, canOpenUrls = true) {
  const transport = new StdioClientTransport({
    command: DENO,
    args: ["run", "-A", "--quiet", CLI, "--config", config],
    env: childEnv(env),
    stderr: "pipe",
  });
  const client = new Client(
    { name: "operator", version: "1" },
    { capabilities: canOpenUrls ? { elicitation: { url: {} } } : {} },
  );
  const opened: string[] = [];
  if (canOpenUrls) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      const url = (req.params as { url?: string }).url!;
      opened.push(url);
      await openInBrowser(url);
      return { action: "accept" };
    });
  }
  await client.connect(transport);
  return { client, opened };
}

async function toolsAppear(client: Client, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await client.listTools()).tools.some((t) => t.name === name)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tool ${name} never appeared`);
}

function text(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0].text;
}

Deno.test("proxy OAuth: login on connect, step-up on 403 insufficient_scope, refresh before expiry", async () => {
  // Access tokens live 61 s: within a minute of expiry at once, so every request refreshes first.
  const as = await startAuthServer({ scopes: ["mcp:tools", "mcp:admin"], accessTokenTtl: 61 });
  const up = await protectedUpstream(as);
  const config = `${up.dir}/proxy.yaml`;
  await Deno.writeTextFile(config, proxyYaml(up.resource, {}));
  const { client, opened } = await operator(config);
  try {
    await toolsAppear(client, "greet");
    assert.equal(opened.length, 1, "one login to connect");
    assert.equal(new URL(opened[0]).searchParams.get("resource"), up.resource);
    assert.equal(new URL(opened[0]).searchParams.get("scope"), "mcp:tools");
    assert.equal(text(await client.callTool({ name: "greet", arguments: { name: "Ada" } })), "Hello, Ada!");
    // add needs mcp:admin: the upstream answers 403, the proxy asks for a second login with more scope.
    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    assert.deepEqual(sum.structuredContent, { sum: 5 });
    assert.equal(opened.length, 2);
    assert.deepEqual(new URL(opened[1]).searchParams.get("scope")?.split(" ").sort(), [
      "mcp:admin",
      "mcp:tools",
    ]);
    assert.equal(as.counts.authorizations, 2);
    const before = as.counts.refreshes;
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(text(await client.callTool({ name: "greet", arguments: { name: "Bo" } })), "Hello, Bo!");
    assert.ok(as.counts.refreshes > before, "the token was refreshed before it expired");
    assert.equal(opened.length, 2, "a refresh needs no login");
  } finally {
    await client.close();
    await up.stop();
    await as.stop();
  }
});

Deno.test("cli.ts auth login: tokens go encrypted into SQLite; the proxy then needs no login", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools"] });
  const up = await protectedUpstream(as);
  const config = `${up.dir}/proxy.yaml`;
  await Deno.writeTextFile(
    config,
    proxyYaml(up.resource, { redirect_uri: `http://127.0.0.1:${freePort()}/cb` }),
  );
  const db = `${up.dir}/sessions.db`;
  const env = { SESSION_PROVIDER: "sqlite", ARTIFACT_SQLITE_PATH: db, TOKEN_ENCRYPTION_KEY: KEY };
  try {
    // Without the key, a persistent store is refused.
    const noKey = startCli(["auth", "login", "up", "--config", config], {
      env: { SESSION_PROVIDER: "sqlite", ARTIFACT_SQLITE_PATH: db },
    });
    assert.equal((await noKey.status).code, 2);
    assert.match(noKey.stderr(), /TOKEN_ENCRYPTION_KEY/);

    const login = startCli(["auth", "login", "up", "--config", config], { env });
    const poll = async () => {
      for (let i = 0; i < 300; i++) {
        const m = /^\s+(http\S+)$/m.exec(login.stdout());
        if (m) return m[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no URL printed:\n${login.stdout()}\n${login.stderr()}`);
    };
    await openInBrowser(await poll());
    assert.equal((await login.status).code, 0, login.stderr());
    assert.match(
      login.stdout(),
      /Logged in to 'up' \(\d+ tool\(s\)\)\. Tokens are in the encrypted sqlite session store/,
    );

    // At rest: every OAuth record is ciphertext.
    const sqlite = new DatabaseSync(db);
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    let records = 0;
    for (const { name } of tables) {
      for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        const values = Object.values(row).map(String);
        if (!values.some((v) => v.includes("oauth:up:"))) continue;
        records++;
        assert.ok(values.some((v) => v.startsWith("enc1:")), `not encrypted: ${JSON.stringify(row)}`);
        assert.ok(!values.some((v) => v.includes("access_token")));
      }
    }
    sqlite.close();
    assert.ok(records >= 2, "the registration and the tokens are stored");

    // The proxy finds the login: tools without any URL shown (this client could not open one).
    const { client, opened } = await operator(config, env, false);
    try {
      await toolsAppear(client, "greet");
      assert.equal(text(await client.callTool({ name: "greet", arguments: { name: "Cy" } })), "Hello, Cy!");
      assert.equal(opened.length, 0);
    } finally {
      await client.close();
    }
    assert.equal(as.counts.authorizations, 1);
  } finally {
    await up.stop();
    await as.stop();
  }
});

Deno.test("per_user: each caller logs in for themselves; one user's upstream token never serves another", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools"] });
  const up = await protectedUpstream(as);
  const port = freePort();
  const config = `${up.dir}/proxy.yaml`;
  await Deno.writeTextFile(
    config,
    proxyYaml(
      up.resource,
      { per_user: true },
      `server: { type: "streamable-http", auth: "bearer" }\n"streamable-http": { host: "127.0.0.1", port: ${port}, stateless: false }`,
    ),
  );
  const jwtKey = "per-user-test-secret-of-thirty-two-chars";
  const proxy = startCli(["--config", config], { env: { JWT_SECRET_KEY: jwtKey } });
  const clients: Client[] = [];
  try {
    const url = await proxy.ready;
    // The proxy's own login lists the tools (the operator opens the URL from the log).
    as.account = "operator";
    const logged = await proxy.waitForStderr(/needs a login.*: open (http\S+)/);
    await openInBrowser(logged[1]);
    const connect = async (user: string) => {
      const token = await sign({ sub: user }, { key: jwtKey });
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        fetch: retainingFetch,
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      const client = new Client({ name: user, version: "1" }, { capabilities: { elicitation: { url: {} } } });
      const opened: string[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (req) => {
        opened.push((req.params as { url: string }).url);
        as.account = user; // whoever opens the URL logs in as themselves
        await openInBrowser((req.params as { url: string }).url);
        return { action: "accept" };
      });
      await client.connect(transport);
      clients.push(client);
      return { client, opened };
    };
    const alice = await connect("alice");
    await toolsAppear(alice.client, "whoami");
    const who = async (c: Client) =>
      JSON.parse(text(await c.callTool({ name: "whoami", arguments: {} }))).user_id;
    assert.equal(await who(alice.client), "alice");
    assert.equal(alice.opened.length, 1);
    const bob = await connect("bob");
    assert.equal(await who(bob.client), "bob", "bob's call must use bob's upstream login");
    assert.equal(bob.opened.length, 1);
    assert.equal(await who(alice.client), "alice");
    assert.equal(alice.opened.length, 1, "alice's login is kept");
    assert.equal(as.counts.authorizations, 3); // operator, alice, bob
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    await proxy.stop();
    await up.stop();
    await as.stop();
  }
});
