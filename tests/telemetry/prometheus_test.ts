// A real Prometheus (the Debian package: /usr/bin/prometheus) scrapes two servers on loopback,
// each run with exactly the flags `cli.ts permissions` prints for its configuration: a streamable
// HTTP server answering /metrics on its own listener, and a stdio proxy serving metrics on a
// listener of its own behind a bearer token. After a few calls, Prometheus's HTTP API must report
// mcp_tool_calls_total for both, with the tool and upstream labels, and both targets up.
import assert from "node:assert/strict";
import {
  connectHttp,
  connectStdio,
  eventually,
  firstText,
  ROOT,
  runCliOnce,
  startCli,
  tempConfig,
} from "../helpers.ts";
import { freePort, onPath, REQUIRE_SERVICES } from "../services.ts";
import { fixtureYaml } from "../proxy/_helpers.ts";

const PROMETHEUS = "prometheus";
const ignore = !onPath(PROMETHEUS) && !REQUIRE_SERVICES;

/** The flags `cli.ts permissions` prints for `configPath`, as `deno run` arguments. */
async function exactFlags(configPath: string): Promise<string[]> {
  const r = await runCliOnce(["permissions", "--config", configPath, "--format", "flags"]);
  assert.equal(r.code, 0, r.stderr);
  return ["run", "--quiet", ...r.stdout.trim().split(" ")];
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promUrl: string, q: string): Promise<PromResult[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json();
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

Deno.test({
  name: "a real Prometheus scrapes both servers and reports mcp_tool_calls_total",
  ignore,
  async fn() {
    const httpPort = freePort();
    const metricsPort = freePort();
    const promPort = freePort();
    const token = crypto.randomUUID();
    const http = await tempConfig(
      `server: {type: streamable-http}\nstreamable-http: {port: ${httpPort}}\nmetrics: {enabled: true}\n` +
        `tools: {modules_to_import: [${ROOT}examples/tools.ts]}\n`,
    );
    const stdio = await tempConfig(
      `server: {type: stdio}\nmetrics: {enabled: true, port: ${metricsPort}, bearer_token: ${token}}\n` +
        "proxy: {enabled: true}\nmcp_servers:\n" + fixtureYaml("up"),
    );
    const promDir = await Deno.makeTempDir({ prefix: "prom-test-" });
    const httpServer = startCli(["--config", http.path], { runFlags: await exactFlags(http.path) });
    let stdioClient: Awaited<ReturnType<typeof connectStdio>> | undefined;
    let prometheus: Deno.ChildProcess | undefined;
    try {
      const url = await httpServer.ready;
      const c = await connectHttp(url);
      for (let i = 0; i < 3; i++) {
        assert.equal(
          firstText(await c.client.callTool({ name: "greet", arguments: { name: `p${i}` } })),
          `Hello, p${i}!`,
        );
      }
      await c.close();
      stdioClient = await connectStdio(["--config", stdio.path], { runFlags: await exactFlags(stdio.path) });
      for (let i = 0; i < 2; i++) {
        assert.equal(
          firstText(await stdioClient.client.callTool({ name: "proxy.up.echo", arguments: { text: "x" } })),
          "x",
        );
      }

      await Deno.writeTextFile(
        `${promDir}/prometheus.yml`,
        `global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: mcp-http
    static_configs: [{targets: ["127.0.0.1:${httpPort}"]}]
  - job_name: mcp-stdio
    authorization: {credentials: "${token}"}
    static_configs: [{targets: ["127.0.0.1:${metricsPort}"]}]
`,
      );
      prometheus = new Deno.Command(PROMETHEUS, {
        args: [
          `--config.file=${promDir}/prometheus.yml`,
          `--storage.tsdb.path=${promDir}/data`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          "--log.level=error",
        ],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const promErr = prometheus.stderr.pipeTo(new WritableStream()).catch(() => {});
      const promUrl = `http://127.0.0.1:${promPort}`;
      await eventually(
        () => fetch(`${promUrl}/-/ready`).then((r) => (r.body?.cancel(), r.ok), () => false),
        "Prometheus ready",
        { tries: 150, everyMs: 200 },
      );
      const calls = await eventually(
        async () => {
          const r = await query(promUrl, "mcp_tool_calls_total");
          return r.length >= 2 ? r : undefined;
        },
        "both servers' tool calls in Prometheus",
        { tries: 150, everyMs: 200 },
      );
      const byJob = new Map(calls.map((r) => [r.metric.job, r]));
      const h = byJob.get("mcp-http")!;
      assert.deepEqual(
        { tool: h.metric.tool, upstream: h.metric.upstream, status: h.metric.status, value: h.value[1] },
        { tool: "greet", upstream: undefined, status: "ok", value: "3" },
      );
      const s = byJob.get("mcp-stdio")!;
      assert.deepEqual(
        { tool: s.metric.tool, upstream: s.metric.upstream, status: s.metric.status, value: s.value[1] },
        { tool: "proxy.up.echo", upstream: "up", status: "ok", value: "2" },
      );
      const up = await query(promUrl, "up");
      assert.deepEqual(up.map((r) => [r.metric.job, r.value[1]]).sort(), [["mcp-http", "1"], [
        "mcp-stdio",
        "1",
      ]]);
      const upstream = await query(promUrl, "mcp_upstream_up");
      assert.deepEqual(upstream.map((r) => [r.metric.upstream, r.value[1]]), [["up", "1"]]);
      prometheus.kill("SIGTERM");
      await prometheus.status;
      await promErr;
      prometheus = undefined;
    } finally {
      if (prometheus) {
        prometheus.kill("SIGKILL");
        await prometheus.status;
      }
      await stdioClient?.close();
      await httpServer.stop();
      for (const d of [http.dir, stdio.dir, promDir]) await Deno.remove(d, { recursive: true });
    }
  },
});
