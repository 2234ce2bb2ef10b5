// Remote upstreams: streamable HTTP and HTTP+SSE, against our own runtime and against the
// official server-everything (Node), with API keys and headers sent upstream.
import assert from "node:assert/strict";
import { ToolListChangedNotificationSchema } from "../../src/sdk/types.ts";
import { connectStdio, firstText, newClient, ROOT, startCli, tempConfig } from "../helpers.ts";
import { freePort } from "../services.ts";
import { npmServerPath, startExternal } from "./_helpers.ts";

const FIXTURE_TOOLS = `${ROOT}tests/fixtures/tools.ts`;
const EXAMPLE_TOOLS = `${ROOT}examples/tools.ts`;

async function ourServer(type: "streamable-http" | "sse") {
  const section = type === "sse"
    ? "sse: {port: 0}"
    : "streamable-http: {port: 0, stateless: false, json_response: false}";
  const { path } = await tempConfig(
    `server: {type: ${type}}\n${section}\ntools:\n  modules_to_import: ["${EXAMPLE_TOOLS}", "${FIXTURE_TOOLS}"]\n`,
  );
  return startCli(["--config", path]);
}

for (const type of ["streamable-http", "sse"] as const) {
  Deno.test(`our runtime as a ${type} upstream: calls, progress, headers and API key`, async () => {
    const upstream = await ourServer(type);
    try {
      const url = await upstream.ready;
      const flag = type === "sse" ? "--sse" : "--http";
      const c = await connectStdio([
        "proxy",
        flag,
        "remote",
        "--url",
        url,
        "--api-key",
        "k-123",
        "--header",
        "X-Team=blue",
      ]);
      try {
        const sum = await c.client.callTool({ name: "proxy.remote.add", arguments: { a: 2, b: 3 } });
        assert.deepEqual(sum.structuredContent, { sum: 5 });
        const seen: number[] = [];
        const counted = await c.client.callTool(
          { name: "proxy.remote.count_to", arguments: { n: 4, delay_ms: 0 } },
          undefined,
          { onprogress: (p) => seen.push(p.progress) },
        );
        assert.equal(firstText(counted), "Counted to 4");
        assert.deepEqual(seen, [1, 2, 3, 4]);
        const h = JSON.parse(
          firstText(await c.client.callTool({ name: "proxy.remote.headers", arguments: {} })),
        );
        assert.equal(h.headers.authorization, "Bearer k-123");
        assert.equal(h.headers["x-team"], "blue");
        assert.equal(h.transport, type);
      } finally {
        await c.close();
      }
    } finally {
      await upstream.stop();
    }
  });
}

for (const mode of ["streamableHttp", "sse"] as const) {
  Deno.test(`server-everything (${mode}) as an upstream`, async () => {
    const entry = await npmServerPath("everything");
    const port = freePort();
    const server = await startExternal("node", [entry, mode], { PORT: String(port) }, /port/i);
    try {
      const url = mode === "sse" ? `http://127.0.0.1:${port}/sse` : `http://127.0.0.1:${port}/mcp`;
      const c = await connectStdio(["proxy", mode === "sse" ? "--sse" : "--http", "ev", "--url", url]);
      try {
        const { tools } = await c.client.listTools();
        const names = tools.map((t) => t.name);
        assert.ok(names.includes("proxy.ev.echo"), names.join(","));
        const r = await c.client.callTool({ name: "proxy.ev.echo", arguments: { message: "hello" } });
        assert.match(firstText(r), /hello/);
        const sum = await c.client.callTool({ name: "proxy.ev.get-sum", arguments: { a: 2, b: 40 } });
        assert.match(firstText(sum), /42/);
      } finally {
        await c.close();
      }
    } finally {
      await server.stop();
    }
  });
}

Deno.test("a dropped remote upstream is reconnected when it comes back, and clients hear list_changed", async () => {
  const port = freePort();
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: ${port}, stateless: false}\n` +
      `tools:\n  modules_to_import: ["${EXAMPLE_TOOLS}"]\n`,
  );
  let upstream = startCli(["--config", path]);
  const url = await upstream.ready;
  const client = newClient();
  const c = await connectStdio(["proxy", "--http", "remote", "--url", url], { client });
  try {
    assert.equal(
      firstText(await client.callTool({ name: "proxy.remote.echo", arguments: { text: "1" } })),
      "1",
    );
    await upstream.stop();
    const failed = await client.callTool({ name: "proxy.remote.echo", arguments: { text: "2" } });
    assert.equal(failed.isError, true);
    assert.match(firstText(failed), /Upstream 'remote'/);
    const back = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())
    );
    upstream = startCli(["--config", path]); // same port: the server "comes back"
    await upstream.ready;
    await back;
    assert.equal(
      firstText(await client.callTool({ name: "proxy.remote.echo", arguments: { text: "3" } })),
      "3",
    );
  } finally {
    await c.close();
    await upstream.stop();
  }
});
