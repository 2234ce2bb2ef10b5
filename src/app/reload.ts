/**
 * Live reload (SIGHUP, `--watch`): read the configuration again, work out what changed
 * (`src/reload/diff.ts`), and apply it to the running server — modules swapped, upstreams
 * started, stopped and restarted, names recomputed — while connected clients stay connected and
 * are told `list_changed`. A new configuration that does not load (bad YAML, a bad key, a module
 * that does not import, a permission the process lacks) changes nothing: one error line, and the
 * old configuration keeps serving. Keys that cannot change live are named in a warning.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import type { RuntimeConfig } from "../config/types.ts";
import type { PluginHost, RuntimePlugin } from "../core/plugin.ts";
import type { Runtime } from "../core/runtime.ts";
import { getLogger } from "../log/logger.ts";
import { missingPermissions } from "../permissions/check.ts";
import { permissionFlags } from "../permissions/flags.ts";
import { diffConfig, liveConfig, planReload } from "../reload/diff.ts";
import type { Telemetry } from "../telemetry/types.ts";
import { type ConfigSource, loadConfigured } from "./load.ts";
import type { ModulesPlugin } from "./modules.ts";
import { requiredPermissions } from "./permissions.ts";
import { type LazyPlugin, proxyPlugin } from "./plugins.ts";
import type { ProxyPlugin } from "../proxy/plugin.ts";

const log = getLogger("reload");

/** What a reload works on. */
export interface ReloadTarget {
  /** The running runtime. */
  runtime: Runtime;
  /** Where the configuration came from (read again the same way). */
  source: ConfigSource;
  /** The configuration file in force (undefined: the embedded default). */
  file: string | undefined;
  /** The configured modules. */
  modules: ModulesPlugin;
  /** The proxy, when one runs. */
  proxy?: LazyPlugin<ProxyPlugin>;
  /** The telemetry a proxy started by a reload reports to. */
  telemetry?: Telemetry;
  /** Refuse a configuration that needs a permission this process lacks (default true). */
  checkPermissions?: boolean;
}

/** How one reload ended. */
export type ReloadOutcome =
  | { status: "applied"; generation: number; steps: string[]; warnings: string[] }
  | { status: "unchanged"; generation: number; warnings: string[] }
  | { status: "failed"; generation: number; error: string };

/**
 * Reloads a running server's configuration; its `health()` is the `config` entry of `/health`.
 *
 * @example
 * ```ts
 * import { Reloader } from "./reload.ts";
 * declare const target: import("./reload.ts").ReloadTarget;
 * const reloader = new Reloader(target);
 * const outcome = await reloader.reload("SIGHUP");
 * console.log(outcome.status, reloader.generation);
 * ```
 */
export class Reloader implements RuntimePlugin {
  /** Name in `/health`. */
  readonly name = "config";
  readonly #target: ReloadTarget;
  #generation = 1;
  #loadedAt = new Date();
  #lastError: string | null = null;
  #running: Promise<ReloadOutcome> | undefined;
  #again: string | undefined;
  readonly #listeners = new Set<(outcome: ReloadOutcome) => void>();

  /** A reloader for `target` (generation 1: the configuration the server started with). */
  constructor(target: ReloadTarget) {
    this.#target = target;
  }

  /** How many configurations have been in force (1 at start, +1 per applied reload). */
  get generation(): number {
    return this.#generation;
  }

  /** The files a change of which should reload: the configuration file and the module files. */
  files(): string[] {
    const t = this.#target;
    return [...(t.file ? [t.file] : []), ...t.modules.files];
  }

  /** Call `fn` after every reload (tests, `--watch` re-arming). Returns a function that stops it. */
  onReload(fn: (outcome: ReloadOutcome) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The `config` entry of `/health`. */
  health(): Record<string, unknown> {
    return {
      generation: this.#generation,
      loaded_at: this.#loadedAt.toISOString(),
      file: this.#target.file ?? null,
      last_reload_error: this.#lastError,
    };
  }

  /** Nothing to start: a reloader only answers `/health` among the plugins. */
  start(_host: PluginHost): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Read the configuration again and apply what changed. Reloads never overlap: a trigger while
   * one runs makes one more run after it.
   */
  reload(why: string): Promise<ReloadOutcome> {
    if (this.#running) {
      this.#again = why;
      return this.#running;
    }
    const run = async (): Promise<ReloadOutcome> => {
      let outcome = await this.#reload(why);
      while (this.#again !== undefined) {
        const next = this.#again;
        this.#again = undefined;
        outcome = await this.#reload(next);
      }
      return outcome;
    };
    return this.#running = run().finally(() => (this.#running = undefined));
  }

  async #reload(why: string): Promise<ReloadOutcome> {
    const outcome = await this.#attempt(why);
    if (outcome.status === "failed") {
      this.#lastError = outcome.error;
      // One line: where (file, line, key) and what; the old configuration keeps serving.
      log.error(`refused (${why}), the configuration in force stays: ${outcome.error}`);
    } else {
      this.#lastError = null;
      for (const w of outcome.warnings) log.warn(w);
      if (outcome.status === "applied") {
        log.info(`generation ${outcome.generation} in force (${why}): ${outcome.steps.join(", ")}`);
      } else {
        log.info(`nothing to change (${why}): generation ${outcome.generation} stays in force`);
      }
    }
    for (const fn of this.#listeners) {
      try {
        fn(outcome);
      } catch {
        // a listener's problem
      }
    }
    return outcome;
  }

  async #attempt(_why: string): Promise<ReloadOutcome> {
    const t = this.#target;
    const runtime = t.runtime;
    const label = t.file ?? "<embedded default>";
    const failed = (e: unknown): ReloadOutcome => ({
      status: "failed",
      generation: this.#generation,
      error: errorText(e),
    });

    // 1. Load and check everything; nothing changes yet.
    let next: RuntimeConfig;
    let baseDir: string;
    try {
      // The same file as before, even when it was found by searching.
      const loaded = await loadConfigured({ ...t.source, configPath: t.file ?? t.source.configPath });
      next = loaded.config;
      baseDir = loaded.baseDir;
    } catch (e) {
      return failed(e);
    }
    if (baseDir !== runtime.baseDir) {
      return failed(new Error(`${label}: the configuration moved (restart to serve it from its new place)`));
    }
    // What will be in force: the live keys from `next`, the rest as they are. Only that is checked
    // against the process's permissions (a new listen port, say, is not applied: it only warns).
    const before = runtime.config;
    const live = liveConfig(before, next);
    if (t.checkPermissions ?? true) {
      const required = requiredPermissions(live, {
        configFile: t.file,
        configPath: t.source.configPath,
        noSearch: t.source.noSearch,
        baseDir,
        cwd: t.source.cwd,
        env: runtime.env,
      });
      const missing = missingPermissions(required);
      if (missing.length) {
        const flags = permissionFlags({ grants: missing, ignoreEnv: false }, {
          relativeTo: t.source.cwd ?? Deno.cwd(),
        }).slice(1);
        return failed(
          new Error(
            `${label}: needs ${flags.join(" ")}, which this process was not started with (restart with them)`,
          ),
        );
      }
    }
    const diff = diffConfig(before, next, baseDir);
    let modules;
    try {
      modules = await t.modules.prepare(next, label);
    } catch (e) {
      return failed(e);
    }
    const plan = planReload(diff, live);
    const steps = plan.steps.filter((s) => s.kind !== "rename" && !s.kind.endsWith("-module")).map((s) =>
      "name" in s ? `${s.kind} ${s.name}` : s.kind
    );
    for (const m of modules.unload) {
      if (!modules.load.some((l) => l.id === m.id)) steps.push(`unload-module ${m.file}`);
    }
    for (const m of modules.load) {
      steps.push(`${modules.unload.some((u) => u.id === m.id) ? "reload" : "load"}-module ${m.file}`);
    }
    if (diff.naming) steps.push("rename");
    if (steps.length === 0) {
      // Restart-only changes: said again at every reload until the restart.
      return { status: "unchanged", generation: this.#generation, warnings: plan.warnings };
    }

    // 2. Apply: modules first (a clash undoes everything), then upstreams, then names.
    runtime.reconfigure(live);
    const proxy = t.proxy?.inner;
    try {
      if (!modules.empty || diff.naming) {
        runtime.registry.batch(() => {
          proxy?.releaseNames();
          try {
            t.modules.apply(modules);
          } finally {
            proxy?.resync();
          }
        });
      }
    } catch (e) {
      runtime.reconfigure(before);
      proxy?.resync();
      return failed(e);
    }
    const upstreams = diff.upstreams;
    if (proxy) {
      await proxy.reconfigure(upstreams);
    } else if (live.proxy.enabled && upstreams.added.length) {
      // The proxy was off: it starts now, with every upstream of the new configuration.
      const plugin = proxyPlugin(t.telemetry);
      try {
        await runtime.addPlugin(plugin);
        t.proxy = plugin;
      } catch (e) {
        log.error(`reload: the proxy did not start: ${errorText(e)}`);
      }
    }
    this.#generation++;
    this.#loadedAt = new Date();
    return { status: "applied", generation: this.#generation, steps, warnings: plan.warnings };
  }
}
