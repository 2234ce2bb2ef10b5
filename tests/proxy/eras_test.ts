// The proxy between protocol eras, against real upstreams: the SDK v2 server of both eras
// (tests/fixtures/modern_server.ts) and 2025-only servers; real SDK clients downstream.
import assert from "node:assert/strict";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from "../../src/sdk/types.ts";
import { connectHttp, DENO, firstText, newClient, ROOT, startCli, tempConfig } from "../helpers.ts";
import { type ExternalServer, startExternal } from "./_helpers.ts";

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
