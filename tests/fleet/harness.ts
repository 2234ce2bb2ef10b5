/**
 * A fleet for tests and the scale benchmark: N CLI instances of examples/deploy/config.yaml, each
 * run under exactly the flags `cli.ts permissions` prints for it, behind a real HAProxy running
 * examples/deploy/haproxy.cfg, sharing Redis and S3.
 */

import { sign } from "../auth/tokens.ts";
import {
  Client,
  deferResponses,
  retainingFetch,
  StreamableHTTPClientTransport,
} from "../../src/sdk/client.ts";
import { CreateMessageRequestSchema, ResourceUpdatedNotificationSchema } from "../../src/sdk/types.ts";
import { type CliProcess, DENO, ROOT, runCliOnce, startCli } from "../helpers.ts";
import { freePort } from "../services.ts";

/** The secret the fleet verifies tokens with. */
export const FLEET_SECRET = "fleet-secret-that-is-long-enough-for-hs512-0123456789";

/** The deploy example's config and load balancer. */
export const DEPLOY_CONFIG = "examples/deploy/config.yaml";
export const DEPLOY_HAPROXY = `${ROOT}examples/deploy/haproxy.cfg`;

/** A bearer token for `user`. */
export function tokenFor(user: string): Promise<string> {
  return sign({ sub: user }, { key: FLEET_SECRET });
}

/** One instance: its port and process (undefined once killed). */
export interface Instance {
  name: string;
  port: number;
  proc: CliProcess | undefined;
}

/** A running fleet. */
export interface Fleet {
  /** The MCP endpoint through the load balancer. */
  url: string;
  instances: Instance[];
  /** HAProxy's log so far. */
  lbLog(): string;
  /** Resolves when HAProxy's log matches. */
  waitForLb(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The environment every instance runs with. */
  env: Record<string, string>;
  /** The permission flags instance `i` runs under. */
  flags: string[][];
  /** Stop everything (SIGTERM the instances, then HAProxy). */
  stop(): Promise<void>;
}

/** The flags `cli.ts permissions` prints for an instance on `port`. */
async function flagsFor(config: string, port: number, env: Record<string, string>): Promise<string[]> {
  const out = await runCliOnce(
    ["permissions", "--config", config, "--host", "127.0.0.1", "--port", String(port), "--format", "flags"],
    { env, timeoutMs: 60_000 },
  );
  if (out.code !== 0) throw new Error(`permissions failed: ${out.stderr}`);
  return out.stdout.trim().split(/\s+/);
}

/**
 * Start `count` instances (all behind HAProxy; with `sameBackend`, HAProxy's three servers all
 * point at the first instance — one instance behind the same load balancer, for comparisons).
 */
export async function startFleet(
  options: { count: number; env: Record<string, string>; sameBackend?: boolean; config?: string },
): Promise<Fleet> {
  const config = options.config ?? DEPLOY_CONFIG;
  const env = { JWT_SECRET_KEY: FLEET_SECRET, ...options.env };
  const instances: Instance[] = Array.from({ length: options.count }, (_, i) => ({
    name: `mcp${i + 1}`,
    port: freePort(),
    proc: undefined,
  }));
  const flags = await Promise.all(instances.map((i) => flagsFor(config, i.port, env)));
  instances.forEach((inst, i) => {
    inst.proc = startCli(["--config", config, "--host", "127.0.0.1", "--port", String(inst.port)], {
      env,
      runFlags: ["run", ...flags[i]],
      readyTimeoutMs: 60_000,
    });
  });
  const lbPort = freePort();
  const backend = (i: number) =>
    `127.0.0.1:${instances[options.sameBackend ? 0 : i % instances.length].port}`;
  const haproxy = new Deno.Command("haproxy", {
    args: ["-db", "-f", DEPLOY_HAPROXY],
    env: {
      MCP_LB_BIND: `127.0.0.1:${lbPort}`,
      MCP_1: backend(0),
      MCP_2: backend(1),
      MCP_3: backend(2),
    },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let log = "";
  const watchers = new Set<() => void>();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const d = new TextDecoder();
    for await (const c of s) {
      log += d.decode(c, { stream: true });
      for (const w of [...watchers]) w();
    }
  };
  const pumps = Promise.all([pump(haproxy.stdout), pump(haproxy.stderr)]);
  const stopAll = async () => {
    await Promise.allSettled(instances.map((i) => i.proc?.stop("SIGTERM")));
    try {
      haproxy.kill("SIGTERM");
    } catch {
      // gone
    }
    await haproxy.status;
    await pumps;
  };
  try {
    await Promise.all(instances.map((i) => i.proc!.ready));
  } catch (e) {
    await stopAll();
    throw e;
  }
  const url = `http://127.0.0.1:${lbPort}/mcp`;
  const fleet: Fleet = {
    url,
    instances,
    env,
    flags,
    lbLog: () => log,
    waitForLb: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`HAProxy log never matched ${pattern}:\n${log}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(log)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      }),
    stop: stopAll,
  };
  // HAProxy starts its servers down; they are up after `rise` passed checks.
  try {
    await fleet.waitForLb(/ 3 active and 0 backup servers online/);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return fleet;
}
/** The SDK's fetch under Deno (see src/sdk/client.ts), noting which instance served each request. */
export function tracingFetch(
  seen: (served: string | null, method: string, headers: Headers) => void,
): typeof fetch {
  return async (input, init) => {
    const res = await retainingFetch(input, init);
    seen(res.headers.get("x-served-by"), init?.method ?? "GET", new Headers(init?.headers));
    return res;
  };
}

/** A 2025 client through the load balancer, noting which instance served each request. */
export interface Traced {
  client: Client;
  transport: StreamableHTTPClientTransport;
  served: { by: string | null; method: string; lastEventId: string | null }[];
  updates: string[];
  close(): Promise<void>;
}

export async function connect2025(fleet: Fleet, user: string, url = fleet.url): Promise<Traced> {
  const served: Traced["served"] = [];
  const name = user;
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: tracingFetch((by, method, h) => served.push({ by, method, lastEventId: h.get("last-event-id") })),
    requestInit: { headers: { Authorization: `Bearer ${await tokenFor(user)}` } },
    reconnectionOptions: {
      initialReconnectionDelay: 200,
      maxReconnectionDelay: 1000,
      reconnectionDelayGrowFactor: 1.5,
      maxRetries: 10,
    },
  });
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  const updates: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  client.setRequestHandler(CreateMessageRequestSchema, (req) => ({
    model: "test-model",
    role: "assistant",
    content: { type: "text", text: `sampled: ${JSON.stringify(req.params.messages[0]?.content)}` },
  }));
  await client.connect(transport);
  deferResponses(transport);
  return {
    client,
    transport,
    served,
    updates,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** Resolves once `check` holds (polled every 20 ms, bounded). */
export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { DENO };
