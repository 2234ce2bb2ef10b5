/**
 * Who may see and call what: the `access` rules (globs over exposed names, matched against the
 * caller's verified JWT claims) and the `views` (focused subsets, each its own endpoint). Pure
 * decisions; the core's dispatch applies them to every list and every lookup by name.
 *
 * - A view, when the caller came through one, must contain the name.
 * - A caller without a token (stdio, `server.auth: none`) gets `access.default` for every name.
 * - Otherwise every rule whose globs cover the name must be satisfied by the caller's claims; a
 *   name no rule covers gets `access.default`. (Every covering rule must hold, so adding a rule
 *   never widens access.)
 * - A claim is satisfied when one of its values is accepted: a string claim with spaces (`scope`)
 *   is split into values, an array claim gives its elements. A claim name with dots that is not a
 *   claim of its own is looked up as a path (`realm_access.roles`).
 *
 * @module
 */

import type { UserIdentity } from "../auth/types.ts";
import type { AccessConfig, AccessRuleConfig, ViewConfig } from "../config/types.ts";
import { type GlobMatcher, globMatcher } from "../util/glob.ts";

/** What kind of name is judged. */
export type ItemKind = "tool" | "prompt" | "resource";

/**
 * Who is asking, as far as access goes: the verified identity (none without a token) and the
 * view whose endpoint the request came to.
 *
 * @example
 * ```ts
 * import type { Caller } from "./access.ts";
 * const caller: Caller = { user: { id: "alice", claims: { role: "ops" } }, view: "math" };
 * ```
 */
export interface Caller {
  /** The authenticated caller; `undefined` without a token. */
  readonly user?: UserIdentity;
  /** The view the request came through; `undefined` for the full surface. */
  readonly view?: string;
}

/** A decision, and for a refusal the reason the audit log gives. */
export type Verdict = { allowed: true } | { allowed: false; why: string };

interface Rule {
  readonly index: number;
  readonly covers: Record<ItemKind, GlobMatcher>;
  readonly claims: [string, Set<string>][];
}

interface View {
  readonly covers: Record<ItemKind, GlobMatcher>;
}

const ALLOWED: Verdict = { allowed: true };
const NONE: GlobMatcher = () => false;
/** Names whose covering rules are remembered (names come from the registry; URIs from clients). */
const MAX_CACHED = 10_000;

function matchers(globs: { tools?: string[]; prompts?: string[]; resources?: string[] }) {
  return {
    tool: globs.tools ? globMatcher(globs.tools) : NONE,
    prompt: globs.prompts ? globMatcher(globs.prompts) : NONE,
    resource: globs.resources ? globMatcher(globs.resources) : NONE,
  };
}

function ruleOf(rule: AccessRuleConfig, index: number): Rule {
  return {
    index,
    covers: matchers(rule),
    claims: Object.entries(rule.claims).map(([k, vs]) => [k, new Set(vs.map(String))]),
  };
}

/** The values a claim carries: split on whitespace (`scope`), elements of an array, else itself. */
function claimValues(claims: Readonly<Record<string, unknown>>, name: string): string[] {
  let v: unknown = claims[name];
  if (v === undefined && name.includes(".")) {
    v = claims;
    for (const part of name.split(".")) {
      v = v !== null && typeof v === "object" && !Array.isArray(v)
        ? (v as Record<string, unknown>)[part]
        : undefined;
    }
  }
  const scalar = (x: unknown): string[] =>
    typeof x === "string"
      ? x.split(/\s+/).filter(Boolean)
      : typeof x === "number" || typeof x === "boolean"
      ? [String(x)]
      : [];
  return Array.isArray(v) ? v.flatMap(scalar) : scalar(v);
}

/**
 * The access rules and views of a configuration, ready to judge names.
 *
 * @example
 * ```ts
 * import { AccessPolicy } from "./access.ts";
 * const policy = new AccessPolicy(
 *   { default: "allow", rules: [{ tools: ["admin_*"], claims: { role: ["admin"] } }] },
 *   { math: { tools: ["add", "mul"], prompts: [], resources: [] } },
 * );
 * const bob = { id: "bob", claims: { role: "user" } };
 * console.log(policy.judge("tool", "admin_reset", { user: bob })); // { allowed: false, why: ... }
 * console.log(policy.judge("tool", "add", { user: bob, view: "math" }).allowed); // true
 * ```
 */
export class AccessPolicy {
  /** `access.default`. */
  readonly defaultAllows: boolean;
  readonly #rules: Rule[];
  readonly #views = new Map<string, View>();
  readonly #covering = new Map<string, Rule[]>();

  /** The policy of `access` and `views`. */
  constructor(access: AccessConfig, views: Record<string, ViewConfig> = {}) {
    this.defaultAllows = access.default === "allow";
    this.#rules = access.rules.map(ruleOf);
    for (const [name, view] of Object.entries(views)) this.#views.set(name, { covers: matchers(view) });
  }

  /** Whether this policy lets everyone see everything outside views (no rules, default allow). */
  get open(): boolean {
    return this.defaultAllows && this.#rules.length === 0;
  }

  /** Whether `name` is a configured view. */
  hasView(name: string): boolean {
    return this.#views.has(name);
  }

  /** May `caller` see (and use) the `kind` named `name` (an exposed name, or a URI)? */
  judge(kind: ItemKind, name: string, caller: Caller): Verdict {
    if (caller.view !== undefined) {
      const view = this.#views.get(caller.view);
      if (!view?.covers[kind](name)) return { allowed: false, why: `not in view '${caller.view}'` };
    }
    if (this.open) return ALLOWED;
    const byDefault: Verdict = this.defaultAllows
      ? ALLOWED
      : { allowed: false, why: caller.user ? "access.default is deny" : "access.default is deny (no token)" };
    if (!caller.user) return byDefault;
    const rules = this.#rulesCovering(kind, name);
    if (rules.length === 0) return byDefault;
    const claims = caller.user.claims;
    for (const rule of rules) {
      for (const [claim, accepted] of rule.claims) {
        if (!claimValues(claims, claim).some((v) => accepted.has(v))) {
          return {
            allowed: false,
            why: `access.rules[${rule.index}] needs ${claim} in [${[...accepted].join(", ")}]`,
          };
        }
      }
    }
    return ALLOWED;
  }

  #rulesCovering(kind: ItemKind, name: string): Rule[] {
    const key = `${kind}\n${name}`;
    let found = this.#covering.get(key);
    if (!found) {
      found = this.#rules.filter((r) => r.covers[kind](name));
      if (this.#covering.size >= MAX_CACHED) this.#covering.clear();
      this.#covering.set(key, found);
    }
    return found;
  }
}
