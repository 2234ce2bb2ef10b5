/**
 * The grants of the HTTP front door: its listen address.
 *
 * @module
 */

import { netHost, type PlanContext } from "../permissions/plan.ts";

/** The listen address of an HTTP transport. stdio needs nothing. */
export function listenGrants({ config, plan }: PlanContext): void {
  const type = config.server.type;
  if (type === "stdio") return;
  const section = type === "sse" ? config.sse : config["streamable-http"];
  plan.add("net", netHost(section.host, section.port), `listen address of the ${type} transport`);
}
