// BM25 over a fixed corpus: what ranks first for queries a model would write.
import assert from "node:assert/strict";
import { ToolIndex } from "../../src/core/search.ts";
import type { Tool } from "../../src/protocol.ts";

function tool(name: string, description: string, args: string[] = [], title?: string): Tool {
  return {
    name,
    description,
    ...(title ? { title } : {}),
    inputSchema: { type: "object", properties: Object.fromEntries(args.map((a) => [a, { type: "string" }])) },
  };
}

const CORPUS: Tool[] = [
  tool("proxy.fs.read_text_file", "Read the complete contents of a file from the file system as text.", [
    "path",
    "head",
    "tail",
  ]),
  tool(
    "proxy.fs.write_file",
    "Create a new file or completely overwrite an existing file with new content.",
    ["path", "content"],
  ),
  tool(
    "proxy.fs.list_directory",
    "Get a detailed listing of all files and directories in a specified path.",
    ["path"],
  ),
  tool("proxy.fs.move_file", "Move or rename files and directories.", ["source", "destination"]),
  tool("proxy.memory.create_entities", "Create multiple new entities in the knowledge graph", ["entities"]),
  tool("proxy.memory.search_nodes", "Search for nodes in the knowledge graph based on a query", ["query"]),
  tool("proxy.memory.delete_relations", "Delete multiple relations from the knowledge graph", ["relations"]),
  tool(
    "proxy.time.get_current_time",
    "Get the current time in a specific timezone",
    ["timezone"],
    "Current time",
  ),
  tool("proxy.time.convertTime", "Convert time between timezones", [
    "source_timezone",
    "time",
    "target_timezone",
  ]),
  tool("proxy.weather.forecast", "Weather forecast for a city", ["city", "days"]),
  tool("proxy.math.add", "Add two numbers", ["a", "b"]),
];

const index = new ToolIndex(CORPUS);
const top = (q: string, n = 1) => index.search(q, n).map((h) => h.tool.name);

Deno.test("search: the tool a query describes ranks first", () => {
  assert.deepEqual(top("read a text file"), ["proxy.fs.read_text_file"]);
  assert.deepEqual(top("rename a file"), ["proxy.fs.move_file"]);
  assert.deepEqual(top("current time in Tokyo"), ["proxy.time.get_current_time"]);
  assert.deepEqual(top("will it rain in Paris, weather"), ["proxy.weather.forecast"]);
  assert.deepEqual(top("search the knowledge graph"), ["proxy.memory.search_nodes"]);
  assert.deepEqual(top("add numbers"), ["proxy.math.add"]);
});

Deno.test("search: names split at _ . - and camelCase, plurals fold, a word finds the longer words it begins", () => {
  assert.deepEqual(top("convert"), ["proxy.time.convertTime"]);
  assert.deepEqual(top("entity"), ["proxy.memory.create_entities"]);
  assert.deepEqual(top("relation"), ["proxy.memory.delete_relations"]);
  assert.deepEqual(top("dir listing"), ["proxy.fs.list_directory"]);
  // Argument names count: only convertTime takes a target_timezone.
  assert.deepEqual(top("target"), ["proxy.time.convertTime"]);
  // A title counts too.
  assert.deepEqual(top("current"), ["proxy.time.get_current_time"]);
});

Deno.test("search: limits, stop words, no match, and the visible filter", () => {
  assert.equal(index.search("file", 2).length, 2);
  assert.deepEqual(index.search("the a of", 5), []);
  assert.deepEqual(index.search("quantum chromodynamics", 5), []);
  const hits = index.search("file", 10, (t) => !t.name.startsWith("proxy.fs."));
  assert.ok(hits.every((h) => !h.tool.name.startsWith("proxy.fs.")));
  // Scores are ordered, best first.
  const scores = index.search("file directory", 10).map((h) => h.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

Deno.test("search: a tool matching more of the query's words ranks above one matching fewer in its name", () => {
  const small = new ToolIndex([
    tool("proxy.memory.add_observations", "Add new observations to existing entities", ["observations"]),
    tool("proxy.everything.get-sum", "Returns the sum of two numbers", ["a", "b"]),
  ]);
  assert.deepEqual(small.search("add two numbers", 2).map((h) => h.tool.name), [
    "proxy.everything.get-sum",
    "proxy.memory.add_observations",
  ]);
});
