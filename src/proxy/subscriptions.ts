/**
 * What downstream clients asked of one upstream and must survive a reconnect: resource
 * subscriptions (counted, so the first subscribes upstream and the last unsubscribes) and the log
 * level.
 *
 * A 2025 upstream gets `resources/subscribe`, `resources/unsubscribe` and `logging/setLevel`, and
 * says what changed unasked. A 2026-07-28 upstream has none of these: the proxy holds one
 * `subscriptions/listen` stream to it, asking for the list changes it announces and the
 * subscribed resources, opened again when the subscriptions change or the stream ends; the log
 * level travels with each request instead (`era.ts`).
 *
 * @module
 */

import { z } from "zod";
import { errorText } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { LoggingLevel, ServerCapabilities } from "../protocol.ts";
import type { Client, McpSubscription, SubscriptionFilter } from "../sdk/client_v2.ts";
import type { UpstreamEra } from "./era.ts";

/** Any result: `logging/setLevel` answers with an empty one, servers may add fields. */
const AnyResult = z.looseObject({});

/** How long a listen stream that ended on its own waits before it is opened again. */
const RELISTEN_MS = 1000;

/** The upstream as the asks reach it: its client when connected, and what it can do. */
export interface AskTarget {
  /** The connected client, if any. */
  readonly client: Client | undefined;
  /** The upstream's capabilities. */
  readonly capabilities: ServerCapabilities | undefined;
  /** The era the connection speaks (default 2025). */
  readonly era?: UpstreamEra;
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
  /** The listen stream of a 2026 upstream, and the client it belongs to. */
  #listen: { client: Client; subscription: McpSubscription } | undefined;
  #relisten: ReturnType<typeof setTimeout> | undefined;

  /** Asks of one upstream, logged to `log`. */
  constructor(log: Logger) {
    this.#log = log;
  }

  /** The log level clients asked for (a 2026 upstream gets it with each request). */
  get logLevel(): LoggingLevel | undefined {
    return this.#logLevel;
  }

  /** Count a downstream subscription; the first one subscribes upstream. */
  async subscribe(up: AskTarget, uri: string): Promise<void> {
    const n = (this.#subscriptions.get(uri) ?? 0) + 1;
    this.#subscriptions.set(uri, n);
    if (n !== 1 || !up.client || !up.capabilities?.resources?.subscribe) return;
    if (up.era === "modern") return await this.#listenTo(up);
    await up.client.subscribeResource({ uri }).catch((e) =>
      this.#log.warn(`subscribe ${uri}: ${errorText(e)}`)
    );
  }

  /** Release a downstream subscription; the last one unsubscribes upstream. */
  async unsubscribe(up: AskTarget, uri: string): Promise<void> {
    const n = (this.#subscriptions.get(uri) ?? 0) - 1;
    if (n > 0) return void this.#subscriptions.set(uri, n);
    this.#subscriptions.delete(uri);
    if (!up.client || !up.capabilities?.resources?.subscribe) return;
    if (up.era === "modern") return await this.#listenTo(up);
    await up.client.unsubscribeResource({ uri }).catch((e) =>
      this.#log.debug(`unsubscribe ${uri}: ${errorText(e)}`)
    );
  }

  /** Forward a log level (the most verbose any client asked for). */
  async setLogLevel(up: AskTarget, level: LoggingLevel): Promise<void> {
    this.#logLevel = level;
    if (up.client && up.era !== "modern" && up.capabilities?.logging) {
      await up.client.request({ method: "logging/setLevel", params: { level } }, AnyResult)
        .catch((e) => this.#log.debug(`setLevel: ${errorText(e)}`));
    }
  }

  /** Re-apply every standing ask to a new connection. */
  async restore(up: AskTarget): Promise<void> {
    const client = up.client;
    if (!client) return;
    if (up.era === "modern") return await this.#listenTo(up);
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

  /** Stop listening (the connection is gone or the upstream stops). */
  close(): void {
    clearTimeout(this.#relisten);
    const old = this.#listen;
    this.#listen = undefined;
    void old?.subscription.close().catch(() => {});
  }

  /** What a 2026 upstream is asked to tell: the changes it announces, the subscribed resources. */
  #filter(caps: ServerCapabilities | undefined): SubscriptionFilter {
    const uris = caps?.resources?.subscribe ? [...this.#subscriptions.keys()] : [];
    return {
      ...(caps?.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps?.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps?.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(uris.length ? { resourceSubscriptions: uris } : {}),
    };
  }

  /**
   * (Re)open the listen stream of a 2026 upstream with the current filter; the old stream closes
   * once the new one is acknowledged (nothing is missed in between).
   */
  async #listenTo(up: AskTarget): Promise<void> {
    const client = up.client;
    if (!client) return;
    clearTimeout(this.#relisten);
    const filter = this.#filter(up.capabilities);
    const old = this.#listen;
    if (Object.keys(filter).length === 0) {
      this.#listen = undefined;
      await old?.subscription.close().catch(() => {});
      return;
    }
    let subscription: McpSubscription;
    try {
      subscription = await client.listen(filter);
    } catch (e) {
      this.#log.warn(`subscriptions/listen: ${errorText(e)}`);
      return;
    }
    const current = { client, subscription };
    this.#listen = current;
    await old?.subscription.close().catch(() => {});
    void subscription.closed.then((cause) => {
      if (cause === "local" || this.#listen !== current) return;
      // The upstream ended the stream: listen again while the connection lasts.
      this.#log.debug(`listen stream ended (${cause}); opening it again`);
      this.#relisten = setTimeout(() => {
        if (this.#listen === current) void this.#listenTo(up);
      }, RELISTEN_MS);
      Deno.unrefTimer(this.#relisten as unknown as number);
    });
  }
}
