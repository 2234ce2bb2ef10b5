/**
 * Newline-delimited framing for stdio JSON-RPC, in bytes: each chunk is scanned once (from where
 * the last scan stopped), a line is decoded once, and only an incomplete tail is kept — so a
 * large message costs time linear in its size, not in its size times its chunk count.
 *
 * @module
 */

const NEWLINE = 10;

/**
 * Splits a byte stream into lines (without the `\n`; a trailing `\r` is kept for the caller).
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
  readonly #decoder = new TextDecoder();

  /** Bytes of an incomplete line held so far. */
  get buffered(): number {
    return this.#size;
  }

  /** Feed bytes; `onLine` gets each complete line. `chunk` may be reused by the caller afterwards. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    while (nl >= 0) {
      onLine(this.#decoder.decode(this.#take(chunk.subarray(start, nl))));
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.#parts.push(chunk.slice(start));
      this.#size += chunk.length - start;
    }
  }

  /** The rest of the input as a last line (input ended without a newline), or undefined. */
  end(): string | undefined {
    if (this.#size === 0) return undefined;
    return this.#decoder.decode(this.#take(new Uint8Array(0)));
  }

  /** Drop what is held (after an over-long line). */
  clear(): void {
    this.#parts = [];
    this.#size = 0;
  }

  /** The held bytes followed by `tail`, as one array; resets the buffer. */
  #take(tail: Uint8Array): Uint8Array {
    if (this.#size === 0) return tail;
    const out = new Uint8Array(this.#size + tail.length);
    let off = 0;
    for (const p of this.#parts) {
      out.set(p, off);
      off += p.length;
    }
    out.set(tail, off);
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
