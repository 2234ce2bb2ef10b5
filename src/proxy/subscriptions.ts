/**
 * What downstream clients asked of one upstream and must survive a reconnect: resource
 * subscriptions (counted, so the first subscribes upstream and the last unsubscribes) and the log
 * level.
 *
 * @module
 */

import { z } from "zod";
import { errorText } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { LoggingLevel, ServerCapabilities } from "../protocol.ts";
import type { Client } from "../sdk/client.ts";

/** Any result: `logging/setLevel` answers with an empty one, servers may add fields. */
const AnyResult = z.looseObject({});

/** The upstream as the asks reach it: its client when connected, and what it can do. */
export interface AskTarget {
  /** The connected client, if any. */
  readonly client: Client | undefined;
  /** The upstream's capabilities. */
  readonly capabilities: ServerCapabilities | undefined;
}

/**
 * The standing asks of downstream clients to one upstream.
 *
 * @example
 * ```ts
 * import { StandingAsks } from "./subscriptions.ts";
 * import { getLogger } from "../log/logger.ts";
 * const asks = new StandingAsks(getLogger("proxy.fx"));
 * await asks.subscribe({ client: undefined, capabilities: undefined }, "file:///a");
 * ```
 */
export class StandingAsks {
  readonly #subscriptions = new Map<string, number>();
  #logLevel: LoggingLevel | undefined;
  readonly #log: Logger;

  /** Asks of one upstream, logged to `log`. */
  constructor(log: Logger) {
    this.#log = log;
  }

  /** Count a downstream subscription; the first one subscribes upstream. */
  async subscribe(up: AskTarget, uri: string): Promise<void> {
    const n = (this.#subscriptions.get(uri) ?? 0) + 1;
    this.#subscriptions.set(uri, n);
    if (n === 1 && up.client && up.capabilities?.resources?.subscribe) {
      await up.client.subscribeResource({ uri }).catch((e) =>
        this.#log.warn(`subscribe ${uri}: ${errorText(e)}`)
      );
    }
  }

  /** Release a downstream subscription; the last one unsubscribes upstream. */
  async unsubscribe(up: AskTarget, uri: string): Promise<void> {
    const n = (this.#subscriptions.get(uri) ?? 0) - 1;
    if (n > 0) return void this.#subscriptions.set(uri, n);
    this.#subscriptions.delete(uri);
    if (up.client && up.capabilities?.resources?.subscribe) {
      await up.client.unsubscribeResource({ uri }).catch((e) =>
        this.#log.debug(`unsubscribe ${uri}: ${errorText(e)}`)
      );
    }
  }

  /** Forward a log level (the most verbose any client asked for). */
  async setLogLevel(up: AskTarget, level: LoggingLevel): Promise<void> {
    this.#logLevel = level;
    if (up.client && up.capabilities?.logging) {
      await up.client.request({ method: "logging/setLevel", params: { level } }, AnyResult)
        .catch((e) => this.#log.debug(`setLevel: ${errorText(e)}`));
    }
  }

  /** Re-apply every standing ask to a new connection. */
  async restore(up: AskTarget): Promise<void> {
    const client = up.client;
    if (!client) return;
    if (this.#logLevel && up.capabilities?.logging) {
      await client.setLoggingLevel(this.#logLevel).catch((e) => this.#log.debug(`setLevel: ${errorText(e)}`));
    }
    if (up.capabilities?.resources?.subscribe) {
      for (const uri of this.#subscriptions.keys()) {
        await client.subscribeResource({ uri }).catch((e) =>
          this.#log.debug(`resubscribe ${uri}: ${errorText(e)}`)
        );
      }
    }
  }
}
