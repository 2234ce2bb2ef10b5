/**
 * The instances of one upstream: the shared one (which also discovers what the upstream serves),
 * and for `isolation: per-session` one instance per runtime session, started on first use, capped
 * by `max_instances`, and stopped when the session ends or stays idle.
 *
 * @module
 */

import type { McpServerConfig } from "../config/types.ts";
import type { RequestContext } from "../core/context.ts";
import { getLogger } from "../log/logger.ts";
import { ServerShape } from "../tools/shape.ts";
import { UpstreamUnavailableError } from "./errors.ts";
import type { Upstream, UpstreamStatus } from "./upstream.ts";

const log = getLogger("proxy");

/**
 * An upstream waiting for a login: the caller is asked when it is theirs to give (see
 * `Upstream.loginFor`); otherwise {@linkcode UpstreamUnavailableError} says why.
 */
async function loggedIn(pool: string, up: Upstream, ctx: RequestContext): Promise<Upstream> {
  if (up.state !== "unauthorized") return up;
  try {
    await up.loginFor(ctx);
  } catch (e) {
    throw new UpstreamUnavailableError(pool, e instanceof Error ? e.message : String(e));
  }
  return up;
}

/**
 * An upstream and, for `isolation: per-session`, its per-session instances (for `oauth.per_user`,
 * its per-user instances, each logged in as its user).
 *
 * @example
 * ```ts
 * import { UpstreamPool } from "./pool.ts";
 * declare const shared: import("./upstream.ts").Upstream;
 * const pool = new UpstreamPool("time", shared.entry, shared, () => shared);
 * await pool.stop();
 * ```
 */
export class UpstreamPool {
  /** Per-session instances by session id. */
  readonly instances: Map<string, Upstream> = new Map();
  readonly #starting = new Map<string, Promise<Upstream>>();
  #shape: ServerShape | undefined;
  #reaper: ReturnType<typeof setInterval> | undefined;

  /**
   * The pool of upstream `name`: `shared` serves everyone (and lists), `make` starts a session's
   * own instance.
   */
  constructor(
    readonly name: string,
    readonly entry: McpServerConfig,
    readonly shared: Upstream,
    readonly make: (key: string, userId: string | undefined) => Upstream,
  ) {
    if (this.perSession || this.perUser) {
      const idleMs = (entry.idle_timeout ?? 600) * 1000;
      this.#reaper = setInterval(() => {
        const cutoff = Date.now() - idleMs;
        for (const [sid, up] of this.instances) {
          if (up.inflight === 0 && up.lastUsed < cutoff) void this.release(sid, "idle");
        }
      }, Math.max(1000, Math.min(60_000, idleMs / 4)));
      Deno.unrefTimer(this.#reaper as unknown as number);
    }
  }

  /** What the entry serves of the upstream, and how its tools are shown (`include_tools`, `tool_overrides`, ...). */
  get shape(): ServerShape {
    return this.#shape ??= new ServerShape(this.entry);
  }

  /** Whether each session gets its own instance. */
  get perSession(): boolean {
    return this.entry.isolation === "per-session";
  }

  /** Whether each calling user has their own upstream login (`oauth.per_user`): instances per user. */
  get perUser(): boolean {
    return this.entry.oauth?.per_user === true;
  }

  /** The instance of session `sid` (per-session), or the shared one. */
  instanceOf(sid: string | undefined): Upstream | undefined {
    return this.perSession ? this.instances.get(sid ?? "") : this.shared;
  }

  /**
   * The upstream that serves calls of `ctx`: shared, or this session's own (started on first use).
   * Throws {@linkcode UpstreamUnavailableError} when there is none.
   */
  async forCall(ctx: RequestContext): Promise<Upstream> {
    if (!this.perSession && !this.perUser) return await loggedIn(this.name, this.shared, ctx);
    if (this.perUser && ctx.user === undefined) {
      throw new UpstreamUnavailableError(
        this.name,
        `Upstream '${this.name}' uses each caller's own login, and this call has no authenticated user`,
      );
    }
    // Per-user instances are keyed by user (the sessions of one user share their login).
    const sid = this.perSession ? ctx.sessionId : `user:${ctx.user!.id}`;
    if (sid === undefined) {
      // Never one shared "no session" instance: callers without a session are not one client.
      throw new UpstreamUnavailableError(
        this.name,
        `Upstream '${this.name}' runs one instance per session, and this call has no session ` +
          `(is the session store reachable?)`,
      );
    }
    const existing = this.instances.get(sid);
    if (existing) return existing;
    let pending = this.#starting.get(sid);
    if (!pending) {
      const max = this.entry.max_instances;
      if (max !== undefined && this.instances.size + this.#starting.size >= max) {
        throw new UpstreamUnavailableError(
          this.name,
          `Upstream '${this.name}' has reached max_instances (${max}): no instance for this session; ` +
            `try again when another session ends`,
        );
      }
      pending = (async () => {
        const up = this.make(sid, ctx.user?.id);
        await up.start();
        return up;
      })();
      this.#starting.set(sid, pending);
      pending.then((up) => this.instances.set(sid, up)).finally(() => this.#starting.delete(sid)).catch(
        () => {},
      );
    }
    const up = await loggedIn(this.name, await pending, ctx);
    if (up.state !== "ready") {
      throw new UpstreamUnavailableError(
        this.name,
        `Upstream '${this.name}' could not start for this session: ${up.status().last_error}`,
      );
    }
    return up;
  }

  /** Stop the instance of session `sid` (session ended or idle). */
  async release(sid: string, why: string): Promise<void> {
    const up = this.instances.get(sid);
    if (!up) return;
    this.instances.delete(sid);
    log.info(`${this.name}: stopping per-session instance (${why})`);
    await up.stop();
  }

  /** Stop every instance, the shared one too. */
  async stop(): Promise<void> {
    clearInterval(this.#reaper);
    const pending = [...this.#starting.values()];
    await Promise.allSettled(pending);
    await Promise.allSettled([this.shared.stop(), ...[...this.instances.values()].map((u) => u.stop())]);
    this.instances.clear();
  }

  /** Status for `/health`. */
  status(): UpstreamStatus & { isolation: string; instances?: number } {
    return {
      ...this.shared.status(),
      isolation: this.perUser && !this.perSession ? "per-user" : this.entry.isolation,
      ...(this.perSession || this.perUser ? { instances: this.instances.size } : {}),
    };
  }
}
