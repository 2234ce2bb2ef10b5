/**
 * Which key signs request state: `server.request_state_key`, else `$REQUEST_STATE_KEY`, else a
 * random key for this process (then state minted by one instance is refused by another: several
 * instances behind a load balancer must share a key).
 *
 * @module
 */

import type { EnvSource } from "../config/env.ts";
import { ConfigError } from "../errors.ts";
import type { RuntimeConfig } from "../config/types.ts";
import { HmacStateSigner, type StateSigner } from "./signer.ts";

/** The environment variable holding the request-state key. */
export const REQUEST_STATE_KEY_ENV = "REQUEST_STATE_KEY";

/** The signer a configuration asks for, and where its key came from. */
export interface ResolvedSigner {
  /** The signer. */
  signer: StateSigner;
  /** `config`, `env` or `random`. */
  source: "config" | "env" | "random";
}

/**
 * The request-state signer of `config` in `env`.
 *
 * @example
 * ```ts
 * import { requestStateSigner } from "./key.ts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const { source } = requestStateSigner(validateConfig({}, "inline"), () => undefined);
 * console.log(source); // "random"
 * ```
 */
export function requestStateSigner(config: RuntimeConfig, env: EnvSource): ResolvedSigner {
  if (config.server.request_state_key) {
    return { signer: HmacStateSigner.fromSecret(config.server.request_state_key), source: "config" };
  }
  const fromEnv = env(REQUEST_STATE_KEY_ENV);
  if (fromEnv) {
    if (fromEnv.length < 16) {
      throw new ConfigError("expected at least 16 characters", {
        file: "<environment>",
        path: REQUEST_STATE_KEY_ENV,
      });
    }
    return { signer: HmacStateSigner.fromSecret(fromEnv), source: "env" };
  }
  return { signer: HmacStateSigner.random(), source: "random" };
}
