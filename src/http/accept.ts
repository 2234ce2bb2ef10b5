/**
 * Content negotiation on `Accept`, as HTTP defines it (RFC 9110 §12.5.1): media types compare
 * case-insensitively, `*\/*` and `type/*` match, the most specific range decides, `q=0` refuses,
 * and a request without `Accept` accepts anything.
 *
 * @module
 */

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseRanges(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [range, ...params] = part.split(";");
    const [type, subtype] = range.trim().toLowerCase().split("/");
    if (!type || !subtype) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=").map((s) => s.trim().toLowerCase());
      if (k === "q") q = Number.isFinite(Number(v)) ? Number(v) : 1;
    }
    out.push({ type, subtype, q });
  }
  return out;
}

/**
 * Whether a client sending `accept` (the header's value, `null` when absent) accepts `mediaType`.
 *
 * @example
 * ```ts
 * import { acceptsMediaType } from "@chuk/mcp-runtime/http";
 * acceptsMediaType("Application/JSON", "application/json"); // true
 * acceptsMediaType("*\/*", "text/event-stream"); // true
 * acceptsMediaType("text/*;q=0, *\/*", "text/event-stream"); // false
 * acceptsMediaType(null, "application/json"); // true
 * ```
 */
export function acceptsMediaType(accept: string | null, mediaType: string): boolean {
  if (accept === null || accept.trim() === "") return true;
  const [type, subtype] = mediaType.toLowerCase().split("/");
  let best: MediaRange | undefined;
  let bestRank = -1;
  for (const r of parseRanges(accept)) {
    const rank = r.type === type && r.subtype === subtype
      ? 2
      : r.type === type && r.subtype === "*"
      ? 1
      : r.type === "*" && r.subtype === "*"
      ? 0
      : -1;
    if (rank > bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  return best !== undefined && best.q > 0;
}
