/**
 * The requests the proxy forwards to an upstream — `tools/call` (on the fast lane, `raw.ts`),
 * `resources/read`, `prompts/get`, `completion/complete` — and how their answers and failures
 * come back: results pass through untouched, protocol errors of the upstream come back as the
 * same errors, a timeout or a broken connection becomes a tool error.
 *
 * @module
 */

import type { RequestContext } from "../core/context.ts";
import type { CompletionValues } from "../core/registry.ts";
import { ErrorCode, errorText, ProtocolError, ToolTimeoutError } from "../errors.ts";
import type { CallToolResult, GetPromptResult, ReadResourceResult } from "../protocol.ts";
import type { Client } from "../sdk/client.ts";
import { sdkResult } from "../sdk/errors.ts";
import { CompleteResultSchema, GetPromptResultSchema, ReadResourceResultSchema } from "../sdk/types.ts";
import { toolErrorResult } from "../tools/result.ts";
import type { RawCalls } from "./raw.ts";

/** A `completion/complete` request, its reference in the upstream's names. */
export interface CompletionRequest {
  /** The prompt or template whose argument is completed. */
  ref: { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string };
  /** The argument's name. */
  argument: string;
  /** What was typed so far. */
  value: string;
  /** The other arguments' values. */
  context: { arguments?: Record<string, string> };
}

/** Downstream `_meta` without the progress token (the upstream request carries its own). */
function forwardedMeta(ctx: RequestContext): Record<string, unknown> | undefined {
  if (!ctx.meta) return undefined;
  const { progressToken: _drop, ...rest } = ctx.meta;
  return Object.keys(rest).length ? rest : undefined;
}

/** SDK request options: the call's signal, its timeout, and its progress passed on. */
function requestOptions(ctx: RequestContext, timeoutSeconds: number) {
  const timeout = timeoutSeconds > 0 ? timeoutSeconds * 1000 : 2 ** 31 - 1;
  return {
    signal: ctx.signal,
    timeout,
    resetTimeoutOnProgress: false,
    ...(ctx.progressToken !== undefined
      ? {
        onprogress: (p: { progress: number; total?: number; message?: string }) => {
          void ctx.sendProgress(p.progress, p.total, p.message);
        },
      }
      : {}),
  };
}

/** Whether `e` says an answer did not match its result schema (the SDK rejects with the zod error). */
function isInvalidResult(e: unknown): boolean {
  return Array.isArray((e as { issues?: unknown } | null)?.issues);
}

/**
 * Whether an error means the connection (not the server's answer) failed.
 *
 * @example
 * ```ts
 * import { isConnectionFailure } from "./requests.ts";
 * import { ErrorCode, ProtocolError } from "../errors.ts";
 * isConnectionFailure(new ProtocolError(ErrorCode.ConnectionClosed, "Connection closed")); // true
 * ```
 */
export function isConnectionFailure(e: unknown): boolean {
  // A closed transport is -32000 "Connection closed"; servers may use -32000 for their own
  // errors, so the message decides.
  if (e instanceof ProtocolError) {
    return e.code === ErrorCode.ConnectionClosed && /connection closed/i.test(e.message);
  }
  return !isInvalidResult(e);
}

/**
 * What is wrong with a `tools/call` result, if anything — the shape checks the downstream needs
 * (content blocks with a type, an object for structuredContent), not a full schema validation:
 * the upstream answered, the client will validate what it uses.
 */
function callToolResultProblem(r: Record<string, unknown>): string | undefined {
  if (r.content !== undefined) {
    if (!Array.isArray(r.content)) return "content is not a list";
    for (const c of r.content) {
      if (!c || typeof c !== "object" || typeof (c as { type?: unknown }).type !== "string") {
        return "a content block has no type";
      }
    }
  }
  if (
    r.structuredContent !== undefined &&
    (typeof r.structuredContent !== "object" || r.structuredContent === null)
  ) {
    return "structuredContent is not an object";
  }
  if (r.isError !== undefined && typeof r.isError !== "boolean") return "isError is not a boolean";
  return undefined;
}

/**
 * Send `tools/call` for upstream tool `name` on the fast lane.
 *
 * @example
 * ```ts
 * import { sendToolCall } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const raw: import("./raw.ts").RawCalls;
 * const result = await sendToolCall(raw, "echo", { text: "hi" }, createTestContext(), 60);
 * ```
 */
export function sendToolCall(
  raw: RawCalls,
  name: string,
  args: Record<string, unknown> | undefined,
  ctx: RequestContext,
  timeoutSeconds: number,
): Promise<Record<string, unknown>> {
  const meta = forwardedMeta(ctx);
  return raw.call(
    "tools/call",
    { name, ...(args !== undefined ? { arguments: args } : {}), ...(meta ? { _meta: meta } : {}) },
    {
      signal: ctx.signal,
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0,
      onprogress: ctx.progressToken === undefined
        ? undefined
        : (p) => void ctx.sendProgress(p.progress, p.total, p.message),
    },
  );
}

/**
 * The downstream answer for an upstream's `tools/call` result: passed through, or a tool error
 * when its shape is broken.
 *
 * @example
 * ```ts
 * import { toolCallResult } from "./requests.ts";
 * toolCallResult("fx", { content: [{ type: "text", text: "ok" }] });
 * ```
 */
export function toolCallResult(upstream: string, result: Record<string, unknown>): CallToolResult {
  const problem = callToolResultProblem(result);
  if (problem) return toolErrorResult(`Upstream '${upstream}' sent an invalid result: ${problem}`);
  return (result.content === undefined ? { ...result, content: [] } : result) as CallToolResult;
}

/**
 * The downstream answer for a failed `tools/call`: a timeout or a broken connection is a tool
 * error; the upstream's protocol errors and cancellations are thrown on.
 *
 * @example
 * ```ts
 * import { toolCallFailure } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * toolCallFailure("fx", new Error("broken pipe"), createTestContext(), "proxy.fx.echo", 60);
 * ```
 */
export function toolCallFailure(
  upstream: string,
  e: unknown,
  ctx: RequestContext,
  exposedName: string,
  timeoutSeconds: number,
): CallToolResult {
  if (e instanceof ProtocolError && e.code === ErrorCode.RequestTimeout && !ctx.signal.aborted) {
    return toolErrorResult(new ToolTimeoutError(exposedName, timeoutSeconds).message);
  }
  if (e instanceof ProtocolError && e.code !== ErrorCode.ConnectionClosed) throw e;
  if (ctx.signal.aborted) throw e;
  const what = isInvalidResult(e) ? "sent an invalid result" : "failed during the call";
  return toolErrorResult(`Upstream '${upstream}' ${what}: ${errorText(e)}`);
}

/**
 * Read a resource from the upstream (URI unchanged).
 *
 * @example
 * ```ts
 * import { readResource } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const client: import("../sdk/client.ts").Client;
 * const result = await readResource(client, "file:///a.txt", createTestContext(), 60);
 * ```
 */
export async function readResource(
  client: Client,
  uri: string,
  ctx: RequestContext,
  timeoutSeconds: number,
): Promise<ReadResourceResult> {
  const meta = forwardedMeta(ctx);
  return await sdkResult(client.request(
    { method: "resources/read", params: { uri, ...(meta ? { _meta: meta } : {}) } },
    ReadResourceResultSchema,
    requestOptions(ctx, timeoutSeconds),
  )) as ReadResourceResult;
}

/**
 * Get a prompt from the upstream (by its upstream name).
 *
 * @example
 * ```ts
 * import { getPrompt } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const client: import("../sdk/client.ts").Client;
 * const result = await getPrompt(client, "review", { code: "x" }, createTestContext(), 60);
 * ```
 */
export async function getPrompt(
  client: Client,
  name: string,
  args: Record<string, string> | undefined,
  ctx: RequestContext,
  timeoutSeconds: number,
): Promise<GetPromptResult> {
  const meta = forwardedMeta(ctx);
  return await sdkResult(client.request(
    {
      method: "prompts/get",
      params: { name, ...(args ? { arguments: args } : {}), ...(meta ? { _meta: meta } : {}) },
    },
    GetPromptResultSchema,
    requestOptions(ctx, timeoutSeconds),
  )) as GetPromptResult;
}

/**
 * Forward `completion/complete` (the reference already in the upstream's names).
 *
 * @example
 * ```ts
 * import { complete } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const client: import("../sdk/client.ts").Client;
 * const values = await complete(client, {
 *   ref: { type: "ref/prompt", name: "review" },
 *   argument: "lang",
 *   value: "ty",
 *   context: {},
 * }, createTestContext());
 * ```
 */
export async function complete(
  client: Client,
  { ref, argument, value, context }: CompletionRequest,
  ctx: RequestContext,
): Promise<CompletionValues> {
  const r = await sdkResult(client.request(
    {
      method: "completion/complete",
      params: { ref, argument: { name: argument, value }, ...(context.arguments ? { context } : {}) },
    },
    CompleteResultSchema,
    { signal: ctx.signal },
  ));
  return r.completion;
}
