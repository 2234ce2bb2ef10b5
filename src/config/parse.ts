/**
 * Parsing configuration YAML: line numbers for every key, `${VAR}` expansion, then validation.
 * Its own module because the YAML parser is large and only needed when a file is read.
 *
 * @module
 */

import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";
import { type EnvSource, processEnv } from "./env.ts";
import { validateConfig, valueAt } from "./validate.ts";
import { configSchema, type RuntimeConfig } from "./schema.ts";

/**
 * Parse and validate YAML text. Errors name `label` (the file), the key path and the line.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "@chuk/mcp-runtime/config";
 * const config = parseConfigText("server:\n  type: sse\n", "inline.yaml");
 * console.log(config.sse.port); // 8000
 * ```
 */
export function parseConfigText(text: string, label: string, env: EnvSource = processEnv): RuntimeConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
  const raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError("expected a mapping of sections at the top level", { file: label, line: 1 });
  }
  const references: PropertyKey[][] = [];
  expandEnvReferences(raw, [], label, env, (path) => lineOf(nodeRange(doc, path)), references);
  typeReferences(raw, references);
  return validateConfig(raw, label, (path, keyName) => lineOf(nodeRange(doc, path, keyName)));
}

/**
 * A value written as one `${VAR}` reference takes the type its key expects: `port: ${PORT}`
 * is a number, `stateless: ${STATELESS}` a boolean (expansion itself always yields text).
 * Values that do not read as that type are left for validation to report.
 */
function typeReferences(raw: unknown, references: PropertyKey[][]): void {
  if (references.length === 0) return;
  const result = configSchema.safeParse(raw);
  if (result.success) return;
  const same = (a: PropertyKey[], b: PropertyKey[]) => a.length === b.length && a.every((k, i) => k === b[i]);
  for (const issue of result.error.issues) {
    if (issue.code !== "invalid_type" || !references.some((r) => same(r, issue.path))) continue;
    const parent = valueAt(raw, issue.path.slice(0, -1)) as Record<PropertyKey, unknown>;
    const key = issue.path[issue.path.length - 1];
    const text = String(parent[key]).trim();
    if (issue.expected === "number" && /^-?\d+(\.\d+)?$/.test(text)) parent[key] = Number(text);
    if (issue.expected === "boolean" && /^(true|false)$/i.test(text)) {
      parent[key] = text.toLowerCase() === "true";
    }
  }
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
 * Replace `${NAME}` / `${NAME:-default}` in string values; `$${` escapes a literal `${`. The paths
 * of values that were one reference and nothing else are added to `whole`.
 */
function expandEnvReferences(
  value: unknown,
  path: (string | number)[],
  label: string,
  env: EnvSource,
  lineAt: (path: (string | number)[]) => number | undefined,
  whole: PropertyKey[][],
): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    if (/^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/.test(value)) whole.push(path);
    return value.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, esc, name, dflt) => {
      if (esc) return whole.slice(1);
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
    value.forEach((v, i) => (value[i] = expandEnvReferences(v, [...path, i], label, env, lineAt, whole)));
  } else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      obj[k] = expandEnvReferences(obj[k], [...path, k], label, env, lineAt, whole);
    }
  }
  return value;
}
