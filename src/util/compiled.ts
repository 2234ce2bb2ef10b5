/**
 * Whether this process is a `deno compile` binary.
 *
 * @module
 */

/**
 * Whether this process is a `deno compile` binary: its main module then lives in the binary's
 * embedded file system, which Deno mounts under a `deno-compile-<name>` folder.
 *
 * @example
 * ```ts
 * import { isCompiledBinary } from "./compiled.ts";
 * console.log(isCompiledBinary()); // false under `deno run`
 * ```
 */
export function isCompiledBinary(mainModule: string = Deno.mainModule): boolean {
  return /[\\/]deno-compile-[^\\/]+[\\/]/.test(decodeURIComponent(mainModule));
}
