/**
 * `requestState` of the 2026-07-28 wire: what a stateless server needs to carry from one
 * `input_required` round of a request to the next — the answers of earlier rounds — handed to the
 * client and checked when it comes back. The token is `v1.<key id>.<payload>.<signature>`
 * (base64url; HMAC-SHA256 through a {@linkcode StateSigner}); the payload binds the state to the
 * method, a digest of the params, the caller and an expiry, so it cannot be replayed elsewhere.
 * The client can read it (it holds its own answers); it cannot change it.
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../../errors.ts";
import type { InputResponses } from "../../core/input.ts";
import type { StateSigner } from "../../signing/signer.ts";

/** What a request state says. */
export interface RequestState {
  /** Answers of earlier rounds, by key. */
  answers: InputResponses;
  /** Rounds so far (the first `input_required` answer is round 1). */
  round: number;
}

/** What a state is bound to. */
export interface StateBinding {
  /** The request's method. */
  method: string;
  /** The request's params without `inputResponses`, `requestState` and `_meta`. */
  params: Record<string, unknown>;
  /** The caller (`null` when anonymous). */
  userId: string | null;
}

interface Payload {
  /** method */
  m: string;
  /** params digest */
  h: string;
  /** user */
  u: string | null;
  /** expiry, ms epoch */
  e: number;
  /** round */
  r: number;
  /** answers */
  a: InputResponses;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted, so equal params give equal digests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${
      keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(value) ?? "null";
}

async function digest(binding: StateBinding): Promise<string> {
  const bytes = encoder.encode(`${binding.method}\n${canonical(binding.params)}`);
  return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).subarray(0, 16));
}

/** Why a state was refused (the `data.reason` of the `-32602` error). */
function invalid(detail: string): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, `Invalid or expired requestState: ${detail}`, {
    reason: "invalid_request_state",
  });
}

/** Options of {@linkcode RequestStateCodec}. */
export interface RequestStateOptions {
  /** How long a state stays valid (ms); default 15 minutes. */
  ttlMs?: number;
  /** Largest token accepted or minted (bytes); default 256 KiB. */
  maxBytes?: number;
  /** Most rounds one request may take; default 32. */
  maxRounds?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Mints and checks request states.
 *
 * @example
 * ```ts
 * import { RequestStateCodec } from "./request_state.ts";
 * import { HmacStateSigner } from "../../signing/signer.ts";
 * const codec = new RequestStateCodec(HmacStateSigner.random());
 * const binding = { method: "tools/call", params: { name: "greet" }, userId: null };
 * const token = await codec.mint({ answers: { name: "Ada" }, round: 1 }, binding);
 * console.log((await codec.open(token, binding)).answers); // { name: "Ada" }
 * ```
 */
export class RequestStateCodec {
  readonly #signer: StateSigner;
  readonly #ttlMs: number;
  readonly #maxBytes: number;
  readonly #maxRounds: number;
  readonly #now: () => number;

  /** A codec signing with `signer`. */
  constructor(signer: StateSigner, options: RequestStateOptions = {}) {
    this.#signer = signer;
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#maxBytes = options.maxBytes ?? 256 * 1024;
    this.#maxRounds = options.maxRounds ?? 32;
    this.#now = options.now ?? Date.now;
  }

  /** The token carrying `state`, bound to `binding`. */
  async mint(state: RequestState, binding: StateBinding): Promise<string> {
    if (state.round > this.#maxRounds) {
      throw new ProtocolError(
        ErrorCode.InternalError,
        `the request needed more than ${this.#maxRounds} rounds of input; giving up`,
      );
    }
    const payload: Payload = {
      m: binding.method,
      h: await digest(binding),
      u: binding.userId,
      e: this.#now() + this.#ttlMs,
      r: state.round,
      a: state.answers,
    };
    const body = b64url(encoder.encode(JSON.stringify(payload)));
    const signed = `v1.${this.#signer.keyId}.${body}`;
    const token = `${signed}.${b64url(await this.#signer.sign(encoder.encode(signed)))}`;
    if (token.length > this.#maxBytes) {
      throw new ProtocolError(
        ErrorCode.InternalError,
        `the answers gathered so far exceed the request-state limit (${this.#maxBytes} bytes)`,
      );
    }
    return token;
  }

  /** The state `token` carries, if it is ours, untouched, current and bound to `binding`. */
  async open(token: unknown, binding: StateBinding): Promise<RequestState> {
    if (typeof token !== "string") throw invalid("not a string");
    if (token.length > this.#maxBytes) throw invalid("too long");
    const parts = token.split(".");
    if (parts.length !== 4 || parts[0] !== "v1") throw invalid("not a request state of this server");
    const [, keyId, body, mac] = parts;
    const signature = fromB64url(mac);
    if (!signature) throw invalid("malformed");
    const ok = await this.#signer.verify(encoder.encode(`v1.${keyId}.${body}`), signature, keyId);
    if (!ok) throw invalid("signature mismatch (tampered, or signed by another key)");
    const bytes = fromB64url(body);
    let payload: Payload;
    try {
      payload = JSON.parse(decoder.decode(bytes));
    } catch {
      throw invalid("malformed");
    }
    if (payload.e < this.#now()) throw invalid("expired");
    if (payload.m !== binding.method || payload.u !== binding.userId || payload.h !== await digest(binding)) {
      throw invalid("it belongs to another request");
    }
    return { answers: payload.a ?? {}, round: payload.r ?? 0 };
  }
}
