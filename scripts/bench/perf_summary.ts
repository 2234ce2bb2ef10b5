/**
 * Where the proxy's CPU goes, from `perf` samples (`deno task bench --perf DIR` records the
 * concurrent phase of our targets, every thread, with V8's `--perf-basic-prof` JIT map). Unlike a
 * V8 `--cpu-prof` profile (wall-clock samples of the JS thread only, which counts time spent
 * blocked or preempted inside a syscall), perf samples only on-CPU time, on every thread, so the
 * shares below are shares of the proxy process's CPU time, the figure in the bench table.
 *
 * Each sample is charged to the nearest JavaScript frame on its stack (so native work, builtins
 * such as JSON.parse and syscalls count for the JS function that asked for them); samples without
 * a JS frame are event-loop/runtime work (op polling, I/O threads, GC threads).
 *
 * ```sh
 * deno run -A scripts/bench/perf_summary.ts .tmp/perf/ours-stdio-r1.perf.data --top 30
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { category } from "./profile_summary.ts";

interface Frame {
  sym: string;
  dso: string;
}

interface Sample {
  comm: string;
  tid: number;
  frames: Frame[];
}

/** Samples from `perf script` output. */
export function parsePerfScript(text: string): Sample[] {
  const out: Sample[] = [];
  let cur: Sample | undefined;
  for (const line of text.split("\n")) {
    if (line === "") {
      if (cur) out.push(cur);
      cur = undefined;
      continue;
    }
    if (!line.startsWith("\t") && !line.startsWith(" ")) {
      const m = /^(.*?)\s+(\d+)\s+\d+\s*$/.exec(line);
      cur = { comm: m ? m[1].trim() : line.trim(), tid: m ? Number(m[2]) : 0, frames: [] };
      continue;
    }
    const m = /^\s+[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$/.exec(line);
    if (cur && m) cur.frames.push({ sym: m[1], dso: m[2] });
  }
  if (cur) out.push(cur);
  return out;
}

/** A JIT frame `JS:<marks>name url:line:col` → function name and url. */
function jsFrame(sym: string): { name: string; url: string } | undefined {
  if (!sym.startsWith("JS:")) return undefined;
  const body = sym.slice(3).replace(/^[*~^+o']+/, "");
  const sp = body.lastIndexOf(" ");
  if (sp < 0) return { name: body || "(anonymous)", url: "" };
  return { name: body.slice(0, sp) || "(anonymous)", url: body.slice(sp + 1).replace(/:\d+:\d+$/, "") };
}

function shortUrl(url: string): string {
  return url.replace(/^.*\/node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?/, "").replace(
    /^file:\/\/.*?\/(src|scripts|tests)\//,
    "$1/",
  );
}

function leafKind(f: Frame | undefined): string {
  if (!f) return "?";
  if (f.dso.includes("kernel")) return "kernel";
  if (f.sym.startsWith("JS:")) return "JIT code";
  if (f.sym.startsWith("Builtin:") || f.sym.startsWith("BytecodeHandler:")) return "V8 builtins/interpreter";
  if (f.dso.endsWith("/deno") || f.dso === "deno") return "deno binary (V8, tokio, ops)";
  if (f.dso.includes("libc")) return "libc";
  return f.dso || "?";
}

function syscall(frames: Frame[]): string | undefined {
  for (const f of frames) {
    const m = /^(?:__x64_sys_|__do_sys_|__se_sys_|ksys_)(\w+)/.exec(f.sym);
    if (m) return m[1];
  }
  return undefined;
}

function threadName(comm: string): string {
  if (comm === "deno" || comm === "node") return `${comm} (main JS thread)`;
  if (comm.startsWith("V8")) return "V8 workers (GC, compiler)";
  if (comm.startsWith("tokio")) return "tokio runtime threads (I/O)";
  return comm;
}

/** Shares of the process's CPU samples. */
export function summarisePerf(samples: Sample[]) {
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const threads = new Map<string, number>();
  const owners = new Map<string, number>();
  const ownerCats = new Map<string, number>();
  const leaves = new Map<string, number>();
  const syscalls = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const s of samples) {
    const main = s.comm === "deno" || s.comm === "node";
    add(threads, threadName(s.comm));
    add(leaves, leafKind(s.frames[0]));
    const sc = syscall(s.frames);
    if (sc) add(syscalls, sc);
    let owner: { name: string; url: string } | undefined;
    const seen = new Set<string>();
    for (const f of s.frames) {
      const js = jsFrame(f.sym);
      if (!js) continue;
      owner ??= js;
      const k = `${js.name} ${shortUrl(js.url)}`;
      if (!seen.has(k)) {
        seen.add(k);
        add(inclusive, k);
      }
    }
    if (owner) {
      add(owners, `${owner.name} ${shortUrl(owner.url)}`);
      add(ownerCats, category({ functionName: owner.name, url: owner.url, lineNumber: 0 }));
    } else {
      const where = main ? "main thread, no JS on stack (event loop, ops, microtasks)" : threadName(s.comm);
      add(ownerCats, `${where}${sc ? ` [syscall ${sc}]` : ""}`);
    }
  }
  return { total: samples.length, threads, owners, ownerCats, leaves, syscalls, inclusive };
}

/** Coarse buckets of the by-category shares: where an optimisation can act. */
export function bucket(cat: string): string {
  if (cat.startsWith("V8 workers") || cat === "GC") return "GC and compiler threads";
  if (cat.startsWith("zod")) return "zod validation";
  if (cat.startsWith("SDK") || cat.startsWith("ajv")) return "MCP SDK (Protocol, transports, ajv)";
  if (cat.startsWith("ours")) return "our code (src/)";
  if (cat.startsWith("tokio")) return "Deno I/O threads (tokio, stdio blocking pool)";
  if (cat.startsWith("main thread")) return "Deno event loop / ops, no JS on stack";
  if (cat.startsWith("Deno") || cat.startsWith("native")) {
    return "Deno JS runtime (streams, fetch/Headers, serve, encoding, timers, node-compat)";
  }
  return "other";
}

function top(m: Map<string, number>, n: number): [string, number][] {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { top: { type: "string", default: "25" }, match: { type: "string" } },
    allowPositionals: true,
  });
  const n = Number(values.top);
  for (const file of positionals) {
    const out = await new Deno.Command("perf", {
      args: ["script", "-i", file, "-F", "comm,tid,period,ip,sym,dso"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const r = summarisePerf(parsePerfScript(new TextDecoder().decode(out.stdout)));
    const pc = (x: number) => `${((100 * x) / r.total).toFixed(1).padStart(5)} %`;
    console.log(`\n## ${file}: ${r.total} samples (999 Hz) = ${(r.total / 999).toFixed(2)} CPU-s`);
    console.log("\nBy thread:");
    for (const [k, v] of top(r.threads, 10)) console.log(`  ${pc(v)}  ${k}`);
    console.log("\nWhere the CPU is when sampled (leaf):");
    for (const [k, v] of top(r.leaves, 10)) console.log(`  ${pc(v)}  ${k}`);
    console.log("\nSyscalls (kernel time below a syscall, all threads):");
    for (const [k, v] of top(r.syscalls, 10)) console.log(`  ${pc(v)}  ${k}`);
    const buckets = new Map<string, number>();
    for (const [k, v] of r.ownerCats) buckets.set(bucket(k), (buckets.get(bucket(k)) ?? 0) + v);
    console.log("\nBuckets (by category below, grouped):");
    for (const [k, v] of top(buckets, 10)) console.log(`  ${pc(v)}  ${k}`);
    console.log("\nCharged to the nearest JS frame, by category:");
    for (const [k, v] of top(r.ownerCats, 40)) console.log(`  ${pc(v)}  ${k}`);
    console.log("\nCharged to the nearest JS frame, by function:");
    for (const [k, v] of top(r.owners, n)) console.log(`  ${pc(v)}  ${k}`);
    console.log("\nInclusive (function anywhere on the stack):");
    const re = values.match ? new RegExp(values.match) : /src\/|sdk\/|zod|JSON/;
    for (const [k, v] of top(new Map([...r.inclusive].filter(([k]) => re.test(k))), n)) {
      console.log(`  ${pc(v)}  ${k}`);
    }
  }
}
