// Access by identity end to end: real JWTs (HS256), the CLI with server-everything and
// server-memory behind the proxy, SDK clients over stateless and stateful streamable HTTP and SSE,
// and stdio (no token: access.default). Denied names are not listed, fail exactly like missing
// ones, and every denied call is in the audit log with user, name and rule.
import assert from "node:assert/strict";
import type { Client } from "../../src/sdk/client.ts";
import {
  type Connected,
  connectHttp,
  connectSse,
  connectStdio,
  ROOT,
  startCli,
  tempConfig,
} from "../helpers.ts";
import { bearer, SECRET, sign } from "../auth/tokens.ts";
import { npmServerPath } from "../proxy/_helpers.ts";

const ACCESS = {
  default: "allow",
  rules: [
    { tools: ["proxy.memory.*"], claims: { role: ["editor", "admin"] } },
    { tools: ["proxy.memory.create_*", "proxy.memory.delete_*"], claims: { scope: ["memory:write"] } },
    {
      prompts: ["proxy.everything.args-prompt"],
      resources: ["demo://resource/static/document/*"],
      claims: { role: ["admin"] },
    },
  ],
};

async function config(transport: string, extra = ""): Promise<{ dir: string; path: string }> {
  const mem = await Deno.makeTempDir({ prefix: "access-mem-" });
  const servers = {
    everything: { type: "stdio", command: "node", args: [await npmServerPath("everything"), "stdio"] },
    memory: {
      type: "stdio",
      command: "node",
      args: [await npmServerPath("memory")],
      env: { MEMORY_FILE_PATH: `${mem}/memory.jsonl` },
    },
  };
  return await tempConfig(
    `server: {type: ${transport}${
      transport === "stdio" ? "" : ", auth: bearer"
    }}\nstreamable-http: {port: 0}\nsse: {port: 0}\n` +
      `proxy: {enabled: true}\nmcp_servers: ${JSON.stringify(servers)}\naccess: ${
        JSON.stringify(ACCESS)
      }\n${extra}`,
  );
}

/** Resolves once the child's stderr matches (it may arrive after the answer on stdout). */
function stderrMatches(c: Connected & { stderr(): string }, pattern: RegExp): Promise<void> {
  const stream = (c.transport as unknown as { stderr: NodeStream }).stderr;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`stderr never matched ${pattern}:\n${c.stderr()}`)),
      10_000,
    );
    const check = () => void (pattern.test(c.stderr()) && done());
    const done = (e?: Error) => {
      clearTimeout(timer);
      stream.off("data", check);
      if (e) reject(e);
      else resolve();
    };
    stream.on("data", check);
    check();
  });
}

interface NodeStream {
  on(event: string, listener: () => void): void;
  off(event: string, listener: () => void): void;
}

const token = (claims: Record<string, unknown>) => sign(claims);
const ALICE = { sub: "alice", role: "editor", scope: "memory:read memory:write" };
const BOB = { sub: "bob", role: "viewer" };
const CAROL = { sub: "carol", role: ["viewer", "editor"], scope: "memory:read" };
const ADMIN = { sub: "ann", role: "admin", scope: "memory:write" };

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const { code, message } = e as { code: number; message: string };
    return { code, message };
  }
  throw new Error("did not fail");
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name);
}

const memoryTools = (names: string[]) => names.filter((n) => n.startsWith("proxy.memory.")).sort();

/** Connect as each user and check what they see and may do. */
async function checkAccess(
  connect: (headers: Record<string, string>) => Promise<Connected>,
  stderr: () => string,
  waitLog: (pattern: RegExp) => Promise<unknown>,
): Promise<void> {
  const as = async (claims: Record<string, unknown>) => await connect(bearer(await token(claims)));
  const [alice, bob, carol, admin] = await Promise.all([as(ALICE), as(BOB), as(CAROL), as(ADMIN)]);
  try {
    assert.equal(memoryTools(await toolNames(alice.client)).length, 9);
    assert.deepEqual(memoryTools(await toolNames(bob.client)), []);
    assert.deepEqual(memoryTools(await toolNames(carol.client)), [
      "proxy.memory.add_observations",
      "proxy.memory.open_nodes",
      "proxy.memory.read_graph",
      "proxy.memory.search_nodes",
    ]);
    // Everyone sees what no rule covers.
    assert.ok((await toolNames(bob.client)).includes("proxy.everything.echo"));

    // A denied call answers exactly like a call to a tool that does not exist.
    const missing = await failure(bob.client.callTool({ name: "proxy.memory.nope", arguments: {} }));
    const denied = await failure(bob.client.callTool({ name: "proxy.memory.read_graph", arguments: {} }));
    assert.deepEqual(denied, { code: missing.code, message: missing.message.replace("nope", "read_graph") });
    const write = await failure(
      carol.client.callTool({ name: "proxy.memory.create_entities", arguments: { entities: [] } }),
    );
    assert.match(write.message, /Unknown tool: proxy\.memory\.create_entities/);

    // Allowed callers reach the upstream.
    const created = await alice.client.callTool({
      name: "proxy.memory.create_entities",
      arguments: { entities: [{ name: "Ada", entityType: "person", observations: ["wrote programs"] }] },
    });
    assert.ok(!created.isError, JSON.stringify(created));
    const graph = await carol.client.callTool({ name: "proxy.memory.read_graph", arguments: {} });
    assert.match(JSON.stringify(graph.content), /Ada/);

    // Prompts and resources follow the same rules.
    const prompts = async (c: Connected) => (await c.client.listPrompts()).prompts.map((p) => p.name);
    assert.ok(!(await prompts(bob)).includes("proxy.everything.args-prompt"));
    assert.ok((await prompts(admin)).includes("proxy.everything.args-prompt"));
    const noPrompt = await failure(
      bob.client.getPrompt({ name: "proxy.everything.args-prompt", arguments: { city: "x" } }),
    );
    const nowhere = await failure(bob.client.getPrompt({ name: "proxy.everything.nowhere" }));
    assert.equal(noPrompt.code, nowhere.code);
    const docs = async (c: Connected) =>
      (await c.client.listResources()).resources.filter((r) =>
        r.uri.startsWith("demo://resource/static/document/")
      );
    assert.deepEqual(await docs(bob), []);
    const adminDocs = await docs(admin);
    assert.ok(adminDocs.length > 0);
    const uri = adminDocs[0].uri;
    assert.equal((await admin.client.readResource({ uri })).contents[0].uri, uri);
    const hidden = await failure(bob.client.readResource({ uri }));
    const none = await failure(bob.client.readResource({ uri: "demo://resource/static/document/none.md" }));
    assert.deepEqual(hidden, {
      code: none.code,
      message: none.message.replace("none.md", uri.split("/").pop()!),
    });
  } finally {
    await Promise.all([alice, bob, carol, admin].map((c) => c.close()));
  }
  // The audit trail: user, name and the rule that refused (stderr may trail the answers).
  await waitLog(
    /WARNING access: denied tool 'proxy\.memory\.read_graph' to user 'bob': access\.rules\[0\] needs role in \[editor, admin\]/,
  );
  await waitLog(
    /denied tool 'proxy\.memory\.create_entities' to user 'carol': access\.rules\[1\] needs scope in \[memory:write\]/,
  );
  await waitLog(/denied prompt 'proxy\.everything\.args-prompt' to user 'bob': access\.rules\[2\]/);
  await waitLog(/denied resource 'demo:\/\/resource\/static\/document\/[^']+' to user 'bob'/);
  const log = stderr();
  assert.doesNotMatch(log, /denied [^\n]*'proxy\.memory\.nope'/, "a missing name is not an access denial");
}

for (
  const [label, transport, extra, connect] of [
    ["stateless streamable HTTP", "streamable-http", "", connectHttp],
    [
      "stateful streamable HTTP",
      "streamable-http",
      "streamable-http: {port: 0, stateless: false}\n",
      connectHttp,
    ],
    ["SSE", "sse", "", connectSse],
  ] as const
) {
  Deno.test(`access (${label}): rules on JWT claims for tools, prompts and resources; denials logged`, async () => {
    const { dir, path } = await config(transport);
    if (extra) {
      await Deno.writeTextFile(
        path,
        (await Deno.readTextFile(path)).replace("streamable-http: {port: 0}\n", extra),
      );
    }
    const proc = startCli(["--config", path], { env: { JWT_SECRET_KEY: SECRET } });
    try {
      const url = await proc.ready;
      await checkAccess((headers) => connect(url, { headers }), proc.stderr, proc.waitForStderr);
    } finally {
      await proc.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("access (stdio): no token, so access.default decides — allow shows everything, deny nothing", async () => {
  const { dir, path } = await config("stdio");
  const c = await connectStdio(["--config", path]);
  try {
    assert.equal(memoryTools(await toolNames(c.client)).length, 9, "rules need a token: default allow");
  } finally {
    await c.close();
    await Deno.remove(dir, { recursive: true });
  }
  const closed = await tempConfig(
    `server: {type: stdio}\ntools: {modules_to_import: ["${ROOT}examples/tools.ts"]}\naccess: {default: deny}\n`,
  );
  const d = await connectStdio(["--config", closed.path]);
  try {
    assert.deepEqual(await toolNames(d.client), []);
    await assert.rejects(d.client.callTool({ name: "echo", arguments: { text: "x" } }), /Unknown tool: echo/);
    await stderrMatches(
      d,
      /denied tool 'echo' to a caller without a token: access\.default is deny \(no token\)/,
    );
  } finally {
    await d.close();
    await Deno.remove(closed.dir, { recursive: true });
  }
});
