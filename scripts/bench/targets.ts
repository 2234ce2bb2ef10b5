/**
 * The benchmark targets: how each one is started in front of the shared upstream
 * (`tests/fixtures/bench_upstream.mjs`), and how the one client (the SDK's, with our Deno
 * workarounds) connects to it. Starting a target is also its cold-start measurement: spawn →
 * first `tools/list` that shows every upstream's `echo` and `add`.
 *
 * @module
 */

import {
  Client,
  deferResponses,
  retainingFetch,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "../../src/sdk/client.ts";
import { StdioClientTransport } from "../../src/sdk/client_stdio.ts";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
} from "../../src/sdk/client_v2.ts";
import type { Transport } from "../../src/sdk/server.ts";
import { alive, descendants, type ProcId, procId, signalAll } from "./proc.ts";

/** Repository root, with a trailing slash. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;
/** The Deno running the benchmark (also runs our proxy). */
export const DENO: string = Deno.execPath();
/** The upstream every target talks to, in the end. */
export const FIXTURE: string = `${ROOT}tests/fixtures/bench_upstream.mjs`;

/** Which runtime runs the upstream fixture (and the SDK's own HTTP server). */
export type UpstreamRuntime = "node" | "deno";

/** How the downstream client talks to the target. */
export type Wire = "stdio" | "streamable-http" | "sse";

/**
 * What the benchmark is comparing a target as (`eras`: our HTTP serving per protocol era; `ops`:
 * ours with metrics and tracing on).
 */
export type Group = "floor" | "sdk" | "ours" | "eras" | "peer" | "ops";

/** What the workload needs of a client: the SDK v1 client, or the v2 client on the 2026 wire. */
export interface BenchClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(
    params: { name: string; arguments: Record<string, unknown> },
    options?: { timeout?: number },
  ): Promise<unknown>;
  close(): Promise<void>;
}

/** Which client a target is measured with. */
export type ClientKind = "v1" | "v2-2026";

/** Settings shared by every target of a run. */
export interface TargetContext {
  upstream: UpstreamRuntime;
  /** Folder holding `node_modules/mcp-proxy` and `node_modules/supergateway` (with --peers). */
  peersDir?: string;
  /** Extra `deno run` flags for our proxy (profiling: `--cpu-prof --cpu-prof-dir=...`). */
  oursDenoFlags: string[];
  /** Milliseconds to wait for a target to answer its first `tools/list`. */
  startTimeoutMs: number;
  /** OTLP/HTTP endpoint the `ops` targets export spans to (a sink in the harness). */
  otlpEndpoint?: string;
  /** What the `ops` targets switch on (default both), and the trace sampling ratio (default all). */
  ops?: { metrics: boolean; tracing: boolean; sampleRatio?: number };
}

/** A started target with a connected client. */
export interface Started {
  client: BenchClient;
  /** Names of the `echo` tools, one per upstream (the first is used by the workload). */
  echo: string[];
  /** Names of the `add` tools. */
  add: string[];
  /** Spawn → first complete `tools/list`, in ms. */
  coldMs: number;
  /** The proxy process (CPU/RSS "proxy" columns); undefined for the floor and the SDK server. */
  proxyPid?: number;
  /** The processes that serve the tools: the upstream(s), or the SDK server itself. */
  upstreamPids(): number[];
  /** Last lines of the target's stderr (for error messages). */
  stderr(): string;
  /** Disconnect, stop the processes, and make sure nothing is left running. */
  close(): Promise<void>;
}

/** A benchmark target. */
export interface Target {
  name: string;
  group: Group;
  wire: Wire;
  /** One-line description for the report. */
  about: string;
  /** Can it front several upstreams at once (cold start with three)? */
  multi: boolean;
  /** Start it in front of `upstreams` copies of the fixture and connect a client. */
  start(ctx: TargetContext, upstreams: number): Promise<Started>;
}

/** Environment for every child: enough for Deno to find its cache, nothing else. */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    DENO_TLS_CA_STORE: "system",
  };
  for (const k of ["PATH", "HOME", "DENO_DIR", "LANG", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** Command and args that run the fixture under the chosen runtime. */
export function fixtureCommand(ctx: TargetContext, extra: string[] = []): [string, string[]] {
  return ctx.upstream === "node"
    ? ["node", [FIXTURE, ...extra]]
    : [DENO, ["run", "-A", "--quiet", "--config", `${ROOT}deno.json`, FIXTURE, ...extra]];
}

/** `--stdio NAME --command CMD [--env ...] -- ARGS` groups for our proxy. */
function oursUpstreamArgs(ctx: TargetContext, upstreams: number): string[] {
  const [cmd, args] = fixtureCommand(ctx);
  const out: string[] = [];
  for (let i = 0; i < upstreams; i++) {
    out.push("--stdio", `up${i}`, "--command", cmd);
    // Our proxy hands children only PATH/HOME/LANG: a Deno child needs its cache and CA store.
    if (ctx.upstream === "deno") {
      for (const [k, v] of Object.entries(childEnv())) {
        if (k.startsWith("DENO_")) out.push("--env", `${k}=${v}`);
      }
    }
    out.push("--", ...args);
  }
  return out;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A free loopback port (bound, read, released: the target binds it right after). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Keeps the last `max` characters of a stream. */
function tail(stream: ReadableStream<Uint8Array>, max = 8192): () => string {
  let text = "";
  const dec = new TextDecoder();
  (async () => {
    for await (const chunk of stream) {
      text += dec.decode(chunk, { stream: true });
      if (text.length > 2 * max) text = text.slice(-max);
    }
  })().catch(() => {});
  return () => text.slice(-max);
}

/** Classify the listed tools; the run is wrong unless each upstream shows echo and add. */
function toolNames(names: string[]): { echo: string[]; add: string[] } {
  const bare = (n: string) => n.split(/[._]/).pop();
  return {
    echo: names.filter((n) => bare(n) === "echo").sort(),
    add: names.filter((n) => bare(n) === "add").sort(),
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`${what}: no answer after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `tools/list` until every upstream's tools are there (a proxy may serve before all are up). */
async function listUntilComplete(
  client: BenchClient,
  upstreams: number,
  deadline: number,
): Promise<{ echo: string[]; add: string[] }> {
  for (let attempt = 0;; attempt++) {
    const { tools } = await client.listTools();
    const found = toolNames(tools.map((t) => t.name));
    if (found.echo.length >= upstreams && found.add.length >= upstreams) return found;
    if (performance.now() > deadline) {
      throw new Error(`tools/list still incomplete: ${tools.map((t) => t.name).join(", ") || "(none)"}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(20, 2 + attempt)));
  }
}

function newClient(): Client {
  return new Client({ name: "chuk-bench", version: "1.0.0" });
}

/** The v1 client as the workload uses it. */
function benchV1(client: Client): BenchClient {
  return {
    listTools: () => client.listTools(),
    callTool: (params, options) => client.callTool(params, undefined, options),
    close: () => client.close(),
  };
}

/** The SDK v2 client pinned to 2026-07-28, as the workload uses it. */
function benchV2(client: ClientV2): BenchClient {
  return {
    listTools: () => client.listTools(),
    callTool: (params, options) => client.callTool(params, options),
    close: () => client.close(),
  };
}

/** Stop these processes and everything below them: SIGTERM, then SIGKILL after `graceMs`. */
async function stopTree(ids: ProcId[], graceMs: number): Promise<void> {
  signalAll(ids, "SIGTERM");
  const end = performance.now() + graceMs;
  while (ids.some(alive) && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  signalAll(ids, "SIGKILL");
}

/** The pid and its descendants now, as identities that survive pid reuse. */
function tree(pid: number | undefined): ProcId[] {
  if (pid === undefined) return [];
  return [pid, ...descendants(pid)].map(procId).filter((x): x is ProcId => !!x);
}

/** A target reached over stdio: the client spawns `command` itself (the SDK's stdio transport). */
function stdioTarget(
  spec: Omit<Target, "start" | "wire"> & {
    command(ctx: TargetContext, upstreams: number): [string, string[]];
    isProxy: boolean;
    /** Extra environment of the target process. */
    env?: (ctx: TargetContext) => Record<string, string>;
  },
): Target {
  return {
    ...spec,
    wire: "stdio",
    async start(ctx, upstreams) {
      const [command, args] = spec.command(ctx, upstreams);
      const t0 = performance.now();
      const transport = new StdioClientTransport({
        command,
        args,
        cwd: ROOT,
        env: { ...childEnv(), ...spec.env?.(ctx) },
        stderr: "pipe",
      });
      let err = "";
      transport.stderr?.on("data", (d: Uint8Array) => {
        err += new TextDecoder().decode(d);
        if (err.length > 16384) err = err.slice(-8192);
      });
      const client = newClient();
      const pid = () => (transport as unknown as { pid: number | null }).pid ?? undefined;
      let known: ProcId[] = [];
      const close = async () => {
        known = [...known, ...tree(pid())];
        await client.close().catch(() => {});
        await stopTree(known, 3000);
      };
      try {
        const deadline = t0 + ctx.startTimeoutMs;
        await withTimeout(client.connect(transport), ctx.startTimeoutMs, `${spec.name} connect`);
        const names = await listUntilComplete(benchV1(client), upstreams, deadline);
        const coldMs = performance.now() - t0;
        deferResponses(transport);
        const root = pid();
        if (root === undefined) throw new Error("no pid for the stdio child");
        known = tree(root);
        return {
          client: benchV1(client),
          ...names,
          coldMs,
          proxyPid: spec.isProxy ? root : undefined,
          upstreamPids: () => spec.isProxy ? descendants(root) : [root, ...descendants(root)],
          stderr: () => err.slice(-4000),
          close,
        };
      } catch (e) {
        await close();
        throw new Error(
          `${spec.name} did not start: ${e instanceof Error ? e.message : e}\n${err.slice(-2000)}`,
        );
      }
    },
  };
}

/** A target that listens on HTTP: we spawn it on a free port and connect when the port answers. */
function httpTarget(
  spec: Omit<Target, "start"> & {
    command(ctx: TargetContext, upstreams: number, port: number): [string, string[]];
    path: string;
    isProxy: boolean;
    /** Runs in its own working directory (peers, so they never see our deno.json). */
    cwd?: (ctx: TargetContext) => string;
    /** Extra environment of the target process. */
    env?: (ctx: TargetContext) => Record<string, string>;
    /** The client it is measured with (default the SDK v1 client). */
    client?: ClientKind;
  },
): Target {
  return {
    ...spec,
    async start(ctx, upstreams) {
      const port = freePort();
      const [command, args] = spec.command(ctx, upstreams, port);
      const t0 = performance.now();
      const child = new Deno.Command(command, {
        args,
        cwd: spec.cwd?.(ctx) ?? ROOT,
        env: { ...childEnv(), ...spec.env?.(ctx) },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const out = tail(child.stdout);
      const err = tail(child.stderr);
      const stderr = () => `${err()}${out()}`.slice(-4000);
      let exited = false;
      child.status.then(() => (exited = true));
      const modern = spec.client === "v2-2026";
      const v1 = newClient();
      const v2 = new ClientV2({ name: "chuk-bench", version: "1.0.0" }, {
        versionNegotiation: { mode: { pin: "2026-07-28" } },
      });
      const client = modern ? benchV2(v2) : benchV1(v1);
      let transport: Transport | undefined;
      let known: ProcId[] = [];
      const close = async () => {
        known = [...known, ...tree(child.pid)];
        if (transport instanceof StreamableHTTPClientTransport) {
          await withTimeout(transport.terminateSession(), 2000, "DELETE").catch(() => {});
        }
        await client.close().catch(() => {});
        await stopTree(known, 5000);
        await child.status;
      };
      try {
        const deadline = t0 + ctx.startTimeoutMs;
        // Poll the port: every target gets the same readiness test, whatever it prints.
        for (;;) {
          if (exited) throw new Error("exited before listening");
          try {
            (await Deno.connect({ hostname: "127.0.0.1", port })).close();
            break;
          } catch {
            if (performance.now() > deadline) throw new Error(`port ${port} not open`);
            await new Promise((r) => setTimeout(r, 2));
          }
        }
        const url = new URL(`http://127.0.0.1:${port}${spec.path}`);
        if (modern) {
          // The 2026 wire: no session, one POST per call, the envelope in every request.
          const t = new StreamableHTTPClientTransportV2(url, { fetch: retainingFetch });
          await withTimeout(v2.connect(t), ctx.startTimeoutMs, `${spec.name} connect`);
        } else {
          transport = spec.wire === "sse"
            ? new SSEClientTransport(url)
            : new StreamableHTTPClientTransport(url, { fetch: retainingFetch });
          await withTimeout(v1.connect(transport), ctx.startTimeoutMs, `${spec.name} connect`);
        }
        const names = await listUntilComplete(client, upstreams, deadline);
        const coldMs = performance.now() - t0;
        if (transport) deferResponses(transport);
        known = tree(child.pid);
        return {
          client,
          ...names,
          coldMs,
          proxyPid: spec.isProxy ? child.pid : undefined,
          upstreamPids: () => spec.isProxy ? descendants(child.pid) : [child.pid, ...descendants(child.pid)],
          stderr,
          close,
        };
      } catch (e) {
        await close().catch(() => {});
        throw new Error(`${spec.name} did not start: ${e instanceof Error ? e.message : e}\n${stderr()}`);
      }
    },
  };
}

/** Our proxy's `deno run` prefix. */
function oursCommand(ctx: TargetContext): string[] {
  return ["run", "-A", "--quiet", ...ctx.oursDenoFlags, `${ROOT}cli.ts`, "proxy"];
}

/** Write a config file selecting the streamable-HTTP mode (the CLI has no flags for it). */
function modeConfig(stateless: boolean): string {
  const dir = `${ROOT}.tmp/bench`;
  Deno.mkdirSync(dir, { recursive: true });
  const path = `${dir}/ours-http-${stateless ? "stateless" : "stateful"}.yaml`;
  Deno.writeTextFileSync(
    path,
    `# written by scripts/bench: streamable HTTP mode of the ${
      stateless ? "stateless" : "stateful"
    } target\n` +
      `streamable-http:\n  stateless: ${stateless}\n  json_response: true\n`,
  );
  return path;
}

/**
 * The `ops` variant of a target: Prometheus metrics on (`metrics.enabled`; stdio serves them on a
 * port of its own) and tracing on (Deno's OpenTelemetry, exporting to the harness's sink).
 */
function opsConfig(ctx: TargetContext, stateless: boolean | undefined): string {
  const dir = `${ROOT}.tmp/bench`;
  Deno.mkdirSync(dir, { recursive: true });
  const mode = stateless === undefined ? "stdio" : stateless ? "stateless" : "stateful";
  const path = `${dir}/ours-ops-${mode}.yaml`;
  const metrics = ctx.ops?.metrics ?? true;
  Deno.writeTextFileSync(
    path,
    `# written by scripts/bench: metrics ${metrics ? "on" : "off"} (${mode})\n` +
      `metrics:\n  enabled: ${metrics}\n${stateless === undefined ? "  port: 0\n" : ""}` +
      (stateless === undefined ? "" : `streamable-http:\n  stateless: ${stateless}\n  json_response: true\n`),
  );
  return path;
}

/** A config serving the benchmark's tools from the runtime itself (stateless, JSON answers: the defaults). */
function localConfig(): string {
  const dir = `${ROOT}.tmp/bench`;
  Deno.mkdirSync(dir, { recursive: true });
  const path = `${dir}/ours-local.yaml`;
  Deno.writeTextFileSync(
    path,
    `# written by scripts/bench: the runtime serving echo/add itself, on the default HTTP settings\n` +
      `server: { type: streamable-http }\n` +
      `logging: { level: WARNING }\n` +
      `tools: { modules_to_import: [${JSON.stringify(`${ROOT}scripts/bench/local_tools.ts`)}] }\n`,
  );
  return path;
}

function opsEnv(ctx: TargetContext): Record<string, string> {
  if (!(ctx.ops?.tracing ?? true)) return {};
  if (!ctx.otlpEndpoint) throw new Error("ops targets need the harness's OTLP sink");
  const ratio = ctx.ops?.sampleRatio;
  return {
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: ctx.otlpEndpoint,
    OTEL_SERVICE_NAME: "chuk-bench-proxy",
    ...(ratio === undefined
      ? {}
      : { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: String(ratio) }),
  };
}

/** Our server with local tools on `port` (no proxy, no upstream). */
function oursLocalCommand(ctx: TargetContext, port: number): [string, string[]] {
  return [DENO, [
    "run",
    "-A",
    "--quiet",
    ...ctx.oursDenoFlags,
    `${ROOT}cli.ts`,
    "--config",
    localConfig(),
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
  ]];
}

function peerBin(ctx: TargetContext, rel: string): string {
  if (!ctx.peersDir) throw new Error("peers need --peers (npm install into a temp folder)");
  return `${ctx.peersDir}/node_modules/${rel}`;
}

/** Every target, in the default order of a round. */
export const TARGETS: Target[] = [
  stdioTarget({
    name: "direct-stdio",
    group: "floor",
    about: "the client spawns the upstream itself (no proxy): the floor",
    multi: false,
    isProxy: false,
    command: (ctx) => fixtureCommand(ctx),
  }),
  httpTarget({
    name: "sdk-http",
    group: "sdk",
    wire: "streamable-http",
    about: "the SDK serving the same tools over streamable HTTP itself (stateful, JSON answers), no proxy",
    multi: false,
    isProxy: false,
    path: "/mcp",
    command: (ctx, _n, port) => fixtureCommand(ctx, ["--http", String(port)]),
  }),
  httpTarget({
    name: "sdk-http-stateless",
    group: "sdk",
    wire: "streamable-http",
    about: "the SDK's own streamable HTTP, stateless (fresh server per POST), JSON answers, no proxy",
    multi: false,
    isProxy: false,
    path: "/mcp",
    command: (ctx, _n, port) => fixtureCommand(ctx, ["--http", String(port), "--stateless"]),
  }),
  stdioTarget({
    name: "ours-stdio",
    group: "ours",
    about: "cli.ts proxy, stdio downstream",
    multi: true,
    isProxy: true,
    command: (ctx, n) => [DENO, [...oursCommand(ctx), ...oursUpstreamArgs(ctx, n)]],
  }),
  httpTarget({
    name: "ours-http",
    group: "ours",
    wire: "streamable-http",
    about: "cli.ts proxy, streamable HTTP, stateful (json_response: true)",
    multi: true,
    isProxy: true,
    path: "/mcp",
    command: (ctx, n, port) => [DENO, [
      ...oursCommand(ctx),
      "--config",
      modeConfig(false),
      "--transport",
      "streamable-http",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...oursUpstreamArgs(ctx, n),
    ]],
  }),
  stdioTarget({
    name: "ours-stdio-ops",
    group: "ops",
    about: "ours-stdio with Prometheus metrics (own port) and OpenTelemetry tracing (OTLP to a sink) on",
    multi: true,
    isProxy: true,
    env: opsEnv,
    command: (
      ctx,
      n,
    ) => [DENO, [...oursCommand(ctx), "--config", opsConfig(ctx, undefined), ...oursUpstreamArgs(ctx, n)]],
  }),
  httpTarget({
    name: "ours-http-ops",
    group: "ops",
    wire: "streamable-http",
    about: "ours-http with Prometheus metrics (/metrics) and OpenTelemetry tracing (OTLP to a sink) on",
    multi: true,
    isProxy: true,
    path: "/mcp",
    env: opsEnv,
    command: (ctx, n, port) => [DENO, [
      ...oursCommand(ctx),
      "--config",
      opsConfig(ctx, false),
      "--transport",
      "streamable-http",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...oursUpstreamArgs(ctx, n),
    ]],
  }),
  httpTarget({
    name: "ours-http-stateless",
    group: "ours",
    wire: "streamable-http",
    about: "cli.ts proxy, streamable HTTP, stateless + JSON answers (the config defaults)",
    multi: true,
    isProxy: true,
    path: "/mcp",
    command: (ctx, n, port) => [DENO, [
      ...oursCommand(ctx),
      "--config",
      modeConfig(true),
      "--transport",
      "streamable-http",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...oursUpstreamArgs(ctx, n),
    ]],
  }),
  httpTarget({
    name: "ours-local-2025",
    group: "eras",
    wire: "streamable-http",
    about:
      "cli.ts serving echo/add itself (no proxy), stateless + JSON (the defaults), SDK v1 client: the 2025 wire",
    multi: false,
    isProxy: true,
    path: "/mcp",
    command: (ctx, _n, port) => oursLocalCommand(ctx, port),
  }),
  httpTarget({
    name: "ours-local-2026",
    group: "eras",
    wire: "streamable-http",
    about:
      "the same server, SDK v2 client pinned to 2026-07-28: the 2026 wire (no SDK server, no connection)",
    multi: false,
    isProxy: true,
    path: "/mcp",
    client: "v2-2026",
    command: (ctx, _n, port) => oursLocalCommand(ctx, port),
  }),
  httpTarget({
    name: "ours-http-stateless-2026",
    group: "eras",
    wire: "streamable-http",
    about: "cli.ts proxy, streamable HTTP, stateless + JSON, SDK v2 client pinned to 2026-07-28",
    multi: false,
    isProxy: true,
    path: "/mcp",
    client: "v2-2026",
    command: (ctx, n, port) => [DENO, [
      ...oursCommand(ctx),
      "--config",
      modeConfig(true),
      "--transport",
      "streamable-http",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...oursUpstreamArgs(ctx, n),
    ]],
  }),
  httpTarget({
    name: "ours-sse",
    group: "ours",
    wire: "sse",
    about: "cli.ts proxy, HTTP+SSE downstream",
    multi: true,
    isProxy: true,
    path: "/sse",
    command: (ctx, n, port) => [DENO, [
      ...oursCommand(ctx),
      "--transport",
      "sse",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...oursUpstreamArgs(ctx, n),
    ]],
  }),
  httpTarget({
    name: "mcp-proxy",
    group: "peer",
    wire: "streamable-http",
    about: "punkpeye mcp-proxy (node), --server stream, defaults otherwise",
    multi: false,
    isProxy: true,
    path: "/mcp",
    cwd: (ctx) => ctx.peersDir!,
    command: (ctx, _n, port) => {
      const [cmd, args] = fixtureCommand(ctx);
      return ["node", [
        peerBin(ctx, "mcp-proxy/dist/bin/mcp-proxy.mjs"),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--server",
        "stream",
        "--",
        cmd,
        ...args,
      ]];
    },
  }),
  httpTarget({
    name: "mcp-proxy-sse",
    group: "peer",
    wire: "sse",
    about: "punkpeye mcp-proxy (node), --server sse",
    multi: false,
    isProxy: true,
    path: "/sse",
    cwd: (ctx) => ctx.peersDir!,
    command: (ctx, _n, port) => {
      const [cmd, args] = fixtureCommand(ctx);
      return ["node", [
        peerBin(ctx, "mcp-proxy/dist/bin/mcp-proxy.mjs"),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--server",
        "sse",
        "--",
        cmd,
        ...args,
      ]];
    },
  }),
  httpTarget({
    name: "supergateway-http",
    group: "peer",
    wire: "streamable-http",
    about: "supergateway (node), --outputTransport streamableHttp --stateful, --logLevel none",
    multi: false,
    isProxy: true,
    path: "/mcp",
    cwd: (ctx) => ctx.peersDir!,
    command: (ctx, _n, port) => {
      const [cmd, args] = fixtureCommand(ctx);
      return ["node", [
        peerBin(ctx, "supergateway/dist/index.js"),
        "--stdio",
        [cmd, ...args].map(shellQuote).join(" "),
        "--outputTransport",
        "streamableHttp",
        "--stateful",
        "--port",
        String(port),
        "--logLevel",
        "none",
      ]];
    },
  }),
  httpTarget({
    name: "supergateway-sse",
    group: "peer",
    wire: "sse",
    about: "supergateway (node), --outputTransport sse, --logLevel none",
    multi: false,
    isProxy: true,
    path: "/sse",
    cwd: (ctx) => ctx.peersDir!,
    command: (ctx, _n, port) => {
      const [cmd, args] = fixtureCommand(ctx);
      return ["node", [
        peerBin(ctx, "supergateway/dist/index.js"),
        "--stdio",
        [cmd, ...args].map(shellQuote).join(" "),
        "--outputTransport",
        "sse",
        "--port",
        String(port),
        "--logLevel",
        "none",
      ]];
    },
  }),
];
