/**
 * `deno task test`: the whole suite, with the services it needs started here and stopped after.
 * (Not named `test.ts`: `deno test` would take that for a test file and run it.)
 *
 * Tests that need a service read its URL from the environment (`REDIS_URL`, `REDIS_CLUSTER_URL`,
 * `S3_ENDPOINT_URL`). For each one not already set, this starts a throwaway instance on free
 * loopback ports: a Redis and a 3-node Redis Cluster (`redis-server` from PATH), and s3rver
 * (`npm:s3rver`, run by Deno). When every service is there it sets `REQUIRE_SERVICES=1`, so a
 * test that cannot reach one fails instead of being ignored. Without `redis-server` the Redis
 * tests are ignored, each saying what to install, and so does the last line printed here.
 *
 * ```sh
 * deno task test                                   # everything
 * deno task test tests/sessions/                   # arguments go to `deno test`
 * ```
 *
 * @module
 */

import { Redis } from "ioredis";

const log = (line: string) => console.error(`test: ${line}`);

/** What to install when `redis-server` is missing (also in the ignored tests' names). */
const INSTALL_REDIS = "apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)";

/** A started service process and how to stop it. */
interface Started {
  name: string;
  child: Deno.ChildProcess;
}

const started: Started[] = [];
const dirs: string[] = [];

function onPath(bin: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${bin}`).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** A free loopback port; with `bus`, port + 10000 is free too (Redis Cluster's bus port). */
function freePort(bus = false): number {
  for (let i = 0; i < 100; i++) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    try {
      if (!bus) return port;
      if (port + 10000 > 65535) continue;
      try {
        Deno.listen({ hostname: "127.0.0.1", port: port + 10000 }).close();
        return port;
      } catch {
        // bus port taken: try another
      }
    } finally {
      l.close();
    }
  }
  throw new Error("no free port pair for a Redis Cluster node");
}

/** Start `redis-server` on `port` and resolve once it accepts connections. */
async function startRedis(port: number, extra: string[] = []): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: `test-redis-${port}-` });
  dirs.push(dir);
  const child = new Deno.Command("redis-server", {
    args: [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      ...extra,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  started.push({ name: `redis-server :${port}`, child });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/Ready to accept connections/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`redis-server on ${port} exited before it was ready:\n${seen}`);
    seen += value;
  }
  // Keep draining its log so it never blocks on a full pipe.
  (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  })();
}

/** Three cluster nodes, slots split between them, joined into one cluster; resolves when it is ok. */
async function startCluster(): Promise<string> {
  const ports = [freePort(true), freePort(true), freePort(true)];
  await Promise.all(
    ports.map((p) => startRedis(p, ["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${p}.conf`])),
  );
  const clients = ports.map((port) => new Redis({ host: "127.0.0.1", port, lazyConnect: true }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const per = Math.ceil(16384 / ports.length);
    await Promise.all(clients.map((c, i) => {
      const slots = [];
      for (let s = i * per; s < Math.min(16384, (i + 1) * per); s++) slots.push(s);
      return c.call("CLUSTER", "ADDSLOTS", ...slots.map(String));
    }));
    for (const port of ports.slice(1)) await clients[0].call("CLUSTER", "MEET", "127.0.0.1", String(port));
    // Gossip settles in a second or two; bounded wait.
    for (let i = 0; i < 200; i++) {
      const infos = await Promise.all(clients.map((c) => c.call("CLUSTER", "INFO") as Promise<string>));
      if (infos.every((info) => info.includes("cluster_state:ok"))) {
        return `redis://${ports.map((p) => `127.0.0.1:${p}`).join(",")}`;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the Redis Cluster did not reach cluster_state:ok within 10 s");
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** s3rver (npm), run by Deno, on a free port; resolves with its URL once it listens. */
async function startS3(): Promise<string> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "test-s3rver-" });
  dirs.push(dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--no-config",
      "npm:s3rver@3.7.1",
      "-d",
      dir,
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "--silent",
    ],
    env: { DENO_TLS_CA_STORE: Deno.env.get("DENO_TLS_CA_STORE") ?? "system" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  started.push({ name: `s3rver :${port}`, child });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/listening/i.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`s3rver exited before it listened:\n${seen}`);
    seen += value;
  }
  (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  })();
  return `http://127.0.0.1:${port}`;
}

async function stopAll(): Promise<void> {
  for (const { child } of started.splice(0).reverse()) {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  }
  for (const dir of dirs.splice(0)) await Deno.remove(dir, { recursive: true }).catch(() => {});
}

const env: Record<string, string> = {};
const has = (name: string) => (Deno.env.get(name) ?? "") !== "";
/** Why some tests will be ignored (a service that is not there). */
const missing: string[] = [];
let code = 1;
try {
  const tasks: Promise<void>[] = [];
  const redisServer = onPath("redis-server");
  if (!has("REDIS_URL") || !has("REDIS_CLUSTER_URL")) {
    if (!redisServer) {
      missing.push(`redis-server is not on PATH: the Redis tests are ignored; install it: ${INSTALL_REDIS}`);
      log(missing[missing.length - 1]);
    } else {
      if (!has("REDIS_URL")) {
        const port = freePort();
        tasks.push(startRedis(port).then(() => void (env.REDIS_URL = `redis://127.0.0.1:${port}`)));
      }
      if (!has("REDIS_CLUSTER_URL")) {
        tasks.push(startCluster().then((url) => void (env.REDIS_CLUSTER_URL = url)));
      }
    }
  }
  if (!has("S3_ENDPOINT_URL")) {
    tasks.push(
      startS3().then((url) => {
        Object.assign(env, {
          S3_ENDPOINT_URL: url,
          AWS_ACCESS_KEY_ID: "S3RVER",
          AWS_SECRET_ACCESS_KEY: "S3RVER",
          AWS_REGION: "us-east-1",
        });
      }),
    );
  }
  const results = await Promise.allSettled(tasks);
  for (const r of results) {
    if (r.status === "rejected") {
      missing.push(
        `a service did not start, its tests are ignored: ${
          r.reason instanceof Error ? r.reason.message : r.reason
        }`,
      );
      log(missing[missing.length - 1]);
    }
  }
  if (Object.keys(env).length > 0) {
    log(
      `started: ${
        Object.entries(env).filter(([k]) => !k.startsWith("AWS_")).map(([k, v]) => `${k}=${v}`).join(" ")
      }`,
    );
  }
  if (missing.length === 0 && !has("REQUIRE_SERVICES")) env.REQUIRE_SERVICES = "1";
  const test = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", ...Deno.args],
    env,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches the whole process group, SIGTERM only this one: either way the tests end first,
  // then the services are stopped.
  const ignore = () => {};
  const forward = () => {
    try {
      test.kill("SIGTERM");
    } catch {
      // already ended
    }
  };
  Deno.addSignalListener("SIGINT", ignore);
  Deno.addSignalListener("SIGTERM", forward);
  code = (await test.status).code;
  Deno.removeSignalListener("SIGINT", ignore);
  Deno.removeSignalListener("SIGTERM", forward);
} finally {
  await stopAll();
}
for (const why of missing) log(why);
Deno.exit(code);
