/**
 * Reading a request body: JSON only, bounded in size and in time, nothing allocated for what a
 * peer merely declares.
 *
 * @module
 */

import { jsonRpcErrorResponse } from "./responses.ts";

/** Outcome of reading a JSON body. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

/** Default of {@linkcode HttpHygiene.bodyTimeoutMs}. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/**
 * Read and parse a JSON request body. Bytes are counted as they arrive and nothing is allocated
 * for what a peer merely declares: a `Content-Length` over `maxBytes` gets 413 at once, and so does
 * a body whose bytes exceed it. A body that takes longer than `timeoutMs` gets 408; malformed JSON
 * 400 / JSON-RPC -32700.
 *
 * @example
 * ```ts
 * import { readJsonBody } from "@chuk/mcp-runtime/http";
 * const r = await readJsonBody(new Request("http://x/", { method: "POST", body: "{}" }), 1024);
 * console.log(r.ok); // true
 * ```
 */
export async function readJsonBody(
  req: Request,
  maxBytes: number,
  timeoutMs: number = DEFAULT_BODY_TIMEOUT_MS,
): Promise<JsonBody> {
  const refuse = (status: number, code: number, message: string, close = false): JsonBody => ({
    ok: false,
    response: jsonRpcErrorResponse(status, code, message, close ? { connection: "close" } : {}),
  });
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await req.body?.cancel().catch(() => {});
    return refuse(413, -32000, `Payload too large: request body exceeds ${maxBytes} bytes`, true);
  }
  // Never `req.text()`: it reserves the declared length up front, so a hundred peers declaring
  // 8 MB and sending one byte would cost 800 MB. Read what arrives, count it, bound the wait.
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void reader.cancel().catch(() => {});
    }, timeoutMs);
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => {});
          return refuse(413, -32000, `Payload too large: request body exceeds ${maxBytes} bytes`, true);
        }
        chunks.push(value);
      }
    } catch {
      if (!timedOut) return refuse(400, -32700, "Parse error: request body could not be read");
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) {
      return refuse(
        408,
        -32000,
        `Request timeout: the body did not arrive within ${timeoutMs / 1000} s`,
        true,
      );
    }
  }
  const bytes = chunks.length === 1 ? chunks[0] : concat(chunks, total);
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    return refuse(400, -32700, "Parse error: invalid JSON");
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/**
 * Whether a `Content-Type` header names JSON (`application/json`, parameters allowed).
 *
 * @example
 * ```ts
 * import { isJsonContentType } from "@chuk/mcp-runtime/http";
 * isJsonContentType("application/json; charset=utf-8"); // true
 * ```
 */
export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  return value.split(";")[0].trim().toLowerCase() === "application/json";
}
