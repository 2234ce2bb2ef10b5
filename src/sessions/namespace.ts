/**
 * Key namespacing: every key the runtime writes starts with `{ENVIRONMENT}:{DEPLOYMENT_ID}:`, so
 * several environments or deployments can share one Redis without seeing each other's keys.
 *
 * @module
 */

import { type EnvSource, processEnv } from "../config/env.ts";
import type { KeyValueStore } from "./kv.ts";

/**
 * The key prefix for this process: `{ENVIRONMENT}:{DEPLOYMENT_ID}:` (`ENV` is read when
 * `ENVIRONMENT` is unset; defaults `dev` and `default`; a `:` or `%` inside either is written
 * `%3A` / `%25`, so two deployments never share a prefix).
 *
 * @example
 * ```ts
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * import { keyNamespace } from "@chuk/mcp-runtime/sessions";
 * keyNamespace(envFromObject({ ENVIRONMENT: "prod", DEPLOYMENT_ID: "us-east-1" })); // "prod:us-east-1:"
 * keyNamespace(envFromObject({})); // "dev:default:"
 * ```
 */
export function keyNamespace(env: EnvSource = processEnv): string {
  const environment = env("ENVIRONMENT") || env("ENV") || "dev";
  const deployment = env("DEPLOYMENT_ID") || "default";
  return `${escapePart(environment)}:${escapePart(deployment)}:`;
}

/** `%` and `:` escaped, so `a:b` + `c` and `a` + `b:c` make different prefixes. */
function escapePart(part: string): string {
  return part.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"));
}

/**
 * A view of a store in which every key is prefixed. Callers use short keys (`session:abc`); the
 * provider sees `dev:default:session:abc`.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore, NamespacedKeyValueStore } from "@chuk/mcp-runtime/sessions";
 * const raw = new MemoryKeyValueStore();
 * const kv = new NamespacedKeyValueStore(raw, "prod:eu:");
 * await kv.set("session:abc", "{}", 60);
 * console.log(await raw.get("prod:eu:session:abc")); // "{}"
 * ```
 */
export class NamespacedKeyValueStore implements KeyValueStore {
  /** The store underneath (its keys carry the prefix). */
  readonly inner: KeyValueStore;
  /** The prefix, e.g. `dev:default:`. */
  readonly prefix: string;

  /** A view of `inner` in which every key starts with `prefix` (e.g. `dev:default:`). */
  constructor(inner: KeyValueStore, prefix: string) {
    this.inner = inner;
    this.prefix = prefix;
  }

  get provider(): string {
    return this.inner.provider;
  }

  get(key: string): Promise<string | undefined> {
    return this.inner.get(this.prefix + key);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    return this.inner.set(this.prefix + key, value, ttlSeconds);
  }

  delete(key: string): Promise<boolean> {
    return this.inner.delete(this.prefix + key);
  }

  expire(key: string, ttlSeconds: number): Promise<void> {
    return this.inner.expire(this.prefix + key, ttlSeconds);
  }

  addToSet(key: string, member: string, ttlSeconds?: number): Promise<void> {
    return this.inner.addToSet(this.prefix + key, member, ttlSeconds);
  }

  removeFromSet(key: string, member: string): Promise<void> {
    return this.inner.removeFromSet(this.prefix + key, member);
  }

  members(key: string): Promise<string[]> {
    return this.inner.members(this.prefix + key);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
