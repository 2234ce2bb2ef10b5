/**
 * Joining a fleet: when `streamable-http.fleet` is on (stateful sessions), the Redis connections,
 * the shared session records and event store, and the delivery of resource updates to every
 * subscribed session, whichever instance holds its stream.
 *
 * @module
 */

import { RedisChannels } from "../fleet/channels.ts";
import { FleetSessions } from "../fleet/sessions.ts";
import { STANDALONE_STREAM } from "../streams/event_store.ts";
import type { Runtime } from "../core/runtime.ts";
import type { FleetSettings } from "../eras/2025/streamable_http.ts";
import { errorText } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import { keyNamespace } from "../sessions/namespace.ts";
import { redisOptionsFromEnv } from "../sessions/redis_kv.ts";
import { RedisEventStore } from "../streams/event_store_redis.ts";

const log = getLogger("fleet");

/** A joined fleet: what the stateful transport uses, and how to leave. */
export interface Fleet extends FleetSettings {
  /** Leave: stop listening, close the Redis connections. */
  close(): Promise<void>;
}

/**
 * Whether `runtime`'s configuration serves stateful sessions shared by a fleet.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "@chuk/mcp-runtime";
 * import { fleetEnabled } from "./fleet.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * console.log(fleetEnabled(runtime.config)); // false
 * ```
 */
export function fleetEnabled(config: Runtime["config"]): boolean {
  const s = config["streamable-http"];
  return config.server.type === "streamable-http" && s.fleet && !s.stateless;
}

/**
 * Join the fleet `runtime`'s configuration asks for (undefined when it asks for none). Rejects
 * when Redis cannot be reached: an instance that cannot share its sessions must not serve them.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "@chuk/mcp-runtime";
 * import { openFleet } from "./fleet.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * console.log(await openFleet(runtime)); // undefined: no fleet configured
 * ```
 */
export async function openFleet(runtime: Runtime): Promise<Fleet | undefined> {
  if (!fleetEnabled(runtime.config)) return undefined;
  const s = runtime.config["streamable-http"];
  const redis = redisOptionsFromEnv(runtime.env);
  const channels = await RedisChannels.open(redis);
  const prefix = keyNamespace(runtime.env);
  const sessions = await FleetSessions.open(channels, { prefix, ttlSeconds: s.session_idle_timeout });
  const events = new RedisEventStore(channels, {
    prefix,
    maxEventsPerStream: s.max_stream_events,
    ttlSeconds: s.session_idle_timeout,
  });
  // A resource update is stored once on the stream of each subscribed session, fleet-wide.
  const off = runtime.changes.on("resourceUpdated", (uri) => {
    void (async () => {
      const message = { jsonrpc: "2.0" as const, method: "notifications/resources/updated", params: { uri } };
      for (const sid of await sessions.subscribersOf(uri)) {
        await events.scoped(sid).storeEvent(STANDALONE_STREAM, message);
      }
    })().catch((e) => log.warn(`cannot deliver the update of ${uri}: ${errorText(e)}`));
  });
  log.info(
    `joined the fleet as instance ${sessions.instanceId} (redis ${
      redis.url.replace(/\/\/[^@/]*@/, "//***@")
    })`,
  );
  return {
    sessions,
    events,
    close: async () => {
      off();
      await sessions.close();
      await channels.close();
    },
  };
}
