/**
 * Cold start: time from spawning the CLI to the first `tools/list` answer over stdio. Each run is
 * a new process; the median of the runs is reported.
 *
 * ```sh
 * deno task startup                       # 5 runs, embedded default (the example tools) on stdio
 * deno task startup --runs 9 --config examples/config.stdio.yaml
 * deno task startup --empty-deno-dir      # also without Deno's transpile/code cache (first run after install)
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "5" },
    config: { type: "string" },
    "empty-deno-dir": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

const root = new URL("..", import.meta.url).pathname;
const runs = Number(values.runs);
const args = ["run", "-A", "--quiet", `${root}cli.ts`, "--transport", "stdio"];
if (values.config) args.push("--config", values.config);

const lines = [
  {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "startup", version: "1" },
    },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 1, method: "tools/list" },
].map((m) => JSON.stringify(m) + "\n").join("");

async function once(): Promise<{ ms: number; tools: number }> {
  const env: Record<string, string> = {};
  let denoDir: string | undefined;
  if (values["empty-deno-dir"]) {
    denoDir = await Deno.makeTempDir({ prefix: "startup-deno-dir-" });
    env.DENO_DIR = denoDir;
  }
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(lines)); // buffered in the pipe until the server reads
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let result: { ms: number; tools: number } | undefined;
  while (!result) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the server exited before answering tools/list");
    buffer += value;
    for (const line of buffer.split("\n").slice(0, -1)) {
      const msg = JSON.parse(line);
      if (msg.id === 1) result = { ms: performance.now() - started, tools: msg.result.tools.length };
    }
    buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
  }
  await writer.close(); // end of input: the server exits
  await reader.cancel();
  const status = await child.status;
  if (status.code !== 0) throw new Error(`server exited with ${status.code}`);
  if (denoDir) await Deno.remove(denoDir, { recursive: true });
  return result;
}

await once(); // warm the OS file cache and Deno's own cache (unless --empty-deno-dir) once
const times: number[] = [];
let tools = 0;
for (let i = 0; i < runs; i++) {
  const r = await once();
  times.push(r.ms);
  tools = r.tools;
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted.length % 2
  ? sorted[(sorted.length - 1) / 2]
  : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const summary = {
  runs,
  tools,
  median_ms: Math.round(median),
  min_ms: Math.round(sorted[0]),
  max_ms: Math.round(sorted.at(-1)!),
  all_ms: times.map((t) => Math.round(t)),
  deno_dir: values["empty-deno-dir"] ? "empty per run" : "as configured",
};
if (values.json) console.log(JSON.stringify(summary));
else {
  console.log(
    `cold start to first tools/list over stdio (${tools} tools, ${runs} runs, DENO_DIR ${summary.deno_dir}): ` +
      `median ${summary.median_ms} ms (min ${summary.min_ms}, max ${summary.max_ms}; runs: ${
        summary.all_ms.join(", ")
      })`,
  );
}
