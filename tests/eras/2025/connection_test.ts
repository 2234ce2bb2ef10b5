// What a 2025-era connection makes of requests before the core sees them, through the real CLI
// on stdio and streamable HTTP: `arguments` sent as a JSON string, params the method does not
// take (-32602 in one line, never -32603 with a zod report).
import assert from "node:assert/strict";
import { INITIALIZE, postJson, ROOT, spawnStdio, startHttpServer, tempConfig } from "../../helpers.ts";

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
