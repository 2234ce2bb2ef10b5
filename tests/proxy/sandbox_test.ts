// Sandboxed stdio servers: the launch spec is what the proxy will spawn. Proven here with the SDK
// client directly: a hostile server (tests/fixtures/hostile_server.ts) is stopped by the sandbox
// and succeeds without it; @modelcontextprotocol/server-filesystem under a read grant of one
// directory cannot read its sibling.
import assert from "node:assert/strict";
import { envFromObject } from "../../src/config/env.ts";
import { validateConfig } from "../../src/config/validate.ts";
import type { McpServerConfig } from "../../src/config/types.ts";
import { ConfigError } from "../../src/errors.ts";
import { denoExecutable, type StdioLaunchSpec, stdioLaunchSpec } from "../../src/proxy/sandbox.ts";
import { Client, deferResponses } from "../../src/sdk/client.ts";
import { StdioClientTransport } from "../../src/sdk/client_stdio.ts";
import { DENO, firstText, ROOT } from "../helpers.ts";

const HOSTILE = `${ROOT}tests/fixtures/hostile_server.ts`;

function entry(raw: Record<string, unknown>): McpServerConfig {
  return validateConfig({ mcp_servers: { x: raw } }, "test").mcp_servers.x;
}

/** A parent environment with a secret the children must not see. */
function parentEnv(extra: Record<string, string> = {}) {
  return envFromObject({
    PATH: Deno.env.get("PATH"),
    HOME: Deno.env.get("HOME"),
    LANG: "C.UTF-8",
    DENO_DIR: Deno.env.get("DENO_DIR"),
    SECRET_TOKEN: "s3cr3t",
    AWS_SECRET_ACCESS_KEY: "also-secret",
    ...extra,
  });
}

async function connectSpec(spec: StdioLaunchSpec, capabilities = {}) {
  const transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args,
    env: spec.env,
    cwd: spec.cwd,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
  const client = new Client({ name: "sandbox-test", version: "1.0.0" }, { capabilities });
  await client.connect(transport);
  deferResponses(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

type Outcome = { ok: boolean; detail?: unknown; error?: string };

async function attempt(client: Client, name: string, args: Record<string, unknown>): Promise<Outcome> {
  return JSON.parse(firstText(await client.callTool({ name, arguments: args })));
}

/** A loopback listener that counts accepted connections. */
function listener() {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const loop = (async () => {
    for await (const conn of l) {
      accepted++;
      conn.close();
    }
  })();
  return {
    port: (l.addr as Deno.NetAddr).port,
    accepted: () => accepted,
    async close() {
      l.close();
      await loop.catch(() => {});
    },
  };
}

async function scratch() {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-sandbox-" });
  await Deno.mkdir(`${dir}/allowed`);
  await Deno.mkdir(`${dir}/secret`);
  await Deno.writeTextFile(`${dir}/allowed/inside.txt`, "inside\n");
  await Deno.writeTextFile(`${dir}/secret/outside.txt`, "outside\n");
  return dir;
}

Deno.test("launch spec: deno: true runs `deno run` with exactly the entry's grants", () => {
  const spec = stdioLaunchSpec(
    "fs",
    entry({
      type: "stdio",
      deno: true,
      command: "npm:@modelcontextprotocol/server-filesystem",
      args: ["/srv/data"],
      env: { MODE: "ro" },
      permissions: {
        read: ["data", "/etc/hosts"],
        net: ["127.0.0.1:9"],
        env: ["GREETING"],
        sys: ["hostname"],
      },
    }),
    { baseDir: "/srv", env: parentEnv({ GREETING: "hi" }), denoPath: "/opt/deno" },
  );
  assert.equal(spec.command, "/opt/deno");
  assert.deepEqual(spec.args, [
    "run",
    "--no-prompt",
    "--ignore-env",
    "--no-config",
    "--allow-read=/srv/data,/etc/hosts",
    "--allow-net=127.0.0.1:9",
    "--allow-env=GREETING,MODE",
    "--allow-sys=hostname",
    "npm:@modelcontextprotocol/server-filesystem",
    "/srv/data",
  ]);
  assert.equal(spec.sandboxed, true);
  assert.equal(spec.cwd, "/srv");
  assert.equal(spec.env.GREETING, "hi");
  assert.equal(spec.env.MODE, "ro");
  assert.equal(spec.env.DENO_TLS_CA_STORE, "system");
  assert.equal(spec.env.SECRET_TOKEN, undefined);
  assert.equal(spec.env.AWS_SECRET_ACCESS_KEY, undefined);
  assert.deepEqual(
    Object.keys(spec.env).sort(),
    ["DENO_DIR", "DENO_NO_UPDATE_CHECK", "DENO_TLS_CA_STORE", "GREETING", "HOME", "LANG", "MODE", "PATH"]
      .filter((k) => k !== "DENO_DIR" || Deno.env.get("DENO_DIR") !== undefined).sort(),
  );
});

Deno.test("launch spec: no grants by default; local files keep their project config; fixed cwd", () => {
  const spec = stdioLaunchSpec("h", entry({ type: "stdio", deno: true, command: "server.ts", cwd: "work" }), {
    baseDir: "/srv/app",
    env: parentEnv(),
    denoPath: "deno",
  });
  assert.deepEqual(spec.args, ["run", "--no-prompt", "--ignore-env", "/srv/app/server.ts"]);
  assert.deepEqual(spec.grants, []);
  assert.equal(spec.cwd, "/srv/app/work");
  const located = stdioLaunchSpec("h", entry({ command: "x", location: "srv" }), {
    baseDir: "/app",
    env: parentEnv(),
  });
  assert.equal(located.cwd, "/app/srv", "location is the fallback working directory");
});

Deno.test("launch spec: a plain stdio child gets PATH/HOME/LANG plus its env, nothing else", () => {
  const spec = stdioLaunchSpec(
    "time",
    entry({ command: "uvx", args: ["mcp-server-time"], env: { TZ: "UTC" } }),
    { baseDir: "/srv", env: parentEnv() },
  );
  assert.equal(spec.command, "uvx");
  assert.deepEqual(spec.args, ["mcp-server-time"]);
  assert.deepEqual(Object.keys(spec.env).sort(), ["HOME", "LANG", "PATH", "TZ"]);
  assert.equal(spec.sandboxed, false);
  assert.equal(spec.cwd, "/srv");
  // A relative command path is pinned to the config's directory, not the runtime's cwd.
  const local = stdioLaunchSpec("l", entry({ command: "./bin/server" }), {
    baseDir: "/srv",
    env: parentEnv(),
  });
  assert.equal(local.command, "/srv/bin/server");
});

Deno.test("launch spec: clear config errors", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ type: "stdio" }, /mcp_servers\.x\.command: a stdio upstream needs a command/],
    [{ command: "node", permissions: { read: ["/"] } }, /mcp_servers\.x\.permissions: .*deno: true/],
    [
      { command: "a.ts", deno: true, permissions: { read: ["a,b"] } },
      /mcp_servers\.x\.permissions\.read: .*comma/,
    ],
    [
      { type: "sse", url: "http://127.0.0.1:1/sse", command: "x" },
      /mcp_servers\.x\.type: expected a stdio upstream/,
    ],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => stdioLaunchSpec("x", entry(raw), { env: parentEnv() }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("launch spec: which deno runs sandboxed children", () => {
  assert.equal(
    denoExecutable(envFromObject({ CHUK_MCP_DENO_PATH: "/opt/deno/bin/deno" })),
    "/opt/deno/bin/deno",
  );
  // Under the deno CLI (as here) it is the running executable.
  assert.equal(denoExecutable(envFromObject({})), Deno.execPath());
});

Deno.test("sandbox: the hostile server is stopped by deno: true and succeeds without it", async () => {
  const dir = await scratch();
  const net = listener();
  const env = parentEnv();
  const tries = {
    readInside: ["read_file", { path: `${dir}/allowed/inside.txt` }],
    readOutside: ["read_file", { path: `${dir}/secret/outside.txt` }],
    write: ["write_file", { path: `${dir}/allowed/new.txt` }],
    connect: ["connect", { host: "127.0.0.1", port: net.port }],
    spawn: ["spawn", { command: DENO, args: ["--version"] }],
    secret: ["read_env", { name: "SECRET_TOKEN" }],
    path: ["read_env", { name: "PATH" }],
  } as const;
  const run = async (spec: StdioLaunchSpec) => {
    const c = await connectSpec(spec);
    try {
      const out: Record<string, Outcome> = {};
      for (const [key, [tool, args]] of Object.entries(tries)) out[key] = await attempt(c.client, tool, args);
      return out;
    } finally {
      await c.close();
    }
  };
  try {
    const sandboxed = await run(stdioLaunchSpec(
      "hostile",
      entry({ type: "stdio", deno: true, command: HOSTILE, permissions: { read: ["allowed"] } }),
      { baseDir: dir, env },
    ));
    assert.deepEqual(sandboxed.readInside, { ok: true, detail: "inside\n" }, "the grant it has works");
    for (const key of ["readOutside", "write", "connect", "spawn"] as const) {
      assert.equal(sandboxed[key].ok, false, `${key} must fail: ${JSON.stringify(sandboxed[key])}`);
      assert.match(sandboxed[key].error ?? "", /^NotCapable: Requires (read|write|net|run) access/);
    }
    assert.equal(net.accepted(), 0, "no connection reached the listener");
    assert.deepEqual(sandboxed.secret, { ok: true, detail: null });
    assert.deepEqual(sandboxed.path, { ok: true, detail: null }, "not granted: reads as unset");
    await assert.rejects(Deno.stat(`${dir}/allowed/new.txt`));

    // The same server, not sandboxed (plain `deno run -A`): everything succeeds.
    const open = await run(stdioLaunchSpec(
      "hostile",
      entry({ type: "stdio", command: DENO, args: ["run", "-A", "--quiet", HOSTILE] }),
      { baseDir: dir, env },
    ));
    assert.deepEqual(open.readOutside, { ok: true, detail: "outside\n" });
    assert.deepEqual(open.write, { ok: true, detail: "written" });
    assert.deepEqual(open.connect, { ok: true, detail: "connected" });
    assert.equal(open.spawn.ok, true);
    assert.match(String((open.spawn.detail as { stdout: string }).stdout), /^deno \d/);
    assert.equal(net.accepted(), 1);
    // Even unsandboxed, the environment is scrubbed: the secret never reached the child.
    assert.deepEqual(open.secret, { ok: true, detail: null });
    assert.deepEqual(open.path, { ok: true, detail: env("PATH") });
  } finally {
    await net.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sandbox: grants open exactly what they name", async () => {
  const dir = await scratch();
  const net = listener();
  try {
    const c = await connectSpec(stdioLaunchSpec(
      "hostile",
      entry({
        type: "stdio",
        deno: true,
        command: HOSTILE,
        env: { GIVEN: "by-config" },
        permissions: { write: ["allowed"], net: [`127.0.0.1:${net.port}`], env: ["GREETING"] },
      }),
      { baseDir: dir, env: parentEnv({ GREETING: "hello" }) },
    ));
    try {
      assert.deepEqual(await attempt(c.client, "write_file", { path: `${dir}/allowed/new.txt` }), {
        ok: true,
        detail: "written",
      });
      assert.equal((await attempt(c.client, "write_file", { path: `${dir}/secret/new.txt` })).ok, false);
      assert.deepEqual(await attempt(c.client, "connect", { host: "127.0.0.1", port: net.port }), {
        ok: true,
        detail: "connected",
      });
      assert.equal((await attempt(c.client, "connect", { host: "127.0.0.1", port: net.port + 1 })).ok, false);
      assert.deepEqual(await attempt(c.client, "read_env", { name: "GREETING" }), {
        ok: true,
        detail: "hello",
      });
      assert.deepEqual(await attempt(c.client, "read_env", { name: "GIVEN" }), {
        ok: true,
        detail: "by-config",
      });
      assert.deepEqual(await attempt(c.client, "read_env", { name: "SECRET_TOKEN" }), {
        ok: true,
        detail: null,
      });
      // Write access is not read access.
      assert.equal((await attempt(c.client, "read_file", { path: `${dir}/allowed/new.txt` })).ok, false);
    } finally {
      await c.close();
    }
  } finally {
    await net.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sandbox: server-filesystem (npm) with a read grant of one directory cannot read its sibling", async () => {
  const dir = await scratch();
  const fs = (read: string[]) =>
    stdioLaunchSpec(
      "fs",
      entry({
        type: "stdio",
        deno: true,
        command: "npm:@modelcontextprotocol/server-filesystem@2026.8.31",
        // The server itself is told both directories; only the Deno grant differs.
        args: [`${dir}/allowed`, `${dir}/secret`],
        permissions: { read },
      }),
      { baseDir: dir, env: parentEnv() },
    );
  const read = async (client: Client, path: string) => {
    const r = await client.callTool({ name: "read_text_file", arguments: { path } });
    return { isError: r.isError === true, text: firstText(r) };
  };
  try {
    // No roots capability: the server keeps the directories from its arguments.
    const c = await connectSpec(fs([`${dir}/allowed`]));
    try {
      assert.deepEqual(await read(c.client, `${dir}/allowed/inside.txt`), {
        isError: false,
        text: "inside\n",
      });
      const denied = await read(c.client, `${dir}/secret/outside.txt`);
      assert.equal(denied.isError, true);
      assert.doesNotMatch(denied.text, /outside\n/);
      assert.match(c.stderr(), new RegExp(`Cannot access directory ${dir}/secret`));
    } finally {
      await c.close();
    }
    // Control: grant both and the same server reads the sibling — the grant is what stopped it.
    const both = await connectSpec(fs([`${dir}/allowed`, `${dir}/secret`]));
    try {
      assert.deepEqual(await read(both.client, `${dir}/secret/outside.txt`), {
        isError: false,
        text: "outside\n",
      });
    } finally {
      await both.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
