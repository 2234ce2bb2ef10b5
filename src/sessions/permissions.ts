/**
 * The grants of the session store (Redis hosts, the SQLite file, the settings it reads).
 *
 * @module
 */

import { resolveSqlitePath } from "../config/paths.ts";
import { netHost, type PlanContext, recordReads, sqliteGrants } from "../permissions/plan.ts";
import { resolveSessionProvider } from "./factory.ts";
import { keyNamespace } from "./namespace.ts";
import { parseRedisUrl, redisOptionsFromEnv } from "./redis_kv.ts";

/**
 * Sessions (always) and their store: the provider switch and the key namespace are read on every
 * start; Redis needs its hosts, SQLite its database file. Decided by the sessions code itself
 * (`resolveSessionProvider`, `keyNamespace`, `redisOptionsFromEnv`, `resolveSqlitePath`), run
 * with an environment that records what it reads.
 */
export function sessionGrants({ config, baseDir, env, plan }: PlanContext): void {
  const reads = recordReads(env, plan, (rec, plan) => {
    keyNamespace(rec);
    const provider = resolveSessionProvider(config, rec);
    if (provider === "redis") {
      const redis = redisOptionsFromEnv(rec);
      for (const node of parseRedisUrl(redis.url, redis.source).nodes) {
        plan.add("net", netHost(node.host, node.port), "Redis session store");
      }
    } else if (provider === "sqlite") {
      sqliteGrants(plan, resolveSqlitePath(config, rec, baseDir), "SQLite session store");
    }
  });
  plan.env(reads, "session store settings (provider, key namespace, connection)");
}
