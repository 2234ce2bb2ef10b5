/**
 * Building the {@linkcode RequestContext} of one request, the same way for every era: the era
 * adapter says how messages about the request reach the client (`notify`) and how a request to
 * the client is made (`ask`); the rest — progress, log filtering, capability checks, the runtime
 * session — is decided here, once.
 *
 * @module
 */

import { ToolError } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import type {
  ClientCapabilities,
  CreateMessageRequestParams,
  ElicitRequestParams,
  LoggingLevel,
  RequestId,
  ServerNotification,
} from "../protocol.ts";
import { attachBinding, type SessionBinding } from "../sessions/manager.ts";
import { askOptions, type RequestContext, type TransportKind, type UserIdentity } from "./context.ts";

const log = getLogger("request");

/** A request the server sends to the client while serving a call. */
export type ClientRequest =
  | { method: "sampling/createMessage"; params: CreateMessageRequestParams }
  | { method: "elicitation/create"; params: ElicitRequestParams }
  | { method: "roots/list"; params?: Record<string, unknown> };

/** The client capability each kind of ask needs. */
export type AskCapability = "sampling" | "elicitation" | "roots";

/** What an era adapter knows about one request. */
export interface RequestParts {
  /** Aborted when the client cancels the request or the connection ends. */
  signal: AbortSignal;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  /** The runtime session the request is served in. */
  binding: SessionBinding;
  /** The caller, when authenticated. */
  user: UserIdentity | undefined;
  /** The runtime's sandbox id. */
  sandboxId: string;
  /** The request's JSON-RPC id. */
  requestId: RequestId;
  /** The request's `_meta`. */
  meta: Record<string, unknown> | undefined;
  /** The transport it arrived on. */
  transport: TransportKind;
  /** What the client declared; `undefined` when no client stands behind the request. */
  clientCapabilities(): ClientCapabilities | undefined;
  /**
   * The error for an ask the client did not declare it can answer; default a `ToolError` (the
   * 2025 wire: the tool reports it). The 2026 wire fails the request with `-32021` instead.
   */
  missingCapability?(capability: AskCapability): Error;
  /** Whether a log entry at `level` passes the client's level. */
  wantsLog(level: LoggingLevel): boolean;
  /** Send a notification about this request (on its response stream, for HTTP). */
  notify(notification: ServerNotification): Promise<void>;
  /**
   * Send a request to the client and wait for its answer. `key` names the ask where the era
   * renders asks as `input_required` results (it is chosen by the handler, or undefined).
   */
  ask(request: ClientRequest, signal: AbortSignal, key: string | undefined): Promise<unknown>;
  /** Tell subscribed clients a resource changed. */
  resourceUpdated(uri: string): Promise<void>;
  /** Tell clients a list changed (omitted: nobody to tell). */
  listChanged?(kind: "tools" | "prompts" | "resources"): void;
  /** End the call's response stream early (SEP-1699); omitted where the era cannot. */
  closeStream?(): boolean;
  /** Turn the call into a task (SEP-2663); omitted where the era cannot. */
  startTask?(): Promise<boolean>;
}

/**
 * The handler context for one request.
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore, SessionManager } from "@chuk/mcp-runtime/sessions";
 * import { requestContext } from "./request.ts";
 * const manager = new SessionManager({ store: new MemoryKeyValueStore(), sandboxId: "demo" });
 * const ctx = requestContext({
 *   signal: new AbortController().signal,
 *   headers: {},
 *   binding: manager.bind({ userId: null }),
 *   user: undefined,
 *   sandboxId: "demo",
 *   requestId: 1,
 *   meta: undefined,
 *   transport: "internal",
 *   clientCapabilities: () => undefined,
 *   wantsLog: () => true,
 *   notify: () => Promise.resolve(),
 *   ask: () => Promise.reject(new Error("no client")),
 *   resourceUpdated: () => Promise.resolve(),
 * });
 * console.log(ctx.sessionId);
 * ```
 */
export function requestContext(parts: RequestParts): RequestContext {
  const { signal, headers, notify } = parts;
  const progressToken = parts.meta?.progressToken as string | number | undefined;
  // A stateless HTTP request of the 2025 wire has no initialized client behind it: nothing can
  // answer a request.
  const needs = (capability: AskCapability) => {
    const c = parts.clientCapabilities();
    if (!c) {
      throw new ToolError(
        `${capability} needs a session: this call came without one (stateless streamable HTTP of the ` +
          "2025 wire cannot send requests to the client; use a 2026-07-28 client, stdio, SSE or stateless: false)",
      );
    }
    if (!c[capability]) {
      throw parts.missingCapability?.(capability) ??
        new ToolError(`the client does not support ${capability}`);
    }
  };
  // The answer's shape is the era's to check (the SDK validates it on the 2025 wire).
  const ask = async <T>(
    capability: AskCapability,
    request: ClientRequest,
    options: Parameters<typeof askOptions>[0],
  ): Promise<T> => {
    needs(capability);
    const { signal: s, key } = askOptions(options);
    return await parts.ask(request, s ?? signal, key) as T;
  };
  const ctx: RequestContext = {
    signal,
    headers,
    sessionId: parts.binding.sessionId,
    user: parts.user,
    sandboxId: parts.sandboxId,
    requestId: parts.requestId,
    progressToken,
    meta: parts.meta,
    transport: parts.transport,
    get clientCapabilities() {
      return parts.clientCapabilities();
    },
    async sendProgress(progress, total, message) {
      if (progressToken === undefined || signal.aborted) return;
      try {
        await notify({
          method: "notifications/progress",
          params: {
            progressToken,
            progress,
            ...(total !== undefined ? { total } : {}),
            ...(message !== undefined ? { message } : {}),
          },
        });
      } catch (e) {
        log.debug(`progress not delivered: ${e}`);
      }
    },
    async log(level, data, logger) {
      if (!parts.wantsLog(level)) return;
      try {
        await notify({
          method: "notifications/message",
          params: { level, data, ...(logger ? { logger } : {}) },
        });
      } catch (e) {
        log.debug(`log message not delivered: ${e}`);
      }
    },
    sample: (params, o) => ask("sampling", { method: "sampling/createMessage", params }, o),
    elicit: (params, o) => ask("elicitation", { method: "elicitation/create", params }, o),
    listRoots: (o) => ask("roots", { method: "roots/list" }, o),
    resourceUpdated: (uri) => parts.resourceUpdated(uri),
    listChanged: (kind) => parts.listChanged?.(kind),
    getHeaders: () => headers,
    closeStream: () => parts.closeStream?.() ?? false,
    startTask: () => parts.startTask?.() ?? Promise.resolve(false),
  };
  return attachBinding(ctx, parts.binding);
}
