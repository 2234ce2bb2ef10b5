/**
 * Process metrics under the names Prometheus client libraries share (`process_cpu_*`,
 * `process_resident_memory_bytes`, `process_start_time_seconds`) and the Node.js client's heap
 * names, read from Deno's own APIs at scrape time. prom-client's `collectDefaultMetrics` reads
 * `/proc/self/*` for several of them, which Deno allows only with `--allow-all`: under least
 * privilege they would read 0.
 *
 * @module
 */

import process from "node:process";
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * Register the process metrics in `registry`.
 *
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { registerProcessMetrics } from "./process.ts";
 * const registry = new Registry();
 * registerProcessMetrics(registry);
 * console.log(await registry.metrics());
 * ```
 */
export function registerProcessMetrics(registry: Registry): void {
  const registers = [registry];
  // Totals since the process started: the first scrape adds everything used so far.
  let last = { user: 0, system: 0 };
  const cpuUser = new Counter({
    name: "process_cpu_user_seconds_total",
    help: "User CPU time spent, in seconds.",
    registers,
  });
  const cpuSystem = new Counter({
    name: "process_cpu_system_seconds_total",
    help: "System CPU time spent, in seconds.",
    registers,
  });
  new Counter({
    name: "process_cpu_seconds_total",
    help: "User and system CPU time spent, in seconds.",
    registers,
    collect() {
      // Counters only go up: add what was used since the last scrape.
      const now = process.cpuUsage();
      const user = (now.user - last.user) / 1e6;
      const system = (now.system - last.system) / 1e6;
      last = now;
      cpuUser.inc(Math.max(0, user));
      cpuSystem.inc(Math.max(0, system));
      this.inc(Math.max(0, user + system));
    },
  });
  const started = Math.round(Date.now() / 1000 - performance.now() / 1000);
  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
    registers,
  }).set(started);
  const memory = () => Deno.memoryUsage();
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size, in bytes.",
    registers,
    collect() {
      this.set(memory().rss);
    },
  });
  new Gauge({
    name: "nodejs_heap_size_total_bytes",
    help: "JavaScript heap size, in bytes.",
    registers,
    collect() {
      this.set(memory().heapTotal);
    },
  });
  new Gauge({
    name: "nodejs_heap_size_used_bytes",
    help: "JavaScript heap in use, in bytes.",
    registers,
    collect() {
      this.set(memory().heapUsed);
    },
  });
  new Gauge({
    name: "nodejs_external_memory_bytes",
    help: "Memory of objects outside the JavaScript heap (buffers), in bytes.",
    registers,
    collect() {
      this.set(memory().external);
    },
  });
}
