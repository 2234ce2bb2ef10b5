/**
 * Globs over names and URIs, as the configuration writes them (`include_tools`, `access.rules`,
 * `views`): `*` stands for any run of characters — dots and slashes included, so `proxy.fs.*`
 * and `file:///docs/*` mean what they say — and `?` for exactly one; everything else is literal.
 *
 * @module
 */

/** Tells whether a name matches any of a list of globs. */
export type GlobMatcher = (name: string) => boolean;

function source(glob: string): string {
  let out = "";
  for (const ch of glob) {
    if (ch === "*") out += "[\\s\\S]*";
    else if (ch === "?") out += "[\\s\\S]";
    else out += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}

/**
 * One matcher for `globs` (compiled once; an empty list matches nothing).
 *
 * @example
 * ```ts
 * import { globMatcher } from "./glob.ts";
 * const isMath = globMatcher(["proxy.math.*", "add?"]);
 * console.log(isMath("proxy.math.sum"), isMath("add2"), isMath("proxy.time.now")); // true true false
 * ```
 */
export function globMatcher(globs: readonly string[]): GlobMatcher {
  if (globs.length === 0) return () => false;
  if (globs.includes("*")) return () => true;
  const re = new RegExp(`^(?:${globs.map(source).join("|")})$`, "u");
  return (name) => re.test(name);
}
