/**
 * The stdio transport, Deno-native: newline-delimited JSON-RPC on stdin/stdout. Unlike the SDK's
 * Node-stream transport it notices end of input (so the server exits when its client goes away)
 * and answers unparsable lines with a JSON-RPC error instead of dropping them.
 *
 * It is also on the hot path of every stdio call, so it avoids web streams where it can: stdin is
 * read with `Deno.stdin.read` into one reused buffer, and output is batched per turn of the event
 * loop (`ndjson.ts`).
 *
 * @module
 */

import { getLogger } from "../log/logger.ts";
import type { Transport } from "../sdk/server.ts";
import type { JSONRPCMessage } from "../sdk/types.ts";
import { type ByteWriter, decodeLine, isJsonRpcMessage, LineSplitter, NdjsonWriter } from "./ndjson.ts";

const log = getLogger("transport.stdio");

/** Something bytes can be read from (`Deno.stdin`, or a test double). */
export interface ByteReader {
  read(p: Uint8Array): Promise<number | null>;
}

export type { ByteWriter };

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
  /**
   * Sees every incoming message before the SDK does; returning true keeps it (another protocol
   * era serves it, writing its answers with {@linkcode StdioTransport.send}).
   */
  intercept?: (message: JSONRPCMessage) => boolean;
  /**
   * Why a JSON-RPC batch (one line holding an array) is refused right now, or `undefined` when it
   * is served (its responses then go out as one array line). Without it every batch is refused.
   */
  batchRefusal?: () => string | undefined;
}

/** A batch being served: the ids still to answer, and the answers so far. */
interface PendingBatch {
  waiting: Set<string | number>;
  answers: unknown[];
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
 * import { StdioTransport } from "./stdio.ts";
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
  readonly #output: NdjsonWriter;
  readonly #maxLine: number;
  readonly #onEnd: (() => void) | undefined;
  readonly #intercept: ((message: JSONRPCMessage) => boolean) | undefined;
  readonly #batchRefusal: () => string | undefined;
  /** Batches waiting for answers, by the ids of their requests. */
  readonly #batches = new Map<string | number, PendingBatch>();
  #closed = false;

  /** A transport over this process's stdin and stdout. */
  constructor(options: StdioTransportOptions = {}) {
    const input = options.input ?? Deno.stdin;
    this.#input = input instanceof ReadableStream ? streamReader(input) : input;
    const output = options.output ?? Deno.stdout;
    this.#output = new NdjsonWriter(output instanceof WritableStream ? streamWriter(output) : output, (e) => {
      this.onerror?.(e);
      void this.close();
    });
    this.#maxLine = options.maxLineBytes ?? 64 * 1024 * 1024;
    this.#onEnd = options.onEnd;
    this.#intercept = options.intercept;
    this.#batchRefusal = options.batchRefusal ??
      (() => "Invalid Request: JSON-RPC batches are not served here");
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
    if (line.trimStart().startsWith("[")) return this.#handleBatch(line);
    const decoded = decodeLine(line);
    if ("message" in decoded) return this.#deliver(decoded.message);
    if (decoded.error === "parse") {
      log.warn(`unparsable input line (${line.length} chars)`);
      void this.#sendRaw({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: invalid JSON" },
      });
      return;
    }
    void this.#sendRaw({
      jsonrpc: "2.0",
      id: decoded.id,
      error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
    });
  }

  /** One line holding an array: served as a batch when allowed, its answers sent as one array. */
  #handleBatch(line: string): void {
    let items: unknown;
    try {
      items = JSON.parse(line);
    } catch {
      log.warn(`unparsable input line (${line.length} chars)`);
      void this.#sendRaw({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: invalid JSON" },
      });
      return;
    }
    const refusal = Array.isArray(items) && items.length === 0
      ? "Invalid Request: an empty batch"
      : this.#batchRefusal();
    if (!Array.isArray(items) || refusal) {
      void this.#sendRaw({ jsonrpc: "2.0", id: null, error: { code: -32600, message: refusal } });
      return;
    }
    const batch: PendingBatch = { waiting: new Set(), answers: [] };
    const messages: JSONRPCMessage[] = [];
    for (const item of items) {
      if (!isJsonRpcMessage(item)) {
        const raw = item && typeof item === "object" ? (item as { id?: unknown }).id : undefined;
        const id = typeof raw === "string" || typeof raw === "number" ? raw : null;
        batch.answers.push({
          jsonrpc: "2.0",
          id,
          error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 message" },
        });
        continue;
      }
      const m = item as { id?: string | number; method?: string };
      if (m.method !== undefined && m.id !== undefined && !this.#batches.has(m.id)) {
        batch.waiting.add(m.id);
        this.#batches.set(m.id, batch);
      }
      messages.push(item as JSONRPCMessage);
    }
    // Nothing to wait for (notifications, responses): only the invalid entries are answered.
    if (batch.waiting.size === 0 && batch.answers.length > 0) void this.#sendRaw(batch.answers);
    for (const message of messages) this.#deliver(message);
  }

  #deliver(message: JSONRPCMessage): void {
    // A cancelled request gets no answer: its batch must not wait for one.
    if ("method" in message && message.method === "notifications/cancelled") {
      const id = (message.params as { requestId?: string | number } | undefined)?.requestId;
      const batch = id === undefined ? undefined : this.#batches.get(id);
      if (batch && id !== undefined) {
        this.#batches.delete(id);
        batch.waiting.delete(id);
        if (batch.waiting.size === 0) void this.#sendRaw(batch.answers);
      }
    }
    try {
      if (this.#intercept?.(message)) return;
      this.onmessage?.(message);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #sendRaw(message: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    void this.#output.send(message);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    const id = "method" in message ? undefined : (message as { id?: string | number }).id;
    const batch = id === undefined ? undefined : this.#batches.get(id);
    if (batch && id !== undefined) {
      // An answer to a request of a batch: held until the batch's last, then sent together.
      this.#batches.delete(id);
      batch.waiting.delete(id);
      batch.answers.push(message);
      if (batch.waiting.size === 0) return this.#sendRaw(batch.answers);
      return Promise.resolve();
    }
    return this.#sendRaw(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Answers already handed to us (a call that finished during shutdown) still go out.
    this.#output.flush();
    this.#closed = true;
    try {
      await this.#input.cancel?.();
    } catch {
      // already released
    }
    await this.#output.written;
    this.onclose?.();
  }
}
