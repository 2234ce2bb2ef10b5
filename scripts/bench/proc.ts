/**
 * Linux `/proc` readers for the benchmark: CPU time (utime+stime), resident memory, and the
 * process tree below a pid. Reading `/proc/<pid>` from Deno needs `--allow-all`.
 *
 * @module
 */

let ticksPerSecond = 100;

/** Ask `getconf CLK_TCK` once (Linux reports CPU times in these ticks; 100 nearly everywhere). */
export async function initClockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped", stderr: "null" })
      .output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    if (Number.isFinite(n) && n > 0) ticksPerSecond = n;
  } catch {
    // keep the Linux default
  }
  return ticksPerSecond;
}

/** The fields of `/proc/<pid>/stat` after the `(comm)` part (field 3 is index 0). */
function statFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses: split after the last ')'.
  return text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
}

/** A process identity that survives pid reuse: pid plus start time (ticks since boot). */
export interface ProcId {
  pid: number;
  start: number;
}

/** The pid with its start time, or undefined when it is gone. */
export function procId(pid: number): ProcId | undefined {
  const f = statFields(pid);
  return f ? { pid, start: Number(f[19]) } : undefined;
}

/** Is this exact process (not a reused pid) still there and not a zombie? */
export function alive(id: ProcId): boolean {
  const f = statFields(id.pid);
  return !!f && Number(f[19]) === id.start && f[0] !== "Z";
}

/**
 * CPU time used so far by a process, all its threads, in ms: utime + stime (fields 14 and 15).
 * Children are not included (their time shows up in cutime/cstime only once they are reaped).
 */
export function cpuMs(pid: number): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  return ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond;
}

/** Sum of {@linkcode cpuMs} over processes (those that are gone count 0). */
export function cpuMsOf(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) sum += cpuMs(pid) ?? 0;
  return sum;
}

function statusKiB(pid: number, key: string): number | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size (VmRSS) in MiB. */
export function rssMiB(pid: number): number | undefined {
  const kib = statusKiB(pid, "VmRSS");
  return kib === undefined ? undefined : kib / 1024;
}

/** Peak resident set size (VmHWM) in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  const kib = statusKiB(pid, "VmHWM");
  return kib === undefined ? undefined : kib / 1024;
}

/** Every live descendant of `pid` (children, grandchildren, ...), by scanning `/proc`. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const f = statFields(Number(entry.name));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid);
    if (list) list.push(Number(entry.name));
    else children.set(ppid, [Number(entry.name)]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Send a signal to exactly these processes (skipping any that are gone or whose pid was reused). */
export function signalAll(ids: ProcId[], signal: Deno.Signal): void {
  for (const id of ids) {
    if (!alive(id)) continue;
    try {
      Deno.kill(id.pid, signal);
    } catch {
      // exited in between
    }
  }
}
