/**
 * The stdio transport, Deno-native: newline-delimited JSON-RPC on stdin/stdout. Unlike the SDK's
 * Node-stream transport it notices end of input (so the server exits when its client goes away)
 * and answers unparsable lines with a JSON-RPC error instead of dropping them.
 *
 * @module
 */

import { getLogger } from "../log/logger.ts";
import type { Transport } from "../sdk/server.ts";
import { type JSONRPCMessage, JSONRPCMessageSchema } from "../sdk/types.ts";

const log = getLogger("transport.stdio");

/** Options of {@linkcode StdioTransport}. */
export interface StdioTransportOptions {
  /** Input stream; default `Deno.stdin.readable`. */
  input?: ReadableStream<Uint8Array>;
  /** Output stream; default `Deno.stdout.writable`. */
  output?: WritableStream<Uint8Array>;
  /** Largest line accepted, in bytes (default 64 MiB); longer input closes the transport. */
  maxLineBytes?: number;
  /**
   * Called at end of input instead of closing at once, so the owner can let in-flight calls
   * answer first (MCP clients shut a stdio server down by closing its stdin) and then `close()`.
   */
  onEnd?: () => void;
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
  readonly #input: ReadableStream<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #maxLine: number;
  readonly #onEnd: (() => void) | undefined;
  readonly #encoder = new TextEncoder();
  #closed = false;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** The last write; writes are chained so `close()` can wait for them to reach stdout. */
  #writing: Promise<void> = Promise.resolve();

  /** A transport over this process's stdin and stdout. */
  constructor(options: StdioTransportOptions = {}) {
    this.#input = options.input ?? Deno.stdin.readable;
    this.#writer = (options.output ?? Deno.stdout.writable).getWriter();
    this.#maxLine = options.maxLineBytes ?? 64 * 1024 * 1024;
    this.#onEnd = options.onEnd;
  }

  start(): Promise<void> {
    void this.#readLoop();
    return Promise.resolve();
  }

  async #readLoop(): Promise<void> {
    const decoder = new TextDecoder();
    this.#reader = this.#input.getReader();
    let buffer = "";
    try {
      while (!this.#closed) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, "");
          buffer = buffer.slice(nl + 1);
          if (line.trim()) this.#handleLine(line);
        }
        if (buffer.length > this.#maxLine) {
          // What was read of the line is not a message: close without handling it.
          this.onerror?.(new Error(`stdin line longer than ${this.#maxLine} bytes; closing`));
          return await this.close();
        }
      }
      const tail = buffer + decoder.decode();
      if (tail.trim() && !this.#closed) this.#handleLine(tail.trim());
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
    const parsed = JSONRPCMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = raw && typeof raw === "object" && "id" in raw ? (raw as { id: unknown }).id : null;
      void this.#sendRaw({
        jsonrpc: "2.0",
        id: typeof id === "string" || typeof id === "number" ? id : null,
        error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
      });
      return;
    }
    try {
      this.onmessage?.(parsed.data);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #sendRaw(message: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const written = this.#writer.write(this.#encoder.encode(JSON.stringify(message) + "\n")).catch((e) => {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
      void this.close();
    });
    this.#writing = written;
    return written;
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.#sendRaw(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#reader?.cancel();
    } catch {
      // already released
    }
    // Answers already handed to us (a call that finished during shutdown) still go out.
    await this.#writing;
    try {
      this.#writer.releaseLock();
    } catch {
      // pending writes keep the lock; the process is ending anyway
    }
    this.onclose?.();
  }
}
