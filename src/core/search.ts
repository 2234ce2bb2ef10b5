/**
 * Finding tools by what they do: a BM25 index (MiniSearch, BM25+) over each tool's name, title,
 * description and argument names. Names are split where people read a break (`read_text_file`,
 * `proxy.fs.readTextFile` → read, text, file), common English words are dropped, a plural `s`
 * is folded, and a query word also matches words it begins (`dir` → `directory`) at a lower weight.
 * A tool's score is scaled by the share of the query's words it matches (the coordination factor).
 *
 * @module
 */

import MiniSearch from "minisearch";
import type { Tool } from "../protocol.ts";

/** Field weights: a word in the name says more than one in the description. */
const BOOST = { name: 3, title: 2, args: 1.5, description: 1 };

const STOP_WORDS = new Set(
  ("a an and are as at be by can do for from get has have how i in into is it its me my of on or " +
    "please set so that the their them then there these this to use using want we what when which " +
    "with without you your").split(" "),
);

/** Split on anything but letters and digits, and between a lower-case letter and an upper-case one. */
function tokenize(text: string): string[] {
  return text.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Lower-case, drop stop words, fold a plural `s` (`files` → `file`, not `access` → `acces`). */
function term(word: string): string | null {
  const w = word.toLowerCase();
  if (STOP_WORDS.has(w)) return null;
  if (w.length > 3 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

interface ToolDocument {
  id: number;
  name: string;
  title: string;
  description: string;
  args: string;
}

function documentOf(tool: Tool, id: number): ToolDocument {
  return {
    id,
    name: tool.name,
    title: tool.title ?? tool.annotations?.title ?? "",
    description: tool.description ?? "",
    args: Object.keys(tool.inputSchema?.properties ?? {}).join(" "),
  };
}

/** One hit: the tool and its score. */
export interface ToolHit {
  /** The tool, as listed. */
  tool: Tool;
  /** Its BM25+ score for the query (higher is better). */
  score: number;
}

/**
 * An index of one list of tools.
 *
 * @example
 * ```ts
 * import { ToolIndex } from "./search.ts";
 * const index = new ToolIndex([
 *   { name: "read_file", description: "Read a file from disk", inputSchema: { type: "object" } },
 *   { name: "get_weather", description: "Current weather for a city", inputSchema: { type: "object" } },
 * ]);
 * console.log(index.search("weather in Paris", 1)[0].tool.name); // get_weather
 * ```
 */
export class ToolIndex {
  readonly #tools: readonly Tool[];
  readonly #index: MiniSearch<ToolDocument>;

  /** Index `tools`. */
  constructor(tools: readonly Tool[]) {
    this.#tools = tools;
    this.#index = new MiniSearch<ToolDocument>({
      fields: ["name", "title", "description", "args"],
      tokenize,
      processTerm: term,
      searchOptions: { boost: BOOST, prefix: (t) => t.length >= 3, weights: { prefix: 0.3, fuzzy: 0.3 } },
    });
    this.#index.addAll(tools.map(documentOf));
  }

  /** The tools indexed. */
  get tools(): readonly Tool[] {
    return this.#tools;
  }

  /**
   * The best `limit` tools for `query`, best first, among those `visible` accepts (default all).
   * Ties keep the listing order.
   */
  search(query: string, limit: number, visible: (tool: Tool) => boolean = () => true): ToolHit[] {
    const words = new Set(tokenize(query).map(term).filter((t): t is string => t !== null));
    if (words.size === 0) return [];
    const hits = this.#index.search(query, { filter: (r) => visible(this.#tools[r.id as number]) })
      // The coordination factor: a tool matching more of the query's words ranks above one that
      // matches fewer words more often ("add two numbers": get-sum over add_observations).
      .map((h) => ({ id: h.id as number, score: h.score * new Set(h.queryTerms).size / words.size }));
    hits.sort((a, b) => b.score - a.score || a.id - b.id);
    return hits.slice(0, limit).map((h) => ({ tool: this.#tools[h.id], score: h.score }));
  }
}
