/**
 * Helpers for artifact end-to-end tests: write a config, start the artifact fixture server
 * (tests/fixtures/artifact_server.ts) and wait for lines it prints, connect clients as users.
 */

import { ARTIFACT_TOOL_NAMES } from "../../src/config/schema.ts";
import { childEnv, type Connected, connectHttp, DENO, ROOT, RUN_FLAGS } from "../helpers.ts";

/** The fixture entry. */
export const FIXTURE = `${ROOT}tests/fixtures/artifact_server.ts`;

/** YAML enabling every artifact tool. */
export const ALL_TOOLS_YAML: string = ARTIFACT_TOOL_NAMES.map((n) => `    ${n}: {enabled: true}`).join("\n");

/** Options of {@linkcode artifactConfig}. */
export interface ArtifactConfigOptions {
  storage: string;
  session: string;
  /** Artifact root (filesystem blobs, sqlite file). */
  root: string;
  maxFileBytes?: number;
  /** Extra top-level YAML. */
  extra?: string;
}

/** A stateful streamable-HTTP config (SSE responses, so progress rides the POST stream). */
export function artifactConfig(o: ArtifactConfigOptions): string {
  return `server: {type: streamable-http}
streamable-http: {port: 0, stateless: false, json_response: false}
artifacts:
  enabled: true
  storage_provider: ${o.storage}
  session_provider: ${o.session}
  filesystem_root: "${o.root}"
  max_file_bytes: ${o.maxFileBytes ?? 4_000_000}
  tools:
${ALL_TOOLS_YAML}
${o.extra ?? ""}
`;
}

/** A running fixture server. */
export interface FixtureServer {
  /** Resolves with the MCP URL from the ready banner. */
  ready: Promise<string>;
  /** Everything on stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr line matching `re` (already printed or still to come). */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
  /** Signal (default SIGTERM) and wait for exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  status: Promise<Deno.CommandStatus>;
}

/** Start the fixture server with `configPath` and extra environment. */
export function startFixture(configPath: string, env: Record<string, string> = {}): FixtureServer {
  const child = new Deno.Command(DENO, {
    args: [...RUN_FLAGS, FIXTURE, "--config", configPath],
    cwd: ROOT,
    env: childEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  const waiters: { re: RegExp; resolve(m: RegExpExecArray): void; reject(e: Error): void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.re.exec(err);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const decoder = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stderr) {
      err += decoder.decode(chunk, { stream: true });
      check();
    }
  })();
  const status = (async () => {
    const s = await child.status;
    await pump.catch(() => {});
    for (const w of waiters.splice(0)) w.reject(new Error(`server exited (code ${s.code}):\n${err}`));
    return s;
  })();
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      waiters.push({ re, resolve, reject });
      check();
    });
  const ready = waitFor(/ready: \S+ at (http:\/\/\S+)/).then((m) => m[1]);
  ready.catch(() => {});
  return {
    ready,
    stderr: () => err,
    waitFor,
    status,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return await status;
    },
  };
}

/** Connect to `url` as `user` (anonymous when undefined). */
export function connectAs(url: string, user?: string): Promise<Connected> {
  return connectHttp(url, { headers: user ? { "x-test-user": user } : {} });
}

/** The artifact id in a tool's result text (`... Artifact ID: <id>`). */
export function idOf(text: string): string {
  const m = /(?:Artifact ID|New artifact ID): ([0-9a-f-]{36})/.exec(text);
  if (!m) throw new Error(`no artifact id in ${JSON.stringify(text)}`);
  return m[1];
}
