/**
 * The `fetch` the SDK's HTTP client transports need under Deno (both SDK majors).
 *
 * Deno 2.9 stops honouring an abort once a `Response` becomes unreachable while its body is read;
 * the SDK's streamable-HTTP client keeps only the body of its GET stream, so `close()` would hang.
 * {@linkcode retainingFetch} keeps each streaming `Response` referenced until its request ends.
 *
 * @module
 */

const live = new Set<Response>();

/**
 * A `fetch` that keeps every streaming `Response` referenced until its request is aborted. Pass
 * it to `StreamableHTTPClientTransport` (`{ fetch: retainingFetch }`) under Deno.
 *
 * @example
 * ```ts
 * import { retainingFetch } from "./fetch.ts";
 * const res = await retainingFetch("http://127.0.0.1:3000/health");
 * ```
 */
export const retainingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const signal = init?.signal;
  // Only streams can be left with a pending read when the abort comes.
  if (!signal || !res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    return res;
  }
  live.add(res);
  const release = () => {
    live.delete(res);
    signal.removeEventListener("abort", release);
  };
  signal.addEventListener("abort", release, { once: true });
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ flush: release, cancel: release }),
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
};
