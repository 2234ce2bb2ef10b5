/**
 * Newline-delimited JSON-RPC, the framing of stdio (our server's and the proxy's stdio client):
 * reading in bytes — each chunk is scanned once (from where the last scan stopped), a line is
 * decoded once, and only an incomplete tail is kept, so a large message costs time linear in its
 * size — and writing in batches.
 *
 * @module
 */

import type { JSONRPCMessage } from "../sdk/types.ts";

const NEWLINE = 10;

/**
 * Splits a byte stream into lines (without the `\n`; a trailing `\r` is kept for the caller).
 * With `maxLine`, a line holds at most that many bytes: the rest of a longer one is dropped as it
 * arrives (`overflowed` tells the caller while it happens), and the line is handed on cut short,
 * flagged `truncated` — so no peer can make it hold more than `maxLine` bytes.
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./ndjson.ts";
 * const lines: string[] = [];
 * const split = new LineSplitter();
 * split.push(new TextEncoder().encode('{"a":1}\n{"b"'), (l) => lines.push(l));
 * split.push(new TextEncoder().encode(":2}\n"), (l) => lines.push(l));
 * console.log(lines); // ['{"a":1}', '{"b":2}']
 * ```
 */
export class LineSplitter {
  #parts: Uint8Array[] = [];
  #size = 0;
  #dropping = false;
  readonly #decoder = new TextDecoder();
  readonly #max: number;

  /** A splitter whose lines hold at most `maxLine` bytes (default: no limit). */
  constructor(maxLine: number = Infinity) {
    this.#max = maxLine;
  }

  /** Bytes of an incomplete line held so far. */
  get buffered(): number {
    return this.#size;
  }

  /** Whether the line being read is longer than `maxLine` (its further bytes are dropped). */
  get overflowed(): boolean {
    return this.#dropping;
  }

  /**
   * Feed bytes; `onLine` gets each complete line (and whether it was cut short). `chunk` may be
   * reused by the caller afterwards.
   */
  push(chunk: Uint8Array, onLine: (line: string, truncated: boolean) => void): void {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    while (nl >= 0) {
      const piece = chunk.subarray(start, nl);
      if (this.#size === 0 && !this.#dropping && piece.length <= this.#max) {
        // The common case: a whole line inside one chunk, decoded where it lies.
        onLine(this.#decoder.decode(piece), false);
      } else {
        this.#keep(piece);
        const truncated = this.#dropping;
        this.#dropping = false;
        onLine(this.#decoder.decode(this.#take()), truncated);
      }
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#keep(chunk.subarray(start));
  }

  /** The rest of the input as a last line (input ended without a newline), or undefined. */
  end(): string | undefined {
    if (this.#size === 0) return undefined;
    this.#dropping = false;
    return this.#decoder.decode(this.#take());
  }

  /** Drop what is held (after an over-long line). */
  clear(): void {
    this.#parts = [];
    this.#size = 0;
  }

  /** Hold `bytes` (copied), up to `maxLine` bytes of the current line. */
  #keep(bytes: Uint8Array): void {
    if (this.#dropping || bytes.length === 0) return;
    const room = this.#max - this.#size;
    if (bytes.length > room) {
      this.#dropping = true;
      bytes = bytes.subarray(0, Math.max(0, room));
      if (bytes.length === 0) return;
    }
    this.#parts.push(bytes.slice());
    this.#size += bytes.length;
  }

  /** The held bytes as one array; resets the buffer. */
  #take(): Uint8Array {
    if (this.#parts.length === 1) {
      const only = this.#parts[0];
      this.clear();
      return only;
    }
    const out = new Uint8Array(this.#size);
    let off = 0;
    for (const p of this.#parts) {
      out.set(p, off);
      off += p.length;
    }
    this.clear();
    return out;
  }
}

/**
 * Whether a parsed value has the shape of a JSON-RPC 2.0 message (request, notification or
 * response). A structural check, enough to route the message; the SDK validates methods' params.
 *
 * @example
 * ```ts
 * import { isJsonRpcMessage } from "./ndjson.ts";
 * isJsonRpcMessage({ jsonrpc: "2.0", id: 1, method: "ping" }); // true
 * isJsonRpcMessage({ id: 1 }); // false
 * ```
 */
export function isJsonRpcMessage(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") return false;
  const hasId = "id" in m;
  const idOk = !hasId || typeof m.id === "string" || (typeof m.id === "number" && Number.isFinite(m.id));
  if (typeof m.method === "string") {
    return idOk && (m.params === undefined || (typeof m.params === "object" && m.params !== null));
  }
  if (!hasId) return false;
  if ("result" in m) return idOk && typeof m.result === "object" && m.result !== null && !("error" in m);
  const e = m.error as Record<string, unknown> | undefined;
  // An error answer may carry `id: null` (the request's id could not be read).
  return (idOk || m.id === null) && !!e && typeof e === "object" && typeof e.code === "number" &&
    typeof e.message === "string";
}

/** What one line of input is: a JSON-RPC message, or why it is not one. */
export type DecodedLine =
  | { message: JSONRPCMessage }
  | { error: "parse" }
  | { error: "invalid"; id: string | number | null };

/**
 * Decode one line of newline-delimited JSON-RPC.
 *
 * @example
 * ```ts
 * import { decodeLine } from "./ndjson.ts";
 * decodeLine('{"jsonrpc":"2.0","id":1,"method":"ping"}'); // { message: {...} }
 * decodeLine("not json"); // { error: "parse" }
 * ```
 */
export function decodeLine(line: string): DecodedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { error: "parse" };
  }
  if (isJsonRpcMessage(raw)) return { message: raw as JSONRPCMessage };
  const id = raw && typeof raw === "object" && "id" in raw ? (raw as { id: unknown }).id : null;
  return { error: "invalid", id: typeof id === "string" || typeof id === "number" ? id : null };
}

/** Something bytes can be written to (`Deno.stdout`, a child's stdin, a test double). */
export interface ByteWriter {
  /** Write some of `p`; resolves with how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
  /** The same, synchronously (when the sink has it). */
  writeSync?(p: Uint8Array): number;
}

/** Largest batch written synchronously; larger ones go through an asynchronous write. */
const SYNC_WRITE_LIMIT = 64 * 1024;

/**
 * Newline-delimited JSON-RPC output: the messages sent in one turn of the event loop leave in one
 * write — a synchronous one when small and the sink allows it (no blocking-pool hop, no promise),
 * an asynchronous one otherwise, so a slow reader never blocks the loop on a big answer. Order is
 * kept across both kinds.
 *
 * @example
 * ```ts
 * import { NdjsonWriter } from "./ndjson.ts";
 * const out = new NdjsonWriter(Deno.stderr, (e) => console.error(e));
 * await out.send({ jsonrpc: "2.0", method: "notifications/initialized" });
 * ```
 */
export class NdjsonWriter {
  readonly #out: ByteWriter;
  readonly #onError: (e: Error) => void;
  readonly #encoder = new TextEncoder();
  #pending: string[] = [];
  #batch: { promise: Promise<void>; resolve(): void; reject(e: unknown): void } | undefined;
  /** The last asynchronous write; later writes chain on it so order is kept. */
  #writing: Promise<void> = Promise.resolve();
  #asyncWrites = 0;

  /** Output to `out`; a failed write is reported to `onError` (and rejects its batch's sends). */
  constructor(out: ByteWriter, onError: (e: Error) => void) {
    this.#out = out;
    this.#onError = onError;
  }

  /** Queue `message` for this turn's write; resolves once its batch is written. */
  send(message: unknown): Promise<void> {
    this.#pending.push(JSON.stringify(message));
    if (!this.#batch) {
      const batch = Promise.withResolvers<void>();
      batch.promise.catch(() => {}); // reported to onError; a sender may also await it
      this.#batch = batch;
      queueMicrotask(() => this.flush());
    }
    return this.#batch.promise;
  }

  /** Write what is queued now (on close: answers already handed in still go out). */
  flush(): void {
    const batch = this.#batch;
    this.#batch = undefined;
    if (this.#pending.length === 0) return batch?.resolve();
    const bytes = this.#encoder.encode(this.#pending.join("\n") + "\n");
    this.#pending = [];
    const failed = (e: unknown) => {
      batch?.reject(e);
      this.#onError(e instanceof Error ? e : new Error(String(e)));
    };
    if (this.#asyncWrites === 0 && bytes.length <= SYNC_WRITE_LIMIT && this.#out.writeSync) {
      try {
        let off = 0;
        while (off < bytes.length) off += this.#out.writeSync(bytes.subarray(off));
        batch?.resolve();
      } catch (e) {
        failed(e);
      }
      return;
    }
    this.#asyncWrites++;
    this.#writing = this.#writing.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await this.#out.write(bytes.subarray(off));
    }).then(() => batch?.resolve(), failed).finally(() => this.#asyncWrites--);
  }

  /** Resolves when every asynchronous write so far has ended. */
  get written(): Promise<void> {
    return this.#writing;
  }
}
