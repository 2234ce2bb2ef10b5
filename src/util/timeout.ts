/**
 * Waiting with a bound: the one place a promise races a timer.
 *
 * @module
 */

/** What {@linkcode raceTimeout} resolves with when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Wait for `promise` at most `ms` milliseconds: its value (or its rejection), or
 * {@linkcode TIMED_OUT}. The timer never outlives the wait; the promise itself runs on.
 *
 * @example
 * ```ts
 * import { raceTimeout, TIMED_OUT } from "./timeout.ts";
 * const slow = new Promise((resolve) => setTimeout(resolve, 1000));
 * if ((await raceTimeout(slow, 10)) === TIMED_OUT) console.log("gave up after 10 ms");
 * ```
 */
export async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
