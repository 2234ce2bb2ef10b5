/**
 * The requests the proxy forwards to an upstream — `tools/call`, `resources/read`, `prompts/get`,
 * `completion/complete` and the lists — in the era the upstream speaks, and how their answers and
 * failures come back: results pass through untouched, protocol errors of the upstream come back
 * as the same errors, a timeout or a broken connection becomes a tool error.
 *
 * - **2025-11-25**: `tools/call` takes the fast lane (`raw.ts`), the rest goes through the SDK
 *   client. The upstream's sampling, elicitation and roots requests during a call reach the caller
 *   through `routing.ts`.
 * - **2026-07-28**: every request takes the fast lane with the caller's envelope (`era.ts`) and,
 *   for a tool whose arguments carry `x-mcp-header`, its `Mcp-Param-*` headers. An
 *   `input_required` answer is put to the caller — each input request becomes the caller's own
 *   `ctx.elicit()`, `ctx.sample()` or `ctx.listRoots()` (a real request on a 2025 caller's
 *   connection) — and the request is sent again with the answers and the upstream's
 *   `requestState`, round after round, until the upstream completes it.
 *
 * @module
 */

import type { RequestContext } from "../core/context.ts";
import type { CompletionValues } from "../core/registry.ts";
import { ErrorCode, errorText, ProtocolError, ToolTimeoutError } from "../errors.ts";
import type {
  CallToolResult,
  CreateMessageRequestParams,
  ElicitRequestParams,
  GetPromptResult,
  ReadResourceResult,
  Tool,
} from "../protocol.ts";
import { type Client, SdkError, SdkErrorCode, v2Result } from "../sdk/client_v2.ts";
import { toolErrorResult } from "../tools/result.ts";
import { forwardedMeta } from "./era.ts";
import type { PageFetcher } from "./lists.ts";
import { headerDeclarations, paramHeaders } from "./param_headers.ts";
import { foreignStateError } from "./park.ts";
import type { RawCalls } from "./raw.ts";
import { isObject } from "../util/object.ts";

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

/** Where an upstream's requests go: its connection, in the era it speaks. */
export interface Lane {
  /** The SDK client (a 2025 connection's lists, reads, prompts and completions). */
  readonly client: Client;
  /** The fast lane (every 2025 `tools/call`; every request on a 2026 connection). */
  readonly raw: RawCalls;
  /** Set on a 2026-07-28 connection. */
  readonly modern?: {
    /**
     * The `_meta` of a request on behalf of `ctx` — the caller's forwarded keys and the envelope —
     * or, without one, of the proxy's own requests.
     */
    meta(ctx?: RequestContext): Record<string, unknown>;
    /** Whether requests carry HTTP headers (`Mcp-Param-*`): streamable HTTP. */
    headers: boolean;
  };
}

const CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities";

/** Client capabilities with the tasks extension added. */
function withTasks(capabilities: unknown): Record<string, unknown> {
  const c = isObject(capabilities) ? capabilities : {};
  const extensions = isObject(c.extensions) ? c.extensions : {};
  return { ...c, extensions: { ...extensions, [TASKS_EXTENSION]: {} } };
}

/** Most `input_required` rounds one forwarded request may take. */
export const MAX_INPUT_ROUNDS = 16;

/** How long a round that asks nothing waits before it is sent again (load shedding). */
const STATE_ONLY_PACING_MS = 250;

/**
 * The caller could not answer what the upstream asked (it lacks the capability, declined by
 * failing, went away): not the upstream's fault, and not the connection's.
 */
export class CallerAnswerError extends Error {
  override name = "CallerAnswerError";
  constructor(readonly original: unknown) {
    super(errorText(original));
  }
}

/** Whether `e` says an answer did not match its result schema. */
function isInvalidResult(e: unknown): boolean {
  if (Array.isArray((e as { issues?: unknown } | null)?.issues)) return true;
  return e instanceof SdkError && (e.code === SdkErrorCode.InvalidResult ||
    e.code === SdkErrorCode.UnsupportedResultType || e.code === SdkErrorCode.CapabilityNotSupported ||
    e.code === SdkErrorCode.MethodNotSupportedByProtocolVersion);
}

/**
 * Whether an error means the connection (not the server's answer, not the caller) failed.
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
  if (e instanceof CallerAnswerError || e instanceof InvalidAnswerError) return false;
  return !isInvalidResult(e);
}

/** An upstream's answer the proxy cannot use. */
class InvalidAnswerError extends Error {
  override name = "InvalidAnswerError";
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

// ---- the caller answers a 2026 upstream's input requests

/**
 * Ask the caller what the upstream asked, each under its key, all at once: the answers to send
 * back (`inputResponses`).
 */
async function askCaller(
  ctx: RequestContext,
  requests: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const asks = Object.entries(requests).map(async ([key, request]) => {
    if (!isObject(request) || typeof request.method !== "string") {
      throw new InvalidAnswerError(`input request '${key}' has no method`);
    }
    const params = isObject(request.params) ? request.params : {};
    let answer: Promise<unknown>;
    switch (request.method) {
      case "elicitation/create":
        answer = ctx.elicit(params as unknown as ElicitRequestParams, signal);
        break;
      case "sampling/createMessage":
        answer = ctx.sample(params as unknown as CreateMessageRequestParams, signal);
        break;
      case "roots/list":
        answer = ctx.listRoots(signal);
        break;
      default:
        throw new InvalidAnswerError(
          `input request '${key}' asks for '${request.method}', which no client answers`,
        );
    }
    try {
      return [key, await answer] as const;
    } catch (e) {
      throw new CallerAnswerError(e);
    }
  });
  return Object.fromEntries(await Promise.all(asks));
}

/** A signal that aborts with `ctx`'s and at `deadline` (ms epoch; `Infinity`: never). */
function until(signal: AbortSignal, deadline: number): AbortSignal {
  if (!Number.isFinite(deadline)) return signal;
  const left = Math.max(0, deadline - Date.now());
  return AbortSignal.any([signal, AbortSignal.timeout(left)]);
}

function timedOut(timeoutMs: number): ProtocolError {
  return new ProtocolError(ErrorCode.RequestTimeout, "Request timed out", { timeout: timeoutMs });
}

/** Options of one forwarded request on a 2026 connection. */
interface ModernOptions {
  /** The whole exchange, every round (ms; 0: none). */
  timeoutMs: number;
  /** `Mcp-Param-*` headers. */
  headers?: Record<string, string>;
  /** Pass progress on. */
  progress?: boolean;
  /** Declare the tasks extension (the proxy follows a task the upstream starts). */
  tasks?: boolean;
}

/**
 * Send `method` to a 2026-07-28 upstream on behalf of `ctx`, answering its `input_required`
 * rounds through the caller. Resolves with the complete result (without `resultType`).
 */
async function modernRequest(
  lane: Lane,
  method: string,
  params: Record<string, unknown>,
  ctx: RequestContext,
  options: ModernOptions,
): Promise<Record<string, unknown>> {
  const deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : Infinity;
  if (ctx.rounds && ROUND_METHODS.has(method)) return await forwardRound(lane, method, params, ctx, options);
  let round = params;
  for (let n = 1;; n++) {
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut(options.timeoutMs);
    const meta = lane.modern!.meta(ctx);
    if (options.tasks) meta[CAPABILITIES_KEY] = withTasks(meta[CAPABILITIES_KEY]);
    const r = await lane.raw.call(method, { ...round, _meta: meta }, {
      signal: ctx.signal,
      timeoutMs: Number.isFinite(left) ? Math.max(1, Math.ceil(left)) : 0,
      headers: options.headers,
      onprogress: options.progress && ctx.progressToken !== undefined
        ? (p) => void ctx.sendProgress(p.progress, p.total, p.message)
        : undefined,
    });
    const kind = r.resultType ?? "complete";
    if (kind === "complete") return completed(r);
    if (kind === "task" && method === "tools/call") {
      return await followTask(lane, r, ctx, deadline, options.timeoutMs);
    }
    if (kind !== "input_required") {
      throw new InvalidAnswerError(`the upstream answered ${method} with result type '${String(kind)}'`);
    }
    if (n > MAX_INPUT_ROUNDS) {
      throw new ProtocolError(
        ErrorCode.InternalError,
        `${method} still needed input after ${MAX_INPUT_ROUNDS} rounds; giving up`,
      );
    }
    const requests = isObject(r.inputRequests) ? r.inputRequests : {};
    const state = typeof r.requestState === "string" ? r.requestState : undefined;
    if (Object.keys(requests).length === 0 && state === undefined) {
      throw new InvalidAnswerError(`the upstream asked for input on ${method} without saying what`);
    }
    const signal = until(ctx.signal, deadline);
    let answers: Record<string, unknown> = {};
    try {
      if (Object.keys(requests).length) answers = await askCaller(ctx, requests, signal);
      else await pause(STATE_ONLY_PACING_MS, signal);
    } catch (e) {
      if (!ctx.signal.aborted && signal.aborted) throw timedOut(options.timeoutMs);
      throw e;
    }
    // The same request again, with this round's answers and the state echoed byte for byte.
    round = {
      ...params,
      ...(Object.keys(answers).length ? { inputResponses: answers } : {}),
      ...(state !== undefined ? { requestState: state } : {}),
    };
  }
}

/** Methods whose answer may be `input_required` (2026-07-28). */
const ROUND_METHODS = new Set(["tools/call", "prompts/get", "resources/read"]);

/** The prefix of a state that carries a 2026 upstream's `requestState`. */
const UPSTREAM_STATE = "up.";

/**
 * A 2026 caller's round, forwarded to a 2026 upstream as it is: the caller's `inputResponses`
 * and the upstream's `requestState` (carried from the last round inside the era's signed state)
 * go up; an `input_required` answer comes back with the upstream's keys and questions unchanged,
 * the upstream's state wrapped in ours. The upstream asks, checks the answers and counts rounds.
 */
async function forwardRound(
  lane: Lane,
  method: string,
  params: Record<string, unknown>,
  ctx: RequestContext,
  options: ModernOptions,
): Promise<Record<string, unknown>> {
  const rounds = ctx.rounds!;
  let upstreamState: string | undefined;
  if (rounds.state !== undefined) {
    if (!rounds.state.startsWith(UPSTREAM_STATE)) throw foreignStateError();
    let carried: { s?: unknown };
    try {
      carried = JSON.parse(rounds.state.slice(UPSTREAM_STATE.length));
    } catch {
      throw foreignStateError();
    }
    if (typeof carried?.s === "string") upstreamState = carried.s;
  }
  const meta = lane.modern!.meta(ctx);
  if (options.tasks) meta[CAPABILITIES_KEY] = withTasks(meta[CAPABILITIES_KEY]);
  const deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : Infinity;
  const r = await lane.raw.call(method, {
    ...params,
    ...(Object.keys(rounds.responses).length ? { inputResponses: rounds.responses } : {}),
    ...(upstreamState !== undefined ? { requestState: upstreamState } : {}),
    _meta: meta,
  }, {
    signal: ctx.signal,
    timeoutMs: options.timeoutMs,
    headers: options.headers,
    onprogress: options.progress && ctx.progressToken !== undefined
      ? (p) => void ctx.sendProgress(p.progress, p.total, p.message)
      : undefined,
  });
  const kind = r.resultType ?? "complete";
  if (kind === "complete") return completed(r);
  if (kind === "task" && method === "tools/call") {
    return await followTask(lane, r, ctx, deadline, options.timeoutMs);
  }
  if (kind !== "input_required" || !isObject(r.inputRequests)) {
    throw new InvalidAnswerError(`the upstream answered ${method} with result type '${String(kind)}'`);
  }
  const state = typeof r.requestState === "string" ? r.requestState : undefined;
  return {
    resultType: "input_required",
    inputRequests: r.inputRequests,
    requestState: `${UPSTREAM_STATE}${JSON.stringify(state !== undefined ? { s: state } : {})}`,
  };
}

/**
 * A complete 2026 result as the caller gets it: without `resultType` and the upstream's
 * `serverInfo` (the caller's own era writes its own).
 */
function completed(r: Record<string, unknown>): Record<string, unknown> {
  const { resultType: _, ...rest } = r;
  if (isObject(rest._meta) && SERVER_INFO in rest._meta) {
    const { [SERVER_INFO]: _info, ...meta } = rest._meta;
    if (Object.keys(meta).length) rest._meta = meta;
    else delete rest._meta;
  }
  return rest;
}

const SERVER_INFO = "io.modelcontextprotocol/serverInfo";

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---- upstream tools that run as tasks

/** Whether the upstream runs `tool` only as a task (`execution.taskSupport: "required"`). */
function requiresTask(tool: Tool | undefined): boolean {
  const execution = (tool as { execution?: unknown } | undefined)?.execution;
  return isObject(execution) && execution.taskSupport === "required";
}

/** The tasks extension (SEP-2663), as a client declares it. */
const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** Stop an upstream task the caller no longer waits for (best effort). */
function cancelTask(lane: Lane, taskId: string): void {
  const meta = lane.modern?.meta();
  void lane.raw.call("tasks/cancel", { taskId, ...(meta ? { _meta: meta } : {}) }, {
    signal: AbortSignal.timeout(5000),
    timeoutMs: 5000,
  }).catch(() => {});
}

/**
 * Follow a 2026 upstream's task (SEP-2663) to its end for the caller: poll `tasks/get`, put what
 * the task asks to the caller and bring the answers with `tasks/update`; the completed task's
 * result is the call's. A caller that gives up cancels the task.
 */
async function followTask(
  lane: Lane,
  created: Record<string, unknown>,
  ctx: RequestContext,
  deadline: number,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const taskId = created.taskId;
  if (typeof taskId !== "string") throw new InvalidAnswerError("the upstream's task has no taskId");
  let view = created;
  let done = false;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw timedOut(timeoutMs);
      const signal = until(ctx.signal, deadline);
      const leg = { signal: ctx.signal, timeoutMs: Number.isFinite(left) ? Math.max(1, Math.ceil(left)) : 0 };
      switch (view.status) {
        case "completed":
          done = true;
          if (!isObject(view.result)) {
            throw new InvalidAnswerError("the upstream's completed task has no result");
          }
          return completed(view.result);
        case "failed": {
          done = true;
          const e = isObject(view.error) ? view.error : {};
          throw new ProtocolError(
            typeof e.code === "number" ? e.code : ErrorCode.InternalError,
            typeof e.message === "string" ? e.message : "the upstream's task failed",
            e.data,
          );
        }
        case "cancelled":
          done = true;
          throw new ProtocolError(ErrorCode.InternalError, "the upstream cancelled the task");
        case "input_required": {
          const requests = isObject(view.inputRequests) ? view.inputRequests : {};
          const answers = await askCaller(ctx, requests, signal);
          await lane.raw.call("tasks/update", {
            taskId,
            inputResponses: answers,
            _meta: lane.modern!.meta(ctx),
          }, leg);
          break;
        }
        default: {
          const interval = typeof view.pollIntervalMs === "number" ? view.pollIntervalMs : 1000;
          await pause(Math.min(5000, Math.max(50, interval)), signal);
        }
      }
      view = await lane.raw.call("tasks/get", { taskId, _meta: lane.modern!.meta(ctx) }, leg);
    }
  } catch (e) {
    if (!done) cancelTask(lane, taskId);
    if (!ctx.signal.aborted && until(ctx.signal, deadline).aborted) throw timedOut(timeoutMs);
    throw e;
  }
}

/**
 * A 2025 upstream's tool that runs only as a task (the tasks of 2025-11-25): ask for a task, then
 * wait for its result with `tasks/result` (what it asks meanwhile reaches the caller through
 * `routing.ts`). A caller that gives up cancels the task.
 */
async function legacyTaskCall(
  lane: Lane,
  params: Record<string, unknown>,
  ctx: RequestContext,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const meta = forwardedMeta(ctx);
  const created = await lane.raw.call(
    "tools/call",
    { ...params, task: {}, ...(meta ? { _meta: meta } : {}) },
    {
      signal: ctx.signal,
      timeoutMs,
    },
  );
  const task = created.task;
  // A server that ran it at once answered with the result.
  if (!isObject(task)) return created;
  if (typeof task.taskId !== "string") throw new InvalidAnswerError("the upstream's task has no taskId");
  const left = deadline - Date.now();
  try {
    if (left <= 0) throw timedOut(timeoutMs);
    return await lane.raw.call("tasks/result", { taskId: task.taskId }, {
      signal: ctx.signal,
      timeoutMs: Number.isFinite(left) ? Math.max(1, Math.ceil(left)) : 0,
    });
  } catch (e) {
    cancelTask(lane, task.taskId);
    throw e;
  }
}

// ---- the requests

/** The declarations of a tool's `x-mcp-header`s, computed once per listed tool. */
const declared = new WeakMap<Tool, ReturnType<typeof headerDeclarations>>();

function headersFor(
  tool: Tool | undefined,
  args: Record<string, unknown> | undefined,
): Record<string, string> {
  if (!tool) return {};
  let scan = declared.get(tool);
  if (!scan) declared.set(tool, scan = headerDeclarations(tool.inputSchema));
  return scan.ok ? paramHeaders(scan.declarations, args) : {};
}

/**
 * Send `tools/call` for upstream tool `name` (its definition `tool`, for the headers of the 2026
 * wire), on the fast lane.
 *
 * @example
 * ```ts
 * import { sendToolCall } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const lane: import("./requests.ts").Lane;
 * const result = await sendToolCall(lane, undefined, "echo", { text: "hi" }, createTestContext(), 60);
 * ```
 */
export function sendToolCall(
  lane: Lane,
  tool: Tool | undefined,
  name: string,
  args: Record<string, unknown> | undefined,
  ctx: RequestContext,
  timeoutSeconds: number,
): Promise<Record<string, unknown>> {
  const params = { name, ...(args !== undefined ? { arguments: args } : {}) };
  const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0;
  const task = requiresTask(tool);
  if (lane.modern) {
    return modernRequest(lane, "tools/call", params, ctx, {
      timeoutMs,
      progress: true,
      headers: lane.modern.headers ? headersFor(tool, args) : undefined,
      // The proxy follows the task itself: the upstream may run it as one.
      tasks: task,
    });
  }
  if (task) return legacyTaskCall(lane, params, ctx, timeoutMs);
  const meta = forwardedMeta(ctx);
  return lane.raw.call("tools/call", { ...params, ...(meta ? { _meta: meta } : {}) }, {
    signal: ctx.signal,
    timeoutMs,
    onprogress: ctx.progressToken === undefined
      ? undefined
      : (p) => void ctx.sendProgress(p.progress, p.total, p.message),
  });
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
 * error; the upstream's protocol errors and cancellations are thrown on; what the caller could
 * not answer is a tool error (or, when it is a protocol error of the caller's era, thrown on).
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
  if (e instanceof CallerAnswerError) {
    if (e.original instanceof ProtocolError || ctx.signal.aborted) throw e.original;
    return toolErrorResult(`Upstream '${upstream}' needs an answer the client did not give: ${e.message}`);
  }
  if (e instanceof ProtocolError && e.code !== ErrorCode.ConnectionClosed) throw e;
  if (ctx.signal.aborted) throw e;
  const what = isInvalidResult(e) || e instanceof InvalidAnswerError
    ? "sent an invalid result"
    : "failed during the call";
  return toolErrorResult(`Upstream '${upstream}' ${what}: ${errorText(e)}`);
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

/** A forwarded request's failure as the caller should see it. */
function rethrown(e: unknown): never {
  throw e instanceof CallerAnswerError ? e.original : e;
}

/**
 * Read a resource from the upstream (URI unchanged).
 *
 * @example
 * ```ts
 * import { readResource } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const lane: import("./requests.ts").Lane;
 * const result = await readResource(lane, "file:///a.txt", createTestContext(), 60);
 * ```
 */
export async function readResource(
  lane: Lane,
  uri: string,
  ctx: RequestContext,
  timeoutSeconds: number,
): Promise<ReadResourceResult> {
  if (lane.modern) {
    const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0;
    return await modernRequest(lane, "resources/read", { uri }, ctx, { timeoutMs, progress: true })
      .catch(rethrown) as unknown as ReadResourceResult;
  }
  const meta = forwardedMeta(ctx);
  return await v2Result(lane.client.request(
    { method: "resources/read", params: { uri, ...(meta ? { _meta: meta } : {}) } },
    requestOptions(ctx, timeoutSeconds),
  )) as unknown as ReadResourceResult;
}

/**
 * Get a prompt from the upstream (by its upstream name).
 *
 * @example
 * ```ts
 * import { getPrompt } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const lane: import("./requests.ts").Lane;
 * const result = await getPrompt(lane, "review", { code: "x" }, createTestContext(), 60);
 * ```
 */
export async function getPrompt(
  lane: Lane,
  name: string,
  args: Record<string, string> | undefined,
  ctx: RequestContext,
  timeoutSeconds: number,
): Promise<GetPromptResult> {
  const params = { name, ...(args ? { arguments: args } : {}) };
  if (lane.modern) {
    const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0;
    return await modernRequest(lane, "prompts/get", params, ctx, { timeoutMs, progress: true })
      .catch(rethrown) as unknown as GetPromptResult;
  }
  const meta = forwardedMeta(ctx);
  return await v2Result(lane.client.request(
    { method: "prompts/get", params: { ...params, ...(meta ? { _meta: meta } : {}) } },
    requestOptions(ctx, timeoutSeconds),
  )) as unknown as GetPromptResult;
}

/**
 * Forward `completion/complete` (the reference already in the upstream's names).
 *
 * @example
 * ```ts
 * import { complete } from "./requests.ts";
 * import { createTestContext } from "../core/context.ts";
 * declare const lane: import("./requests.ts").Lane;
 * const values = await complete(lane, {
 *   ref: { type: "ref/prompt", name: "review" },
 *   argument: "lang",
 *   value: "ty",
 *   context: {},
 * }, createTestContext());
 * ```
 */
export async function complete(
  lane: Lane,
  { ref, argument, value, context }: CompletionRequest,
  ctx: RequestContext,
): Promise<CompletionValues> {
  const params = { ref, argument: { name: argument, value }, ...(context.arguments ? { context } : {}) };
  if (lane.modern) {
    const r = await modernRequest(lane, "completion/complete", params, ctx, { timeoutMs: 60_000 })
      .catch(rethrown);
    if (!isObject(r.completion) || !Array.isArray(r.completion.values)) {
      throw new ProtocolError(ErrorCode.InternalError, "the upstream's completion has no values");
    }
    return r.completion as unknown as CompletionValues;
  }
  const r = await v2Result(lane.client.request(
    { method: "completion/complete", params },
    { signal: ctx.signal },
  ));
  return (r as { completion: CompletionValues }).completion;
}

/** The request options of the proxy's own list requests. */
const LIST_TIMEOUT_MS = 60_000;

/**
 * How the lists of a connection are fetched, page by page: through the SDK client (2025, with
 * a schema that lets what the upstream adds pass), or the fast lane with the proxy's envelope
 * (2026).
 *
 * @example
 * ```ts
 * import { listPages } from "./requests.ts";
 * declare const lane: import("./requests.ts").Lane;
 * const page = await listPages(lane)("tools/list", {});
 * ```
 */
export function listPages(lane: Lane): PageFetcher {
  if (lane.modern) {
    const modern = lane.modern;
    return async (method, params) => {
      const r = await lane.raw.call(method, { ...params, _meta: modern.meta() }, {
        signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
        timeoutMs: LIST_TIMEOUT_MS,
      });
      if (r.resultType !== undefined && r.resultType !== "complete") {
        throw new InvalidAnswerError(
          `the upstream answered ${method} with result type '${String(r.resultType)}'`,
        );
      }
      return r;
    };
  }
  return async (method, params) =>
    await v2Result(
      lane.client.request({ method, params }, AnyObject, { timeout: LIST_TIMEOUT_MS }),
    ) as Record<
      string,
      unknown
    >;
}

/** Any object (the lists' items are checked where they are used). */
const AnyObject = {
  "~standard": {
    version: 1 as const,
    vendor: "chuk",
    validate: (value: unknown) =>
      isObject(value) ? { value } : { issues: [{ message: "the answer is not an object" }] },
  },
};
