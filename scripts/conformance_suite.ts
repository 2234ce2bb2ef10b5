/**
 * Running one official conformance suite process: shared by scripts/conformance.ts (server
 * scenarios) and scripts/conformance_clients.ts (client scenarios).
 *
 * @module
 */

const DENO = Deno.execPath();

/** Environment for child Denos: keep what finds and fetches packages, force the system CA store. */
export function childEnv(): Record<string, string> {
  return {
    ...Deno.env.toObject(),
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    // A Deno child may need to download npm packages; on these machines that needs the system CAs.
    DENO_TLS_CA_STORE: "system",
  };
}

/**
 * Run the suite package `pkg` once with `args`; returns exit code and output (killed after
 * `timeoutMs`).
 *
 * @example
 * ```ts
 * import { runSuite } from "./conformance_suite.ts";
 * const r = await runSuite("npm:@modelcontextprotocol/conformance@0.1.16", ["list"], ".", 60_000);
 * console.log(r.code, r.timedOut);
 * ```
 */
export async function runSuite(
  pkg: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number; out: string; timedOut: boolean }> {
  // --no-config: the suite resolves its own dependencies, never through this repo's deno.json/lock.
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", "--no-config", pkg, ...args],
    cwd,
    env: childEnv(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout) + dec.decode(stderr), timedOut };
}
