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
  fetchWithHeaders,
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
  /** Resolves with the match once stderr matches `pattern` (rejects if the process exits first). */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
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
  const watchers = new Set<() => void>();
  const pumpErr = (async () => {
    for await (const chunk of child.stderr) {
      err += decoderErr.decode(chunk, { stream: true });
      const m = /ready: \S+ at (http:\/\/\S+)/.exec(err);
      if (m) resolveReady(m[1]);
      for (const w of [...watchers]) w();
    }
    for (const w of [...watchers]) w();
  })();
  let exited = false;
  const waitForStderr = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(err);
        if (m) {
          watchers.delete(check);
          resolve(m);
        } else if (exited) {
          watchers.delete(check);
          reject(new Error(`process exited before stderr matched ${pattern}:\n${err}`));
        }
      };
      watchers.add(check);
      check();
    });
  const pumpOut = (async () => {
    for await (const chunk of child.stdout) out += decoderOut.decode(chunk, { stream: true });
  })();
  const status = (async () => {
    const s = await child.status;
    await Promise.allSettled([pumpErr, pumpOut]);
    exited = true;
    for (const w of [...watchers]) w();
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
    waitForStderr,
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
    eventSourceInit: { fetch: fetchWithHeaders(headers) },
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

/** Absolute path of `tests/fixtures/` (with a trailing slash). */
export const FIXTURES: string = `${ROOT}tests/fixtures/`;

/** An HTTP server started from the CLI, with its endpoint URL and origin. */
export interface HttpServer {
  proc: CliProcess;
  /** The MCP endpoint (`/mcp`, or the SSE stream path). */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Directory of the temporary config. */
  dir: string;
  /** SIGTERM, wait, and return the exit status. */
  stop(): Promise<Deno.CommandStatus>;
}

/** Write `yaml` to a temporary config, start the CLI on it and wait for the ready banner. */
export async function startHttpServer(
  yaml: string,
  options: { files?: Record<string, string>; args?: string[]; env?: Record<string, string> } = {},
): Promise<HttpServer> {
  const { dir, path } = await tempConfig(yaml, options.files);
  const proc = startCli(["--config", path, ...(options.args ?? [])], { env: options.env });
  const url = await proc.ready;
  return { proc, url, origin: new URL(url).origin, dir, stop: () => proc.stop() };
}

/** A raw HTTP/1.1 exchange over TCP (for requests `fetch` refuses to make, e.g. a forged Host). */
export async function rawHttp(
  origin: string,
  head: string,
  body: Uint8Array | string = "",
): Promise<{ status: number; head: string; body: string }> {
  const u = new URL(origin);
  const conn = await Deno.connect({ hostname: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) });
  try {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    await writeAll(
      conn,
      new TextEncoder().encode(head.replace(/\r?\n/g, "\r\n").replace(/(\r\n)*$/, "\r\n\r\n")),
    );
    if (bytes.length) await writeAll(conn, bytes);
    const text = await readAll(conn);
    return parseRawResponse(text);
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the server
    }
  }
}

/** Write every byte. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Read one whole response: up to its Content-Length, its last chunk, or the end of the connection. */
async function readAll(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(64 * 1024);
  const decoder = new TextDecoder();
  const complete = () => {
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) return false;
    const head = text.slice(0, end);
    const length = /^content-length:\s*(\d+)/im.exec(head);
    if (length) return new TextEncoder().encode(text.slice(end + 4)).length >= Number(length[1]);
    if (/^transfer-encoding:\s*chunked/im.test(head)) return /(^|\r\n)0\r\n\r\n$/.test(text.slice(end + 4));
    return false;
  };
  while (!complete()) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch {
      break; // reset after the answer: what we have is the answer
    }
    if (n === null) break;
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
  return text;
}

/** Split a raw HTTP response into status, head and (de-chunked) body. */
export function parseRawResponse(text: string): { status: number; head: string; body: string } {
  const end = text.indexOf("\r\n\r\n");
  const head = end >= 0 ? text.slice(0, end) : text;
  let body = end >= 0 ? text.slice(end + 4) : "";
  if (/^transfer-encoding:\s*chunked/im.test(head)) {
    let out = "";
    let rest = body;
    while (rest.length) {
      const nl = rest.indexOf("\r\n");
      const size = parseInt(rest.slice(0, nl), 16);
      if (!size) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body };
}

/** Resolve with the first value `subscribe` hands its callback, or reject after `ms`. */
export function nextEvent<T>(subscribe: (resolve: (value: T) => void) => void, ms = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
    subscribe((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/**
 * Call `fn` until it returns a value other than `undefined` or `false` (bounded: `tries` ×
 * `everyMs`; for conditions no event reports, such as a process exit).
 */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  { tries = 100, everyMs = 50 } = {},
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** One server-sent event: its `event` name and `data` (parsed as JSON when it is JSON). */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Read a `text/event-stream` body event by event; `undefined` at its end. */
export function sseEvents(body: ReadableStream<Uint8Array>): {
  next(): Promise<SseEvent | undefined>;
  cancel(): Promise<void>;
} {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next() {
      while (true) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) =>
            l.slice(5).trimStart()
          )
            .join("\n");
          if (!data) continue; // comments (": ping") and priming events
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
          let parsed: unknown = data;
          try {
            parsed = JSON.parse(data);
          } catch {
            // not JSON (the SSE transport's endpoint event)
          }
          return { event, data: parsed };
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += value;
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/** Parse a tool result's first text item as JSON. */
export function jsonText<T = Record<string, unknown>>(result: unknown): T {
  return JSON.parse(firstText(result)) as T;
}

/** Read a child's stdout line by line (newline-delimited JSON-RPC over stdio). */
export class LineReader {
  #buffer = "";
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  /** Every line read so far. */
  readonly lines: string[] = [];
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }
  /** The next line, or `undefined` at end of stream. */
  async next(): Promise<string | undefined> {
    while (true) {
      const nl = this.#buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.lines.push(line);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        if (!this.#buffer) return undefined;
        const line = this.#buffer;
        this.#buffer = "";
        this.lines.push(line);
        return line;
      }
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }
  /** Read lines until one parses to a message `match` accepts. */
  async until(match: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    while (true) {
      const line = await this.next();
      if (line === undefined) throw new Error(`stream ended; lines: ${this.lines.join("\n")}`);
      const msg = JSON.parse(line);
      if (match(msg)) return msg;
    }
  }
  /** Release the stream. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** A raw stdio child (for tests that write bytes the SDK client never would). */
export function spawnStdio(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): {
  child: Deno.ChildProcess;
  out: LineReader;
  send(text: string): Promise<void>;
  closeStdin(): Promise<void>;
  stderr: Promise<string>;
} {
  const child = new Deno.Command(DENO, {
    args: [...RUN_FLAGS, CLI, ...args],
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const stderr = new Response(child.stderr).text();
  return {
    child,
    out: new LineReader(child.stdout),
    send: (text) => writer.write(new TextEncoder().encode(text)),
    closeStdin: () => writer.close(),
    stderr,
  };
}

/** The initialize request a client sends first. */
export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
