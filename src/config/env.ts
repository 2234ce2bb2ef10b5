/**
 * Environment access in one place: reads never throw (a run without `--allow-env` for a variable
 * just sees it unset), and `.env` files are loaded without overriding what is already set.
 *
 * @module
 */

/** A read-only view of environment variables; tests pass plain objects. */
export type EnvSource = (name: string) => string | undefined;

/**
 * The process environment as an {@linkcode EnvSource}. Unreadable variables (no permission) read
 * as unset instead of throwing deep inside startup.
 *
 * @example
 * ```ts
 * import { processEnv } from "@chuk/mcp-runtime/config";
 * const level = processEnv("CHUK_MCP_LOG_LEVEL") ?? "INFO";
 * ```
 */
export const processEnv: EnvSource = (name): string | undefined => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/**
 * An {@linkcode EnvSource} over a plain object (for tests and embedding).
 *
 * @example
 * ```ts
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * const env = envFromObject({ MCP_TOOL_TIMEOUT: "5" });
 * env("MCP_TOOL_TIMEOUT"); // "5"
 * ```
 */
export function envFromObject(values: Record<string, string | undefined>): EnvSource {
  return (name) => values[name];
}

/**
 * Parse the text of a `.env` file: `KEY=value` lines, optional `export `, `#` comments, single or
 * double quotes (double quotes understand `\n`), inline comments after unquoted values.
 *
 * @example
 * ```ts
 * import { parseDotEnv } from "@chuk/mcp-runtime/config";
 * parseDotEnv('A=1\nexport B="two words" # note'); // { A: "1", B: "two words" }
 * ```
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, rest] = m;
    let value = rest;
    if (value.startsWith('"')) {
      const end = findClosingQuote(value, '"');
      value = value.slice(1, end).replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    } else if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = value.slice(1, end === -1 ? undefined : end);
    } else {
      value = value.replace(/\s+#.*$/, "").trim();
    }
    out[key] = value;
  }
  return out;
}

function findClosingQuote(s: string, q: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === q) return i;
  }
  return s.length;
}

/**
 * Load `<dir>/.env` into the process environment; variables already set win. Returns the names
 * that were set. A missing or unreadable file is not an error.
 *
 * @example
 * ```ts
 * import { loadDotEnv } from "@chuk/mcp-runtime/config";
 * const names = loadDotEnv(Deno.cwd());
 * ```
 */
export function loadDotEnv(dir: string): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${dir}/.env`);
  } catch {
    return [];
  }
  const set: string[] = [];
  for (const [key, value] of Object.entries(parseDotEnv(text))) {
    try {
      if (Deno.env.get(key) === undefined) {
        Deno.env.set(key, value);
        set.push(key);
      }
    } catch {
      // No env permission for this name: leave it.
    }
  }
  return set;
}
