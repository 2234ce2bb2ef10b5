/**
 * External services for tests (Redis). A test that needs one reads its URL from the environment;
 * without it the test is ignored (visibly, its name saying what to install), unless
 * REQUIRE_SERVICES=1, when it fails instead. `deno task test` (scripts/run_tests.ts) starts what is
 * missing and sets the variables.
 */

import { Redis } from "ioredis";
import { parseRedisUrl } from "../src/sessions/mod.ts";

/** Whether CI demands every service. */
export const REQUIRE_SERVICES: boolean = Deno.env.get("REQUIRE_SERVICES") === "1";

/** How to get redis-server. */
export const INSTALL_REDIS = "apt-get install redis-server, or brew install redis";

/** What an ignored test needs, by the variable (or program) it was missing. */
export const NEEDS: Record<string, string> = {
  REDIS_URL:
    `needs Redis: install redis-server (${INSTALL_REDIS}) and run 'deno task test', or set REDIS_URL`,
  REDIS_CLUSTER_URL:
    `needs a Redis Cluster: install redis-server (${INSTALL_REDIS}) and run 'deno task test', or set REDIS_CLUSTER_URL`,
  "redis-server": `needs redis-server on PATH: ${INSTALL_REDIS}`,
  S3_ENDPOINT_URL: "needs S3: run 'deno task test' (it starts s3rver from npm), or set S3_ENDPOINT_URL",
};

/** A test's name, saying what it needs when it is ignored. */
export function testName(name: string, ignore: boolean, why: string): string {
  return ignore ? `${name} [ignored: ${why}]` : name;
}

/** `{ url, ignore, why }` for a service URL variable. */
export function service(name: string): { url: string | undefined; ignore: boolean; why: string } {
  const url = Deno.env.get(name) || undefined;
  return { url, ignore: url === undefined && !REQUIRE_SERVICES, why: NEEDS[name] ?? `needs ${name}` };
}

/** Whether tests that start their own redis-server are ignored (it is not on PATH). */
export function ignoreWithoutRedisServer(): boolean {
  return !REQUIRE_SERVICES && !onPath("redis-server");
}

/** The URL, or a failure naming the variable (REQUIRE_SERVICES=1 without the service). */
export function need(name: string): string {
  const url = Deno.env.get(name);
  if (!url) throw new Error(`${name} is not set, and REQUIRE_SERVICES=1 requires it`);
  return url;
}

/** Whether an executable is on PATH. */
export function onPath(bin: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${bin}`).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** A key namespace no other test run uses: `{ENVIRONMENT, DEPLOYMENT_ID}` and the prefix they make. */
export function uniqueNamespace(): { env: Record<string, string>; prefix: string } {
  const deployment = `t${crypto.randomUUID().slice(0, 8)}`;
  return { env: { ENVIRONMENT: "test", DEPLOYMENT_ID: deployment }, prefix: `test:${deployment}:` };
}

/** A free loopback TCP port (for a service that must listen on a fixed port of our choosing). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A redis-server this test owns: started on a spare loopback port, stopped and restarted at will. */
export class OwnRedis {
  readonly port: number = freePort();
  #child: Deno.ChildProcess | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start and wait until it accepts connections (its own "Ready" log line). */
  async start(): Promise<void> {
    const child = new Deno.Command("redis-server", {
      args: ["--bind", "127.0.0.1", "--port", String(this.port), "--save", "", "--appendonly", "no"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).spawn();
    this.#child = child;
    const decoder = new TextDecoder();
    let seen = "";
    const reader = child.stdout.getReader();
    while (!/Ready to accept connections/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`redis-server on ${this.port} exited before it was ready:\n${seen}`);
      seen += decoder.decode(value, { stream: true });
    }
    // Keep draining so the server never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* drain */ }
      } catch {
        // closed
      }
    })();
  }

  /** Stop it (SIGTERM) and wait for the process to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  }
}

/** Keys under `prefix` on every master of the deployment behind `url`. */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const parsed = parseRedisUrl(url);
  const out: string[] = [];
  for (const node of parsed.nodes) {
    const c = new Redis({ host: node.host, port: node.port, lazyConnect: true });
    await c.connect();
    try {
      let cursor = "0";
      do {
        const [next, keys] = await c.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        out.push(...keys);
      } while (cursor !== "0");
    } finally {
      c.disconnect();
    }
  }
  return out.sort();
}

/** Delete every key under `prefix` (test cleanup; other runs use other prefixes). */
export async function dropKeys(url: string, prefix: string): Promise<void> {
  const parsed = parseRedisUrl(url);
  for (const node of parsed.nodes) {
    const c = new Redis({ host: node.host, port: node.port, lazyConnect: true });
    await c.connect();
    try {
      for (const key of await keysUnder(`redis://${node.host}:${node.port}`, prefix)) {
        await c.del(key).catch(() => {}); // MOVED on a cluster node that does not own it: skip
      }
    } finally {
      c.disconnect();
    }
  }
}
