/**
 * The grants of the artifact store: its root, its SQLite file, its S3 endpoint.
 *
 * @module
 */

import {
  netHost,
  type PlanContext,
  recordReads,
  sqliteGrants,
  urlHost,
  urlPort,
} from "../permissions/plan.ts";
import { resolveArtifactSettings } from "./settings.ts";

/** The artifact store (`artifacts.enabled`), decided by `resolveArtifactSettings` itself. */
export function artifactGrants({ config, baseDir, env, plan }: PlanContext): void {
  if (!config.artifacts.enabled) return;
  const reads = recordReads(env, plan, (rec, plan) => {
    const s = resolveArtifactSettings(config, rec, baseDir);
    if (s.storage === "filesystem") {
      plan.add("read", s.root, "artifact root (filesystem storage)");
      plan.add("write", s.root, "artifact root (filesystem storage)");
    }
    // Metadata lives in the session store: sessionGrants covers it (Redis hosts, SQLite file).
    if (s.storage === "sqlite") sqliteGrants(plan, s.sqlitePath, "SQLite artifact store");
    if (s.s3) {
      const endpoint = s.s3.endpoint ? new URL(s.s3.endpoint) : undefined;
      if (endpoint) {
        plan.add("net", urlHost(endpoint), "S3 endpoint");
        if (!s.s3.forcePathStyle) {
          plan.add(
            "net",
            netHost(`${s.bucket}.${endpoint.hostname}`, urlPort(endpoint)),
            "S3 bucket (virtual-host style)",
          );
        }
      } else {
        plan.add("net", `s3.${s.s3.region}.amazonaws.com:443`, "AWS S3 endpoint");
        if (!s.s3.forcePathStyle) {
          plan.add(
            "net",
            `${s.bucket}.s3.${s.s3.region}.amazonaws.com:443`,
            "AWS S3 bucket (virtual-host style)",
          );
        }
      }
      // The AWS SDK asks the OS for its user agent and, with variables ignored, for uid and home.
      for (const kind of ["osRelease", "uid", "homedir"]) {
        plan.add("sys", kind, "the AWS SDK (user agent, profile lookup)");
      }
    }
  });
  plan.env(reads, "artifact store settings");
}
