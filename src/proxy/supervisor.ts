/**
 * Supervision of one upstream connection: connect within a time limit, and when the connection
 * fails or drops, connect again with exponential backoff and jitter — for as long as the upstream
 * is not stopped. What a connection is (an SDK client, its fast lane) is the caller's business.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { raceTimeout, TIMED_OUT } from "../util/timeout.ts";

/** Where an upstream is in its life. */
export type UpstreamState = "connecting" | "ready" | "restarting" | "failed" | "stopped";

/** Backoff and time limits of a {@linkcode Supervisor}. */
export interface SupervisorOptions {
  /** First reconnect delay (ms, default 500); doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  /** Largest reconnect delay (ms, default 30 000). */
  maxBackoffMs?: number;
  /** Consecutive failures after which the state reads `failed` (retries go on). Default 5. */
  failedAfter?: number;
  /** Time allowed for one connection attempt (ms, default 60 000). */
  connectTimeoutMs?: number;
}

/** A live connection the supervisor can end. */
export interface Link {
  /** End it (and whatever it holds). */
  close(): Promise<void>;
}

/** How to make and prepare a connection. */
export interface LinkFactory<L extends Link> {
  /** A new, unconnected link (throwing counts as a failed attempt). */
  create(): L;
  /** Connect it (initialize, first lists); bounded by the supervisor's time limit. */
  connect(link: L, timeoutMs: number): Promise<void>;
  /** It is connected and current: install close handlers, restore what clients asked for. */
  adopt(link: L): Promise<void>;
  /** The state changed. */
  state(state: UpstreamState): void;
}

/**
 * Keeps one link alive.
 *
 * @example
 * ```ts
 * import { Supervisor } from "./supervisor.ts";
 * import { getLogger } from "../log/logger.ts";
 * const supervisor = new Supervisor(getLogger("proxy.demo"), {}, {
 *   create: () => ({ close: () => Promise.resolve() }),
 *   connect: () => Promise.resolve(),
 *   adopt: () => Promise.resolve(),
 *   state: (s) => console.log(s),
 * });
 * await supervisor.start();
 * await supervisor.stop();
 * ```
 */
export class Supervisor<L extends Link> {
  #state: UpstreamState = "connecting";
  #link: L | undefined;
  #restarts = 0;
  #failures = 0;
  #lastError: string | null = null;
  #connectedSince: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #connecting: Promise<void> | undefined;
  readonly #log: Logger;
  readonly #options: SupervisorOptions;
  readonly #factory: LinkFactory<L>;

  /** A supervisor of links made by `factory`, logging to `log`. */
  constructor(log: Logger, options: SupervisorOptions, factory: LinkFactory<L>) {
    this.#log = log;
    this.#options = options;
    this.#factory = factory;
  }

  /** Current state. */
  get state(): UpstreamState {
    return this.#state;
  }

  /** The current link, when connected. */
  get link(): L | undefined {
    return this.#link;
  }

  /** How often a ready link was lost. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Why the last attempt or link failed (null after a success). */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Since when the current link is up (ms epoch). */
  get connectedSince(): number | null {
    return this.#connectedSince;
  }

  /** Connect for the first time. Resolves when ready or after the first failure (retries go on). */
  start(): Promise<void> {
    return this.#connect();
  }

  /** Close the link and stop reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#setState("stopped");
    const link = this.#link;
    this.#link = undefined;
    await link?.close().catch(() => {});
  }

  /** `link` ended on its own (the peer closed it): reconnect. */
  closed(link: L): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#connectedSince = null;
    if (!this.#stopped) this.#failed(new Error("connection closed"));
  }

  /**
   * A request on `link` failed below MCP (refused connection, HTTP 404 for a session the server
   * forgot, broken pipe): drop it and reconnect — remote servers do not say they are gone.
   */
  lost(link: L, e: unknown): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#connectedSince = null;
    void link.close().catch(() => {});
    this.#failed(e);
  }

  #setState(state: UpstreamState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#factory.state(state);
  }

  #connect(): Promise<void> {
    return this.#connecting ??= this.#attempt().finally(() => (this.#connecting = undefined));
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    let link: L;
    try {
      link = this.#factory.create();
    } catch (e) {
      this.#failed(e);
      return;
    }
    const timeoutMs = this.#options.connectTimeoutMs ?? 60_000;
    try {
      const connected = await raceTimeout(this.#factory.connect(link, timeoutMs), timeoutMs);
      if (connected === TIMED_OUT) throw new Error(`no answer within ${timeoutMs} ms`);
    } catch (e) {
      await link.close().catch(() => {});
      this.#failed(e);
      return;
    }
    if (this.#stopped) {
      await link.close().catch(() => {});
      return;
    }
    this.#link = link;
    this.#failures = 0;
    this.#lastError = null;
    this.#connectedSince = Date.now();
    await this.#factory.adopt(link);
    this.#setState("ready");
  }

  #failed(e: unknown): void {
    if (this.#stopped) return;
    this.#failures++;
    this.#lastError = errorText(e);
    const wasReady = this.#state === "ready";
    if (wasReady) this.#restarts++;
    this.#log.warn(`${wasReady ? "lost connection" : "cannot connect"}: ${this.#lastError}`);
    this.#setState(this.#failures >= (this.#options.failedAfter ?? 5) ? "failed" : "restarting");
    const base = this.#options.initialBackoffMs ?? 500;
    const max = this.#options.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.#failures - 1, 30));
    const jittered = delay * (0.8 + Math.random() * 0.4);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#stopped) void this.#connect();
    }, jittered);
  }
}
