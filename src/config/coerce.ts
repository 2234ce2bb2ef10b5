/**
 * Lenient scalars, as the reference's pydantic models accept them: where the schema expects a
 * boolean, YAML 1.1 words (`yes`/`no`/`on`/`off`, `y`/`n`, `t`/`f`, `1`/`0`, any case) and the
 * numbers 0 and 1; where it expects a number, a numeric string (`port: "8000"`, or a
 * `${PORT}` reference, which always expands to text). Anything else is left for validation
 * to report.
 *
 * @module
 */

import type { z } from "zod";

const TRUE = new Set(["true", "yes", "y", "on", "t", "1"]);
const FALSE = new Set(["false", "no", "n", "off", "f", "0"]);
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function parentOf(root: unknown, path: PropertyKey[]): Record<PropertyKey, unknown> | undefined {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur !== null && typeof cur === "object" ? cur as Record<PropertyKey, unknown> : undefined;
}

/** The boolean a YAML 1.1 / pydantic-style value stands for, if any. */
function looseBoolean(value: unknown): boolean | undefined {
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  return TRUE.has(word) ? true : FALSE.has(word) ? false : undefined;
}

/** The number a numeric string stands for, if any. */
function looseNumber(value: unknown): number | undefined {
  if (typeof value !== "string" || !NUMBER.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Replace, in place, the scalars of `raw` that `schema` rejects only for their type but that
 * read as the expected boolean or number. Returns the key paths changed.
 *
 * @example
 * ```ts
 * import { coerceScalars } from "./coerce.ts";
 * import { configSchema } from "./schema.ts";
 * const raw = { "streamable-http": { port: "8000", stateless: "no" } };
 * coerceScalars(raw, configSchema); // [["streamable-http", "port"], ["streamable-http", "stateless"]]
 * ```
 */
export function coerceScalars(raw: unknown, schema: z.ZodType): PropertyKey[][] {
  const changed: PropertyKey[][] = [];
  // Each pass fixes what the validator reported; a fix can reveal more (bounded).
  for (let pass = 0; pass < 4; pass++) {
    const result = schema.safeParse(raw);
    if (result.success) break;
    let fixed = 0;
    for (const issue of result.error.issues) {
      if (issue.code !== "invalid_type" || issue.path.length === 0) continue;
      const parent = parentOf(raw, issue.path.slice(0, -1));
      if (!parent) continue;
      const key = issue.path[issue.path.length - 1];
      const current = parent[key];
      const next = issue.expected === "boolean"
        ? looseBoolean(current)
        : issue.expected === "number"
        ? looseNumber(current)
        : undefined;
      if (next === undefined) continue;
      parent[key] = next;
      changed.push(issue.path);
      fixed++;
    }
    if (fixed === 0) break;
  }
  return changed;
}
