// The pure half of hot reload: what changed between two configurations and the steps that apply
// it (upstreams started, stopped, restarted; modules loaded, unloaded, reloaded; names recomputed),
// with a warning for every key that needs a restart.
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/validate.ts";
import type { RuntimeConfigInput } from "../../src/config/types.ts";
import { diffConfig, liveConfig, planReload } from "../../src/reload/diff.ts";

const BASE = "/srv/app";
const cfg = (c: RuntimeConfigInput) => validateConfig(c, "test.yaml");

const proxied = (servers: RuntimeConfigInput["mcp_servers"], extra: RuntimeConfigInput = {}) =>
  cfg({ proxy: { enabled: true }, mcp_servers: servers, ...extra });

Deno.test("upstreams: added, removed, changed (any connection setting), disabled counts as removed", () => {
  const before = proxied({
    keep: { command: "a", args: ["1"] },
    gone: { command: "b" },
    moved: { url: "http://127.0.0.1:1/mcp" },
    off: { command: "c" },
    env: { command: "d", env: { A: "1" } },
  });
  const after = proxied({
    keep: { command: "a", args: ["1"] },
    moved: { url: "http://127.0.0.1:2/mcp" },
    off: { command: "c", enabled: false },
    env: { command: "d", env: { A: "2" } },
    fresh: { command: "e" },
  });
  const d = diffConfig(before, after, BASE);
  assert.deepEqual(d.upstreams, { added: ["fresh"], removed: ["gone", "off"], changed: ["moved", "env"] });
  assert.deepEqual(d.restartRequired, []);
  const plan = planReload(d, after);
  assert.deepEqual(plan.steps, [
    { kind: "stop-upstream", name: "gone" },
    { kind: "stop-upstream", name: "off" },
    { kind: "restart-upstream", name: "moved" },
    { kind: "restart-upstream", name: "env" },
    { kind: "start-upstream", name: "fresh" },
  ]);
  assert.equal(plan.empty, false);
});

Deno.test("the same configuration (keys in another order) changes nothing", () => {
  const a = proxied({ x: { command: "a", env: { A: "1", B: "2" }, headers: {} } });
  const b = proxied({ x: { env: { B: "2", A: "1" }, command: "a" } });
  const plan = planReload(diffConfig(a, b, BASE), b);
  assert.deepEqual(plan, { steps: [], warnings: [], empty: true });
});

Deno.test("proxy switched off stops every upstream; on starts them", () => {
  const on = proxied({ a: { command: "a" }, b: { url: "http://127.0.0.1:9/mcp" } });
  const off = cfg({
    proxy: { enabled: false },
    mcp_servers: { a: { command: "a" }, b: { url: "http://127.0.0.1:9/mcp" } },
  });
  assert.deepEqual(diffConfig(on, off, BASE).upstreams, { added: [], removed: ["a", "b"], changed: [] });
  assert.deepEqual(diffConfig(off, on, BASE).upstreams, { added: ["a", "b"], removed: [], changed: [] });
});

Deno.test("modules: added, removed, a changed file reloads; renamed namespace recomputes names last", () => {
  const before = proxied({
    local: { location: "srv", tools: { module: "tools.ts" } },
    up: { command: "a" },
  }, { tools: { modules_to_import: ["one.ts", "two.ts"] } });
  const after = proxied({
    local: { location: "srv", tools: { module: "tools.ts" }, prompts: { module: "prompts.ts" } },
    up: { command: "a" },
  }, { tools: { modules_to_import: ["two.ts", "three.ts"] }, proxy: { enabled: true, namespace: "ext" } });
  const d = diffConfig(before, after, BASE);
  assert.deepEqual(d.modules.removed.map((m) => m.spec), ["one.ts"]);
  assert.deepEqual(d.modules.added.map((m) => [m.keyPath, m.dir]), [
    ["tools.modules_to_import.1", BASE],
    ["mcp_servers.local.prompts.module", `${BASE}/srv`],
  ]);
  assert.equal(d.naming, true);
  const two = { keyPath: "tools.modules_to_import.0", spec: "two.ts", dir: BASE, slot: "any" };
  const plan = planReload(d, after, [two]);
  assert.deepEqual(plan.steps.map((s) => s.kind), [
    "unload-module",
    "reload-module",
    "load-module",
    "load-module",
    "rename",
  ]);
  assert.deepEqual(plan.warnings, []);
});

Deno.test("keys that cannot change live are named in warnings and change nothing", () => {
  const before = cfg({ server: { type: "streamable-http" }, "streamable-http": { port: 3000 } });
  const after = cfg({
    server: { type: "sse" },
    "streamable-http": { port: 3001, host: "0.0.0.0" },
    metrics: { enabled: true },
    logging: { level: "DEBUG" },
  });
  const d = diffConfig(before, after, BASE);
  assert.equal(d.logging, true);
  assert.deepEqual(d.restartRequired, [
    "metrics.enabled",
    "server.type",
    "streamable-http.host",
    "streamable-http.port",
  ]);
  const plan = planReload(d, after);
  assert.deepEqual(plan.steps, [{ kind: "logging" }]);
  assert.deepEqual(plan.warnings, [
    "metrics.enabled changed: it takes effect after a restart",
    "server.type changed: it takes effect after a restart",
    "streamable-http.host changed: it takes effect after a restart",
    "streamable-http.port changed: it takes effect after a restart",
  ]);
});

Deno.test("liveConfig: the live keys from the new configuration, every other key as it was", () => {
  const before = cfg({
    server: { type: "streamable-http" },
    tools: { timeout: 5, modules_to_import: ["a.ts"] },
    proxy: { enabled: false },
  });
  const after = cfg({
    server: { type: "stdio" },
    tools: { timeout: 9, modules_to_import: ["b.ts"] },
    proxy: { enabled: true, namespace: "up" },
    mcp_servers: { x: { command: "x" } },
    logging: { level: "DEBUG" },
    metrics: { enabled: true },
  });
  const live = liveConfig(before, after);
  assert.equal(live.server.type, "streamable-http");
  assert.equal(live.tools.timeout, 5);
  assert.equal(live.metrics.enabled, false);
  assert.deepEqual(live.tools.modules_to_import, ["b.ts"]);
  assert.equal(live.proxy.namespace, "up");
  assert.deepEqual(Object.keys(live.mcp_servers), ["x"]);
  assert.equal(live.logging.level, "DEBUG");
  // Nothing but the live keys differs from the new one: a second diff needs only restarts.
  const again = diffConfig(live, after, BASE);
  assert.deepEqual(again.upstreams, { added: [], removed: [], changed: [] });
  assert.equal(again.naming, false);
  assert.equal(again.logging, false);
  assert.deepEqual(again.restartRequired, ["metrics.enabled", "server.type", "tools.timeout"]);
});
