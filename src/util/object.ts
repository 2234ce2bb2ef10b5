/**
 * What a JSON value is, asked in one place: every part of the runtime that reads a peer's
 * message asks it.
 *
 * @module
 */

/**
 * Whether `v` is a plain JSON object (not `null`, not an array).
 *
 * @example
 * ```ts
 * import { isObject } from "./object.ts";
 * isObject({ a: 1 }); // true
 * isObject([1]); // false
 * ```
 */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
