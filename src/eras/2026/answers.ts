/**
 * The client's answers to `input_required` rounds (`inputResponses`), checked against what was
 * asked before a handler sees them: an elicitation answer must be an `ElicitResult`, a sampling
 * answer a `CreateMessageResult`, a roots answer a `ListRootsResult` (the SDK's schemas, the same
 * the 2025 wire checks real answers with).
 *
 * @module
 */

import type { AnswerCheck, InputRequest } from "../../core/input.ts";
import { CreateMessageResultSchema, ElicitResultSchema, ListRootsResultSchema } from "../../sdk/types.ts";

const SCHEMAS = {
  "elicitation/create": ElicitResultSchema,
  "sampling/createMessage": CreateMessageResultSchema,
  "roots/list": ListRootsResultSchema,
} as const;

/**
 * Check one answer against its question.
 *
 * @example
 * ```ts
 * import { checkAnswer } from "./answers.ts";
 * const r = checkAnswer({ method: "roots/list" }, { roots: [] });
 * console.log(r.ok); // true
 * ```
 */
export const checkAnswer: AnswerCheck = (request: InputRequest, answer: unknown) => {
  const schema = SCHEMAS[request.method];
  const parsed = schema.safeParse(answer);
  if (parsed.success) return { ok: true, value: answer };
  const issue = parsed.error.issues[0];
  const where = issue?.path?.length ? ` at ${issue.path.join(".")}` : "";
  return {
    ok: false,
    message: `not a valid ${request.method} result${where}: ${issue?.message ?? "invalid"}`,
  };
};
