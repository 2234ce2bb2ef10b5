/**
 * Helpers for proxy tests: the fixture upstream's command line, real npm MCP servers installed
 * on demand (into .tmp/npm-servers, once per machine), third-party servers started until ready,
 * and whether a process is alive.
 */

import { DENO, ROOT } from "../helpers.ts";

/** The fixture upstream (tests/fixtures/upstream_server.ts) as command + args. */
export const FIXTURE = `${ROOT}tests/fixtures/upstream_server.ts`;
export const FIXTURE_ARGS: string[] = ["run", "-A", "--quiet", "--config", `${ROOT}deno.json`, FIXTURE];
export function fixtureCommand(): { command: string; args: string[] } {
  return { command: DENO, args: FIXTURE_ARGS };
}

/** YAML lines of an `mcp_servers` stdio entry running the fixture. */
export function fixtureYaml(
  name: string,
  extra: Record<string, unknown> = {},
  env: Record<string, string> = {},
): string {
  const entry = {
    type: "stdio",
    command: DENO,
    args: FIXTURE_ARGS,
    env: { NO_COLOR: "1", ...env },
    ...extra,
  };
  return `  ${name}: ${JSON.stringify(entry)}\n`;
}

export const NPM_SERVERS = {
  everything: "@modelcontextprotocol/server-everything@2026.8.31",
  memory: "@modelcontextprotocol/server-memory@2026.8.31",
  filesystem: "@modelcontextprotocol/server-filesystem@2026.8.31",
};

const NPM_DIR = `${ROOT}.tmp/npm-servers`;

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Install the npm MCP servers once (atomically: install into a temp dir, then rename). */
export async function ensureNpmServers(): Promise<string> {
  const modules = `${NPM_DIR}/node_modules/@modelcontextprotocol`;
  if (await exists(`${modules}/server-filesystem/package.json`)) return `${NPM_DIR}/node_modules`;
  await Deno.mkdir(`${ROOT}.tmp`, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: `${ROOT}.tmp`, prefix: "npm-install-" });
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--prefix",
      tmp,
      ...Object.values(NPM_SERVERS),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`npm install failed: ${new TextDecoder().decode(out.stderr)}`);
  try {
    await Deno.rename(tmp, NPM_DIR);
  } catch {
    // Another test file won the race; use its copy.
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  return `${NPM_DIR}/node_modules`;
}

/** Entry point of an installed npm server. */
export async function npmServerPath(name: keyof typeof NPM_SERVERS): Promise<string> {
  const nm = await ensureNpmServers();
  return `${nm}/@modelcontextprotocol/server-${name}/dist/index.js`;
}

/** A third-party server process started by a test. */
export interface ExternalServer {
  child: Deno.ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start `command args` and resolve once its stderr shows `ready` (the server's own "listening"
 * line), so tests wait on the event, not on a timer.
 */
export async function startExternal(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<ExternalServer> {
  const child = new Deno.Command(command, {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const pump = (async () => {
    const dec = new TextDecoder();
    for await (const c of child.stderr) {
      err += dec.decode(c, { stream: true });
      if (ready.test(err)) resolve();
    }
  })();
  const drainOut = child.stdout.pipeTo(new WritableStream()).catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await Promise.allSettled([pump, drainOut]);
  };
  try {
    await Promise.race([
      seen,
      child.status.then((s) => {
        throw new Error(`${command} exited (${s.code}) before ready:\n${err}`);
      }),
      new Promise<never>((
        _,
        rej,
      ) => (timer = setTimeout(() => rej(new Error(`not ready:\n${err}`)), timeoutMs))),
    ]);
  } catch (e) {
    clearTimeout(timer);
    await stop();
    throw e;
  }
  clearTimeout(timer);
  return { child, stderr: () => err, stop };
}

/** Whether a process id is alive (Linux /proc). */
export async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Field 3 is the state; Z (zombie) / X (dead) count as gone.
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
