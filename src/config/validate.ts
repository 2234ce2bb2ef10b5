/**
 * Validating a configuration object (from YAML or from code): defaults filled, and the first
 * problem reported as one message naming the key path, the line and what was expected.
 *
 * @module
 */

import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { configSchema, type RuntimeConfig } from "./schema.ts";

/**
 * Validate a configuration object (from YAML or from code) and fill defaults.
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ server: { type: "streamable-http" } }, "inline");
 * console.log(config["streamable-http"].port); // 3000
 * ```
 */
export function validateConfig(
  raw: unknown,
  label: string,
  lineAt: (path: PropertyKey[], keyName?: string) => number | undefined = () => undefined,
): RuntimeConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const { path, detail, keyName } = describeIssue(issue, raw);
  const more = result.error.issues.length > 1
    ? ` (and ${result.error.issues.length - 1} more problem(s))`
    : "";
  throw new ConfigError(detail + more, {
    file: label,
    path: path.map(String).join(".") || undefined,
    line: lineAt(keyName !== undefined ? path.slice(0, -1) : path, keyName),
  });
}

/** The value at `path` inside `root` (undefined when the path does not exist). */
export function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  raw: unknown,
): { path: PropertyKey[]; detail: string; keyName?: string } {
  const path = [...issue.path];
  const got = valueAt(raw, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0];
      const allowed = allowedKeys(path);
      return {
        path: [...path, key],
        keyName: key,
        detail: `unknown key '${key}'${allowed ? `; expected one of: ${allowed.join(", ")}` : ""}`,
      };
    }
    case "invalid_value":
      return {
        path,
        detail: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${show(got)}`,
      };
    case "invalid_type":
      return { path, detail: `expected ${article(issue.expected)}, got ${show(got)}` };
    case "too_small": {
      const bound = `${issue.inclusive === false ? ">" : ">="} ${issue.minimum}`;
      const what = issue.origin === "string"
        ? "a non-empty string"
        : issue.origin === "array"
        ? `a list of ${bound} item(s)`
        : `a value ${bound}`;
      return { path, detail: `expected ${what}, got ${show(got)}` };
    }
    case "too_big": {
      const bound = `${issue.inclusive === false ? "<" : "<="} ${issue.maximum}`;
      return { path, detail: `expected a value ${bound}, got ${show(got)}` };
    }
    case "invalid_key": {
      // A record key that its schema refuses (a view name with a space): the key's own message.
      const key = path[path.length - 1];
      const inner = issue.issues[0]?.message ?? issue.message;
      return { path, keyName: String(key), detail: `${inner}, got the key ${JSON.stringify(key)}` };
    }
    case "invalid_format": {
      if (issue.format === "regex") return { path, detail: `${issue.message}, got ${show(got)}` };
      const what = issue.format === "url"
        ? "a URL"
        : issue.format === "starts_with"
        ? `a string starting with ${JSON.stringify((issue as { prefix?: string }).prefix ?? "")}`
        : issue.format;
      return { path, detail: `expected ${what}, got ${show(got)}` };
    }
    default:
      return { path, detail: `${issue.message}, got ${show(got)}` };
  }
}

function article(type: string): string {
  if (type === "object" || type === "record") return "a mapping";
  if (type === "array") return "a list";
  if (type === "int") return "an integer";
  return `a ${type}`;
}

/** The keys a strict object at `path` accepts, for "expected one of" hints. */
function allowedKeys(path: PropertyKey[]): string[] | undefined {
  // deno-lint-ignore no-explicit-any
  let schema: any = configSchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (schema?.def?.type === "object") schema = schema.shape[key as string];
    else if (schema?.def?.type === "record") schema = schema.def.valueType;
    else return undefined;
  }
  schema = unwrap(schema);
  return schema?.def?.type === "object" ? Object.keys(schema.shape) : undefined;
}

// deno-lint-ignore no-explicit-any
function unwrap(schema: any): any {
  while (schema && ["default", "prefault", "optional", "nullable", "pipe"].includes(schema.def?.type)) {
    schema = schema.def.type === "pipe" ? schema.def.in : schema.def.innerType;
  }
  return schema;
}
