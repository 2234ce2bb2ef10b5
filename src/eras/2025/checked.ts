/**
 * A value checked against one of MCP's schemas (the SDK's), with a failure told in one line:
 * the params of a request from the client, the result of a request of ours.
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../../errors.ts";
import { type AnySchema, safeParse } from "../../sdk/server.ts";

/**
 * `value` as `schema` parses it; else a {@linkcode ProtocolError} (-32602)
 * `Invalid <what>: '<first bad field>': <why>`, the field's path read below `root` (the key the
 * schema wraps the checked part in) and `field` when it is the whole of it.
 *
 * @example
 * ```ts
 * import { checked } from "./checked.ts";
 * import { ListRootsResultSchema } from "../../sdk/types.ts";
 * checked(ListRootsResultSchema, { roots: [] }, { what: "result for roots/list", field: "result" });
 * ```
 */
export function checked(
  schema: AnySchema,
  value: unknown,
  options: { what: string; field: string; root?: string },
): unknown {
  const parsed = safeParse(schema, value);
  if (parsed.success) return parsed.data;
  const issue = (parsed.error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
  const path = issue?.path.filter((k, i) => !(i === 0 && k === options.root)).join(".") || options.field;
  throw new ProtocolError(
    ErrorCode.InvalidParams,
    `Invalid ${options.what}: '${path}': ${issue?.message ?? "not what it takes"}`,
  );
}
