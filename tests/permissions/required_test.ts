// The permission planner, case by case (pure: configs and environments in, grants out). Real runs
// under the planned flags: examples_test.ts (each example config) and features_test.ts (each
// feature, the proxy included).
import assert from "node:assert/strict";
import { envFromObject } from "../../src/config/env.ts";
import { loadConfig } from "../../src/config/load.ts";
import { validateConfig } from "../../src/config/validate.ts";
import type { RuntimeConfigInput } from "../../src/config/types.ts";
import { permissionFlags } from "../../src/permissions/flags.ts";
import { displayPath, envReferences, netHost } from "../../src/permissions/plan.ts";
import { requiredPermissions } from "../../src/app/permissions.ts";
import type { PermissionKind } from "../../src/permissions/types.ts";

const EMPTY_ENV = envFromObject({});

function plan(input: RuntimeConfigInput, env: Record<string, string> = {}, baseDir = "/srv/app") {
  const config = validateConfig(input, "test");
  return requiredPermissions(config, {
    configFile: `${baseDir}/config.yaml`,
    configPath: "config.yaml",
    configText: "",
    baseDir,
    cwd: "/nonexistent-cwd",
    env: envFromObject(env),
    denoPath: "/opt/deno",
  });
}

function values(required: ReturnType<typeof plan>, kind: PermissionKind): string[] {
  return required.grants.filter((g) => g.kind === kind).map((g) => g.value);
}

Deno.test("plan: transports, config file, core env", () => {
  const stdio = plan({ server: { type: "stdio" } });
  assert.deepEqual(values(stdio, "net"), []);
  assert.deepEqual(values(stdio, "read"), ["/srv/app/config.yaml"]);
  assert.deepEqual(values(stdio, "write"), []);
  assert.deepEqual(values(stdio, "run"), []);
  assert.ok(values(stdio, "env").includes("MCP_TOOL_TIMEOUT"));
  assert.ok(!values(stdio, "env").includes("CHUK_MCP_CONFIG_PATH"), "--config given: not read");

  const http = plan({
    server: { type: "streamable-http" },
    "streamable-http": { host: "0.0.0.0", port: 8080 },
  });
  assert.deepEqual(values(http, "net"), ["0.0.0.0:8080"]);
  const sse = plan({ server: { type: "sse" }, sse: { host: "::1" } });
  assert.deepEqual(values(sse, "net"), ["[::1]:8000"]);

  const pinned = plan({ tools: { timeout: 5 }, sessions: { sandbox_id: "sb" } });
  assert.ok(!values(pinned, "env").some((v) => ["MCP_TOOL_TIMEOUT", "TOOL_TIMEOUT", "POD_NAME"].includes(v)));
});

Deno.test("plan: the request-state key is read where the 2026-07-28 wire is served and no key is set", () => {
  assert.ok(values(plan({ server: { type: "stdio" } }), "env").includes("REQUEST_STATE_KEY"));
  assert.ok(values(plan({ server: { type: "streamable-http" } }), "env").includes("REQUEST_STATE_KEY"));
  assert.ok(!values(plan({ server: { type: "sse" } }), "env").includes("REQUEST_STATE_KEY"));
  const keyed = plan({ server: { type: "streamable-http", request_state_key: "0123456789abcdef" } });
  assert.ok(!values(keyed, "env").includes("REQUEST_STATE_KEY"));
});

Deno.test("plan: ${VAR} references and modules", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-plan-" });
  try {
    await Deno.mkdir(`${dir}/pkg`);
    await Deno.writeTextFile(`${dir}/pkg/tools.ts`, "export {};");
    await Deno.writeTextFile(`${dir}/extra.js`, "export {};");
    const text =
      "host: {name: '${NAME:-x}'}\n# $${LITERAL}\ntools:\n  modules_to_import: [pkg.tools, extra]\n";
    await Deno.writeTextFile(`${dir}/config.yaml`, text);
    const { config, file, baseDir } = await loadConfig({ path: `${dir}/config.yaml`, env: EMPTY_ENV });
    const required = requiredPermissions(config, {
      configFile: file,
      configPath: file,
      baseDir,
      env: EMPTY_ENV,
    });
    assert.deepEqual(values(required, "read"), [
      `${dir}/config.yaml`,
      `${dir}/pkg/tools.ts`,
      `${dir}/extra.js`,
    ]);
    assert.ok(values(required, "env").includes("NAME"));
    assert.ok(!values(required, "env").includes("LITERAL"));
    const dotted = required.grants.find((g) => g.value === `${dir}/pkg/tools.ts`)!;
    assert.ok(dotted.alternatives?.includes(`${dir}/pkg.tools`), "extensionless specs list every candidate");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(envReferences("a: ${A}\nb: ${B:-d}\nc: $${C}\nd: ${A}"), ["A", "B"]);
});

Deno.test("plan: a module's local static imports are read too (Deno checks each file of a dynamic import's graph)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-plan-" });
  try {
    await Deno.mkdir(`${dir}/lib`);
    await Deno.writeTextFile(
      `${dir}/tools.ts`,
      [
        'import { helper } from "./lib/helper.ts";',
        'import type { Shape } from "./lib/types.ts";',
        'export { other } from "./lib/other.ts";',
        'import data from "./lib/data.json" with { type: "json" };',
        'import "npm:zod@3";',
        "export const tools = [helper, data] as unknown as Shape[];",
      ].join("\n"),
    );
    await Deno.writeTextFile(
      `${dir}/lib/helper.ts`,
      'import { deep } from "../deep.ts";\nexport const helper = deep;',
    );
    await Deno.writeTextFile(`${dir}/lib/types.ts`, "export type Shape = unknown;");
    await Deno.writeTextFile(`${dir}/lib/other.ts`, 'import "./helper.ts";\nexport const other = 1;');
    await Deno.writeTextFile(`${dir}/lib/data.json`, "{}");
    await Deno.writeTextFile(`${dir}/deep.ts`, 'import "./tools.ts";\nexport const deep = 1;');
    await Deno.writeTextFile(`${dir}/config.yaml`, "tools:\n  modules_to_import: [tools]\n");
    const { config, file, baseDir } = await loadConfig({ path: `${dir}/config.yaml`, env: EMPTY_ENV });
    const required = requiredPermissions(config, {
      configFile: file,
      configPath: file,
      baseDir,
      env: EMPTY_ENV,
    });
    assert.deepEqual(values(required, "read").sort(), [
      `${dir}/config.yaml`,
      `${dir}/deep.ts`,
      `${dir}/lib/data.json`,
      `${dir}/lib/helper.ts`,
      `${dir}/lib/other.ts`,
      `${dir}/tools.ts`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plan: proxy upstreams (stdio, sandboxed, remote)", () => {
  const required = plan({
    proxy: { enabled: true },
    mcp_servers: {
      time: { type: "stdio", command: "uvx", args: ["mcp-server-time"] },
      fs: { type: "stdio", deno: true, command: "npm:x", permissions: { env: ["TOKEN"] } },
      remote: { type: "sse", url: "https://mcp.example.com/sse", api_key: "k" },
      http: { url: "http://10.0.0.5:9000/mcp" },
      off: { command: "never", enabled: false },
      local: { location: ".", tools: { module: "tools.ts" } },
    },
  }, { PATH: "/bin" });
  assert.deepEqual(values(required, "run"), ["uvx", "/opt/deno"]);
  assert.deepEqual(values(required, "net"), ["mcp.example.com:443", "10.0.0.5:9000"]);
  const env = values(required, "env");
  assert.ok(!values(required, "env").includes("API_KEY"), "an SSE upstream with api_key");
  const sse = plan({
    proxy: { enabled: true },
    mcp_servers: { s: { type: "sse", url: "http://127.0.0.1:9/sse" } },
  });
  assert.ok(values(sse, "env").includes("API_KEY"), "an SSE upstream without api_key falls back to API_KEY");
  for (const v of ["PATH", "HOME", "LANG", "DENO_DIR", "TOKEN"]) {
    assert.ok(env.includes(v), v);
  }
  assert.ok(values(required, "read").includes("/srv/app/tools.ts"));
  // Without proxy.enabled upstreams are not started: nothing for them.
  const off = plan({ mcp_servers: { time: { command: "uvx" } } });
  assert.deepEqual(values(off, "run"), []);
});

Deno.test("plan: Redis, SQLite, S3, filesystem artifacts, bearer auth", () => {
  const redis = plan({}, { SESSION_PROVIDER: "redis", REDIS_URL: "redis://:pw@127.0.0.1:6380/2" });
  assert.deepEqual(values(redis, "net"), ["127.0.0.1:6380"]);
  for (
    const v of [
      "SESSION_PROVIDER",
      "SESSION_REDIS_URL",
      "REDIS_URL",
      "REDIS_TLS_INSECURE",
      "ENVIRONMENT",
      "DEPLOYMENT_ID",
    ]
  ) {
    assert.ok(values(redis, "env").includes(v), v);
  }
  const cluster = plan({}, {
    SESSION_PROVIDER: "redis",
    SESSION_REDIS_URL: "redis://127.0.0.1:7000,127.0.0.1:7001,[::1]:7002",
  });
  assert.deepEqual(values(cluster, "net"), ["127.0.0.1:7000", "127.0.0.1:7001", "[::1]:7002"]);
  const memory = plan({});
  assert.deepEqual(values(memory, "net"), [], "memory sessions need no network");
  assert.ok(!values(memory, "env").includes("REDIS_URL"));
  assert.ok(values(memory, "env").includes("SESSION_PROVIDER"), "the switch itself is always read");

  const sqlite = plan({ artifacts: { session_provider: "sqlite", sqlite_path: "state/db.sqlite" } });
  assert.deepEqual(values(sqlite, "write"), [
    "/srv/app/state/db.sqlite",
    "/srv/app/state/db.sqlite-journal",
    "/srv/app/state/db.sqlite-wal",
    "/srv/app/state/db.sqlite-shm",
  ]);

  const s3 = plan(
    { artifacts: { enabled: true, storage_provider: "s3", bucket: "b1" } },
    { S3_ENDPOINT_URL: "http://127.0.0.1:4569", AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" },
  );
  assert.deepEqual(values(s3, "net"), ["127.0.0.1:4569"], "a custom endpoint is addressed path-style");
  assert.deepEqual(values(s3, "sys"), ["osRelease", "uid", "homedir"]);
  for (
    const v of [
      "S3_ENDPOINT_URL",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_REGION",
    ]
  ) {
    assert.ok(values(s3, "env").includes(v), v);
  }
  const aws = plan({
    artifacts: { enabled: true, storage_provider: "s3", bucket: "b1", s3: { region: "eu-west-1" } },
  });
  assert.deepEqual(values(aws, "net"), [
    "s3.eu-west-1.amazonaws.com:443",
    "b1.s3.eu-west-1.amazonaws.com:443",
  ]);

  const fs = plan({ artifacts: { enabled: true, storage_provider: "filesystem", filesystem_root: "data" } });
  assert.deepEqual(values(fs, "write"), ["/srv/app/data"], "write access to the artifact root only");
  assert.ok(values(fs, "read").includes("/srv/app/data"));
  const fsEnv = plan({ artifacts: { enabled: true, storage_provider: "filesystem" } }, {
    ARTIFACT_FS_ROOT: "/var/art",
  });
  assert.deepEqual(values(fsEnv, "write"), ["/var/art"], "the environment beats the config");

  const bearer = plan({ server: { type: "streamable-http", auth: "bearer" } }, {
    JWT_JWKS_URL: "https://issuer.example.com/.well-known/jwks.json",
    JWT_PUBLIC_KEY_FILE: "/etc/keys/jwt.pem",
  });
  assert.ok(values(bearer, "env").includes("JWT_SECRET_KEY"));
  assert.ok(values(bearer, "net").includes("issuer.example.com:443"));
  assert.ok(values(bearer, "read").includes("/etc/keys/jwt.pem"));
});

Deno.test("flags: order, relative paths, commas refused", () => {
  const required = plan({
    server: { type: "streamable-http" },
    artifacts: { enabled: true, storage_provider: "filesystem", filesystem_root: "data" },
  });
  const flags = permissionFlags(required, { relativeTo: "/srv/app" });
  assert.equal(flags[0], "--no-prompt");
  assert.deepEqual(flags.map((f) => f.split("=")[0]), [
    "--no-prompt",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--ignore-env",
  ]);
  assert.ok(flags.includes("--allow-write=data"));
  assert.throws(
    () => permissionFlags({ grants: [{ kind: "read", value: "/a,b", reason: "x" }], ignoreEnv: false }),
    /comma-separated/,
  );
  assert.equal(netHost("::1", 1), "[::1]:1");
  assert.equal(displayPath("/srv/app/x/y.ts", "/srv/app"), "x/y.ts");
  assert.equal(displayPath("/etc/hosts", "/srv/app"), "/etc/hosts");
});

Deno.test("plan: a fleet (stateful streamable HTTP with fleet: true) reaches Redis for pub/sub, whatever the session provider", () => {
  const fleet = plan({
    server: { type: "streamable-http" },
    "streamable-http": { stateless: false, fleet: true },
  }, { REDIS_URL: "redis://cache:6380" });
  const net = fleet.grants.filter((g) => g.kind === "net");
  assert.ok(net.some((g) => g.value === "cache:6380" && /fleet/.test(g.reason)), JSON.stringify(net));
  assert.ok(values(fleet, "env").includes("REDIS_URL"));
  assert.ok(values(fleet, "env").includes("DEPLOYMENT_ID"));
  // Stateless (or fleet off): nothing of the kind
  for (const s of [{ stateless: true, fleet: true }, { stateless: false, fleet: false }]) {
    const none = plan({ server: { type: "streamable-http" }, "streamable-http": s }, {
      REDIS_URL: "redis://cache:6380",
    });
    assert.deepEqual(values(none, "net").filter((v) => v === "cache:6380"), []);
  }
});
