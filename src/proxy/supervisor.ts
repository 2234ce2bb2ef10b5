/**
 * Supervision of one upstream connection: connect within a time limit, and when the connection
 * fails or drops, connect again with exponential backoff and jitter — for as long as the upstream
 * is not stopped. The backoff starts over only once a connection has stayed up for a while. What a connection is (an SDK client, its fast lane) is the caller's business.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { raceTimeout, TIMED_OUT } from "../util/timeout.ts";

/** Where an upstream is in its life. */
export type UpstreamState = "connecting" | "ready" | "restarting" | "failed" | "stopped" | "unauthorized";

/** Backoff and time limits of a {@linkcode Supervisor}. */
export interface SupervisorOptions {
  /** First reconnect delay (ms, default 500); doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  /** Largest reconnect delay (ms, default 30 000). */
  maxBackoffMs?: number;
  /**
   * How long a link must stay up before the backoff starts over (ms, default 30 000): an upstream
   * that connects and dies at once keeps backing off instead of restarting every 0.5 s.
   */
  stableAfterMs?: number;
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

/** An attempt failed for a reason someone has to resolve (a login): no retries until then. */
export interface Blocked {
  /** Why, for `last_error`. */
  readonly why: string;
  /** Resolves when it is resolved (connect again at once); rejects when it will not be. */
  readonly until: Promise<void>;
}

/** How to make and prepare a connection. */
export interface LinkFactory<L extends Link> {
  /** A new, unconnected link (throwing counts as a failed attempt). */
  create(): L | Promise<L>;
  /** Connect it (initialize, first lists); bounded by the supervisor's time limit. */
  connect(link: L, timeoutMs: number): Promise<void>;
  /** It is connected and current: install close handlers, restore what clients asked for. */
  adopt(link: L): Promise<void>;
  /** The state changed. */
  state(state: UpstreamState): void;
  /** Whether a failed attempt waits for someone (state `unauthorized`) instead of retrying. */
  blocked?(e: unknown): Blocked | undefined;
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
  /** Resets the failure count once the current link has stayed up long enough. */
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
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

  /** Resolves when the attempt under way (if any) has ended. */
  settled(): Promise<void> {
    return this.#connecting ?? Promise.resolve();
  }

  /** Close the link and stop reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#stableTimer);
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
      link = await this.#factory.create();
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
      const blocked = this.#factory.blocked?.(e);
      if (blocked && !this.#stopped) return this.#block(blocked);
      this.#failed(e);
      return;
    }
    if (this.#stopped) {
      await link.close().catch(() => {});
      return;
    }
    this.#link = link;
    this.#lastError = null;
    this.#connectedSince = Date.now();
    // The failure count (and so the backoff) starts over only once this link proves stable.
    clearTimeout(this.#stableTimer);
    this.#stableTimer = setTimeout(() => {
      if (this.#link === link) this.#failures = 0;
    }, this.#options.stableAfterMs ?? 30_000);
    Deno.unrefTimer(this.#stableTimer);
    await this.#factory.adopt(link);
    this.#setState("ready");
  }

  /** Wait (without retrying) until the block is lifted; then connect at once. */
  #block(blocked: Blocked): void {
    this.#lastError = blocked.why;
    this.#setState("unauthorized");
    blocked.until.then(
      () => {
        if (!this.#stopped) void this.#connect();
      },
      (e) => this.#failed(e),
    );
  }

  #failed(e: unknown): void {
    if (this.#stopped) return;
    clearTimeout(this.#stableTimer);
    this.#failures++;
    this.#lastError = errorText(e);
    const wasReady = this.#state === "ready";
    if (wasReady) this.#restarts++;
    this.#setState(this.#failures >= (this.#options.failedAfter ?? 5) ? "failed" : "restarting");
    const base = this.#options.initialBackoffMs ?? 500;
    const max = this.#options.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.#failures - 1, 30));
    const jittered = delay * (0.8 + Math.random() * 0.4);
    this.#log.warn(
      `${wasReady ? "lost connection" : "cannot connect"}: ${this.#lastError}; ` +
        `retrying in ${(jittered / 1000).toFixed(1)} s`,
    );
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#stopped) void this.#connect();
    }, jittered);
  }
}
