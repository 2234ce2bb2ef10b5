/**
 * One table of named entries (tools by name, resources by URI, ...): the registry's four kinds
 * share it, so adding, removing and clashing are written once.
 *
 * @module
 */

import { DuplicateNameError } from "../errors.ts";

/** How a {@linkcode Table} keys, names and watches its entries. */
export interface TableOptions<E> {
  /** What the entries are, in messages (`tool`, `resource template`). */
  kind: string;
  /** The key of an entry (its name or URI). */
  keyOf: (entry: E) => string;
  /** Where an entry came from, in messages. */
  sourceOf: (entry: E) => string;
  /** Runs after every change. */
  changed: () => void;
  /** Checks (or prepares) an entry once its key is known to be free; throwing refuses it. */
  prepare?: (entry: E, key: string) => void;
}

/**
 * Entries of one kind by key; a key taken twice is a {@linkcode DuplicateNameError} naming both
 * sources.
 *
 * @example
 * ```ts
 * import { Table } from "./table.ts";
 * const notes = new Table<{ id: string; source: string }>({
 *   kind: "note",
 *   keyOf: (n) => n.id,
 *   sourceOf: (n) => n.source,
 *   changed: () => {},
 * });
 * notes.add({ id: "a", source: "example" });
 * console.log(notes.get("a")?.source); // example
 * ```
 */
export class Table<E> {
  readonly #entries = new Map<string, E>();
  readonly #options: TableOptions<E>;

  /** An empty table. */
  constructor(options: TableOptions<E>) {
    this.#options = options;
  }

  /** Add `entry`; its key must be free. */
  add(entry: E): void {
    const { kind, keyOf, sourceOf, prepare, changed } = this.#options;
    const key = keyOf(entry);
    const existing = this.#entries.get(key);
    if (existing) throw new DuplicateNameError(kind, key, sourceOf(existing), sourceOf(entry));
    prepare?.(entry, key);
    this.#entries.set(key, entry);
    changed();
  }

  /** Remove the entry under `key`. Returns whether there was one. */
  remove(key: string): boolean {
    const had = this.#entries.delete(key);
    if (had) this.#options.changed();
    return had;
  }

  /** The entry under `key`, if any. */
  get(key: string): E | undefined {
    return this.#entries.get(key);
  }

  /** How many entries there are. */
  get size(): number {
    return this.#entries.size;
  }

  /** Every entry, in the order they were added. */
  entries(): E[] {
    return [...this.#entries.values()];
  }

  /** Iterate over the entries in the order they were added. */
  values(): IterableIterator<E> {
    return this.#entries.values();
  }
}
