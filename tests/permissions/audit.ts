/**
 * Comparing a real run's permission audit (`DENO_AUDIT_PERMISSIONS=file.jsonl deno run -A …`, one
 * JSON line per permission check) with what the planner says the configuration needs. Every
 * feature can reuse it: run its scenario under the audit, then assert `uncovered(...)` is empty.
 */

import { fileURLToPath } from "node:url";
import { LIBRARY_ENV_PROBES, LIBRARY_PROBE_PATTERNS } from "../../src/permissions/plan.ts";
import type { RequiredPermissions } from "../../src/permissions/types.ts";

/** One audited permission check. */
export interface AuditEntry {
  permission: string;
  value: string | null;
}

/** Read an audit file (missing file: no entries). */
export async function readAudit(path: string): Promise<AuditEntry[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l.trim()).map((l) => {
    const o = JSON.parse(l);
    return { permission: String(o.permission), value: o.value ?? null };
  });
}

function asPath(value: string): string {
  return value.startsWith("file:") ? fileURLToPath(value) : value;
}

function under(path: string, grant: string): boolean {
  return path === grant || path.startsWith(grant.endsWith("/") ? grant : `${grant}/`);
}

/**
 * The audited checks the planner did not grant. Known noise, each proven harmless by the
 * restricted runs in the tests: Deno's audit logs a `write` check beside every file it opens or
 * stats under `-A` (the same runs pass with no `--allow-write`), and library probes of optional
 * variables read as unset under `--ignore-env` ({@linkcode LIBRARY_ENV_PROBES}).
 */
export function uncovered(
  entries: AuditEntry[],
  required: RequiredPermissions,
  cwd?: string,
  environment: string[] = [],
): AuditEntry[] {
  // The runtime looks for `.env` in the working directory; when there is none, the planner grants
  // nothing and the (denied) lookup reads as "no file".
  const absentDotEnv = cwd && !exists(`${cwd.replace(/\/$/, "")}/.env`)
    ? `${cwd.replace(/\/$/, "")}/.env`
    : undefined;
  const grants = (kind: string) =>
    required.grants.filter((g) => g.kind === kind).flatMap((g) => [g.value, ...(g.alternatives ?? [])]);
  const readPaths = new Set(
    entries.filter((e) => e.permission === "read" && e.value).map((e) => asPath(e.value!)),
  );
  const seen = new Set<string>();
  const out: AuditEntry[] = [];
  // A library listing the whole environment (`Object.keys(process.env)`: ioredis's `debug`) shows
  // as `env: null` followed by a read of every variable set. Under --ignore-env the listing holds
  // only the granted variables, so those reads are not needs.
  const listed = new Set<number>();
  entries.forEach((e, i) => {
    if (e.permission !== "env" || e.value !== null || !required.ignoreEnv) return;
    listed.add(i);
    const names = new Set(environment);
    for (let j = i + 1; j < entries.length; j++) {
      const n = entries[j];
      if (n.permission !== "env" || n.value === null || !names.delete(n.value)) break;
      listed.add(j);
    }
  });
  for (const [i, e] of entries.entries()) {
    if (listed.has(i)) continue;
    const key = `${e.permission}\u0000${e.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const v = e.value ?? "";
    let ok = false;
    switch (e.permission) {
      case "env":
        ok = grants("env").includes(v) ||
          (required.ignoreEnv && (v in LIBRARY_ENV_PROBES || probe("env", v)));
        break;
      case "read":
        // Files of npm packages are read by the module loader (require of package.json), which needs
        // no grant: the restricted runs prove it.
        ok = grants("read").some((g) => under(asPath(v), g)) || asPath(v) === absentDotEnv ||
          probe("read", asPath(v)) ||
          /[\\/]node_modules[\\/]|[\\/]npm[\\/]registry\.npmjs\.org[\\/]/.test(asPath(v));
        break;
      case "write":
        ok = grants("write").some((g) => under(asPath(v), g)) || readPaths.has(asPath(v));
        break;
      case "net": {
        // fetch() is logged with its whole URL; listeners and sockets with host:port.
        const hostPort = /^[a-z]+:\/\//i.test(v) ? hostPortOf(new URL(v)) : v;
        ok = grants("net").some((g) => g === hostPort || (!g.includes(":") && hostPort.startsWith(`${g}:`)));
        break;
      }
      case "run":
        ok = grants("run").some((g) => g === v || g.endsWith(`/${v}`));
        break;
      default:
        ok = grants(e.permission).includes(v);
    }
    if (!ok) out.push(e);
  }
  return out;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function hostPortOf(url: URL): string {
  const port = url.port || ({ "http:": "80", "https:": "443" } as Record<string, string>)[url.protocol];
  return `${url.hostname}:${port}`;
}

function probe(kind: "env" | "read", value: string): boolean {
  return LIBRARY_PROBE_PATTERNS.some((p) => p.kind === kind && p.pattern.test(value));
}
