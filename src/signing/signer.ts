/**
 * The request-state signer: the seam that keeps state a stateless server hands its clients
 * (MCP 2026-07-28 `requestState`) honest. A {@linkcode StateSigner} signs bytes and checks
 * signatures; this file's provider does it with HMAC-SHA256 and one key in memory. Several
 * instances behind a load balancer must share the key (`REQUEST_STATE_KEY`); a provider that
 * fetches keys from elsewhere (a secret store, rotation) is one more file with this interface.
 *
 * @module
 */

/**
 * Signs and verifies opaque state.
 *
 * @example
 * ```ts
 * import { HmacStateSigner } from "./signer.ts";
 * const signer = HmacStateSigner.fromSecret("correct horse battery staple");
 * const data = new TextEncoder().encode("state");
 * const mac = await signer.sign(data);
 * console.log(await signer.verify(data, mac)); // true
 * ```
 */
export interface StateSigner {
  /** Names the key (carried in the state, so a rotation can tell keys apart). */
  readonly keyId: string;
  /** The signature of `data`. */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** Whether `signature` is `data`'s, made with the key named `keyId`. */
  verify(data: Uint8Array, signature: Uint8Array, keyId?: string): Promise<boolean>;
}

import { createHash } from "node:crypto";

const encoder = new TextEncoder();

/**
 * HMAC-SHA256 with one key (WebCrypto; the key never leaves the `CryptoKey`). Built
 * synchronously: the key is imported on first use.
 *
 * @example
 * ```ts
 * import { HmacStateSigner } from "./signer.ts";
 * const signer = HmacStateSigner.random();
 * console.log(signer.keyId.length); // 8
 * ```
 */
export class HmacStateSigner implements StateSigner {
  /** The first 8 hex digits of SHA-256 of the key: names it without revealing it. */
  readonly keyId: string;
  readonly #raw: Uint8Array;
  #key: Promise<CryptoKey> | undefined;

  /** A signer over raw key bytes (at least 16). */
  constructor(raw: Uint8Array) {
    if (raw.length < 16) throw new RangeError("a request-state key needs at least 16 bytes");
    this.#raw = raw.slice();
    this.keyId = createHash("sha256").update(this.#raw).digest("hex").slice(0, 8);
  }

  /** A signer over a secret string (its UTF-8 bytes; at least 16). */
  static fromSecret(secret: string): HmacStateSigner {
    return new HmacStateSigner(encoder.encode(secret));
  }

  /** A signer over 32 random bytes: valid in this process only. */
  static random(): HmacStateSigner {
    return new HmacStateSigner(crypto.getRandomValues(new Uint8Array(32)));
  }

  #cryptoKey(): Promise<CryptoKey> {
    return this.#key ??= crypto.subtle.importKey(
      "raw",
      this.#raw as BufferSource,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.sign("HMAC", await this.#cryptoKey(), data as BufferSource));
  }

  async verify(data: Uint8Array, signature: Uint8Array, keyId?: string): Promise<boolean> {
    if (keyId !== undefined && keyId !== this.keyId) return false;
    return await crypto.subtle.verify(
      "HMAC",
      await this.#cryptoKey(),
      signature as BufferSource,
      data as BufferSource,
    );
  }
}
