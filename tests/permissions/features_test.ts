// Least privilege for each feature, on real runs: filesystem + SQLite artifacts, Redis sessions,
// S3 artifacts, bearer auth, and the proxy (a Deno-sandboxed stdio upstream, a plain one, and a
// remote streamable-HTTP upstream). For each case: (1) the server started with exactly the flags
// `cli.ts permissions` prints answers the scenario; (2) an audited -A run of the same scenario
// touches nothing the planner left out. Cases needing Redis or S3 read REDIS_URL / S3_ENDPOINT_URL
// and are ignored without them, unless REQUIRE_SERVICES=1.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { loadConfig } from "../../src/config/load.ts";
import type { PermissionsReport } from "../../src/cli/permissions.ts";
import { requiredPermissions } from "../../src/app/permissions.ts";
import { envFromObject } from "../../src/config/env.ts";
import {
  childEnv,
  CLI,
  type Connected,
  connectHttp,
  connectStdio,
  DENO,
  eventually,
  firstText,
  ROOT,
  runCliOnce,
  startCli,
} from "../helpers.ts";
import { readAudit, uncovered } from "./audit.ts";
import { freePort, NEEDS, testName } from "../services.ts";

const HOSTILE = `${ROOT}tests/fixtures/hostile_server.ts`;
const REQUIRE = Deno.env.get("REQUIRE_SERVICES") === "1";
const REDIS_URL = Deno.env.get("REDIS_URL");
const S3_ENDPOINT = Deno.env.get("S3_ENDPOINT_URL");

interface Setup {
  dir: string;
  env: Record<string, string>;
  /** Headers for HTTP clients. */
  headers?: Record<string, string>;
  cleanup?: () => Promise<void>;
}

interface FeatureCase {
  name: string;
  ignore?: boolean;
  /** What an ignored case needs. */
  why?: string;
  transport: "stdio" | "streamable-http";
  /** Write config.yaml (and whatever else) into `dir`; return the environment the server gets. */
  setup(dir: string): Promise<Omit<Setup, "dir">>;
  scenario(c: Connected, s: Setup): Promise<void>;
}

async function text(c: Connected, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const r = await c.client.callTool({ name, arguments: args });
  assert.notEqual(r.isError, true, `${name}: ${JSON.stringify(r)}`);
  return firstText(r);
}

const idOf = (t: string) => /(?:Artifact ID|New artifact ID): ([0-9a-f-]{36})/.exec(t)?.[1] ?? assert.fail(t);

async function writeRead(c: Connected): Promise<void> {
  const id = idOf(await text(c, "write_file", { content: "least privilege", filename: "a.txt" }));
  assert.equal(await text(c, "read_file", { artifact_id: id }), "least privilege");
}

const ARTIFACT_TOOLS = "  tools: {write_file: {enabled: true}, read_file: {enabled: true}}\n";

/** A remote upstream for the proxy case: our own server on a free port. */
let upstream: { url: string; stop(): Promise<unknown> } | undefined;

const CASES: FeatureCase[] = [
  {
    name: "artifacts on the filesystem with SQLite metadata",
    transport: "stdio",
    async setup(dir) {
      await Deno.writeTextFile(
        `${dir}/config.yaml`,
        "server: {type: stdio}\nartifacts:\n  enabled: true\n  storage_provider: filesystem\n" +
          "  session_provider: sqlite\n  filesystem_root: store\n" + ARTIFACT_TOOLS,
      );
      return { env: {} };
    },
    scenario: writeRead,
  },
  {
    name: "sessions in Redis, with the session tools",
    ignore: !REDIS_URL && !REQUIRE,
    why: NEEDS.REDIS_URL,
    transport: "stdio",
    async setup(dir) {
      await Deno.writeTextFile(
        `${dir}/config.yaml`,
        "server: {type: stdio}\nsession_tools:\n  enabled: true\n  tools: {create_session: {enabled: true}, " +
          "get_current_session: {enabled: true}}\n",
      );
      const deployment = `perm${crypto.randomUUID().slice(0, 8)}`;
      return {
        env: {
          SESSION_PROVIDER: "redis",
          REDIS_URL: REDIS_URL ?? "",
          ENVIRONMENT: "test",
          DEPLOYMENT_ID: deployment,
        },
      };
    },
    async scenario(c) {
      const created = await text(c, "create_session");
      assert.match(await text(c, "get_current_session"), /\S/);
      assert.match(created, /\S/);
    },
  },
  {
    name: "artifacts on S3",
    ignore: !S3_ENDPOINT && !REQUIRE,
    why: NEEDS.S3_ENDPOINT_URL,
    transport: "stdio",
    async setup(dir) {
      await Deno.writeTextFile(
        `${dir}/config.yaml`,
        "server: {type: stdio}\nartifacts:\n  enabled: true\n  storage_provider: s3\n" + ARTIFACT_TOOLS,
      );
      return {
        env: {
          S3_ENDPOINT_URL: S3_ENDPOINT ?? "",
          AWS_ACCESS_KEY_ID: Deno.env.get("AWS_ACCESS_KEY_ID") ?? "S3RVER",
          AWS_SECRET_ACCESS_KEY: Deno.env.get("AWS_SECRET_ACCESS_KEY") ?? "S3RVER",
          AWS_REGION: "us-east-1",
          ARTIFACT_BUCKET: `perm-${crypto.randomUUID().slice(0, 12)}`,
        },
      };
    },
    scenario: writeRead,
  },
  {
    // The metrics listener is the one grant; Deno's OTLP exporter and the JSON logs need none.
    name: "Prometheus metrics, OpenTelemetry tracing and JSON logs on a stdio server",
    transport: "stdio",
    async setup(dir) {
      const port = freePort();
      const spans = { count: 0 };
      const sink = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
        if (new URL(req.url).pathname === "/v1/traces") spans.count++;
        await req.body?.cancel();
        return Response.json({});
      });
      await Deno.writeTextFile(
        `${dir}/config.yaml`,
        `server: {type: stdio}\nmetrics: {enabled: true, port: ${port}}\nlogging: {format: json}\n` +
          `tools: {modules_to_import: [${ROOT}examples/tools.ts]}\n`,
      );
      return {
        env: {
          OTEL_DENO: "true",
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.addr.port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          METRICS_PORT: String(port),
        },
        // The server has exited: its last spans were flushed to the sink (no grant was needed).
        cleanup: async () => {
          try {
            await eventually(() => spans.count > 0, "spans at the OTLP sink");
          } finally {
            await sink.shutdown();
          }
        },
      };
    },
    async scenario(c, s) {
      assert.equal(await text(c, "greet", { name: "perm" }), "Hello, perm!");
      const res = await fetch(`http://127.0.0.1:${s.env.METRICS_PORT}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^mcp_tool_calls_total\{tool="greet",upstream="",status="ok"\} 1$/m);
    },
  },
  {
    name: "bearer authentication over streamable HTTP",
    transport: "streamable-http",
    async setup(dir) {
      await Deno.writeTextFile(
        `${dir}/config.yaml`,
        "server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n" +
          `tools: {modules_to_import: ["${ROOT}examples/tools.ts"]}\n`,
      );
      const secret = "least-privilege-secret";
      const token = await new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "HS256" })
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode(secret));
      return { env: { JWT_SECRET_KEY: secret }, headers: { authorization: `Bearer ${token}` } };
    },
    async scenario(c) {
      assert.equal(await text(c, "add", { a: 1, b: 2 }), '{"sum":3}');
    },
  },
  {
    name: "proxy: a sandboxed stdio upstream, a plain one, and a remote streamable-HTTP one",
    transport: "stdio",
    async setup(dir) {
      await Deno.mkdir(`${dir}/allowed`);
      await Deno.writeTextFile(`${dir}/allowed/in.txt`, "in\n");
      await Deno.writeTextFile(`${dir}/outside.txt`, "outside\n");
      if (!upstream) {
        const proc = startCli(["--port", "0"], { cwd: await Deno.makeTempDir(), entry: CLI });
        upstream = { url: await proc.ready, stop: () => proc.stop() };
      }
      await Deno.writeTextFile(
        `${dir}/config.yaml`,
        [
          "server: {type: stdio}",
          "proxy: {enabled: true}",
          "mcp_servers:",
          `  boxed: {type: stdio, deno: true, command: "${HOSTILE}", permissions: {read: [allowed]}}`,
          `  plain: {type: stdio, command: "${DENO}", args: [run, -A, --quiet, "${HOSTILE}"]}`,
          `  remote: {type: streamable-http, url: "${upstream.url}"}`,
          "",
        ].join("\n"),
      );
      return { env: {} };
    },
    async scenario(c, s) {
      const read = async (server: string, path: string) =>
        JSON.parse(await text(c, `proxy.${server}.read_file`, { path: `${s.dir}/${path}` }));
      assert.deepEqual(await read("boxed", "allowed/in.txt"), { ok: true, detail: "in\n" });
      const denied = await read("boxed", "outside.txt");
      assert.equal(denied.ok, false);
      assert.match(denied.error, /^NotCapable: Requires read access/);
      assert.deepEqual(await read("plain", "outside.txt"), { ok: true, detail: "outside\n" });
      assert.equal(await text(c, "proxy.remote.add", { a: 2, b: 2 }), '{"sum":4}');
    },
  },
];

async function connect(kind: FeatureCase["transport"], runFlags: string[], s: Setup) {
  const args = ["--config", "config.yaml"];
  if (kind === "stdio") {
    const c = await connectStdio(args, { runFlags, env: s.env, cwd: s.dir, entry: CLI });
    return { c, stop: () => Promise.resolve(0), stderr: c.stderr };
  }
  const proc = startCli(args, { runFlags, env: s.env, cwd: s.dir, entry: CLI });
  const url = await proc.ready.catch(async (e) => {
    await proc.stop();
    throw e;
  });
  const c = await connectHttp(url, { headers: s.headers });
  return { c, stop: async () => (await proc.stop()).code, stderr: proc.stderr };
}

async function runCase(fc: FeatureCase, mode: "printed" | "audited"): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-feature-" });
  const s: Setup = { dir, ...await fc.setup(dir) };
  try {
    let runFlags: string[];
    const auditFile = `${dir}/audit.jsonl`;
    const env = { ...s.env };
    if (mode === "printed") {
      const r = await runCliOnce(["permissions", "--config", "config.yaml", "--format", "json"], {
        cwd: dir,
        env: s.env,
        entry: CLI,
      });
      assert.equal(r.code, 0, r.stderr);
      const report: PermissionsReport = JSON.parse(r.stdout);
      runFlags = ["run", "--quiet", ...report.flags];
    } else {
      runFlags = ["run", "-A", "--quiet"];
      env.DENO_AUDIT_PERMISSIONS = auditFile;
    }
    const { c, stop, stderr } = await connect(fc.transport, runFlags, { ...s, env });
    try {
      await fc.scenario(c, s);
    } finally {
      await c.close();
    }
    assert.equal(await stop(), 0, stderr());
    assert.doesNotMatch(stderr(), /NotCapable: Requires (?!read access to "[^"]*outside\.txt")/, stderr());
    if (mode === "audited") {
      const runEnv = childEnv(s.env);
      const loaded = await loadConfig({ path: `${dir}/config.yaml`, env: envFromObject(runEnv), cwd: dir });
      const required = requiredPermissions(loaded.config, {
        configFile: loaded.file,
        configPath: "config.yaml",
        baseDir: loaded.baseDir,
        cwd: dir,
        env: envFromObject(runEnv),
        tracing: runEnv.OTEL_DENO === "true",
      });
      // Everything the child's environment held (the SDK's stdio client adds its defaults).
      const names = [
        ...Object.keys(runEnv),
        "DENO_AUDIT_PERMISSIONS",
        "HOME",
        "LOGNAME",
        "PATH",
        "SHELL",
        "TERM",
        "USER",
      ];
      assert.deepEqual(uncovered(await readAudit(auditFile), required, dir, names), []);
    }
  } finally {
    await s.cleanup?.();
    await Deno.remove(dir, { recursive: true });
  }
}

for (const fc of CASES) {
  Deno.test({
    name: testName(`permissions (${fc.name}): the printed flags are enough`, !!fc.ignore, fc.why ?? ""),
    ignore: fc.ignore,
    fn: () => runCase(fc, "printed"),
  });
  Deno.test({
    name: testName(
      `permissions (${fc.name}): an audited -A run needs nothing more`,
      !!fc.ignore,
      fc.why ?? "",
    ),
    ignore: fc.ignore,
    fn: () => runCase(fc, "audited"),
  });
}

Deno.test("permissions (features): stop the remote upstream", async () => {
  await upstream?.stop();
  upstream = undefined;
});

Deno.test("permissions proxy: the plan of a proxy command line runs it (README quick-start shape)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-proxycli-" });
  try {
    const proxyArgs = ["--stdio", "h", "--command", DENO, "--", "run", "-A", "--quiet", HOSTILE];
    const r = await runCliOnce(["permissions", "proxy", ...proxyArgs, "--format", "json"], {
      cwd: dir,
      entry: CLI,
    });
    assert.equal(r.code, 0, r.stderr);
    const report: PermissionsReport = JSON.parse(r.stdout);
    assert.ok(report.flags.includes(`--allow-run=${DENO}`), report.flags.join(" "));
    assert.deepEqual(report.command.slice(-proxyArgs.length - 1), ["proxy", ...proxyArgs]);
    const c = await connectStdio(["proxy", ...proxyArgs], {
      runFlags: ["run", "--quiet", ...report.flags],
      cwd: dir,
      entry: CLI,
    });
    try {
      assert.deepEqual(JSON.parse(await text(c, "proxy.h.read_env", { name: "PATH" })).ok, true);
    } finally {
      await c.close();
    }
    // Without the run grant: exit 2, and the hint is the proxy's own plan.
    const flags = report.flags.filter((f) => !f.startsWith("--allow-run"));
    const denied = await runCliOnce(["proxy", ...proxyArgs], {
      runFlags: ["run", "--quiet", ...flags],
      cwd: dir,
      entry: CLI,
    });
    assert.equal(denied.code, 2, denied.stderr);
    assert.ok(denied.stderr.includes(`--allow-run=${DENO}`), denied.stderr);
    assert.ok(denied.stderr.includes("permissions proxy --stdio h"), denied.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
