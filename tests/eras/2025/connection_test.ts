// What a 2025-era connection makes of requests before the core sees them, through the real CLI
// on stdio and streamable HTTP: `arguments` sent as a JSON string, params the method does not
// take (-32602 in one line, never -32603 with a zod report); and what a stateless HTTP
// connection offers (only what it can deliver; logging/setLevel remembered per user or refused).
import assert from "node:assert/strict";
import { bearer, SECRET, sign } from "../../auth/tokens.ts";
import {
  FIXTURES,
  INITIALIZE,
  postJson,
  ROOT,
  spawnStdio,
  startHttpServer,
  tempConfig,
} from "../../helpers.ts";

const MODULES = `tools:\n  modules_to_import: ["${ROOT}examples/tools.ts", "${ROOT}examples/prompts.ts"]\n`;

const requests: [string, Record<string, unknown>][] = [
  ["tools/call", { name: "greet", arguments: '{"name": "Ada"}' }],
  ["tools/call", { name: "greet", arguments: "name=Ada" }],
  ["tools/call", { name: "greet", arguments: [1] }],
  ["resources/read", { uri: 5 }],
  ["logging/setLevel", { level: "loud" }],
  ["prompts/get", { name: "code_review", arguments: '{"code": "let x = 1"}' }],
];

/** What each of `requests` must get. */
function check(answers: Record<string, unknown>[]): void {
  const [json, notJson, array, uri, level, prompt] = answers as {
    result?: { content?: { text: string }[]; messages?: unknown[] };
    error?: { code: number; message: string };
  }[];
  assert.equal(json.result?.content?.[0].text, "Hello, Ada!");
  assert.deepEqual(notJson.error, {
    code: -32602,
    message: "Invalid params: 'arguments' must be an object (or a JSON string of one); got a string",
  });
  assert.deepEqual(array.error, {
    code: -32602,
    message: "Invalid params for tools/call: 'arguments': Invalid input: expected record, received array",
  });
  assert.deepEqual(uri.error, {
    code: -32602,
    message: "Invalid params for resources/read: 'uri': Invalid input: expected string, received number",
  });
  assert.equal(level.error?.code, -32602);
  assert.match(
    level.error!.message,
    /^Invalid params for logging\/setLevel: 'level': Invalid option: .*"debug"/,
  );
  assert.equal(prompt.result?.messages?.length, 1);
  for (const a of answers) {
    if (a.error) assert.ok(!String((a.error as { message: string }).message).includes("\n"));
  }
}

Deno.test("2025 connection over stdio: arguments as a JSON string are parsed; bad params are -32602 in one line", async () => {
  const { path } = await tempConfig(`server: {type: stdio}\n${MODULES}`);
  const p = spawnStdio(["--config", path]);
  try {
    await p.send(JSON.stringify(INITIALIZE) + "\n");
    await p.out.until((m) => m.id === 0);
    await p.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
    const answers = [];
    for (const [i, [method, params]] of requests.entries()) {
      await p.send(JSON.stringify({ jsonrpc: "2.0", id: i + 1, method, params }) + "\n");
      answers.push(await p.out.until((m) => m.id === i + 1));
    }
    check(answers);
  } finally {
    await p.closeStdin();
    assert.equal((await p.child.status).code, 0);
  }
});

Deno.test("2025 connection over stateless HTTP: the same answers", async () => {
  const server = await startHttpServer(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\n${MODULES}`,
  );
  try {
    const answers = [];
    for (const [i, [method, params]] of requests.entries()) {
      const r = await postJson(server.url, { jsonrpc: "2.0", id: i + 1, method, params });
      answers.push(JSON.parse(r.text));
    }
    check(answers);
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.proc.stderr());
  }
});

const PROBES = `tools:\n  modules_to_import: ["${FIXTURES}tools.ts"]\n`;

/** The levels of the log messages in a streamed answer (none when the answer is plain JSON). */
function logLevels(text: string): string[] {
  return [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]))
    .filter((m) => m.method === "notifications/message").map((m) => m.params.level);
}

Deno.test("stateless HTTP advertises only what it delivers; setLevel is refused for anonymous callers", async () => {
  const server = await startHttpServer(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\n${PROBES}`,
  );
  const stateful = await startHttpServer(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n${PROBES}`,
  );
  try {
    const init = JSON.parse((await postJson(server.url, INITIALIZE)).text).result;
    assert.deepEqual(init.capabilities, {
      tools: { listChanged: false },
      resources: { subscribe: false, listChanged: false },
      prompts: { listChanged: false },
      logging: {},
      completions: {},
    });
    const sub = JSON.parse(
      (await postJson(server.url, {
        jsonrpc: "2.0",
        id: 2,
        method: "resources/subscribe",
        params: { uri: "x://a" },
      })).text,
    );
    assert.equal(sub.error.code, -32601);
    const level = JSON.parse(
      (await postJson(server.url, {
        jsonrpc: "2.0",
        id: 3,
        method: "logging/setLevel",
        params: { level: "error" },
      })).text,
    );
    assert.equal(level.error.code, -32600);
    assert.match(level.error.message, /^logging\/setLevel cannot be remembered here: on stateless HTTP/);
    assert.match(level.error.message, /use stateless: false \(or authenticate/);
    // A stateful server offers (and delivers) all of it.
    const full = JSON.parse((await postJson(stateful.url, INITIALIZE)).text).result;
    assert.deepEqual(full.capabilities.resources, { subscribe: true, listChanged: true });
    assert.deepEqual(full.capabilities.tools, { listChanged: true });
  } finally {
    for (const s of [server, stateful]) {
      const status = await s.stop();
      assert.equal(status.code, 0, s.proc.stderr());
    }
  }
});

Deno.test("stateless HTTP with bearer auth: logging/setLevel is remembered per user", async () => {
  const server = await startHttpServer(
    `server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n${PROBES}`,
    { env: { JWT_SECRET_KEY: SECRET } },
  );
  const alice = bearer(await sign({ sub: "alice" }));
  const bob = bearer(await sign({ sub: "bob" }));
  const chatty = (id: number) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "chatty", arguments: {} },
  });
  try {
    const set = await postJson(server.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "logging/setLevel",
      params: { level: "error" },
    }, alice);
    assert.deepEqual(JSON.parse(set.text).result, {});
    assert.deepEqual(logLevels((await postJson(server.url, chatty(2), alice)).text), ["error"]);
    assert.deepEqual(logLevels((await postJson(server.url, chatty(3), bob)).text), [
      "debug",
      "info",
      "error",
    ]);
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.proc.stderr());
  }
});
