// The proxy's stdio client against children that write what no MCP server should: a stdout line
// longer than the cap (no newline, ever) ends the connection so the upstream is restarted, having
// held at most the cap; an over-long stderr line is logged cut short and costs nothing more.
import assert from "node:assert/strict";
import type { Logger } from "../../src/log/logger.ts";
import { StdioClientTransport } from "../../src/proxy/stdio_client.ts";
import { DENO } from "../helpers.ts";

/** A child that writes `mib` MiB of 'a' to `stream` without a newline, then `after`, then waits. */
function flooder(stream: "stdout" | "stderr", mib: number, after = "") {
  const code = `const out = Deno.${stream}; const chunk = new Uint8Array(1 << 20).fill(97);
for (let i = 0; i < ${mib}; i++) { let o = 0; while (o < chunk.length) o += await out.write(chunk.subarray(o)); }
await out.write(new TextEncoder().encode(${JSON.stringify(after)}));
await new Promise((r) => setTimeout(r, 60_000));`;
  return { command: DENO, args: ["eval", code], env: { PATH: Deno.env.get("PATH") ?? "", NO_COLOR: "1" } };
}

function collector(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => lines.push(`${level} ${m}`);
  return {
    lines,
    logger: {
      name: "test",
      debug: push("DEBUG"),
      info: push("INFO"),
      warn: push("WARNING"),
      error: push("ERROR"),
      enabled: () => true,
    },
  };
}

Deno.test("stdio client: a stdout line over the cap ends the connection (the upstream gets restarted)", async () => {
  const { logger, lines } = collector();
  const t = new StdioClientTransport(flooder("stdout", 64), {
    logger,
    maxLineBytes: 1 << 20,
    closeGraceMs: { eof: 200, term: 200 },
  });
  const errors: string[] = [];
  t.onerror = (e) => errors.push(e.message);
  const closed = new Promise<void>((r) => (t.onclose = r));
  await t.start();
  await closed;
  assert.ok(
    errors.some((m) => m === "stdout line longer than 1048576 bytes: not MCP; closing the connection"),
    errors.join("\n"),
  );
  // Reported in the upstream's log.
  assert.deepEqual(lines.filter((l) => !l.startsWith("DEBUG")), [
    "ERROR stdout line longer than 1048576 bytes: not MCP; closing the connection",
  ]);
});

Deno.test("stdio client: an over-long stderr line is logged cut short; the connection stays up", async () => {
  const { logger, lines } = collector();
  const t = new StdioClientTransport(flooder("stderr", 64, "\nnext line\n"), {
    logger,
    maxLineBytes: 1 << 20,
    closeGraceMs: { eof: 200, term: 200 },
  });
  let closed = false;
  t.onclose = () => (closed = true);
  await t.start();
  try {
    while (!lines.some((l) => l === "DEBUG next line")) await new Promise((r) => setTimeout(r, 20));
    const long = lines.find((l) => l.startsWith("DEBUG aaaa"))!;
    assert.ok(long.length < 5000, `logged ${long.length} characters`);
    assert.match(long, /… \(line longer than 1048576 bytes, cut\)$/);
    assert.equal(closed, false);
  } finally {
    await t.close();
  }
});
