/**
 * Test helpers: spawn the real CLI, wait until it serves, and connect the SDK's client to it
 * over each transport. Everything listens on loopback and on port 0 (a free port picked by the
 * OS), so test files can run in parallel.
 *
 * @module
 */

import {
  Client,
  deferResponses,
  retainingFetch,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "../src/sdk/client.ts";
import { StdioClientTransport } from "../src/sdk/client_stdio.ts";
import type { Transport } from "../src/sdk/server.ts";

/** Absolute path of the repository root (with a trailing slash). */
export const ROOT: string = new URL("..", import.meta.url).pathname;
/** The CLI entry point. */
export const CLI: string = `${ROOT}cli.ts`;
/** The Deno executable running the tests. */
export const DENO: string = Deno.execPath();
/** `deno run` flags used to start the CLI under test. */
export const RUN_FLAGS: string[] = ["run", "-A", "--quiet"];

/** Environment for child Denos: a scrubbed env still needs these to find and fetch packages. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "LANG", "TMPDIR"];
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DENO_TLS_CA_STORE: "system",
    DENO_NO_UPDATE_CHECK: "1",
  };
  for (const k of keep) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

/** A CLI process under test. */
export interface CliProcess {
  readonly child: Deno.ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far (when stdout is piped). */
  stdout(): string;
  /** Resolves with the endpoint URL from the ready banner (HTTP transports). */
  ready: Promise<string>;
  /** Send a signal (default SIGTERM) and wait for exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Resolves when the process exits. */
  status: Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode startCli}. */
export interface StartOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Entry file; default `cli.ts`. */
  entry?: string;
  /** Give the child a stdin pipe (stdio transport tests write to it). */
  stdin?: boolean;
  /** Milliseconds to wait for the ready banner (default 30 000). */
  readyTimeoutMs?: number;
  /** `deno` arguments before the entry file; default {@linkcode RUN_FLAGS} (`run -A --quiet`). */
  runFlags?: string[];
}

/**
 * Start `deno run -A cli.ts ...args` and collect its output. For HTTP transports, `ready`
 * resolves with the URL printed in the banner (`ready: <type> at <url>`).
 */
export function startCli(args: string[], options: StartOptions = {}): CliProcess {
  const child = new Deno.Command(DENO, {
    args: [...(options.runFlags ?? RUN_FLAGS), options.entry ?? CLI, ...args],
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    clearEnv: true,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  let out = "";
  let resolveReady!: (url: string) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<string>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});
  const decoderErr = new TextDecoder();
  const decoderOut = new TextDecoder();
  const pumpErr = (async () => {
    for await (const chunk of child.stderr) {
      err += decoderErr.decode(chunk, { stream: true });
      const m = /ready: \S+ at (http:\/\/\S+)/.exec(err);
      if (m) resolveReady(m[1]);
    }
  })();
  const pumpOut = (async () => {
    for await (const chunk of child.stdout) out += decoderOut.decode(chunk, { stream: true });
  })();
  const status = (async () => {
    const s = await child.status;
    await Promise.allSettled([pumpErr, pumpOut]);
    rejectReady(new Error(`CLI exited (code ${s.code}) before it was ready:\n${err}`));
    return s;
  })();
  const timer = setTimeout(
    () => rejectReady(new Error(`CLI not ready after ${options.readyTimeoutMs ?? 30000} ms:\n${err}`)),
    options.readyTimeoutMs ?? 30_000,
  );
  ready.finally(() => clearTimeout(timer)).catch(() => {});
  status.finally(() => clearTimeout(timer));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    ready,
    status,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // already exited
      }
      return await status;
    },
  };
}

/** Run the CLI to completion (for commands that exit: --help, bad config, ...). */
export async function runCliOnce(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    entry?: string;
    timeoutMs?: number;
    runFlags?: string[];
  } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = startCli(args, options);
  const timer = setTimeout(() => proc.stop("SIGKILL"), options.timeoutMs ?? 30_000);
  const status = await proc.status;
  clearTimeout(timer);
  return { code: status.code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** A connected SDK client and how to close it. */
export interface Connected {
  client: Client;
  transport: Transport;
  close(): Promise<void>;
}

/** Client options used by tests: declares sampling, elicitation and roots so every path can run. */
export function newClient(name = "test-client"): Client {
  return new Client(
    { name, version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
}

async function connect(client: Client, transport: Transport): Promise<void> {
  await client.connect(transport);
  deferResponses(transport);
}

/** Spawn the CLI as a stdio server and connect a client to it. */
export async function connectStdio(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    client?: Client;
    entry?: string;
    runFlags?: string[];
  } = {},
): Promise<Connected & { stderr(): string }> {
  const transport = new StdioClientTransport({
    command: DENO,
    args: [...(options.runFlags ?? RUN_FLAGS), options.entry ?? CLI, ...args],
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
  const client = options.client ?? newClient();
  await connect(client, transport);
  return { client, transport, stderr: () => err, close: () => client.close() };
}

/** Connect a client over streamable HTTP. */
export async function connectHttp(
  url: string,
  options: { headers?: Record<string, string>; client?: Client } = {},
): Promise<Connected> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: retainingFetch,
    requestInit: { headers: options.headers ?? {} },
  });
  const client = options.client ?? newClient();
  await connect(client, transport);
  return {
    client,
    transport,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** Connect a client over HTTP+SSE. */
export async function connectSse(
  url: string,
  options: { headers?: Record<string, string>; client?: Client } = {},
): Promise<Connected> {
  const headers = options.headers ?? {};
  const transport = new SSEClientTransport(new URL(url), {
    requestInit: { headers },
    eventSourceInit: {
      // The SDK hands us a Headers object: merge into it (spreading it would drop every header).
      fetch: (input, init) => {
        const h = new Headers(init?.headers);
        for (const [k, v] of Object.entries(headers)) h.set(k, v);
        return fetch(input, { ...init, headers: h });
      },
    },
  });
  const client = options.client ?? newClient();
  await connect(client, transport);
  return { client, transport, close: () => client.close() };
}

/** Write a temporary YAML config (and optional extra files) into a fresh directory. */
export async function tempConfig(
  yaml: string,
  files: Record<string, string> = {},
): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-rt-test-" });
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, yaml);
  for (const [name, text] of Object.entries(files)) {
    const full = `${dir}/${name}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
  return { dir, path };
}

/** Text of the first content item of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  const item = content.find((c) => c.type === "text");
  if (!item?.text && item?.text !== "") throw new Error(`no text content in ${JSON.stringify(result)}`);
  return item.text;
}

/** POST one JSON-RPC body with curl-like defaults; returns status, headers and text. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
