// The Python runtime's README, tried as a new user would: every configuration block in it that is
// meant to run (copied verbatim into tests/fixtures/reference/) is started with the CLI, unchanged,
// and must load and serve. Python tool modules are ported to TypeScript next to the configs; the
// Python upstream servers are stand-ins on PATH (see tests/fixtures/reference/README.md).
import assert from "node:assert/strict";
import {
  connectHttp,
  connectSse,
  connectStdio,
  eventually,
  firstText,
  postJson,
  startCli,
} from "../helpers.ts";
import { copyExample, referenceEnv } from "./_reference.ts";
import {
  IGNORE_WITHOUT_REDIS,
  IGNORE_WITHOUT_S3,
  REDIS_URL,
  s3Env,
  uniqueBucket,
} from "../artifacts/services.ts";
import { dropKeys, keysUnder, NEEDS, testName, uniqueNamespace } from "../services.ts";

/** Start an example's config over stdio (cwd: its folder) and hand the client to `fn`. */
async function withStdio(
  example: string,
  file: string,
  fn: (c: Awaited<ReturnType<typeof connectStdio>>, dir: string) => Promise<void>,
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<void> {
  const dir = await copyExample(example);
  const c = await connectStdio([...(options.args ?? []), "--config", `${dir}/${file}`], {
    cwd: dir,
    env: await referenceEnv(options.env),
  });
  try {
    await fn(c, dir);
  } finally {
    await c.close();
  }
}

const names = async (c: Awaited<ReturnType<typeof connectStdio>>) =>
  (await c.client.listTools()).tools.map((t) => t.name).sort();

Deno.test("reference: Hello World (stdio, my_tools.tools in ./my_tools)", async () => {
  await withStdio("hello_world", "config.yaml", async (c) => {
    assert.deepEqual(await names(c), ["greet"]);
    assert.equal(firstText(await c.client.callTool({ name: "greet", arguments: {} })), "Hello, world!");
  });
});

Deno.test("reference: the Configuration Reference block (stdio + auth: bearer, no JWT key) loads with a warning", async () => {
  await withStdio("configuration_reference", "config.yaml", async (c) => {
    // proxy.enabled is false there: time and weather are not started; my_tools is served.
    assert.deepEqual(await names(c), ["greet"]);
    assert.match(c.stderr(), /config\.yaml:13: server\.auth: 'bearer' applies to the HTTP transports/);
  });
});

Deno.test("reference: minimal stdio server", async () => {
  await withStdio("minimal_stdio", "config.yaml", async (c) => {
    assert.deepEqual(await names(c), []);
  });
});

Deno.test("reference: proxy only (uvx mcp-server-time) under chuk-mcp-server", async () => {
  await withStdio("proxy_only", "config.yaml", async (c) => {
    assert.deepEqual(await names(c), ["proxy.time.convert_time", "proxy.time.get_current_time"]);
    const r = await c.client.callTool({
      name: "proxy.time.get_current_time",
      arguments: { timezone: "UTC" },
    });
    assert.match(firstText(r), /"timezone":"UTC"/);
  });
});

Deno.test("reference: proxy_config.yaml (time + weather) under chuk-mcp-proxy", async () => {
  await withStdio("proxy_config", "proxy_config.yaml", async (c) => {
    assert.deepEqual(await names(c), [
      "proxy.time.convert_time",
      "proxy.time.get_current_time",
      "proxy.weather.get_forecast",
    ]);
    const r = await c.client.callTool({ name: "proxy.time.get_current_time", arguments: {} });
    assert.match(firstText(r), /America\/New_York/, "--local-timezone reached the child");
  }, { args: ["proxy"] });
});

Deno.test("reference: openai_config.yaml lists <server>_<tool> only", async () => {
  await withStdio("openai_config", "openai_config.yaml", async (c) => {
    assert.deepEqual(await names(c), ["time_convert_time", "time_get_current_time"]);
    const r = await c.client.callTool({ name: "time_get_current_time", arguments: { timezone: "UTC" } });
    assert.match(firstText(r), /UTC/);
  }, { args: ["proxy"] });
});

Deno.test("reference: keep_root_aliases excerpt, with a --stdio server from the command line", async () => {
  const dir = await copyExample("root_aliases");
  const c = await connectStdio(
    [
      "proxy",
      "--config",
      `${dir}/config.yaml`,
      "--stdio",
      "time",
      "--command",
      "uvx",
      "--",
      "mcp-server-time",
    ],
    { cwd: dir, env: await referenceEnv() },
  );
  try {
    assert.deepEqual(await names(c), [
      "convert_time",
      "get_current_time",
      "proxy.time.convert_time",
      "proxy.time.get_current_time",
    ]);
  } finally {
    await c.close();
  }
});

Deno.test("reference: Creating Local MCP Tools (sessions, session tools, filesystem artifacts, my_tools)", async () => {
  await withStdio("local_tools", "config.yaml", async (c, dir) => {
    const listed = await names(c);
    for (
      const n of [
        "calculate_sum",
        "get_current_time",
        "get_current_session",
        "set_session",
        "clear_session",
        "create_session",
        "upload_file",
        "write_file",
        "read_file",
        "list_session_files",
        "delete_file",
        "get_file_metadata",
      ]
    ) assert.ok(listed.includes(n), `${n} in ${listed}`);
    const sum = await c.client.callTool({ name: "calculate_sum", arguments: { a: 2, b: 3 } });
    assert.deepEqual(sum.structuredContent, { operation: "addition", operands: [2, 3], result: 5 });
    const session = JSON.parse(
      firstText(await c.client.callTool({ name: "get_current_session", arguments: {} })),
    );
    assert.equal(session.status, "active");
    const w = await c.client.callTool({
      name: "write_file",
      arguments: { content: "hi", filename: "a.txt" },
    });
    assert.equal(w.isError, undefined, firstText(w));
    const id = /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(firstText(w))?.[0];
    assert.ok(id, firstText(w));
    const r = await c.client.callTool({ name: "read_file", arguments: { artifact_id: id } });
    assert.match(firstText(r), /hi/);
    // storage_provider filesystem: the blob is on disk under the config's folder.
    const found: string[] = [];
    for await (const e of Deno.readDir(`${dir}/artifacts`)) found.push(e.name);
    assert.ok(found.length > 0);
  });
});

Deno.test("reference: custom resources (modules_to_import: my_resources.resources)", async () => {
  await withStdio("custom_resources", "config.yaml", async (c) => {
    const uris = (await c.client.listResources()).resources.map((r) => r.uri).sort();
    assert.deepEqual(uris, ["config://database", "docs://api/overview", "system://info"]);
    const db = await c.client.readResource({ uri: "config://database" });
    assert.equal(db.contents[0].mimeType, "application/json");
    assert.match(JSON.stringify(db.contents[0]), /myapp_db/);
  });
});

Deno.test("reference: artifact resources (filesystem.base_path, write_file → artifact://)", async () => {
  await withStdio("artifact_resources", "config.yaml", async (c, dir) => {
    const w = await c.client.callTool({
      name: "write_file",
      arguments: {
        filename: "analysis.md",
        content: "# Data Analysis",
        mime: "text/markdown",
        summary: "Q3",
      },
    });
    assert.equal(w.isError, undefined, firstText(w));
    const listed = (await c.client.listResources()).resources.filter((r) => r.uri.startsWith("artifact://"));
    assert.equal(listed.length, 1);
    assert.equal(listed[0].name, "analysis.md");
    const read = await c.client.readResource({ uri: listed[0].uri });
    assert.equal((read.contents[0] as { text?: string }).text, "# Data Analysis");
    await Deno.stat(`${dir}/artifacts`); // filesystem.base_path: ./artifacts
  });
});

Deno.test("reference: built-in session tools excerpt and the vfs-filesystem artifacts excerpt", async () => {
  await withStdio("session_tools", "config.yaml", async (c) => {
    assert.deepEqual(await names(c), ["get_current_session", "set_session"]);
  });
  await withStdio("vfs_artifacts", "config.yaml", async (c) => {
    const listed = await names(c);
    assert.equal(listed.length, 10, listed.join(","));
    const w = await c.client.callTool({
      name: "write_user_file",
      arguments: { content: "x", filename: "u.txt" },
    });
    // No authenticated user on stdio: user files are refused with a clear tool error.
    assert.equal(w.isError, true);
    assert.match(firstText(w), /user/i);
  });
});

Deno.test("reference: combined_config.yaml (mcp_servers twice: the last is used, with a warning)", async () => {
  await withStdio("combined", "combined_config.yaml", async (c) => {
    const listed = await names(c);
    for (const n of ["proxy.echo.echo", "proxy.time.get_current_time", "get_current_session", "write_file"]) {
      assert.ok(listed.includes(n), `${n} in ${listed}`);
    }
    assert.match(
      c.stderr(),
      /combined_config\.yaml:46: mcp_servers: also given at line 31; .* line 31's \(local_tools\) is ignored/,
    );
    const r = await c.client.callTool({ name: "proxy.echo.echo", arguments: { message: "ping" } });
    assert.equal(firstText(r), "ping");
  });
});

Deno.test("reference: Debug Logging block (chuk_mcp_runtime.* loggers) turns on our proxy's debug log", async () => {
  const dir = await copyExample("debug_logging");
  const c = await connectStdio(
    [
      "proxy",
      "--config",
      `${dir}/config.yaml`,
      "--log-level",
      "WARNING",
      "--stdio",
      "time",
      "--command",
      "uvx",
      "--",
      "mcp-server-time",
    ],
    { cwd: dir, env: await referenceEnv() },
  );
  try {
    assert.deepEqual(await names(c), ["proxy.time.convert_time", "proxy.time.get_current_time"]);
    // WARNING everywhere but the loggers the block names: the upstream's stderr (proxy.*) at DEBUG.
    await eventually(
      () => /DEBUG proxy\.time\.stderr: stand-in for mcp-server-time/.test(c.stderr()),
      "the upstream's stderr at DEBUG",
    );
    assert.doesNotMatch(c.stderr(), /(DEBUG|INFO) (runtime|server)/);
  } finally {
    await c.close();
  }
});

Deno.test("reference: the quick start and the OpenAI example command lines", async (t) => {
  const env = await referenceEnv();
  await t.step("chuk-mcp-proxy --stdio time --command uvx -- mcp-server-time", async () => {
    const c = await connectStdio(["proxy", "--stdio", "time", "--command", "uvx", "--", "mcp-server-time"], {
      env,
    });
    try {
      assert.deepEqual(await names(c), ["proxy.time.convert_time", "proxy.time.get_current_time"]);
    } finally {
      await c.close();
    }
  });
  await t.step(
    "... -- mcp-server-time --openai-compatible: the flag is the proxy's, with a note",
    async () => {
      const c = await connectStdio(
        ["proxy", "--stdio", "time", "--command", "uvx", "--", "mcp-server-time", "--openai-compatible"],
        { env },
      );
      try {
        assert.deepEqual(await names(c), ["time_convert_time", "time_get_current_time"]);
        assert.match(c.stderr(), /--openai-compatible after '--' is taken as the proxy's option/);
        // The child did not get it: its tools answer as usual.
        const r = await c.client.callTool({ name: "time_get_current_time", arguments: { timezone: "UTC" } });
        assert.match(firstText(r), /UTC/);
      } finally {
        await c.close();
      }
    },
  );
});

Deno.test("reference: sse_config.yaml and http_config.yaml serve (0.0.0.0; --port 0 instead of a fixed port)", async () => {
  for (const [example, file] of [["sse_config", "sse_config.yaml"], ["http_config", "http_config.yaml"]]) {
    const dir = await copyExample(example);
    const proc = startCli(["--config", `${dir}/${file}`, "--port", "0"], {
      cwd: dir,
      env: await referenceEnv(),
    });
    try {
      const url = (await proc.ready).replace("0.0.0.0", "127.0.0.1");
      const health = await fetch(`${new URL(url).origin}/health`);
      assert.equal((await health.json()).status, "ok");
      const c = example === "sse_config" ? await connectSse(url) : await connectHttp(url);
      try {
        assert.deepEqual((await c.client.listTools()).tools, []);
      } finally {
        await c.close();
      }
    } finally {
      await proc.stop();
    }
  }
});

Deno.test("reference: Transport Options with auth: bearer (SSE and streamable HTTP) and the auth excerpt", async () => {
  const { sign } = await import("../auth/tokens.ts");
  const secret = "dev-secret";
  // As the reference's quick JWT setup makes it: HS256, {exp, sub: dev-user}.
  const token = await sign({ sub: "dev-user" }, { key: secret });
  for (const example of ["transport_sse_bearer", "transport_http_bearer", "auth_excerpt"]) {
    const dir = await copyExample(example);
    const proc = startCli(["--config", `${dir}/config.yaml`, "--port", "0"], {
      cwd: dir,
      env: await referenceEnv({ JWT_SECRET_KEY: secret }),
    });
    try {
      const url = (await proc.ready).replace("0.0.0.0", "127.0.0.1");
      const origin = new URL(url).origin;
      // Health stays open (the reference's probes and `curl -sf .../health`).
      assert.equal((await fetch(`${origin}/health`).then((r) => r.json())).status, "ok", example);
      if (example === "transport_sse_bearer") {
        const refused = await fetch(url);
        await refused.body?.cancel();
        assert.equal(refused.status, 401);
        const c = await connectSse(url, { headers: { authorization: `Bearer ${token}` } });
        await c.close();
        continue;
      }
      const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
      assert.equal((await postJson(url, list)).status, 401, example);
      assert.equal((await postJson(url, list, { authorization: `Bearer ${token}` })).status, 200, example);
      // The reference's cookie: jwt_token=<token>.
      const viaCookie = await postJson(url, list, { cookie: `jwt_token=${token}` });
      assert.equal(viaCookie.status, 200, viaCookie.text);
    } finally {
      await proc.stop();
    }
  }
});

Deno.test("proxy tools --openai prints the names the proxy serves, once each", async () => {
  const { runCliOnce } = await import("../helpers.ts");
  const r = await runCliOnce(
    [
      "proxy",
      "tools",
      "--openai",
      "--keep-root-aliases",
      "--stdio",
      "time",
      "--command",
      "uvx",
      "--",
      "mcp-server-time",
    ],
    { env: await referenceEnv() },
  );
  assert.equal(r.code, 0, r.stderr);
  const defs = JSON.parse(r.stdout) as { type: string; function: { name: string } }[];
  const printed = defs.map((d) => d.function.name).sort();
  assert.deepEqual(printed, [
    "convert_time",
    "get_current_time",
    "time_convert_time",
    "time_get_current_time",
  ]);
  assert.match(r.stderr, /--openai lists the names the proxy serves with --openai-compatible/);
  // Those are exactly what the proxy serves with the same flags plus --openai-compatible.
  const c = await connectStdio(
    [
      "proxy",
      "--openai-compatible",
      "--keep-root-aliases",
      "--stdio",
      "time",
      "--command",
      "uvx",
      "--",
      "mcp-server-time",
    ],
    { env: await referenceEnv() },
  );
  try {
    assert.deepEqual(await names(c), printed);
  } finally {
    await c.close();
  }
});

Deno.test("reference: Multiple SSE servers (--sse ... --api-key, repeated) against a local SSE server", async () => {
  const dir = await copyExample("hello_world");
  const upstream = startCli(["--config", `${dir}/config.yaml`, "--transport", "sse", "--port", "0"], {
    cwd: dir,
    env: await referenceEnv(),
  });
  try {
    const url = await upstream.ready;
    const c = await connectStdio([
      "proxy",
      "--sse",
      "analytics",
      "--url",
      url,
      "--api-key",
      "k1",
      "--sse",
      "metrics",
      "--url",
      url,
      "--api-key",
      "k2",
    ]);
    try {
      assert.deepEqual(await names(c), ["proxy.analytics.greet", "proxy.metrics.greet"]);
      const r = await c.client.callTool({ name: "proxy.metrics.greet", arguments: { name: "SSE" } });
      assert.equal(firstText(r), "Hello, SSE!");
    } finally {
      await c.close();
    }
  } finally {
    await upstream.stop();
  }
});

Deno.test({
  name: testName(
    "reference: Full-featured with sessions (artifacts on S3, session tools)",
    IGNORE_WITHOUT_S3,
    NEEDS.S3_ENDPOINT_URL,
  ),
  ignore: IGNORE_WITHOUT_S3,
  async fn() {
    await withStdio("full_featured", "config.yaml", async (c) => {
      assert.deepEqual(await names(c), ["create_session", "get_current_session", "read_file", "write_file"]);
      const w = await c.client.callTool({
        name: "write_file",
        arguments: { content: "s3!", filename: "a.txt" },
      });
      assert.equal(w.isError, undefined, firstText(w));
      const id = /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(firstText(w))?.[0];
      const r = await c.client.callTool({ name: "read_file", arguments: { artifact_id: id } });
      assert.match(firstText(r), /s3!/);
    }, { env: s3Env(uniqueBucket("ref")) });
  },
});

Deno.test({
  name: testName(
    "reference: Example Environment Setup (filesystem artifacts, Redis sessions, sandbox id from env)",
    IGNORE_WITHOUT_REDIS,
    NEEDS.REDIS_URL,
  ),
  ignore: IGNORE_WITHOUT_REDIS,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "ref-artifacts-" });
    const { env: ns, prefix } = uniqueNamespace();
    await withStdio("local_tools", "config.yaml", async (c) => {
      const session = JSON.parse(
        firstText(await c.client.callTool({ name: "get_current_session", arguments: {} })),
      );
      assert.equal(session.status, "active");
      const w = await c.client.callTool({
        name: "write_file",
        arguments: { content: "env", filename: "e.txt" },
      });
      assert.equal(w.isError, undefined, firstText(w));
      const files: string[] = [];
      for await (const e of Deno.readDir(root)) files.push(e.name);
      assert.ok(files.length > 0, "ARTIFACT_FS_ROOT holds the blob");
    }, {
      env: {
        CHUK_MCP_LOG_LEVEL: "INFO",
        MCP_TOOL_TIMEOUT: "60",
        MCP_SANDBOX_ID: "my-app",
        ARTIFACT_STORAGE_PROVIDER: "filesystem",
        ARTIFACT_FS_ROOT: root,
        ARTIFACT_SESSION_PROVIDER: "redis",
        SESSION_REDIS_URL: `${REDIS_URL}/0`,
        JWT_SECRET_KEY: "your-secret-key-here",
        ...ns,
      },
    });
    assert.ok(
      (await keysUnder(REDIS_URL!, prefix)).some((k) => k.includes(":session:")),
      "sessions in Redis",
    );
    await dropKeys(REDIS_URL!, prefix);
    await Deno.remove(root, { recursive: true });
  },
});

/** POST `body` as the reference README's curl lines send it: no Accept header of their own (curl sends `*\/*`). */
async function curlPost(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "*/*", ...headers },
    body,
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

Deno.test("reference: the curl examples, sent as written (no Accept header: curl's */*)", async (t) => {
  const { sign } = await import("../auth/tokens.ts");
  const secret = "dev-secret";
  const jwt = await sign({ sub: "dev-user" }, { key: secret });
  const env = await referenceEnv({ JWT_SECRET_KEY: secret });

  await t.step(
    "Streamable HTTP: the tools/call with a progress token, and the tools/list smoke test | jq",
    async () => {
      // The Transport Options config, with the time server the call names (proxy.time.*).
      const dir = await copyExample("transport_http_bearer");
      const proc = startCli(
        [
          "proxy",
          "--config",
          `${dir}/config.yaml`,
          "--port",
          "0",
          "--stdio",
          "time",
          "--command",
          "uvx",
          "--",
          "mcp-server-time",
        ],
        { cwd: dir, env },
      );
      try {
        const url = await proc.ready;
        const call = await curlPost(
          url,
          `{
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {
      "name": "proxy.time.get_current_time",
      "arguments": {"timezone": "UTC"},
      "_meta": {"progressToken": "curl-demo-1"}
    }
  }`,
          { authorization: `Bearer ${jwt}` },
        );
        assert.equal(call.status, 200, call.text);
        // No progress is sent by this tool: the answer is plain JSON.
        assert.equal(call.type, "application/json");
        assert.match(JSON.parse(call.text).result.content[0].text, /"timezone":"UTC"/);
        const list = await curlPost(
          url,
          `{
    "jsonrpc":"2.0",
    "id":1,
    "method":"tools/list",
    "params": {}
  }`,
          { authorization: `Bearer ${jwt}` },
        );
        // What `| jq '.result.tools[].name'` prints.
        assert.deepEqual(JSON.parse(list.text).result.tools.map((x: { name: string }) => x.name).sort(), [
          "proxy.time.convert_time",
          "proxy.time.get_current_time",
        ]);
      } finally {
        assert.equal((await proc.stop()).code, 0);
      }
    },
  );

  await t.step(
    "OpenAI-compatible demo: the curl for time_get_current_time (the proxy given --transport streamable-http)",
    async () => {
      // As written, `chuk-mcp-proxy --stdio time ... --openai-compatible` serves stdio (in both
      // runtimes), so nothing listens on :3000; served over HTTP, the curl works unchanged.
      const proc = startCli(
        [
          "proxy",
          "--transport",
          "streamable-http",
          "--port",
          "0",
          "--stdio",
          "time",
          "--command",
          "uvx",
          "--",
          "mcp-server-time",
          "--openai-compatible",
        ],
        { env },
      );
      try {
        const url = await proc.ready;
        const r = await curlPost(
          url,
          `{"jsonrpc":"2.0","id":1,"method":"tools/call",
       "params":{"name":"time_get_current_time","arguments":{"timezone":"UTC"}}}`,
          { authorization: `Bearer ${jwt}` },
        );
        assert.equal(r.status, 200, r.text);
        assert.match(JSON.parse(r.text).result.content[0].text, /"timezone":"UTC"/);
      } finally {
        assert.equal((await proc.stop()).code, 0);
      }
    },
  );

  await t.step(
    "SSE: the health check works; the message POST without a session_id is 400, as in the reference",
    async () => {
      const dir = await copyExample("transport_sse_bearer");
      const proc = startCli(["--config", `${dir}/config.yaml`, "--port", "0"], { cwd: dir, env });
      try {
        const origin = new URL((await proc.ready).replace("0.0.0.0", "127.0.0.1")).origin;
        assert.equal((await fetch(`${origin}/health`)).ok, true);
        const r = await curlPost(
          `${origin}/messages/`,
          `{
    "jsonrpc":"2.0",
    "id":1,
    "method":"tools/call",
    "params":{"name":"proxy.time.get_current_time","arguments":{"timezone":"UTC"}}
  }`,
          { authorization: `Bearer ${jwt}` },
        );
        assert.equal(r.status, 400);
        assert.match(JSON.parse(r.text).error.message, /session_id query parameter is required/);
      } finally {
        assert.equal((await proc.stop()).code, 0);
      }
    },
  );
});
