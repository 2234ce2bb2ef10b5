/**
 * How proxied tools and prompts are named (the reference README's naming matrix), in one place.
 *
 * | setting                                   | names listed for tool `t` of server `s`   |
 * |-------------------------------------------|-------------------------------------------|
 * | default                                   | `<ns>.s.t`                                |
 * | `keep_root_aliases`                       | `<ns>.s.t`, `t`                           |
 * | `openai_compatible`                       | `s_t`                                     |
 * | `openai_compatible` + `only_openai_tools` | `s_t`                                     |
 * | `openai_compatible` + `keep_root_aliases` | `s_t`, `t`                                |
 *
 * With `openai_compatible` no dotted name is listed: a client that hands the list to OpenAI must
 * never see one (`only_openai_tools` is accepted and changes nothing).
 *
 * OpenAI-style names replace every character outside `[A-Za-z0-9_-]` with `_`. Any name longer
 * than 64 characters (the limit of OpenAI and Claude) is shortened deterministically: its first
 * 55 characters, `_`, and the first 8 hex digits of the SHA-256 of the full name — so two long
 * names never collapse into one.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** The naming flags (the `proxy:` section). */
export interface NamingOptions {
  /** Prefix of namespaced names (`proxy`). */
  namespace: string;
  /** Also list the bare tool name. */
  keepRootAliases: boolean;
  /** List `<server>_<tool>` (OpenAI-safe) instead of the namespaced name. */
  openaiCompatible: boolean;
  /** The reference's "only the underscore names": what `openaiCompatible` does already. */
  onlyOpenaiTools: boolean;
}

/** One listed name and what kind of name it is. */
export interface ListedName {
  /** The name as listed. */
  name: string;
  /** Which naming rule made it. */
  kind: "namespaced" | "openai" | "root";
}

/** Longest name listed. */
export const MAX_NAME_LENGTH = 64;

/**
 * Shorten a name to at most 64 characters, deterministically (see the module doc).
 *
 * @example
 * ```ts
 * import { shortenName } from "@chuk/mcp-runtime/proxy";
 * shortenName("a".repeat(80)).length; // 64
 * ```
 */
export function shortenName(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME_LENGTH - 9)}_${hash}`;
}

/**
 * The OpenAI-compatible form of a name: characters outside `[A-Za-z0-9_-]` become `_`.
 *
 * @example
 * ```ts
 * import { toOpenAIName } from "@chuk/mcp-runtime/proxy";
 * toOpenAIName("time.get-current time"); // "time_get-current_time"
 * ```
 */
export function toOpenAIName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * Why root alias `alias` of upstream `server` may not be listed, if it may not: an alias inside
 * the proxy namespace (`<ns>.…`), or shaped like another upstream's OpenAI-style names
 * (`<other>_…`, with `openai_compatible`), would pass for a name of another upstream.
 *
 * @example
 * ```ts
 * import { aliasSpoof } from "@chuk/mcp-runtime/proxy";
 * const naming = { namespace: "proxy", keepRootAliases: true, openaiCompatible: false, onlyOpenaiTools: false };
 * aliasSpoof("proxy.victim.echo", "attacker", ["attacker", "victim"], naming); // "is inside the proxy namespace"
 * aliasSpoof("echo", "attacker", ["attacker", "victim"], naming); // undefined
 * ```
 */
export function aliasSpoof(
  alias: string,
  server: string,
  servers: readonly string[],
  options: NamingOptions,
): string | undefined {
  if (alias.startsWith(`${options.namespace}.`)) {
    return `is inside the proxy namespace '${options.namespace}.'`;
  }
  if (options.openaiCompatible) {
    const other = servers.find((s) => s !== server && alias.startsWith(toOpenAIName(`${s}_`)));
    if (other !== undefined) return `looks like a name of upstream '${other}'`;
  }
  return undefined;
}

/**
 * Every name under which tool (or prompt) `item` of upstream `server` is listed, in order of
 * precedence (namespaced first).
 *
 * @example
 * ```ts
 * import { proxiedNames } from "@chuk/mcp-runtime/proxy";
 * proxiedNames("time", "get_time", {
 *   namespace: "proxy", keepRootAliases: true, openaiCompatible: false, onlyOpenaiTools: false,
 * }); // [{ name: "proxy.time.get_time", kind: "namespaced" }, { name: "get_time", kind: "root" }]
 * ```
 */
export function proxiedNames(server: string, item: string, options: NamingOptions): ListedName[] {
  const out: ListedName[] = [];
  if (options.openaiCompatible) {
    out.push({ name: shortenName(toOpenAIName(`${server}_${item}`)), kind: "openai" });
  } else {
    out.push({ name: shortenName(`${options.namespace}.${server}.${item}`), kind: "namespaced" });
  }
  if (options.keepRootAliases) out.push({ name: shortenName(item), kind: "root" });
  // A server and tool whose names make the forms coincide list it once.
  return out.filter((n, i) => out.findIndex((m) => m.name === n.name) === i);
}
