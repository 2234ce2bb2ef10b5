// The logger's formats: text (the default, Python-style placeholders) and `json` (one object per
// line with ts, level, logger, msg and the fields of the request being served). In-process: the
// lines go to a collecting sink. The CLI's JSON logs are checked end to end in json_logs_test.ts.
import assert from "node:assert/strict";
import { configureLogging, DEFAULT_LOG_FORMAT, getLogger, jsonLogging } from "../../src/log/logger.ts";
import { currentLogFields, withLogFields } from "../../src/log/context.ts";

const lines: string[] = [];
configureLogging({ level: "DEBUG", sink: (line) => lines.push(line) });

function last(): Record<string, unknown> {
  return JSON.parse(lines.at(-1)!);
}

Deno.test("json: one object per line with ts, level, logger, msg first", () => {
  configureLogging({ format: "json" });
  assert.equal(jsonLogging(), true);
  getLogger("demo").info('said "hi"\nover two lines');
  const line = lines.at(-1)!;
  assert.equal(line.includes("\n"), false);
  const o = last();
  assert.deepEqual(Object.keys(o), ["ts", "level", "logger", "msg"]);
  assert.equal(o.level, "INFO");
  assert.equal(o.logger, "demo");
  assert.equal(o.msg, 'said "hi"\nover two lines');
  assert.ok(!Number.isNaN(Date.parse(o.ts as string)));
});

Deno.test("json: request fields follow the call through awaits; bound and per-line fields add to them", async () => {
  configureLogging({ format: "json" });
  const log = getLogger("proxy.time", { upstream: "time" });
  let session = "s-1";
  await withLogFields({
    request_id: 7,
    tool: "proxy.time.now",
    get session() {
      return session;
    },
  }, async () => {
    await Promise.resolve();
    session = "s-2"; // resolved later (stateless HTTP): the line shows the value when it is written
    await new Promise((r) => setTimeout(r, 1));
    log.warn("slow", { duration_ms: 12.5 });
  });
  const { ts: _ts, ...rest } = last();
  assert.deepEqual(rest, {
    level: "WARNING",
    logger: "proxy.time",
    msg: "slow",
    request_id: 7,
    tool: "proxy.time.now",
    session: "s-2",
    upstream: "time",
    duration_ms: 12.5,
  });
  assert.equal(currentLogFields(), undefined);
  // Outside a request: no request fields; empty and undefined values are left out.
  log.info("idle", { user: undefined, trace_id: "" });
  assert.deepEqual(Object.keys(last()), ["ts", "level", "logger", "msg", "upstream"]);
});

Deno.test("json: fields cannot replace the line's own keys", () => {
  configureLogging({ format: "json" });
  getLogger("demo").error("real", { msg: "forged", level: "DEBUG", logger: "x", ts: "0" });
  const o = last();
  assert.equal(o.msg, "real");
  assert.equal(o.level, "ERROR");
  assert.equal(o.logger, "demo");
});

Deno.test("text stays the default format and ignores fields; 'text' selects it again", () => {
  configureLogging({ format: "text" });
  assert.equal(jsonLogging(), false);
  withLogFields({ request_id: 1 }, () => getLogger("demo").info("plain", { tool: "x" }));
  assert.match(lines.at(-1)!, /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO demo: plain$/);
  configureLogging({ format: DEFAULT_LOG_FORMAT });
});
