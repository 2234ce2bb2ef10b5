/**
 * Helpers for artifact end-to-end tests: write a config, start the artifact fixture server
 * (tests/fixtures/artifact_server.ts) and wait for lines it prints, connect clients as users.
 */

import { ARTIFACT_TOOL_NAMES } from "../../src/config/schema.ts";
import { type CliProcess, type Connected, connectHttp, ROOT, startCli } from "../helpers.ts";

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

/** Start the fixture server with `configPath` and extra environment (the CLI's own harness). */
export function startFixture(configPath: string, env: Record<string, string> = {}): CliProcess {
  return startCli(["--config", configPath], { entry: FIXTURE, env });
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
