/**
 * The grants of a fleet (`streamable-http.fleet` with stateful sessions): the Redis hosts its
 * records, events and channels (pub/sub) use, and the settings it reads.
 *
 * @module
 */

import { netHost, type PlanContext, recordReads } from "../permissions/plan.ts";
import { keyNamespace } from "../sessions/namespace.ts";
import { parseRedisUrl, redisOptionsFromEnv } from "../sessions/redis_kv.ts";

/** Redis (commands and pub/sub) and its settings, when the configuration shares sessions in a fleet. */
export function fleetGrants({ config, env, plan }: PlanContext): void {
  const s = config["streamable-http"];
  if (config.server.type !== "streamable-http" || !s.fleet || s.stateless) return;
  const reads = recordReads(env, plan, (rec, plan) => {
    keyNamespace(rec);
    const redis = redisOptionsFromEnv(rec);
    for (const node of parseRedisUrl(redis.url, redis.source).nodes) {
      plan.add(
        "net",
        netHost(node.host, node.port),
        "fleet: shared sessions, stream events, pub/sub (Redis)",
      );
    }
  });
  plan.env(reads, "fleet settings (Redis connection, key namespace)");
}
