/**
 * The stdio transport, Deno-native: newline-delimited JSON-RPC on stdin/stdout. Unlike the SDK's
 * Node-stream transport it notices end of input (so the server exits when its client goes away)
 * and answers unparsable lines with a JSON-RPC error instead of dropping them.
 *
 * It is also on the hot path of every stdio call, so it avoids web streams where it can: stdin is
 * read with `Deno.stdin.read` into one reused buffer, and the messages produced in one turn of the
 * event loop leave in one write — a synchronous one when small (no blocking-pool hop, no promise),
 * an asynchronous one when large, so a slow reader never blocks the loop on a big answer.
 *
 * @module
 */

import { getLogger } from "../log/logger.ts";
import type { Transport } from "../sdk/server.ts";
import type { JSONRPCMessage } from "../sdk/types.ts";
import { isJsonRpcMessage, LineSplitter } from "./ndjson.ts";

const log = getLogger("transport.stdio");

/** Largest batch written synchronously; larger ones go through an asynchronous write. */
const SYNC_WRITE_LIMIT = 64 * 1024;

/** Something bytes can be read from (`Deno.stdin`, or a test double). */
export interface ByteReader {
  read(p: Uint8Array): Promise<number | null>;
}

/** Something bytes can be written to (`Deno.stdout`, or a test double). */
export interface ByteWriter {
  write(p: Uint8Array): Promise<number>;
  writeSync?(p: Uint8Array): number;
}

/** Options of {@linkcode StdioTransport}. */
export interface StdioTransportOptions {
  /** Input; default `Deno.stdin`. A `ReadableStream` is accepted too. */
  input?: ByteReader | ReadableStream<Uint8Array>;
  /** Output; default `Deno.stdout`. A `WritableStream` is accepted too. */
  output?: ByteWriter | WritableStream<Uint8Array>;
  /** Largest line accepted, in bytes (default 64 MiB); longer input closes the transport. */
  maxLineBytes?: number;
  /**
   * Called at end of input instead of closing at once, so the owner can let in-flight calls
   * answer first (MCP clients shut a stdio server down by closing its stdin) and then `close()`.
   */
  onEnd?: () => void;
}

/** A `ByteWriter` over a `WritableStream` (tests pass streams). */
function streamWriter(stream: WritableStream<Uint8Array>): ByteWriter {
  const writer = stream.getWriter();
  return { write: async (p) => (await writer.write(p), p.length) };
}

/** A `ByteReader` over a `ReadableStream`. */
function streamReader(stream: ReadableStream<Uint8Array>): ByteReader & { cancel(): Promise<void> } {
  const reader = stream.getReader();
  let pending: Uint8Array | undefined;
  return {
    async read(p) {
      if (!pending) {
        const { value, done } = await reader.read();
        if (done) return null;
        pending = value;
      }
      const n = Math.min(p.length, pending.length);
      p.set(pending.subarray(0, n));
      pending = n < pending.length ? pending.subarray(n) : undefined;
      return n;
    },
    cancel: () => reader.cancel(),
  };
}

/**
 * A server-side stdio transport implementing the SDK's `Transport` interface.
 *
 * @example
 * ```ts
 * import { StdioTransport } from "@chuk/mcp-runtime";
 * const transport = new StdioTransport();
 * transport.onmessage = (msg) => console.error("got", msg);
 * await transport.start();
 * ```
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #input: ByteReader & { cancel?(): Promise<void> };
  readonly #output: ByteWriter;
  readonly #maxLine: number;
  readonly #onEnd: (() => void) | undefined;
  readonly #encoder = new TextEncoder();
  #closed = false;
  /** Serialised messages waiting for this turn's write. */
  #pending: string[] = [];
  #flushQueued = false;
  /** The last asynchronous write; later writes chain on it so order is kept. */
  #writing: Promise<void> = Promise.resolve();
  #asyncWrites = 0;

  /** A transport over this process's stdin and stdout. */
  constructor(options: StdioTransportOptions = {}) {
    const input = options.input ?? Deno.stdin;
    this.#input = input instanceof ReadableStream ? streamReader(input) : input;
    const output = options.output ?? Deno.stdout;
    this.#output = output instanceof WritableStream ? streamWriter(output) : output;
    this.#maxLine = options.maxLineBytes ?? 64 * 1024 * 1024;
    this.#onEnd = options.onEnd;
  }

  start(): Promise<void> {
    void this.#readLoop();
    return Promise.resolve();
  }

  async #readLoop(): Promise<void> {
    const lines = new LineSplitter();
    const buf = new Uint8Array(64 * 1024);
    const onLine = (raw: string) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() && !this.#closed) this.#handleLine(line);
    };
    try {
      while (!this.#closed) {
        const n = await this.#input.read(buf);
        if (n === null) break;
        lines.push(buf.subarray(0, n), onLine);
        if (lines.buffered > this.#maxLine) {
          // What was read of the line is not a message: close without handling it.
          lines.clear();
          this.onerror?.(new Error(`stdin line longer than ${this.#maxLine} bytes; closing`));
          return await this.close();
        }
      }
      const tail = lines.end();
      if (tail !== undefined) onLine(tail.trim());
      if (this.#onEnd && !this.#closed) return this.#onEnd();
    } catch (e) {
      if (!this.#closed) this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
    await this.close();
  }

  #handleLine(line: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      log.warn(`unparsable input line (${line.length} chars)`);
      void this.#sendRaw({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: invalid JSON" },
      });
      return;
    }
    if (!isJsonRpcMessage(raw)) {
      const id = raw && typeof raw === "object" && "id" in raw ? (raw as { id: unknown }).id : null;
      void this.#sendRaw({
        jsonrpc: "2.0",
        id: typeof id === "string" || typeof id === "number" ? id : null,
        error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
      });
      return;
    }
    try {
      this.onmessage?.(raw as JSONRPCMessage);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #sendRaw(message: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#pending.push(JSON.stringify(message));
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      // Everything sent in this turn of the loop goes out in one write.
      queueMicrotask(() => this.#flush());
    }
    return Promise.resolve();
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#pending.length === 0) return;
    const bytes = this.#encoder.encode(this.#pending.join("\n") + "\n");
    this.#pending = [];
    if (this.#asyncWrites === 0 && bytes.length <= SYNC_WRITE_LIMIT && this.#output.writeSync) {
      try {
        let off = 0;
        while (off < bytes.length) off += this.#output.writeSync(bytes.subarray(off));
        return;
      } catch (e) {
        this.#failed(e);
        return;
      }
    }
    this.#asyncWrites++;
    this.#writing = this.#writing.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await this.#output.write(bytes.subarray(off));
    }).catch((e) => this.#failed(e)).finally(() => this.#asyncWrites--);
  }

  #failed(e: unknown): void {
    this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    void this.close();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.#sendRaw(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Answers already handed to us (a call that finished during shutdown) still go out.
    this.#flush();
    this.#closed = true;
    try {
      await this.#input.cancel?.();
    } catch {
      // already released
    }
    await this.#writing;
    this.onclose?.();
  }
}
