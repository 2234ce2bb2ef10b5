/**
 * Whether this process was spawned the way an MCP client spawns a stdio server: stdin and stdout
 * both pipes (FIFOs, or the socket pairs Node's `child_process` uses), not a terminal, a file or
 * `/dev/null`.
 *
 * @module
 */

import { fstatSync } from "node:fs";

function isPipe(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    return s.isFIFO() || s.isSocket();
  } catch {
    return false;
  }
}

/**
 * `true` when stdin and stdout are both pipes.
 *
 * @example
 * ```ts
 * import { spawnedOverPipes } from "./stdio_pipes.ts";
 * if (spawnedOverPipes()) console.error("an MCP client (or a shell pipeline) is on the other end");
 * ```
 */
export function spawnedOverPipes(): boolean {
  return isPipe(0) && isPipe(1);
}
