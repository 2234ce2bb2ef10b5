// logging.loggers with the Python runtime's logger names reach our loggers.
import assert from "node:assert/strict";
import { configureLogging, getLogger } from "../../src/config/mod.ts";
import { ourLoggerNames, translateLoggerLevels } from "../../src/log/reference_names.ts";

Deno.test("reference logger names map to ours; other names are kept", () => {
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtime.proxy"), ["proxy", "upstream"]);
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtime.proxy.tool_wrapper"), ["proxy", "upstream"]);
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtime.tools.artifacts"), ["artifacts"]);
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtime.session.native"), ["sessions"]);
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtime.something_new"), [""]);
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtime"), [""]);
  assert.deepEqual(ourLoggerNames("transport.http"), ["transport.http"]);
  assert.deepEqual(ourLoggerNames("chuk_mcp_runtimes"), ["chuk_mcp_runtimes"]);
  // More specific reference names beat broader ones; our own names beat both.
  assert.deepEqual(
    translateLoggerLevels({
      "chuk_mcp_runtime.tools.artifacts": "ERROR",
      "chuk_mcp_runtime.tools": "DEBUG",
      "chuk_mcp_runtime.session": "INFO",
      sessions: "WARNING",
    }),
    { tools: "DEBUG", artifacts: "ERROR", sessions: "WARNING" },
  );
});

Deno.test("configureLogging: the reference's Debug Logging block turns on our loggers", () => {
  const lines: string[] = [];
  configureLogging({
    level: "WARNING",
    format: "%(levelname)s %(name)s: %(message)s",
    loggers: {
      "chuk_mcp_runtime.tools": "DEBUG",
      "chuk_mcp_runtime.session": "DEBUG",
      "chuk_mcp_runtime.proxy": "DEBUG",
    },
    sink: (l) => lines.push(l),
  });
  try {
    getLogger("proxy.time").debug("proxied");
    getLogger("upstream.uvx").debug("child");
    getLogger("sessions.redis").debug("store");
    getLogger("artifacts").debug("blob");
    getLogger("transport.http").debug("not covered");
    getLogger("transport.http").warn("still warns");
    assert.deepEqual(lines, [
      "DEBUG proxy.time: proxied",
      "DEBUG upstream.uvx: child",
      "DEBUG sessions.redis: store",
      "DEBUG artifacts: blob",
      "WARNING transport.http: still warns",
    ]);
    // The bare root name covers every logger.
    lines.length = 0;
    configureLogging({ loggers: { chuk_mcp_runtime: "DEBUG" } });
    getLogger("transport.http").debug("now covered");
    assert.deepEqual(lines, ["DEBUG transport.http: now covered"]);
  } finally {
    configureLogging({
      level: "INFO",
      loggers: {},
      format: "%(asctime)s %(levelname)s %(name)s: %(message)s",
      sink: (l) => console.error(l),
    });
  }
});
