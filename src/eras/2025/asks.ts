/**
 * What a 2025-era connection asks of its client (`sampling/createMessage`, `elicitation/create`,
 * `roots/list`): the checks MCP puts on such a request before it is sent, and on the answer when
 * it comes back. The SDK's `Server` made the same checks; they are kept, with the same messages,
 * so a tool or a proxied upstream sees what it saw before.
 *
 * @module
 */

import { ErrorCode, ProtocolError } from "../../errors.ts";
import type { ClientCapabilities } from "../../protocol.ts";
import type { AnySchema } from "../../sdk/server.ts";
import {
  CreateMessageResultSchema,
  CreateMessageResultWithToolsSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
} from "../../sdk/types.ts";
import { lazyJsonSchemaValidator } from "../../tools/schema.ts";
import { checked } from "./checked.ts";

/** A method a server may ask of its client. */
export type AskMethod = "sampling/createMessage" | "elicitation/create" | "roots/list";

type Content = { type?: unknown; id?: unknown; toolUseId?: unknown };

function contentOf(message: unknown): Content[] {
  const content = (message as { content?: unknown } | undefined)?.content;
  return (Array.isArray(content) ? content : [content]).filter((c) =>
    c && typeof c === "object"
  ) as Content[];
}

/**
 * Check a `sampling/createMessage` before it is sent: tools need the client's `sampling.tools`,
 * and `tool_result` blocks must answer the `tool_use` blocks of the message before.
 *
 * @example
 * ```ts
 * import { checkSampling } from "./asks.ts";
 * checkSampling({ messages: [], maxTokens: 10 }, { sampling: {} }); // passes
 * ```
 */
export function checkSampling(params: Record<string, unknown>, client: ClientCapabilities | undefined): void {
  const sampling = client?.sampling as { tools?: unknown } | undefined;
  if ((params.tools || params.toolChoice) && !sampling?.tools) {
    throw new Error("Client does not support sampling tools capability.");
  }
  const messages = Array.isArray(params.messages) ? params.messages : [];
  if (messages.length === 0) return;
  const last = contentOf(messages[messages.length - 1]);
  const previous = messages.length > 1 ? contentOf(messages[messages.length - 2]) : [];
  const previousUses = previous.filter((c) => c.type === "tool_use");
  if (last.some((c) => c.type === "tool_result")) {
    if (last.some((c) => c.type !== "tool_result")) {
      throw new Error("The last message must contain only tool_result content if any is present");
    }
    if (previousUses.length === 0) {
      throw new Error("tool_result blocks are not matching any tool_use from the previous message");
    }
  }
  if (previousUses.length > 0) {
    const uses = new Set(previousUses.map((c) => c.id));
    const results = new Set(last.filter((c) => c.type === "tool_result").map((c) => c.toolUseId));
    if (uses.size !== results.size || ![...uses].every((id) => results.has(id))) {
      throw new Error("ids of tool_result blocks and tool_use blocks from previous message do not match");
    }
  }
}

/**
 * The `elicitation/create` params to send (a form request names its mode), after checking that
 * the client declared the mode.
 *
 * @example
 * ```ts
 * import { elicitationFor } from "./asks.ts";
 * const p = elicitationFor({ message: "Name?", requestedSchema: { type: "object" } }, { elicitation: { form: {} } });
 * console.log(p.mode); // "form"
 * ```
 */
export function elicitationFor(
  params: Record<string, unknown>,
  client: ClientCapabilities | undefined,
): Record<string, unknown> {
  const elicitation = client?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if ((params.mode ?? "form") === "url") {
    if (!elicitation?.url) throw new Error("Client does not support url elicitation.");
    return params;
  }
  if (!elicitation?.form) throw new Error("Client does not support form elicitation.");
  return params.mode === "form" ? params : { ...params, mode: "form" };
}

/**
 * Check an accepted form elicitation's content against the schema it was asked with.
 *
 * @example
 * ```ts
 * import { checkElicited } from "./asks.ts";
 * checkElicited({ mode: "form", message: "?", requestedSchema: { type: "object" } }, { action: "decline" });
 * ```
 */
export function checkElicited(params: Record<string, unknown>, result: Record<string, unknown>): void {
  if (params.mode === "url" || result.action !== "accept" || !result.content || !params.requestedSchema) {
    return;
  }
  let outcome;
  try {
    outcome = lazyJsonSchemaValidator.getValidator(params.requestedSchema as never)(result.content);
  } catch (e) {
    throw new ProtocolError(
      ErrorCode.InternalError,
      `Error validating elicitation response: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!outcome.valid) {
    throw new ProtocolError(
      ErrorCode.InvalidParams,
      `Elicitation response content does not match requested schema: ${outcome.errorMessage}`,
    );
  }
}

/**
 * The client's answer to `method`, checked against MCP's schema of it (parsed as the SDK parses
 * it); a malformed answer is a {@linkcode ProtocolError} naming the first bad field.
 *
 * @example
 * ```ts
 * import { answerOf } from "./asks.ts";
 * console.log(answerOf("roots/list", {}, { roots: [] })); // { roots: [] }
 * ```
 */
export function answerOf(
  method: AskMethod,
  params: Record<string, unknown> | undefined,
  result: Record<string, unknown>,
): Record<string, unknown> {
  const schema: AnySchema = method === "roots/list"
    ? ListRootsResultSchema
    : method === "elicitation/create"
    ? ElicitResultSchema
    : params?.tools
    ? CreateMessageResultWithToolsSchema
    : CreateMessageResultSchema;
  return checked(schema, result, { what: `result for ${method}`, field: "result" }) as Record<
    string,
    unknown
  >;
}
