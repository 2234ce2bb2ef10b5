/**
 * Keys given twice in one mapping. The reference runtime reads YAML with PyYAML, which keeps the
 * last value without a word; its own README's `combined_config.yaml` has `mcp_servers:` twice.
 * Such files load here the same way — the last value wins — and each repeat is a warning that
 * names both lines and what the earlier value held, so nothing is dropped silently.
 *
 * @module
 */

import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import { type ConfigWarning, configWarning } from "./warnings.ts";

/**
 * Remove, in place, every earlier occurrence of a key repeated in the same mapping (at any
 * depth), and return one warning per removed occurrence.
 *
 * @example
 * ```ts
 * import { LineCounter, parseDocument } from "yaml";
 * import { dropRepeatedKeys } from "./duplicates.ts";
 * const lineCounter = new LineCounter();
 * const doc = parseDocument("a: 1\na: 2\n", { lineCounter, uniqueKeys: false });
 * dropRepeatedKeys(doc, lineCounter, "c.yaml")[0].message; // "c.yaml:2: a: also given at line 1; ..."
 * ```
 */
export function dropRepeatedKeys(doc: Document, lines: LineCounter, label: string): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  const visit = (node: unknown, path: string[]) => {
    if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, String(i)]));
      return;
    }
    if (!isMap(node)) return;
    const last = new Map<string, Pair<unknown, unknown>>();
    for (const pair of node.items) if (isScalar(pair.key)) last.set(String(pair.key.value), pair);
    const kept: Pair<unknown, unknown>[] = [];
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const winner = name === undefined ? pair : last.get(name)!;
      if (winner === pair) {
        kept.push(pair);
        continue;
      }
      const earlier = lineOf(pair.key);
      const later = lineOf(winner.key);
      const held = isMap(pair.value) && pair.value.items.length > 0
        ? ` (${pair.value.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "?")).join(", ")})`
        : "";
      warnings.push(configWarning(
        `also given at line ${
          earlier ?? "?"
        }; the later value is used, as the Python runtime's YAML loader ` +
          `does, and line ${earlier ?? "?"}'s${held} is ignored — merge the two into one`,
        { file: label, path: [...path, name!].join("."), line: later },
      ));
    }
    node.items = kept;
    for (const pair of kept) {
      if (isScalar(pair.key)) visit(pair.value as Node, [...path, String(pair.key.value)]);
    }
  };
  visit(doc.contents, []);
  return warnings;
}
