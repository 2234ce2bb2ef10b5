/**
 * "The handler needs input from the client", written once for every era. A handler asks with
 * `ctx.elicit()`, `ctx.sample()` or `ctx.listRoots()`; how the question reaches the client is the
 * era's business:
 *
 * - the 2025 wire sends a real server→client request on the connection and waits;
 * - the 2026 wire has no server→client requests: the request ends with an `input_required`
 *   result naming what is missing, and the client retries it with the answers. The runtime then
 *   runs the handler again from the start (deterministic replay): each ask the handler makes is
 *   answered from the answers recorded so far, in order, and only what is still missing is asked
 *   for — several asks at once when the handler makes them together.
 *
 * {@linkcode InputRound} is one such run: it answers asks from what it was given and collects
 * the rest. {@linkcode askClient} is the reverse, for code that holds a list of input requests
 * (an upstream's `input_required` result) and a client that can answer them one by one.
 *
 * @module
 */

import { askOptions, type ClientAsks } from "./context.ts";
import type { ClientRequest } from "./request.ts";

/** One question for the client, as an `input_required` result names it. */
export type InputRequest = ClientRequest;

/** The questions of one `input_required` result, by key. */
export type InputRequests = Record<string, InputRequest>;

/** The client's answers, by the key of the question. */
export type InputResponses = Record<string, unknown>;

/** Checks an answer against its question: the answer to use, or an error message. */
export type AnswerCheck = (request: InputRequest, answer: unknown) => { ok: true; value: unknown } | {
  ok: false;
  message: string;
};

/** How a round ended without the handler finishing. */
export type RoundOutcome =
  | { kind: "input"; requests: InputRequests }
  | { kind: "invalid"; key: string; message: string };

const SHORT: Record<InputRequest["method"], string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/**
 * One run of a handler under deterministic replay: asks are answered from `answers`; the first
 * ask without an answer starts the end of the round, which comes one macrotask later (so asks the
 * handler makes together, `Promise.all([ctx.elicit(…), ctx.sample(…)])`, are all collected).
 *
 * @example
 * ```ts
 * import { InputRound } from "./input.ts";
 * const round = new InputRound({ name: { action: "accept", content: { name: "Ada" } } });
 * const answer = await round.ask({ method: "elicitation/create", params: { message: "Name?" } }, "name");
 * console.log(answer); // { action: "accept", content: { name: "Ada" } }
 * void round.ask({ method: "roots/list" }, undefined); // no answer: the round ends
 * console.log(await round.ended); // { kind: "input", requests: { "roots-1": { method: "roots/list" } } }
 * ```
 */
export class InputRound {
  readonly #answers: InputResponses;
  readonly #check: AnswerCheck | undefined;
  readonly #counts = new Map<string, number>();
  readonly #keys = new Set<string>();
  readonly #used: InputResponses = {};
  readonly #missing: InputRequests = {};
  readonly #pending: ((reason: unknown) => void)[] = [];
  #end: ((outcome: RoundOutcome) => void) | undefined;
  #ending = false;
  /** Settles when the round must end without the handler: input is missing, or an answer is bad. */
  readonly ended: Promise<RoundOutcome>;

  /** A round answering from `answers` (checked with `check` when given). */
  constructor(answers: InputResponses = {}, check?: AnswerCheck) {
    this.#answers = answers;
    this.#check = check;
    this.ended = new Promise((resolve) => (this.#end = resolve));
  }

  /** The answers the handler used so far, by key (what a later round must be given again). */
  get used(): InputResponses {
    return this.#used;
  }

  /** The key of the next ask: the handler's own (made unique), or `<kind>-<n>`. */
  #keyFor(request: InputRequest, wanted: string | undefined): string {
    let key = wanted;
    if (key === undefined) {
      const short = SHORT[request.method];
      const n = (this.#counts.get(short) ?? 0) + 1;
      this.#counts.set(short, n);
      key = `${short}-${n}`;
    }
    let unique = key;
    for (let i = 2; this.#keys.has(unique); i++) unique = `${key}#${i}`;
    this.#keys.add(unique);
    return unique;
  }

  /**
   * The answer to `request`: recorded ones at once; a missing one never (the round ends, and the
   * promise rejects with the reason passed to {@linkcode InputRound.abandon}).
   */
  ask(request: InputRequest, key: string | undefined): Promise<unknown> {
    const k = this.#keyFor(request, key);
    if (Object.hasOwn(this.#answers, k)) {
      const answer = this.#answers[k];
      const checked = this.#check ? this.#check(request, answer) : { ok: true as const, value: answer };
      if (checked.ok) {
        this.#used[k] = checked.value;
        return Promise.resolve(checked.value);
      }
      this.#finish({ kind: "invalid", key: k, message: checked.message });
      return this.#parked();
    }
    this.#missing[k] = request;
    if (!this.#ending) {
      this.#ending = true;
      // One macrotask: asks made together with this one join the same round.
      setTimeout(() => this.#finish({ kind: "input", requests: this.#missing }), 0);
    }
    return this.#parked();
  }

  #parked(): Promise<unknown> {
    return new Promise((_, reject) => this.#pending.push(reject));
  }

  #finish(outcome: RoundOutcome): void {
    this.#ending = true;
    const end = this.#end;
    this.#end = undefined;
    end?.(outcome);
  }

  /** The round is over: asks still waiting reject with `reason`, so the handler unwinds. */
  abandon(reason: unknown): void {
    this.#finish({ kind: "input", requests: this.#missing });
    for (const reject of this.#pending.splice(0)) reject(reason);
  }
}

/**
 * Answer `requests` by asking `client` (a 2025 connection, or a call's context), each under its
 * key: how a client that speaks in server→client requests fulfils an `input_required` result.
 *
 * @example
 * ```ts
 * import { askClient } from "./input.ts";
 * import { createTestContext } from "./context.ts";
 * const answers = await askClient(createTestContext(), {}); // {}
 * ```
 */
export async function askClient(
  client: ClientAsks,
  requests: InputRequests,
  options?: AbortSignal | { signal?: AbortSignal },
): Promise<InputResponses> {
  const signal = askOptions(options).signal;
  const entries = await Promise.all(
    Object.entries(requests).map(async ([key, request]) => {
      const o = { signal, key };
      switch (request.method) {
        case "elicitation/create":
          return [key, await client.elicit(request.params, o)] as const;
        case "sampling/createMessage":
          return [key, await client.sample(request.params, o)] as const;
        case "roots/list":
          return [key, await client.listRoots(o)] as const;
        default:
          throw new TypeError(`cannot ask the client '${(request as { method: string }).method}'`);
      }
    }),
  );
  return Object.fromEntries(entries);
}
