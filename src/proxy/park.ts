/**
 * A 2025 upstream's call made for a 2026-07-28 caller, held across the caller's `input_required`
 * rounds.
 *
 * The 2025 upstream asks during the call (sampling, elicitation, roots: server→client requests)
 * and waits for the answers; a 2026 caller cannot be asked in the middle of its request. So the
 * call is parked: what the upstream asks becomes the round's `inputRequests`, the caller's request
 * ends with `input_required` and a state naming the parked call (the era signs it into its
 * `requestState`, bound to the method, the params and the caller), and the caller's retry answers
 * the waiting upstream requests: the call goes on where it stopped — it is not run again.
 *
 * Parked calls live in this process (the state only names them). One nobody comes back for is
 * cancelled after {@linkcode PARK_IDLE_MS}; at most {@linkcode MAX_PARKED} wait at once.
 *
 * @module
 */

import type { RequestContext } from "../core/context.ts";
import { ErrorCode, MissingClientCapabilityError, ProtocolError } from "../errors.ts";
import type { ClientCapabilities } from "../protocol.ts";
import { isObject } from "../util/object.ts";

/** How long a parked call waits for the caller's retry before it is cancelled (ms). */
export const PARK_IDLE_MS = 5 * 60_000;

/** Most calls parked at once in one process. */
export const MAX_PARKED = 1000;

/** What a handler answers to end a round itself (2026-07-28 wire, `ctx.rounds`). */
export interface InputRequiredResult {
  /** Always `input_required`. */
  resultType: "input_required";
  /** What the client must answer, by key. */
  inputRequests: Record<string, { method: string; params?: Record<string, unknown> }>;
  /** What the next round needs (the era carries it in its signed state). */
  requestState: string;
}

/** One server→client request of the upstream, waiting for the caller's answer. */
interface Ask {
  method: "elicitation/create" | "sampling/createMessage" | "roots/list";
  params?: Record<string, unknown>;
  resolve(answer: unknown): void;
  reject(reason: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const SHORT = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
} as const;

const CAPABILITY = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
} as const;

/** The prefix of a state that names a parked call. */
const STATE_PREFIX = "park.";

const parked = new Map<string, ParkedCall>();

/** What is wrong with `answer` as the answer to `method`, if anything (a light shape check). */
function answerProblem(method: Ask["method"], answer: unknown): string | undefined {
  if (!isObject(answer)) return "not an object";
  switch (method) {
    case "elicitation/create":
      return ["accept", "decline", "cancel"].includes(answer.action as string)
        ? undefined
        : "an elicitation answer needs action 'accept', 'decline' or 'cancel'";
    case "sampling/createMessage":
      return typeof answer.role === "string" && isObject(answer.content) || Array.isArray(answer.content)
        ? undefined
        : "a sampling answer needs a role and content";
    case "roots/list":
      return Array.isArray(answer.roots) ? undefined : "a roots answer needs a roots list";
  }
}

/**
 * One parked call: the upstream call runs under {@linkcode ParkedCall.ctx}; each run of the
 * caller's request attaches to it ({@linkcode ParkedCall.next}) until the call ends or asks.
 */
class ParkedCall {
  readonly id: string = crypto.randomUUID();
  /** What the upstream call sees as its caller. */
  readonly ctx: RequestContext;
  readonly #controller = new AbortController();
  readonly #capabilities: ClientCapabilities;
  readonly #asks = new Map<string, Ask>();
  readonly #counts = new Map<string, number>();
  #attached: RequestContext | undefined;
  #outcome: Outcome | undefined;
  #wake: (() => void) | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;

  constructor(caller: RequestContext, run: (ctx: RequestContext) => Promise<unknown>) {
    this.#capabilities = caller.clientCapabilities ?? {};
    this.ctx = {
      ...caller,
      signal: this.#controller.signal,
      clientCapabilities: this.#capabilities,
      // The upstream call asks as a 2025 caller would; the rounds are this object's to run.
      rounds: undefined,
      // Progress and logs go to whichever run of the caller's request is attached (none between
      // rounds: the 2026 wire has no stream for them then).
      sendProgress: (progress, total, message) =>
        this.#attached?.sendProgress(progress, total, message) ?? Promise.resolve(),
      log: (level, data, logger) => this.#attached?.log(level, data, logger) ?? Promise.resolve(),
      elicit: (params) => this.#ask("elicitation/create", params as never) as never,
      sample: (params) => this.#ask("sampling/createMessage", params as never) as never,
      listRoots: () => this.#ask("roots/list", undefined) as never,
    };
    run(this.ctx).then(
      (value) => this.#end({ ok: true, value }),
      (error) => this.#end({ ok: false, error }),
    );
  }

  /** A request of the upstream, put to the caller in the next round. */
  #ask(method: Ask["method"], params: Record<string, unknown> | undefined): Promise<unknown> {
    const capability = CAPABILITY[method];
    // Roots are advisory: a caller without them has none.
    if (!this.#capabilities[capability] && capability === "roots") return Promise.resolve({ roots: [] });
    if (!this.#capabilities[capability]) {
      // The caller's own request fails as a 2026 server's would; the upstream hears a refusal.
      const error = new MissingClientCapabilityError({ [capability]: {} });
      this.#end({ ok: false, error });
      this.#controller.abort(error);
      return Promise.reject(error);
    }
    const short = SHORT[method];
    const n = (this.#counts.get(short) ?? 0) + 1;
    this.#counts.set(short, n);
    return new Promise((resolve, reject) => {
      this.#asks.set(`${short}-${n}`, { method, ...(params ? { params } : {}), resolve, reject });
      this.#poke();
    });
  }

  #end(outcome: Outcome): void {
    this.#outcome ??= outcome;
    this.#poke();
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Give the waiting upstream requests the caller's answers (keys nobody asked are ignored). */
  answer(responses: Readonly<Record<string, unknown>>): void {
    for (const [key, answer] of Object.entries(responses)) {
      const ask = this.#asks.get(key);
      if (!ask) continue;
      const problem = answerProblem(ask.method, answer);
      if (problem) {
        throw new ProtocolError(
          ErrorCode.InvalidParams,
          `Invalid params: inputResponses.${key}: ${problem}`,
          {
            key,
          },
        );
      }
    }
    for (const [key, answer] of Object.entries(responses)) {
      const ask = this.#asks.get(key);
      if (!ask) continue;
      this.#asks.delete(key);
      ask.resolve(answer);
    }
  }

  /**
   * Attach `caller` (a run of the caller's request) until the call ends — its result or error —
   * or waits for answers: then an `input_required` result naming what it waits for.
   */
  async next(caller: RequestContext): Promise<unknown> {
    clearTimeout(this.#idle);
    this.#attached = caller;
    const onGone = () => this.#poke();
    caller.signal.addEventListener("abort", onGone, { once: true });
    try {
      for (;;) {
        if (this.#outcome) {
          this.close();
          if (this.#outcome.ok) return this.#outcome.value;
          throw this.#outcome.error;
        }
        if (caller.signal.aborted) {
          // The caller went away while the upstream worked: nobody will come back for it.
          this.cancel(caller.signal.reason);
          throw caller.signal.reason;
        }
        if (this.#asks.size) {
          // One macrotask: requests the upstream sends together join the same round.
          await new Promise((r) => setTimeout(r, 0));
          if (this.#outcome || caller.signal.aborted) continue;
          if (!parked.has(this.id)) {
            if (parked.size >= MAX_PARKED) {
              const error = new ProtocolError(
                ErrorCode.InternalError,
                `too many calls wait for their clients' answers (${MAX_PARKED}); try again later`,
              );
              this.cancel(error);
              throw error;
            }
            parked.set(this.id, this);
          }
          this.#idle = setTimeout(() => this.cancel(new Error("the caller did not come back")), PARK_IDLE_MS);
          return this.#inputRequired();
        }
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      caller.signal.removeEventListener("abort", onGone);
      this.#attached = undefined;
    }
  }

  #inputRequired(): InputRequiredResult {
    const inputRequests: InputRequiredResult["inputRequests"] = {};
    for (const [key, ask] of this.#asks) {
      inputRequests[key] = { method: ask.method, ...(ask.params ? { params: ask.params } : {}) };
    }
    return { resultType: "input_required", inputRequests, requestState: `${STATE_PREFIX}${this.id}` };
  }

  /** Stop the upstream call (its waiting requests are refused) and forget it. */
  cancel(reason: unknown): void {
    for (const ask of this.#asks.values()) ask.reject(reason);
    this.#asks.clear();
    this.#controller.abort(reason);
    this.close();
  }

  /** Forget it. */
  close(): void {
    clearTimeout(this.#idle);
    parked.delete(this.id);
  }
}

/**
 * The error for a carried state this kind of request cannot continue (the upstream changed era
 * between rounds, or the state is of another kind).
 *
 * @example
 * ```ts
 * import { foreignStateError } from "./park.ts";
 * foreignStateError().code; // -32602
 * ```
 */
export function foreignStateError(): ProtocolError {
  return new ProtocolError(
    ErrorCode.InvalidParams,
    "Invalid params: this requestState continues a call the upstream can no longer go on with; " +
      "send the request again without it",
    { reason: "invalid_request_state" },
  );
}

/**
 * Whether `state` (carried by the era from an earlier round) names a parked call.
 *
 * @example
 * ```ts
 * import { isParkState } from "./park.ts";
 * isParkState("park.0b6d…"); // true
 * ```
 */
export function isParkState(state: string | undefined): state is string {
  return state?.startsWith(STATE_PREFIX) ?? false;
}

/**
 * Run `run` (the upstream call) parked for `caller`: resolves with its result, or with an
 * `input_required` result when the upstream asks something.
 *
 * @example
 * ```ts
 * import { startParked } from "./park.ts";
 * import { createTestContext } from "../core/context.ts";
 * const result = await startParked(createTestContext(), () => Promise.resolve({ content: [] }));
 * ```
 */
export function startParked(
  caller: RequestContext,
  run: (ctx: RequestContext) => Promise<unknown>,
): Promise<unknown> {
  // Only a call that waits for answers is kept (ParkedCall.next).
  return new ParkedCall(caller, run).next(caller);
}

/**
 * Go on with the parked call `state` names: its waiting requests get the caller's answers
 * (`responses`), then as {@linkcode startParked}.
 *
 * @example
 * ```ts
 * import { resumeParked } from "./park.ts";
 * import { createTestContext } from "../core/context.ts";
 * await resumeParked("park.unknown", {}, createTestContext()).catch((e) => console.log(e.message));
 * ```
 */
export async function resumeParked(
  state: string,
  responses: Readonly<Record<string, unknown>>,
  caller: RequestContext,
): Promise<unknown> {
  const call = parked.get(state.slice(STATE_PREFIX.length));
  if (!call) {
    throw new ProtocolError(
      ErrorCode.InvalidParams,
      "Invalid params: the call this requestState continues is gone (it ended, waited longer than " +
        `${
          PARK_IDLE_MS / 1000
        } s, or runs on another instance of the proxy); send the request again without it`,
      { reason: "invalid_request_state" },
    );
  }
  call.answer(responses);
  return await call.next(caller);
}
