/**
 * Watching files for `--watch`: the configuration file and the local tool modules. What counts is
 * a file's signature (modification time, size, inode), so a burst of editor events is one change
 * and a save that renames a temp file over the original is seen like any other.
 *
 * `Deno.watchFs` watches the files' folders (events there trigger a check, after a short quiet
 * period). Watching a file itself is not enough: after a rename-over save Deno reports nothing for
 * that path again in the same process, even on a fresh watcher (Deno 2.9.6, Linux). A folder
 * needs read access to the folder: without it (least-privilege flags grant only the files) the
 * files are checked on a timer instead, which needs nothing beyond reading them.
 *
 * @module
 */

import { dirname } from "node:path";
import { getLogger } from "../log/logger.ts";

const log = getLogger("reload");

/** Options of {@linkcode watchFiles}. */
export interface WatchOptions {
  /** Quiet time after the last event before checking (ms, default 200). */
  debounceMs?: number;
  /** Check interval when a folder cannot be watched (ms, default 1000). */
  pollMs?: number;
  /** Always check on the timer (tests of the fallback). */
  poll?: boolean;
}

/** A running watch. */
export interface FileWatch {
  /** Watch these files from now on (the set after a reload). */
  update(files: string[]): void;
  /** Stop watching. */
  close(): void;
}

function signature(file: string): string {
  try {
    const s = Deno.statSync(file);
    return `${s.mtime?.getTime()}|${s.size}|${s.ino}`;
  } catch {
    return "missing";
  }
}

function canWatch(dir: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path: dir }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Call `onChange` with the watched files whose contents changed, once per burst.
 *
 * @example
 * ```ts
 * import { watchFiles } from "./watch.ts";
 * const watch = watchFiles(["config.yaml"], (changed) => console.log("changed:", changed));
 * watch.close();
 * ```
 */
export function watchFiles(
  files: string[],
  onChange: (changed: string[]) => void,
  options: WatchOptions = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? 200;
  const pollMs = options.pollMs ?? 1000;
  let current = new Map<string, string>();
  let watchers: Deno.FsWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const check = () => {
    timer = undefined;
    if (closed) return;
    const changed: string[] = [];
    for (const [file, before] of current) {
      const now = signature(file);
      if (now !== before) {
        current.set(file, now);
        changed.push(file);
      }
    }
    if (changed.length) onChange(changed);
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  };

  const arm = (files: string[]) => {
    for (const w of watchers) w.close();
    watchers = [];
    clearInterval(poller);
    poller = undefined;
    current = new Map(files.map((f) => [f, signature(f)]));
    let polled = false;
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      if (options.poll || !canWatch(dir)) {
        polled = true;
        continue;
      }
      let w: Deno.FsWatcher;
      try {
        w = Deno.watchFs(dir, { recursive: false });
      } catch (e) {
        log.debug(`cannot watch ${dir}: ${e instanceof Error ? e.message : e}; checking on a timer`);
        polled = true;
        continue;
      }
      watchers.push(w);
      void (async () => {
        try {
          for await (const event of w) {
            if (event.kind !== "access" && event.paths.some((p) => current.has(p))) soon();
          }
        } catch {
          // closed
        }
      })();
    }
    if (polled) {
      // A difference starts the same quiet period as an event: a burst of writes is one change.
      poller = setInterval(() => {
        if (timer === undefined && [...current].some(([f, sig]) => signature(f) !== sig)) soon();
      }, pollMs);
      Deno.unrefTimer(poller);
    }
  };

  arm([...new Set(files)]);
  return {
    update(next) {
      if (!closed) arm([...new Set(next)]);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poller);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}
