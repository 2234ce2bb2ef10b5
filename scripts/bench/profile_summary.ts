/**
 * Where the proxy's time goes: reads V8 CPU profiles (`deno run --cpu-prof`, written by
 * `deno task bench --profile DIR`) and prints self time by function and by category (zod, SDK
 * protocol, JSON, our code, Deno streams/HTTP/node-compat, GC), plus inclusive time of the
 * functions that matter. Percentages are of the main thread's busy samples ("(idle)" excluded).
 *
 * ```sh
 * deno run -A scripts/bench/profile_summary.ts .tmp/prof/CPU.*.cpuprofile --skip-ms 3000 --top 30
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a function's time is counted in. */
export function category(frame: CallFrame): string {
  const { url, functionName: fn } = frame;
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)") return "(program: native/unattributed)";
  if (fn === "(idle)" || fn === "(root)") return fn;
  if (url.includes("/zod/")) return "zod (schema parsing)";
  if (/\/(ajv|ajv-formats|json-schema-traverse|fast-uri|fast-deep-equal)\//.test(url)) {
    return "ajv (the SDK's JSON Schema validator)";
  }
  if (url.includes("@modelcontextprotocol/sdk")) {
    if (url.includes("/shared/protocol")) return "SDK Protocol (request/response bookkeeping)";
    if (url.includes("/types.js")) return "SDK types (zod schemas)";
    if (url.includes("/shared/stdio")) return "SDK stdio framing";
    return `SDK ${url.split("/dist/esm/")[1]?.replace(/\.js$/, "") ?? "other"}`;
  }
  if (url.includes("/node_modules/") || url.includes("/npm/")) return "other npm";
  if (fn === "parse" && url === "") return "JSON.parse";
  if (fn === "stringify" && url === "") return "JSON.stringify";
  if (url.startsWith("ext:")) {
    const m = /^ext:([a-z_]+)\/(?:[\d_]*)([^/]+?)(?:\.js|\.ts)?$/.exec(
      url.replace(/^ext:deno_node\/.*/, "ext:deno_node/x"),
    );
    if (url.startsWith("ext:deno_node")) return "Deno node-compat (node:*)";
    if (m && m[2].includes("streams")) return "Deno web streams";
    return `Deno ${m ? `${m[1]}/${m[2]}` : url}`;
  }
  if (url.includes("/src/")) return `ours ${url.split("/src/")[1]}`;
  if (url === "") return `native ${fn || "(anonymous)"}`;
  return "other";
}

function key(frame: CallFrame): string {
  const short = frame.url.replace(/^.*\/node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?/, "").replace(
    /^file:\/\/.*?\/(src|scripts|tests)\//,
    "$1/",
  );
  return `${frame.functionName || "(anonymous)"} ${short}${short ? `:${frame.lineNumber + 1}` : ""}`;
}

/** Self and inclusive times (µs) of one profile, from `skipMs` after its start. */
export function analyse(p: Profile, skipMs = 0) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const cats = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = p.startTime;
  let busy = 0;
  let idle = 0;
  const from = p.startTime + skipMs * 1000;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from) continue;
    const dt = i + 1 < p.samples.length ? p.timeDeltas[i + 1] : 0;
    const node = byId.get(p.samples[i])!;
    const cat = category(node.callFrame);
    if (cat === "(idle)") {
      idle += dt;
      continue;
    }
    busy += dt;
    self.set(key(node.callFrame), (self.get(key(node.callFrame)) ?? 0) + dt);
    cats.set(cat, (cats.get(cat) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = key(byId.get(id)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
  return { self, cats, incl, busy, idle };
}

function top(m: Map<string, number>, n: number): [string, number][] {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      "skip-ms": { type: "string", default: "0" },
      top: { type: "string", default: "25" },
      match: { type: "string" },
    },
    allowPositionals: true,
  });
  const n = Number(values.top);
  for (const file of positionals) {
    const p = JSON.parse(Deno.readTextFileSync(file)) as Profile;
    const a = analyse(p, Number(values["skip-ms"]));
    const pc = (us: number) => `${((100 * us) / a.busy).toFixed(1).padStart(5)} %`;
    console.log(
      `\n## ${file}\nbusy ${(a.busy / 1000).toFixed(0)} ms, idle ${(a.idle / 1000).toFixed(0)} ms ` +
        `(from ${values["skip-ms"]} ms after start)\n\nSelf time by category:`,
    );
    for (const [k, v] of top(a.cats, 40)) {
      console.log(`  ${pc(v)}  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
    }
    console.log("\nSelf time by function:");
    for (const [k, v] of top(a.self, n)) console.log(`  ${pc(v)}  ${k}`);
    console.log("\nInclusive time (our code, the SDK, zod, JSON):");
    const re = values.match ? new RegExp(values.match) : /src\/|sdk\/|zod|parse|stringify/;
    for (const [k, v] of top(new Map([...a.incl].filter(([k]) => re.test(k))), n)) {
      console.log(`  ${pc(v)}  ${k}`);
    }
  }
}
