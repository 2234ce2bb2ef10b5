/**
 * The client side of a stdio upstream, Deno-native: spawns the MCP server in its own process
 * group with exactly the environment and working directory it is given, speaks newline-delimited
 * JSON-RPC on its stdin/stdout, logs its stderr, and on close ends the whole group (stdin EOF,
 * then SIGTERM, then SIGKILL) so no grandchild (`npx` → `node`, `uvx` → `python`) outlives it.
 *
 * The SDK's Node-based stdio client cannot kill a process group and imports cross-spawn, which
 * needs extra environment permissions; hence this small transport behind the same interface.
 *
 * @module
 */

import { getLogger, type Logger } from "../log/logger.ts";
import type { Transport } from "../sdk/server.ts";
import type { JSONRPCMessage } from "../sdk/types.ts";
import { decodeLine, LineSplitter, NdjsonWriter } from "../transports/ndjson.ts";
import { raceTimeout, TIMED_OUT } from "../util/timeout.ts";

/** What to spawn. */
export interface StdioLaunch {
  /** Executable (looked up on `PATH` of `env`). */
  command: string;
  args: string[];
  /** The child's complete environment (nothing is inherited implicitly). */
  env: Record<string, string>;
  /** Working directory. */
  cwd?: string;
}

/** Options of {@linkcode StdioClientTransport}. */
export interface StdioClientOptions {
  /** Logger for the child's stderr lines; default `upstream.<command>`. */
  logger?: Logger;
  /**
   * Grace periods on close, ms: how long the child may take to exit after stdin EOF (default 100),
   * then after SIGTERM (default 300) before SIGKILL. Short, because the proxy closes its children
   * when its own client goes away, and that client kills the proxy 2 s after closing its stdin
   * (the SDK's stdio client does): a child that ignores EOF must not hold the proxy that long.
   */
  closeGraceMs?: { eof?: number; term?: number };
  /**
   * Longest line the child may write (bytes, default 8 MiB). A longer stdout line cannot be a
   * message worth holding: the connection is closed (and so the upstream restarted). A longer
   * stderr line is logged cut short.
   */
  maxLineBytes?: number;
}

/** Default of {@linkcode StdioClientOptions.maxLineBytes}: the default `max_body_bytes`. */
export const DEFAULT_MAX_LINE_BYTES: number = 8 * 1024 * 1024;
/** How much of a stderr line reaches the log. */
const LOGGED_LINE = 4096;

/**
 * A stdio MCP client transport that owns the child's process group.
 *
 * @example
 * ```ts
 * import { StdioClientTransport } from "./stdio_client.ts";
 * const transport = new StdioClientTransport({
 *   command: "node",
 *   args: ["server.js"],
 *   env: { PATH: Deno.env.get("PATH") ?? "" },
 * });
 * ```
 */
export class StdioClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #launch: StdioLaunch;
  readonly #log: Logger;
  readonly #grace: { eof: number; term: number };
  readonly #maxLine: number;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #output: NdjsonWriter | undefined;
  #closed = false;
  #exited: Promise<Deno.CommandStatus> | undefined;

  constructor(launch: StdioLaunch, options: StdioClientOptions = {}) {
    this.#launch = launch;
    this.#log = options.logger ?? getLogger(`upstream.${launch.command}`);
    this.#grace = { eof: options.closeGraceMs?.eof ?? 100, term: options.closeGraceMs?.term ?? 300 };
    this.#maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Process id of the child (its process group id too). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): Promise<void> {
    // Started early (prespawn.ts) and adopted by a client: already running.
    if (this.#child) return Promise.resolve();
    const { command, args, env, cwd } = this.#launch;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command, {
        args,
        env,
        clearEnv: true,
        cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        // A new process group, so closing can signal the child's own children too.
        detached: Deno.build.os !== "windows",
      }).spawn();
    } catch (e) {
      const msg = e instanceof Deno.errors.NotFound ? `command not found: ${command}` : String(e);
      return Promise.reject(new Error(`cannot start '${command}': ${msg}`));
    }
    this.#child = child;
    const writer = this.#writer = child.stdin.getWriter();
    // A failed write rejects the send that made it; the child's exit is reported on its own.
    this.#output = new NdjsonWriter({ write: async (p) => (await writer.write(p), p.length) }, () => {});
    this.#exited = child.status;
    void this.#readStdout(child.stdout);
    void this.#readStderr(child.stderr);
    void child.status.then((status) => {
      if (!this.#closed) {
        this.onerror?.(
          new Error(`process exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""})`),
        );
      }
      this.#finish();
    });
    return Promise.resolve();
  }

  async #readStdout(stream: ReadableStream<Uint8Array>): Promise<void> {
    const lines = new LineSplitter(this.#maxLine);
    const onLine = (raw: string) => {
      const line = raw.trim();
      if (line) this.#handleLine(line);
    };
    try {
      for await (const chunk of stream) {
        lines.push(chunk, onLine);
        if (lines.overflowed) {
          // No MCP message is that long: a broken or hostile server. Drop what was read of the
          // line and end the connection; the supervisor restarts the upstream (with backoff).
          lines.clear();
          const error = new Error(
            `stdout line longer than ${this.#maxLine} bytes: not MCP; closing the connection`,
          );
          this.#log.error(error.message);
          this.onerror?.(error);
          await this.close();
          return;
        }
      }
      const tail = lines.end();
      if (tail) onLine(tail);
    } catch (e) {
      if (!this.#closed) this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #handleLine(line: string): void {
    const decoded = decodeLine(line);
    if (!("message" in decoded)) {
      // Servers that print banners on stdout: not protocol, say so once per line and go on.
      const what = decoded.error === "parse" ? "non-JSON output on stdout" : "non-JSON-RPC message";
      this.#log.warn(`${what} ignored: ${line.slice(0, 200)}`);
      return;
    }
    try {
      this.onmessage?.(decoded.message);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async #readStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    // Logs only: an over-long line is held up to the cap and logged cut short.
    const lines = new LineSplitter(this.#maxLine);
    const onLine = (raw: string, truncated: boolean) => {
      const line = raw.trimEnd();
      if (!line) return;
      const cut = truncated || line.length > LOGGED_LINE;
      this.#log.debug(
        cut
          ? `${line.slice(0, LOGGED_LINE)} … (line longer than ${
            truncated ? this.#maxLine : LOGGED_LINE
          } bytes, cut)`
          : line,
      );
    };
    try {
      for await (const chunk of stream) lines.push(chunk, onLine);
      const tail = lines.end();
      if (tail) onLine(tail, false);
    } catch {
      // stderr closed with the process
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed || !this.#output) return Promise.reject(new Error("stdio upstream is not running"));
    // Messages sent in one turn of the event loop go to the child in one write.
    return this.#output.send(message);
  }

  #signalGroup(signal: Deno.Signal): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      if (Deno.build.os === "windows") this.#child!.kill(signal);
      else Deno.kill(-pid, signal);
    } catch {
      try {
        this.#child!.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const exited = this.#exited;
    if (exited) {
      // Polite first: EOF on stdin lets well-behaved servers exit on their own.
      try {
        await this.#writer?.close();
      } catch {
        // pipe already closed
      }
      const wait = async (ms: number) => (await raceTimeout(exited, ms)) !== TIMED_OUT;
      if (!(await wait(this.#grace.eof))) {
        this.#signalGroup("SIGTERM");
        if (!(await wait(this.#grace.term))) this.#signalGroup("SIGKILL");
      }
      // Grandchildren that ignored the parent's exit still get the signal.
      this.#signalGroup("SIGTERM");
      await exited.catch(() => {});
    }
    this.#finish();
  }

  #finish(): void {
    if (this.#exited === undefined) return;
    const first = !this.#closed;
    this.#closed = true;
    if (first) {
      // The child died on its own: make sure nothing of its group is left behind.
      this.#signalGroup("SIGTERM");
    }
    const cb = this.onclose;
    this.onclose = undefined;
    cb?.();
  }
}
