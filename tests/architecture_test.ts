// The shape of the house (docs/architecture.md), checked on the real module graph that
// `deno info` reports for every entry point, dynamic imports included: no import cycle between
// files of src/, and none between its parts (folders), so no part imports one above it.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SRC = new URL("src/", ROOT).href;

/** Every import edge between files of src/ (static, dynamic and type-only). */
async function srcImports(): Promise<Map<string, Set<string>>> {
  const deno = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const entries = [...new Set([...Object.values(deno.exports as Record<string, string>), "proxy_main.ts"])];
  const graphs = await Promise.all(entries.map(async (entry) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: new URL(".", ROOT),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  }));
  const edges = new Map<string, Set<string>>();
  for (const graph of graphs) {
    for (const m of graph.modules as { specifier: string; dependencies?: unknown[] }[]) {
      if (!m.specifier.startsWith(SRC)) continue;
      const from = m.specifier.slice(SRC.length);
      const set = edges.get(from) ?? new Set<string>();
      edges.set(from, set);
      for (
        const dep of (m.dependencies ?? []) as {
          code?: { specifier: string };
          type?: { specifier: string };
        }[]
      ) {
        for (const to of [dep.code?.specifier, dep.type?.specifier]) {
          if (to?.startsWith(SRC)) set.add(to.slice(SRC.length));
        }
      }
    }
  }
  return edges;
}

/** The strongly connected components with more than one node (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** A file's part: its folder under src/ (`eras/2025` counts as `eras`), or the file itself. */
function partOf(file: string): string {
  return file.includes("/") ? file.slice(0, file.indexOf("/")) : file;
}

Deno.test("architecture: no import cycle between files of src/ (static or dynamic)", async () => {
  assert.deepEqual(cycles(await srcImports()), []);
});

Deno.test("architecture: the parts of src/ import each other one way only (no arrow climbs back up)", async () => {
  const parts = new Map<string, Set<string>>();
  for (const [from, tos] of await srcImports()) {
    const set = parts.get(partOf(from)) ?? new Set<string>();
    parts.set(partOf(from), set);
    for (const to of tos) if (partOf(to) !== partOf(from)) set.add(partOf(to));
  }
  assert.deepEqual(cycles(parts), []);
});

Deno.test("architecture: the MCP SDK is imported only under src/sdk/", async () => {
  const offenders: string[] = [];
  for await (const file of walk(new URL("src/", ROOT))) {
    if (file.includes("/sdk/")) continue;
    const text = await Deno.readTextFile(file);
    if (/from "@modelcontextprotocol\//.test(text)) offenders.push(file);
  }
  assert.deepEqual(offenders, []);
});

async function* walk(dir: URL): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* walk(url);
    else if (e.name.endsWith(".ts")) yield url.pathname;
  }
}
