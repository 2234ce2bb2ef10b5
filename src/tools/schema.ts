/**
 * Schema handling for tools: turn a JSON Schema, zod object or zod shape into the JSON Schema that
 * `tools/list` shows, plus a validator whose errors name the offending field.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import {
  AjvJsonSchemaValidator,
  normalizeObjectSchema,
  safeParseAsync,
  toJsonSchemaCompat,
} from "../sdk/server.ts";
import type { AnyObjectSchema } from "../sdk/server.ts";
import type { JsonObjectSchema, ToolSchema } from "./define.ts";

/** Result of validating arguments. */
export type ValidationResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string };

/** A schema ready to use: its JSON form and a validator. */
export interface CompiledSchema {
  /** The JSON Schema listed to clients. */
  json: JsonObjectSchema;
  /** Validate (and, for zod, transform: defaults, coercions) a value. */
  validate(value: unknown): Promise<ValidationResult>;
}

let ajv: AjvJsonSchemaValidator | undefined;

/**
 * The one JSON Schema validator of the process. Building one (ajv and its formats) costs
 * hundreds of microseconds, and the SDK builds a new one for every `Server` unless given one —
 * in stateless HTTP that is one per request.
 *
 * @example
 * ```ts
 * import { sharedJsonSchemaValidator } from "./schema.ts";
 * console.log(sharedJsonSchemaValidator() === sharedJsonSchemaValidator()); // true
 * ```
 */
export function sharedJsonSchemaValidator(): AjvJsonSchemaValidator {
  return ajv ??= new AjvJsonSchemaValidator();
}

/** What the SDK's `Server` and `Client` take as `jsonSchemaValidator`. */
export type SchemaValidatorProvider = Pick<AjvJsonSchemaValidator, "getValidator">;

/**
 * The shared validator, built on its first use: pass this to an SDK `Server` or `Client`, which
 * would otherwise build ajv in its constructor. Most never validate a schema (a proxied upstream
 * without `outputSchema`, a session that never elicits), and building ajv is tens of
 * milliseconds of the start.
 *
 * @example
 * ```ts
 * import { lazyJsonSchemaValidator } from "./schema.ts";
 * const check = lazyJsonSchemaValidator.getValidator<{ a: number }>({ type: "object" });
 * console.log(check({ a: 1 }).valid); // true
 * ```
 */
export const lazyJsonSchemaValidator: SchemaValidatorProvider = {
  getValidator: (schema) => sharedJsonSchemaValidator().getValidator(schema),
};

function isZodLike(v: unknown): boolean {
  return !!v && typeof v === "object" && ("_zod" in v || "_def" in v);
}

/** A non-empty object whose every value is a zod schema is a raw shape. */
function isZodShape(v: object): boolean {
  const values = Object.values(v);
  return values.length > 0 && values.every(isZodLike);
}

/**
 * Compile a tool schema. `undefined` means "an object with no declared keys".
 *
 * @example
 * ```ts
 * import { compileSchema } from "./schema.ts";
 * const s = compileSchema({ type: "object", properties: { a: { type: "number" } }, required: ["a"] }, "add");
 * console.log(await s.validate({ a: "x" })); // { ok: false, message: "a: must be number" }
 * ```
 */
export function compileSchema(schema: ToolSchema | undefined, owner: string): CompiledSchema {
  if (schema === undefined) return compileJson({ type: "object", properties: {} }, owner);
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new TypeError(`${owner}: schema must be a JSON Schema object, a zod object or a zod shape`);
  }
  if (isZodLike(schema) || isZodShape(schema)) return compileZod(schema, owner);
  return compileJson(schema as JsonObjectSchema, owner);
}

function compileZod(schema: object, owner: string): CompiledSchema {
  const zodSchema = normalizeObjectSchema(schema as AnyObjectSchema) as AnyObjectSchema | undefined;
  if (!zodSchema) throw new TypeError(`${owner}: zod schema must describe an object`);
  const json = toJsonSchemaCompat(zodSchema, {
    strictUnions: true,
    pipeStrategy: "input",
  }) as JsonObjectSchema;
  delete json.$schema;
  if (json.type !== "object") throw new TypeError(`${owner}: zod schema must describe an object`);
  return {
    json,
    async validate(value) {
      const r = await safeParseAsync(zodSchema, value ?? {});
      if (r.success) return { ok: true, value: r.data as Record<string, unknown> };
      return { ok: false, message: zodMessage(r.error) };
    },
  };
}

function zodMessage(error: unknown): string {
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] })?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return String(error);
  return issues
    .map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

function compileJson(schema: JsonObjectSchema, owner: string): CompiledSchema {
  if (schema.type !== undefined && schema.type !== "object") {
    throw new TypeError(`${owner}: inputSchema must have type "object", got ${JSON.stringify(schema.type)}`);
  }
  const json: JsonObjectSchema = { ...schema, type: "object" };
  // Ajv's default draft rejects unknown $schema URIs (2020-12); validation does not need it.
  const { $schema: _drop, ...forAjv } = json;
  const ajv = sharedJsonSchemaValidator();
  let check: ReturnType<AjvJsonSchemaValidator["getValidator"]>;
  try {
    check = ajv.getValidator(forAjv as Parameters<AjvJsonSchemaValidator["getValidator"]>[0]);
  } catch (e) {
    throw new TypeError(`${owner}: invalid JSON Schema: ${errorText(e)}`);
  }
  return {
    json,
    validate(value) {
      const v = value ?? {};
      const r = check(v);
      if (r.valid) return Promise.resolve({ ok: true, value: v as Record<string, unknown> });
      return Promise.resolve({ ok: false, message: ajvMessage(r.errorMessage) });
    },
  };
}

/** Ajv says `data/a must be number, data must have required property 'b'`; make it field-first. */
function ajvMessage(text: string): string {
  return text
    .split(", data")
    .map((part, i) => (i === 0 ? part : "data" + part))
    .map((part) =>
      part
        .replace(/^data\/([^ ]+) /, (_m, p: string) => `${p.replace(/\//g, ".")}: `)
        .replace(/^data must have required property '([^']+)'/, "$1: required property is missing")
        .replace(/^data must NOT have additional properties/, "unexpected extra property")
        .replace(/^data /, "")
    )
    .join("; ");
}
