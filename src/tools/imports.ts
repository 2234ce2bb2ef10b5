/**
 * The local files a module imports statically, found from its text: Deno checks read access for
 * every file of a dynamically imported module's graph, not only the module itself.
 *
 * @module
 */

import { dirname, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";

// `import x from "…"`, `export { x } from "…"`, `import "…"`; `import type` is erased before
// the graph is loaded, so it needs no access. Specifiers in comments may over-grant a sibling
// file, never under-grant.
const STATIC_IMPORT =
  /(?:^|[;\n}])\s*(?:import(?!\s+type\b)(?:\s[^'";]*?\sfrom)?|export(?!\s+type\b)\s[^'";]*?\sfrom)\s*["']([^"'\n]+)["']/g;

/**
 * The runtime's own code (its `src/` and its entry files): a module that imports it gets the copy
 * the running program already loaded, which needs no grant. Unset when the runtime is not files.
 */
const RUNTIME_ROOT = import.meta.url.startsWith("file:")
  ? fileURLToPath(new URL("../../", import.meta.url))
  : undefined;

function isRuntimeCode(file: string): boolean {
  if (RUNTIME_ROOT === undefined || !file.startsWith(RUNTIME_ROOT)) return false;
  const rest = file.slice(RUNTIME_ROOT.length);
  return rest.startsWith("src/") || (!rest.includes("/") && rest.endsWith(".ts"));
}

/** The most files followed from one module: a guard against a huge or generated tree. */
const MAX_FILES = 2000;

/**
 * Every local file reached by static imports from `file` (not `file` itself, nor the runtime's own
 * code), depth first.
 * Files that cannot be read end that branch (the import fails later with Deno's own message).
 *
 * @example
 * ```ts
 * import { localImports } from "./imports.ts";
 * console.log(localImports("/srv/app/tools.ts")); // ["/srv/app/lib/helper.ts", …]
 * ```
 */
export function localImports(file: string): string[] {
  const seen = new Set<string>([file]);
  const found: string[] = [];
  const stack = [file];
  while (stack.length > 0 && seen.size < MAX_FILES) {
    const current = stack.pop()!;
    let text: string;
    try {
      text = Deno.readTextFileSync(current);
    } catch {
      continue;
    }
    if (current.endsWith(".json")) continue;
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const target = localTarget(match[1], current);
      if (target === undefined || seen.has(target) || isRuntimeCode(target)) continue;
      seen.add(target);
      found.push(target);
      stack.push(target);
    }
  }
  return found;
}

/** The file a specifier names when it is local (relative, absolute or `file:`), else undefined. */
function localTarget(specifier: string, from: string): string | undefined {
  if (specifier.startsWith("file:")) {
    try {
      return fileURLToPath(specifier);
    } catch {
      return undefined;
    }
  }
  if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/")) {
    return resolvePath(dirname(from), specifier.split(/[?#]/)[0]);
  }
  return undefined;
}
