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
  /** Grace periods on close, ms: after stdin EOF, then after SIGTERM. Default 2000 each. */
  closeGraceMs?: number;
}

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
  readonly #grace: number;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #output: NdjsonWriter | undefined;
  #closed = false;
  #exited: Promise<Deno.CommandStatus> | undefined;

  constructor(launch: StdioLaunch, options: StdioClientOptions = {}) {
    this.#launch = launch;
    this.#log = options.logger ?? getLogger(`upstream.${launch.command}`);
    this.#grace = options.closeGraceMs ?? 2000;
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
    try {
      await forEachLine(stream, (raw) => {
        const line = raw.trim();
        if (line) this.#handleLine(line);
      });
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
    try {
      await forEachLine(stream, (raw) => {
        const line = raw.trimEnd();
        if (line) this.#log.debug(line);
      });
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
      if (!(await wait(this.#grace))) {
        this.#signalGroup("SIGTERM");
        if (!(await wait(this.#grace))) this.#signalGroup("SIGKILL");
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

/** Call `onLine` with each line of `stream` (the last one too, if it has no newline). */
async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const lines = new LineSplitter();
  for await (const chunk of stream) lines.push(chunk, onLine);
  const tail = lines.end();
  if (tail) onLine(tail);
}
