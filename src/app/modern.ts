/**
 * The 2026-07-28 era of a runtime, built once and shared by every transport that serves it
 * (streamable HTTP beside the 2025 wire, and stdio): its request-state signer, its tasks, its
 * listen streams.
 *
 * @module
 */

import type { Runtime } from "../core/runtime.ts";
import { checkAnswer } from "../eras/2026/answers.ts";
import { ModernEndpoint } from "../eras/2026/endpoint.ts";
import { RequestStateCodec } from "../eras/2026/request_state.ts";
import { getLogger } from "../log/logger.ts";
import { REQUEST_STATE_KEY_ENV, requestStateSigner } from "../signing/key.ts";
import { TaskService } from "../tasks/service.ts";

const log = getLogger("server");
const built = new WeakMap<Runtime, ModernEndpoint>();

/**
 * The 2026 era of `runtime` (the same object on every call). `instances: false` (stdio) skips
 * the note about sharing the request-state key between instances.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../mod.ts";
 * import { modernEra } from "./modern.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * const era = modernEra(runtime);
 * console.log(Object.keys(era.capabilities()));
 * await era.close();
 * ```
 */
export function modernEra(runtime: Runtime, options: { instances?: boolean } = {}): ModernEndpoint {
  let era = built.get(runtime);
  if (era) return era;
  const { signer, source } = requestStateSigner(runtime.config, runtime.env);
  // Only a network endpoint can sit behind a load balancer; a stdio server has one client.
  if (source === "random" && (options.instances ?? true)) {
    log.info(
      `input_required state is signed with a random key of this process; several instances behind one ` +
        `endpoint must share a key (set ${REQUEST_STATE_KEY_ENV} or server.request_state_key)`,
    );
  }
  const tasks = new TaskService(runtime.sessionManager.store, runtime.changes, { check: checkAnswer });
  era = new ModernEndpoint(runtime, { requestState: new RequestStateCodec(signer), tasks });
  built.set(runtime, era);
  return era;
}

/**
 * End the 2026 era of `runtime`, if it was built: listen streams close, running tasks stop.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../mod.ts";
 * import { closeModernEra } from "./modern.ts";
 * await closeModernEra(new Runtime({ config: validateConfig({}, "inline") })); // nothing was built
 * ```
 */
export async function closeModernEra(runtime: Runtime): Promise<void> {
  const era = built.get(runtime);
  built.delete(runtime);
  await era?.close();
}
