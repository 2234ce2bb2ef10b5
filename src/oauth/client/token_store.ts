/**
 * Where the proxy keeps what its upstream logins produce — tokens and client registrations — in
 * the session store (memory, SQLite, Redis), encrypted at rest with a key derived from
 * `TOKEN_ENCRYPTION_KEY` (AES-256-GCM; the record's key is the additional data, so a record
 * copied under another key — another user, another upstream — does not decrypt).
 *
 * A store that outlives the process (SQLite, Redis) refuses to hold tokens without the key.
 *
 * Keys (inside the session store's namespace): `oauth:<upstream>:client:<issuer>` (registration,
 * per authorization server) and `oauth:<upstream>:tokens:<subject>` (one login: `_` for the
 * upstream's own, or `user:<id>` with `per_user`).
 *
 * @module
 */

import { ConfigError } from "../../errors.ts";
import type { KeyValueStore } from "../../sessions/kv.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ENCRYPTED = "enc1:";
const PLAIN = "plain:";

/**
 * The environment variable that holds the token encryption secret.
 *
 * @example
 * ```ts
 * import { TOKEN_KEY_VARIABLE } from "./token_store.ts";
 * const secret = Deno.env.get(TOKEN_KEY_VARIABLE);
 * ```
 */
export const TOKEN_KEY_VARIABLE = "TOKEN_ENCRYPTION_KEY";

/** A secret must carry at least this many characters (32 bytes of text or more). */
const MIN_SECRET_LENGTH = 32;

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * AES-256-GCM with a key derived (HKDF-SHA-256) from a secret.
 *
 * @example
 * ```ts
 * import { TokenCipher } from "./token_store.ts";
 * const cipher = await TokenCipher.fromSecret("a secret of at least thirty-two characters");
 * const sealed = await cipher.seal("hello", "oauth:x:tokens:_");
 * console.log(await cipher.open(sealed, "oauth:x:tokens:_")); // "hello"
 * ```
 */
export class TokenCipher {
  readonly #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** Derive the key. Throws {@linkcode ConfigError} for a secret shorter than 32 characters. */
  static async fromSecret(secret: string): Promise<TokenCipher> {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `expected at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 32\`), got ${secret.length}`,
        { file: "<environment>", path: TOKEN_KEY_VARIABLE },
      );
    }
    const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: encoder.encode("chuk-mcp-runtime/oauth-token-store"),
        info: encoder.encode("aes-256-gcm v1"),
      },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    return new TokenCipher(key);
  }

  /** Encrypt `text`, bound to `context` (the record's key). */
  async seal(text: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
        this.#key,
        encoder.encode(text),
      ),
    );
    const out = new Uint8Array(iv.length + sealed.length);
    out.set(iv);
    out.set(sealed, iv.length);
    return ENCRYPTED + b64url(out);
  }

  /** Decrypt what {@linkcode seal} produced for the same `context`; undefined when it does not open. */
  async open(value: string, context: string): Promise<string | undefined> {
    if (!value.startsWith(ENCRYPTED)) return undefined;
    try {
      const bytes = fromB64url(value.slice(ENCRYPTED.length));
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: encoder.encode(context) },
        this.#key,
        bytes.slice(12),
      );
      return decoder.decode(plain);
    } catch {
      return undefined;
    }
  }
}

/**
 * JSON records of the OAuth client, in a session store, encrypted when a cipher is given.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore } from "../../sessions/kv.ts";
 * import { OAuthRecordStore } from "./token_store.ts";
 * const store = new OAuthRecordStore(new MemoryKeyValueStore(), undefined);
 * await store.set("oauth:github:tokens:_", { access_token: "t" });
 * console.log(await store.get("oauth:github:tokens:_"));
 * ```
 */
export class OAuthRecordStore {
  readonly #kv: KeyValueStore;
  readonly #cipher: TokenCipher | undefined;
  /** Records that would not decrypt, reported once each. */
  readonly #unreadable = new Set<string>();
  /** Called once per key whose record does not decrypt (wrong `TOKEN_ENCRYPTION_KEY`). */
  onUnreadable?: (key: string) => void;

  /** A store over `kv`; `cipher` encrypts every record (required unless `kv` is in memory). */
  constructor(kv: KeyValueStore, cipher: TokenCipher | undefined) {
    this.#kv = kv;
    this.#cipher = cipher;
  }

  /** Whether records are encrypted. */
  get encrypted(): boolean {
    return this.#cipher !== undefined;
  }

  /** The record at `key`, or undefined (missing, expired, or not readable with this key). */
  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.#kv.get(key);
    if (raw === undefined) return undefined;
    let text: string | undefined;
    if (this.#cipher) text = await this.#cipher.open(raw, key);
    else if (raw.startsWith(PLAIN)) text = raw.slice(PLAIN.length);
    if (text === undefined) {
      if (!this.#unreadable.has(key)) {
        this.#unreadable.add(key);
        this.onUnreadable?.(key);
      }
      return undefined;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  /** Store `value` at `key` (`ttlSeconds` > 0 makes it expire). */
  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    const text = JSON.stringify(value);
    const stored = this.#cipher ? await this.#cipher.seal(text, key) : PLAIN + text;
    this.#unreadable.delete(key);
    await this.#kv.set(key, stored, ttlSeconds);
  }

  /** Delete the record at `key`. */
  async delete(key: string): Promise<void> {
    await this.#kv.delete(key);
  }
}

/**
 * The record store for OAuth logins over a session store: encrypted with `TOKEN_ENCRYPTION_KEY`
 * when it is set; without it, only an in-memory store is accepted (a persistent one would keep
 * tokens in clear text), else {@linkcode ConfigError}.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore } from "../../sessions/kv.ts";
 * import { openOAuthRecordStore } from "./token_store.ts";
 * const store = await openOAuthRecordStore(new MemoryKeyValueStore(), () => undefined);
 * console.log(store.encrypted); // false
 * ```
 */
export async function openOAuthRecordStore(
  kv: KeyValueStore,
  env: (name: string) => string | undefined,
): Promise<OAuthRecordStore> {
  const secret = env(TOKEN_KEY_VARIABLE);
  if (secret) return new OAuthRecordStore(kv, await TokenCipher.fromSecret(secret));
  if (kv.provider !== "memory") {
    throw new ConfigError(
      `OAuth tokens are kept in the ${kv.provider} session store and must be encrypted there: set ` +
        `${TOKEN_KEY_VARIABLE} (at least ${MIN_SECRET_LENGTH} characters, e.g. \`openssl rand -base64 32\`)`,
      { file: "<environment>", path: TOKEN_KEY_VARIABLE },
    );
  }
  return new OAuthRecordStore(kv, undefined);
}
