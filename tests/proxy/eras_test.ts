// The proxy between protocol eras, against real upstreams: the SDK v2 server of both eras
// (tests/fixtures/modern_server.ts) and 2025-only servers; real SDK clients downstream.
import assert from "node:assert/strict";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "../../src/sdk/types.ts";
import {
  connectHttp,
  DENO,
  eventually,
  firstText,
  newClient,
  nextEvent,
  ROOT,
  startCli,
  tempConfig,
} from "../helpers.ts";
import { freePort } from "../services.ts";
import { type ExternalServer, fixtureYaml, npmServerPath, startExternal } from "./_helpers.ts";

const MODERN = `${ROOT}tests/fixtures/modern_server.ts`;

/** The both-era fixture over streamable HTTP (`MODERN_ONLY=1`: 2026 only), and its URL. */
async function modernUpstream(env: Record<string, string> = {}): Promise<ExternalServer & { url: string }> {
  const server = await startExternal(
    DENO,
    ["run", "-A", "--quiet", MODERN],
    { DENO_TLS_CA_STORE: "system", NO_COLOR: "1", ...env },
    /listening on http:\S+/,
  );
  return { ...server, url: /listening on (http:\S+)/.exec(server.stderr())![1] };
}

/** The proxy on streamable HTTP in front of `upstreams` (YAML lines of `mcp_servers`). */
async function proxyFront(upstreams: string, http = "stateless: false") {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, ${http}}\n` +
      `proxy: {enabled: true}\nmcp_servers:\n${upstreams}`,
  );
  const cli = startCli(["--config", path]);
  return { cli, url: await cli.ready };
}

async function health(url: string): Promise<Record<string, Record<string, unknown>>> {
  const body = await (await fetch(new URL("/health", url))).json();
  return body.proxy.upstreams;
}

Deno.test("a 2025 client (SDK v1, stateful) uses a 2026 upstream: input_required becomes real requests, round after round", async () => {
  const upstream = await modernUpstream({ MODERN_ONLY: "1" });
  const front = await proxyFront(`  modern: {type: streamable-http, url: "${upstream.url}"}\n`);
  const client = newClient();
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (req) => {
    asked.push(`elicit:${req.params.message}`);
    return { action: "accept", content: { name: "Ada" } };
  });
  client.setRequestHandler(CreateMessageRequestSchema, () => {
    asked.push("sample");
    return { role: "assistant", model: "test", content: { type: "text", text: "bright" } };
  });
  client.setRequestHandler(ListRootsRequestSchema, () => {
    asked.push("roots");
    return { roots: [{ uri: "file:///work", name: "work" }] };
  });
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  const c = await connectHttp(front.url, { client });
  try {
    const upstreams = await health(front.url);
    assert.equal(upstreams.modern.protocol_version, "2026-07-28");
    assert.equal(upstreams.modern.state, "ready");

    const call = async (name: string, args: Record<string, unknown> = {}) =>
      firstText(await client.callTool({ name: `proxy.modern.${name}`, arguments: args }));
    assert.equal(await call("greet"), "Hello, Ada!");
    assert.equal(await call("summarize", { text: "a long text" }), "Summary: bright");
    assert.equal(await call("where"), "roots: file:///work");
    assert.deepEqual(asked, ["elicit:What is your name?", "sample", "roots"]);
    asked.length = 0;
    // Two rounds: an elicitation, then (with the upstream's requestState) a sampling request.
    assert.equal(await call("interview"), "Ada: bright");
    assert.deepEqual(asked, ["elicit:Name?", "sample"]);

    // Progress and logs of the 2026 call reach the 2025 caller.
    const progress: number[] = [];
    const counted = await client.callTool(
      { name: "proxy.modern.count", arguments: { steps: 3 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    assert.equal(firstText(counted), "counted 3");
    assert.deepEqual(progress, [1, 2, 3]);
    assert.equal(await call("shout", { text: "hey" }), "HEY");
    assert.deepEqual(logs, ["hey"]);

    // The upstream sees what the caller can answer, not what the proxy could.
    const envelope = JSON.parse(await call("whoami"));
    assert.equal(envelope["io.modelcontextprotocol/protocolVersion"], "2026-07-28");
    assert.deepEqual(envelope["io.modelcontextprotocol/clientCapabilities"], {
      sampling: {},
      elicitation: { form: {} },
      roots: { listChanged: true },
    });

    // An argument the tool mirrors in a header (SEP-2243): the SDK server checks the header.
    assert.equal(await call("region", { region: " eu-west ", text: "x" }), "region  eu-west ");
    // Resources and prompts.
    const read = await client.readResource({ uri: "fx://hello" });
    assert.deepEqual(read.contents, [{ uri: "fx://hello", mimeType: "text/plain", text: "hello" }]);
    const prompt = await client.getPrompt({ name: "proxy.modern.greeting", arguments: { name: "Bo" } });
    assert.deepEqual(prompt.messages, [{ role: "user", content: { type: "text", text: "Greet Bo" } }]);
  } finally {
    await c.close();
    await front.cli.stop();
    await upstream.stop();
  }
});

Deno.test("a 2026 upstream's list changes and resource updates reach 2025 clients (the proxy listens for them)", async () => {
  const upstream = await modernUpstream({ MODERN_ONLY: "1" });
  const front = await proxyFront(`  modern: {type: streamable-http, url: "${upstream.url}"}\n`);
  const client = newClient();
  const c = await connectHttp(front.url, { client });
  try {
    const listChanged = nextEvent<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())
    );
    await client.callTool({ name: "proxy.modern.add_tool", arguments: { name: "late" } });
    await listChanged;
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("proxy.modern.late"), names.join(", "));

    await client.subscribeResource({ uri: "fx://hello" });
    const updated = nextEvent<string>((resolve) =>
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri))
    );
    // The subscription reaches the upstream's listen stream before the change (it is acknowledged).
    await eventually(
      async () => {
        await client.callTool({ name: "proxy.modern.touch", arguments: { uri: "fx://hello" } });
        return await Promise.race([
          updated,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 200)),
        ]);
      },
      "the upstream's resources/updated",
      { tries: 25, everyMs: 0 },
    );
    assert.equal(await updated, "fx://hello");
  } finally {
    await c.close();
    await front.cli.stop();
    await upstream.stop();
  }
});

Deno.test("protocol: auto speaks 2026-07-28 to a stdio upstream that offers it, a pin speaks what it names", async () => {
  const stdio = (extra: Record<string, unknown>) =>
    JSON.stringify({
      type: "stdio",
      command: DENO,
      args: ["run", "-A", "--quiet", "--config", `${ROOT}deno.json`, MODERN, "stdio"],
      env: { DENO_TLS_CA_STORE: "system", NO_COLOR: "1" },
      ...extra,
    });
  const front = await proxyFront(
    `  auto: ${stdio({})}\n  old: ${stdio({ protocol: "2025-11-25" })}\n` +
      `  new: ${stdio({ protocol: "2026-07-28" })}\n`,
  );
  const client = newClient();
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Cy" } }));
  const c = await connectHttp(front.url, { client });
  try {
    const upstreams = await health(front.url);
    assert.equal(upstreams.auto.protocol_version, "2026-07-28");
    assert.equal(upstreams.old.protocol_version, "2025-11-25");
    assert.equal(upstreams.new.protocol_version, "2026-07-28");
    // The same tool through both eras: input_required (2026) and a real elicitation (2025).
    for (const name of ["auto", "old", "new"]) {
      const r = await client.callTool({ name: `proxy.${name}.greet`, arguments: {} });
      assert.equal(firstText(r), "Hello, Cy!", name);
    }
  } finally {
    await c.close();
    await front.cli.stop();
  }
});

Deno.test("protocol: auto speaks 2025-11-25 to 2025-only upstreams; a pin they cannot meet says why", async () => {
  const everything = await npmServerPath("everything");
  const port = freePort();
  const remote = await startExternal("node", [everything, "streamableHttp"], { PORT: String(port) }, /port/i);
  const strict = fixtureYaml("strict", {}, { FIXTURE_STRICT_INIT: "1" });
  const front = await proxyFront(
    `  remote: {type: streamable-http, url: "http://127.0.0.1:${port}/mcp"}\n` +
      `  local: {type: stdio, command: node, args: ["${everything}", "stdio"]}\n` +
      `  pinned: {type: stdio, command: node, args: ["${everything}", "stdio"], protocol: "2026-07-28"}\n` +
      strict,
  );
  const c = await connectHttp(front.url);
  try {
    const upstreams = await health(front.url);
    assert.equal(upstreams.remote.protocol_version, "2025-11-25");
    assert.equal(upstreams.local.protocol_version, "2025-11-25");
    assert.notEqual(upstreams.pinned.state, "ready");
    assert.match(String(upstreams.pinned.last_error), /2026-07-28/);
    // A server that exits on the probe is started again and spoken to in 2025.
    await eventually(async () => (await health(front.url)).strict.state === "ready", "strict is ready");
    assert.equal((await health(front.url)).strict.protocol_version, "2025-11-25");
    const r = await c.client.callTool({ name: "proxy.strict.echo", arguments: { text: "still here" } });
    assert.equal(firstText(r), "still here");
    const sum = await c.client.callTool({ name: "proxy.remote.get-sum", arguments: { a: 2, b: 40 } });
    assert.match(firstText(sum), /42/);
  } finally {
    await c.close();
    await front.cli.stop();
    await remote.stop();
  }
});

Deno.test("a tool its upstream runs only as a task is callable: server-everything's research task (2025 tasks), elicitation included", async () => {
  const everything = await npmServerPath("everything");
  const front = await proxyFront(`  ev: {type: stdio, command: node, args: ["${everything}", "stdio"]}\n`);
  const client = newClient();
  client.setRequestHandler(ElicitRequestSchema, () => ({
    action: "accept",
    content: { interpretation: "technical" },
  }));
  const c = await connectHttp(front.url, { client });
  try {
    const { tools } = await client.listTools();
    const research = tools.find((t) => t.name === "proxy.ev.simulate-research-query");
    // The proxy runs the task for its caller: listed as an ordinary tool.
    assert.ok(research);
    assert.equal(research.execution?.taskSupport, undefined);
    const r = await client.callTool({
      name: "proxy.ev.simulate-research-query",
      arguments: { topic: "python", ambiguous: true },
    });
    assert.equal(r.isError, undefined, JSON.stringify(r));
    assert.match(firstText(r), /Research Report: python \(technical\)/);
  } finally {
    await c.close();
    await front.cli.stop();
  }
});
