/**
 * A minimal typed event emitter (listeners run synchronously, errors are isolated).
 *
 * @module
 */

import { getLogger } from "../log/logger.ts";

const log = getLogger("events");

/**
 * Typed emitter over an event map `{ name: payload }`.
 *
 * @example
 * ```ts
 * import { Emitter } from "@chuk/mcp-runtime";
 * const events = new Emitter<{ ready: { port: number } }>();
 * const off = events.on("ready", ({ port }) => console.log(port));
 * events.emit("ready", { port: 3000 });
 * off();
 * ```
 */
export class Emitter<Events extends Record<string, unknown>> {
  #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Add a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, set = new Set());
    set.add(listener as (payload: never) => void);
    return () => set!.delete(listener as (payload: never) => void);
  }

  /** Call every listener of `name` with `payload`. A throwing listener does not stop the others. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (p: Events[K]) => void)(payload);
      } catch (e) {
        // Listener bugs must not break the emitter; report and go on.
        log.error(`listener of '${String(name)}' failed: ${e instanceof Error ? e.stack ?? e.message : e}`);
      }
    }
  }
}
