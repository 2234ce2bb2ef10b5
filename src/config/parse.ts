/**
 * Parsing configuration YAML: line numbers for every key, keys given twice (the last wins, with a
 * warning), `${VAR}` expansion, lenient scalars (`yes`/`no`, `port: "8000"`), then validation.
 * Its own module because the YAML parser is large and only needed when a file is read.
 *
 * @module
 */

import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";
import { coerceScalars } from "./coerce.ts";
import { dropRepeatedKeys } from "./duplicates.ts";
import { type EnvSource, processEnv } from "./env.ts";
import { validateConfig } from "./validate.ts";
import { configSchema, type RuntimeConfig } from "./schema.ts";
import type { ConfigWarning } from "./warnings.ts";

/** A parsed configuration file: the validated config, its warnings, and where each key is. */
export interface ParsedConfig {
  /** The validated configuration, defaults filled. */
  config: RuntimeConfig;
  /** What loads but deserves attention (keys given twice). */
  warnings: ConfigWarning[];
  /** 1-based line of the key at `path` (or of its nearest existing parent). */
  lineOf(path: PropertyKey[]): number | undefined;
}

/** How many alias expansions a config file may make (bounds a "billion laughs" document). */
const MAX_ALIASES = 1000;

/**
 * Parse and validate YAML text, keeping warnings and line numbers. Errors name `label` (the file),
 * the key path and the line.
 *
 * @example
 * ```ts
 * import { parseConfigDocument } from "@chuk/mcp-runtime/config";
 * const { config, warnings } = parseConfigDocument("host: {name: a}\nhost: {name: b}\n", "c.yaml");
 * console.log(config.host.name, warnings[0].message); // b c.yaml:2: host: also given at line 1; ...
 * ```
 */
export function parseConfigDocument(text: string, label: string, env: EnvSource = processEnv): ParsedConfig {
  const lineCounter = new LineCounter();
  // Repeated keys are allowed here and resolved below (the last wins, as in PyYAML).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lineOf = (
    offset: number | undefined,
  ) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new ConfigError(`invalid YAML: ${err.message.split("\n")[0]}`, {
      file: label,
      line: lineOf(err.pos[0]),
    });
  }
  const warnings = dropRepeatedKeys(doc, lineCounter, label);
  let raw;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (e) {
    // The parser refuses documents whose aliases would expand without bound (a "billion laughs").
    if (!(e instanceof ReferenceError)) throw e;
    throw new ConfigError(
      `invalid YAML: too many aliases (${e.message}); a config file needs at most ${MAX_ALIASES} alias expansions`,
      { file: label },
    );
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError("expected a mapping of sections at the top level", { file: label, line: 1 });
  }
  expandEnvReferences(raw, [], label, env, (path) => lineOf(nodeRange(doc, path)));
  coerceScalars(raw, configSchema);
  const config = validateConfig(raw, label, (path, keyName) => lineOf(nodeRange(doc, path, keyName)));
  return { config, warnings, lineOf: (path) => lineOf(nodeRange(doc, path)) };
}

/**
 * Parse and validate YAML text. Errors name `label` (the file), the key path and the line;
 * warnings (keys given twice) go to `onWarning` when given.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "@chuk/mcp-runtime/config";
 * const config = parseConfigText("server:\n  type: sse\n", "inline.yaml");
 * console.log(config.sse.port); // 8000
 * ```
 */
export function parseConfigText(
  text: string,
  label: string,
  env: EnvSource = processEnv,
  onWarning?: (warning: ConfigWarning) => void,
): RuntimeConfig {
  const parsed = parseConfigDocument(text, label, env);
  if (onWarning) parsed.warnings.forEach(onWarning);
  return parsed.config;
}

/** Offset of the node at `path` (or of the key `keyName` inside the map at `path`). */
function nodeRange(
  doc: ReturnType<typeof parseDocument>,
  path: PropertyKey[],
  keyName?: string,
): number | undefined {
  // Walk down as far as the path exists, so a bad value deep inside still gets a nearby line.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (!node || typeof node !== "object") continue;
    if (keyName !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === keyName);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    const range = (node as { range?: [number, number, number] }).range;
    if (range) return range[0];
  }
  return undefined;
}

/**
 * Replace `${NAME}` / `${NAME:-default}` in string values; `$${` escapes a literal `${`. A value
 * that was one reference and nothing else is then typed like any text (see `coerce.ts`):
 * `port: ${PORT}` is a number.
 */
function expandEnvReferences(
  value: unknown,
  path: (string | number)[],
  label: string,
  env: EnvSource,
  lineAt: (path: (string | number)[]) => number | undefined,
): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return value.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (ref, esc, name, dflt) => {
      if (esc) return ref.slice(1);
      const v = env(name);
      if (v !== undefined && v !== "") return v;
      if (dflt !== undefined) return dflt;
      throw new ConfigError(`environment variable ${name} is not set (referenced as \${${name}})`, {
        file: label,
        path: path.join("."),
        line: lineAt(path),
      });
    });
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => (value[i] = expandEnvReferences(v, [...path, i], label, env, lineAt)));
  } else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      obj[k] = expandEnvReferences(obj[k], [...path, k], label, env, lineAt);
    }
  }
  return value;
}
