/**
 * The per-call context handed to tool, resource and prompt handlers, and the module-level
 * helpers (`getRequestContext()`, `sendProgress()`) that find the current call's context through
 * AsyncLocalStorage, as the reference's request-context helpers do.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { UserIdentity } from "../auth/types.ts";
import type { CallerArtifacts } from "./artifacts.ts";
import type {
  ClientCapabilities,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestParams,
  ElicitResult,
  ListRootsResult,
  LoggingLevel,
  RequestId,
} from "../protocol.ts";

export type { UserIdentity };

/**
 * What a server may ask its client while serving a call: a completion from the client's model,
 * input from the user, the client's roots. A call's context asks the client that made the call;
 * a connection asks the client behind it.
 *
 * @example
 * ```ts
 * import type { ClientAsks } from "@chuk/mcp-runtime";
 * async function confirm(client: ClientAsks, question: string): Promise<boolean> {
 *   const answer = await client.elicit({ message: question, requestedSchema: { type: "object", properties: {} } });
 *   return answer.action === "accept";
 * }
 * ```
 */
export interface ClientAsks {
  /**
   * Ask the client's model for a completion (`sampling/createMessage`); a signal (or
   * `options.signal`) cancels the ask.
   */
  sample(
    params: CreateMessageRequestParams,
    options?: AbortSignal | AskOptions,
  ): Promise<CreateMessageResult>;
  /** Ask the user for input (`elicitation/create`). */
  elicit(params: ElicitRequestParams, options?: AbortSignal | AskOptions): Promise<ElicitResult>;
  /** Ask the client for its roots (`roots/list`). */
  listRoots(options?: AbortSignal | AskOptions): Promise<ListRootsResult>;
}

/**
 * How to ask the client for something (see {@linkcode ClientAsks}).
 *
 * @example
 * ```ts
 * import type { AskOptions } from "@chuk/mcp-runtime/define";
 * const options: AskOptions = { key: "user_name", signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface AskOptions {
  /** Cancels the ask (default: the call's signal). */
  signal?: AbortSignal;
  /**
   * The name of this ask in an `input_required` result (MCP 2026-07-28: the key of
   * `inputRequests`, which the client answers under in `inputResponses`). Default: the method's
   * short name and a count (`elicitation-1`, `sampling-1`, `roots-1`). Keys are unique per call.
   */
  key?: string;
}

/**
 * The signal and key of an ask, from the argument `ClientAsks` methods take.
 *
 * @example
 * ```ts
 * import { askOptions } from "./context.ts";
 * console.log(askOptions({ key: "name" }).key); // "name"
 * ```
 */
export function askOptions(options: AbortSignal | AskOptions | undefined): AskOptions {
  if (options === undefined) return {};
  return options instanceof AbortSignal ? { signal: options } : options;
}

/** The transport a call arrived on. */
export type TransportKind = "stdio" | "sse" | "streamable-http" | "internal";

/**
 * What a handler knows about the call it is serving, and what it can do back to the client (its
 * asks end with the call: they default to the call's `signal`).
 *
 * @example
 * ```ts
 * import { defineTool, type RequestContext } from "@chuk/mcp-runtime";
 * export const slow = defineTool({
 *   name: "slow",
 *   inputSchema: { type: "object", properties: { steps: { type: "number" } } },
 *   handler: async ({ steps }, ctx: RequestContext) => {
 *     for (let i = 1; i <= Number(steps ?? 3); i++) {
 *       ctx.signal.throwIfAborted();
 *       await ctx.sendProgress(i, Number(steps ?? 3), `step ${i}`);
 *     }
 *     return "done";
 *   },
 * });
 * ```
 */
export interface RequestContext extends ClientAsks {
  /** Aborted when the client cancels the call, the call times out, or the server shuts down. */
  readonly signal: AbortSignal;
  /** Lower-cased HTTP request headers of the call (`{}` on stdio). */
  readonly headers: Readonly<Record<string, string>>;
  /** The caller's session id (one per client connection; see the sessions docs). */
  readonly sessionId: string | undefined;
  /** The authenticated user, when the transport authenticated one. */
  readonly user: UserIdentity | undefined;
  /** The sandbox (deployment unit) this runtime serves. */
  readonly sandboxId: string;
  /** JSON-RPC id of the request being served. */
  readonly requestId: RequestId;
  /** The client's `_meta.progressToken`, when it asked for progress. */
  readonly progressToken: string | number | undefined;
  /** The request's `_meta`, as sent. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** The transport the call arrived on. */
  readonly transport: TransportKind;
  /** What the client declared it supports (sampling, elicitation, roots, ...). */
  readonly clientCapabilities: ClientCapabilities | undefined;
  /**
   * Send `notifications/progress` for this call. A no-op when the client gave no progress token;
   * failures to deliver are logged, never thrown.
   */
  sendProgress(progress: number, total?: number, message?: string): Promise<void>;
  /** Send a `notifications/message` log entry, honouring the level the client set. */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /** Tell subscribed clients that a resource changed (`notifications/resources/updated`). */
  resourceUpdated(uri: string): Promise<void>;
  /**
   * Tell clients a list changed (`notifications/<kind>/list_changed`), for servers whose tools,
   * prompts or resources depend on state the runtime cannot see.
   */
  listChanged(kind: "tools" | "prompts" | "resources"): void;
  /** Same as `headers`, as a method, for code written against the reference runtime. */
  getHeaders(): Readonly<Record<string, string>>;
  /**
   * End this call's SSE response stream now, while the call goes on (SEP-1699 polling): the client
   * reconnects with `Last-Event-ID` and receives what was sent meanwhile, and the result. Returns
   * whether a stream was closed: only a resumable stream (stateful streamable HTTP, 2025 wire)
   * can be; elsewhere it does nothing.
   */
  closeStream(): boolean;
  /**
   * From here on, run this tool call as a task (the MCP tasks extension, SEP-2663) when the
   * client can take one: it gets a task id at once and polls for the result, and what the handler
   * asks from now on parks the task until the client answers. Resolves `true` when the call became
   * a task, `false` when it goes on as a plain call (the client did not declare the extension, or
   * the tool has no `execution.taskSupport`). Tools whose `task.start` is `"immediately"` (the
   * default for task-supporting tools) are tasks before the handler runs.
   */
  startTask(): Promise<boolean>;
  /**
   * The artifact store as this caller sees it (its session and user, the rules of the artifact
   * tools), when `artifacts.enabled`; `undefined` otherwise.
   */
  readonly artifacts?: CallerArtifacts;
}

// One store per process, even when this module is loaded twice (a tool module importing the
// package by another URL than the CLI did): the instance lives on globalThis.
const STORE_KEY = Symbol.for("@chuk/mcp-runtime/request-context");
const globals = globalThis as unknown as Record<symbol, AsyncLocalStorage<RequestContext> | undefined>;
const store: AsyncLocalStorage<RequestContext> = globals[STORE_KEY] ??= new AsyncLocalStorage<
  RequestContext
>();

/**
 * Run `fn` with `ctx` as the current request context.
 *
 * @example
 * ```ts
 * import { runWithRequestContext, getRequestContext, createTestContext } from "@chuk/mcp-runtime";
 * const ctx = createTestContext();
 * runWithRequestContext(ctx, () => console.log(getRequestContext() === ctx)); // true
 * ```
 */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return store.run(ctx, fn);
}

/**
 * The context of the call being served, or `undefined` outside a call.
 *
 * @example
 * ```ts
 * import { getRequestContext } from "@chuk/mcp-runtime";
 * const ctx = getRequestContext();
 * const agent = ctx?.headers["user-agent"] ?? "unknown";
 * ```
 */
export function getRequestContext(): RequestContext | undefined {
  return store.getStore();
}

/**
 * Lower-cased HTTP headers of the current call, or `undefined` outside a call.
 *
 * @example
 * ```ts
 * import { getRequestHeaders } from "@chuk/mcp-runtime";
 * const traceId = getRequestHeaders()?.["x-trace-id"];
 * ```
 */
export function getRequestHeaders(): Readonly<Record<string, string>> | undefined {
  return store.getStore()?.headers;
}

/**
 * Report progress for the current call. Outside a call, or when the client gave no progress
 * token, it does nothing.
 *
 * @example
 * ```ts
 * import { defineTool, sendProgress } from "@chuk/mcp-runtime";
 * export const count = defineTool({
 *   name: "count",
 *   inputSchema: { type: "object" },
 *   handler: async () => {
 *     for (let i = 1; i <= 3; i++) await sendProgress(i, 3, `item ${i}`);
 *     return "counted";
 *   },
 * });
 * ```
 */
export async function sendProgress(progress: number, total?: number, message?: string): Promise<void> {
  await store.getStore()?.sendProgress(progress, total, message);
}

/** Options of {@linkcode createTestContext}. */
export interface TestContextOptions {
  /** Request headers the handler sees (HTTP transports). */
  headers?: Record<string, string>;
  /** Session id the handler sees. */
  sessionId?: string;
  /** Authenticated caller, if any. */
  user?: UserIdentity;
  /** Progress token of the simulated request (enables `sendProgress`). */
  progressToken?: string | number;
  /** Cancellation signal handed to the handler. */
  signal?: AbortSignal;
  /** Receives what the handler sends: progress, log entries and resource updates. */
  onNotification?: (method: string, params: Record<string, unknown>) => void;
  /** What the handler gets as `ctx.artifacts` (the artifacts module's `callerArtifacts` makes one). */
  artifacts?: CallerArtifacts;
}

/**
 * A context for calling handlers directly in unit tests, without a server. Progress and logs go
 * to `onNotification`; sampling, elicitation and roots reject (no client).
 *
 * @example
 * ```ts
 * import { createTestContext } from "@chuk/mcp-runtime";
 * const seen: unknown[] = [];
 * const ctx = createTestContext({ progressToken: 1, onNotification: (_m, p) => seen.push(p) });
 * await ctx.sendProgress(1, 2);
 * console.log(seen.length); // 1
 * ```
 */
export function createTestContext(options: TestContextOptions = {}): RequestContext {
  const headers = options.headers ?? {};
  const notify = options.onNotification ?? (() => {});
  const noClient = () => Promise.reject(new Error("no client is connected in a test context"));
  return {
    signal: options.signal ?? new AbortController().signal,
    headers,
    sessionId: options.sessionId,
    user: options.user,
    sandboxId: "test",
    requestId: 0,
    progressToken: options.progressToken,
    meta: undefined,
    transport: "internal",
    clientCapabilities: undefined,
    sendProgress(progress, total, message) {
      if (options.progressToken !== undefined) {
        notify("notifications/progress", { progressToken: options.progressToken, progress, total, message });
      }
      return Promise.resolve();
    },
    log(level, data, logger) {
      notify("notifications/message", { level, data, logger });
      return Promise.resolve();
    },
    sample: noClient,
    elicit: noClient,
    listRoots: noClient,
    resourceUpdated(uri) {
      notify("notifications/resources/updated", { uri });
      return Promise.resolve();
    },
    listChanged(kind) {
      notify(`notifications/${kind}/list_changed`, {});
    },
    getHeaders: () => headers,
    closeStream: () => false,
    startTask: () => Promise.resolve(false),
    ...(options.artifacts ? { artifacts: options.artifacts } : {}),
  };
}
