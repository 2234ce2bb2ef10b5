/**
 * The grants of the request-state signer: the environment variable its key may come from.
 *
 * @module
 */

import type { PlanContext } from "../permissions/plan.ts";
import { REQUEST_STATE_KEY_ENV } from "./key.ts";

/** `REQUEST_STATE_KEY`, where the 2026-07-28 era is served (streamable HTTP, stdio) and no key is configured. */
export function signingGrants({ config, plan }: PlanContext): void {
  if (config.server.type === "sse" || config.server.request_state_key) return;
  plan.add(
    "env",
    REQUEST_STATE_KEY_ENV,
    "key signing 2026-07-28 requestState (server.request_state_key is not set)",
  );
}
