/**
 * The 2026-07-28 era, wire-independent: one request in, its notifications and its response out,
 * served by the core's `dispatch` with no SDK `Server` and no connection. HTTP (`http.ts`) and
 * stdio (`stdio.ts`) frame what this produces.
 *
 * What the era adds on top of the core:
 * - the envelope (`_meta`: version, client capabilities, log level) read per request;
 * - `server/discover`, `subscriptions/listen` (`listen.ts`) and the tasks methods;
 * - `input_required` rounds for `tools/call`, `prompts/get` and `resources/read`: the handler is
 *   run again on each retry and its asks are answered from the recorded answers
 *   (`core/input.ts`); the answers of earlier rounds travel in a signed `requestState`;
 * - results stamped with `resultType`, `_meta["io.modelcontextprotocol/serverInfo"]` and, on
 *   lists and reads, caching hints; errors with the codes and data this era defines.
 *
 * @module
 */

import type { ChangeBus } from "../../core/bus.ts";
import type { RequestContext, TransportKind, UserIdentity } from "../../core/context.ts";
import { type Call, dispatch, type DispatchHost } from "../../core/dispatch.ts";
import { type InputRequest, InputRound } from "../../core/input.ts";
import type { CacheHint, ToolEntry } from "../../core/registry.ts";
import { type AskCapability, type ClientRequest, requestContext } from "../../core/request.ts";
import { ErrorCode, errorText, MissingClientCapabilityError, ProtocolError } from "../../errors.ts";
import { getLogger, MCP_LOG_LEVELS } from "../../log/logger.ts";
import type { Implementation, LoggingLevel, ServerNotification } from "../../protocol.ts";
import type { BindOptions, SessionBinding } from "../../sessions/manager.ts";
import { type RunningTask, TASKS_EXTENSION, type TaskService, taskView } from "../../tasks/service.ts";
import { errorCauseOf } from "../../tools/result.ts";
import { META, MODERN_VERSIONS } from "../era.ts";
import { checkAnswer } from "./answers.ts";
import { type Envelope, type ModernRequest, readEnvelope, statusOf, WireError } from "./envelope.ts";
import { type Honoured, Listens } from "./listen.ts";
import type { RequestStateCodec, StateBinding } from "./request_state.ts";

const log = getLogger("era.2026");

/** What the 2026 era needs of the runtime. */
export interface ModernHost extends DispatchHost {
  /** Who the server is. */
  readonly serverInfo: Implementation;
  /** Server instructions (`server/discover`). */
  readonly instructions: string | undefined;
  /** The sandbox id handlers see. */
  readonly sandboxId: string;
  /** What changed (for `subscriptions/listen`). */
  readonly changes: ChangeBus;
  /** The runtime session of a request. */
  bindSession(options: BindOptions): SessionBinding;
  /** Tell clients a resource changed. */
  resourceUpdated(uri: string): Promise<void>;
  /** Tell clients a list changed. */
  listChanged(kind: "tools" | "prompts" | "resources"): void;
  /** A listen stream started (`true`) or stopped (`false`) wanting updates of a resource. */
  resourceWatched?(uri: string, on: boolean): void;
}

/** How a request reached the era, and where its notifications go. */
export interface ModernIo {
  /** Lower-cased HTTP headers (`{}` on stdio). */
  headers: Record<string, string>;
  /** The authenticated caller. */
  user?: UserIdentity;
  /** Aborted when the client goes away (or cancels the request). */
  signal: AbortSignal;
  /** The transport. */
  transport: TransportKind;
  /** The view whose endpoint the request came to (`<mcp_path>/<name>`); none for the full surface. */
  view?: string;
  /** `server/discover` instructions of this endpoint instead of the runtime's (a view's description). */
  instructions?: string;
  /** A notification about this request (progress, log), sent before its response. */
  emit(notification: ServerNotification): void;
}

/** A JSON-RPC response, and the HTTP status it travels with (when it is the first thing sent). */
export interface ModernAnswer {
  /** The response. */
  message: Record<string, unknown>;
  /** HTTP status: 200, or the 4xx this era wants for the error. */
  status: number;
}

/** Options of {@linkcode ModernEndpoint}. */
export interface ModernOptions {
  /** Mints and checks `requestState`. */
  requestState: RequestStateCodec;
  /** Tasks (SEP-2663); without it the extension is not offered. */
  tasks?: TaskService;
}

/** Methods the 2026 era removed (or that the tasks extension v2 removed): 404 / -32601. */
const REMOVED = new Set([
  "initialize",
  "ping",
  "logging/setLevel",
  "resources/subscribe",
  "resources/unsubscribe",
  "tasks/result",
  "tasks/list",
]);

/** Methods whose handler may ask the client (`input_required` rounds). */
const ROUNDS = new Set(["tools/call", "prompts/get", "resources/read"]);

/** Lists and reads that carry caching hints. */
const CACHEABLE: Record<string, "tools" | "prompts" | "resources" | "templates" | "read"> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "templates",
  "resources/read": "read",
};

const TASK_METHODS = new Set(["tasks/get", "tasks/update", "tasks/cancel"]);

/** Why a round ended without the handler (the signal's reason when its asks are abandoned). */
class RoundOver extends Error {
  constructor() {
    super("input required: the request ends here and resumes when the client retries with the answers");
    this.name = "RoundOver";
  }
}

function hasTasks(env: Envelope): boolean {
  const ext = (env.capabilities as { extensions?: Record<string, unknown> }).extensions;
  return !!ext && typeof ext === "object" && ext[TASKS_EXTENSION] !== undefined;
}

function tasksRequired(): MissingClientCapabilityError {
  return new MissingClientCapabilityError({ extensions: { [TASKS_EXTENSION]: {} } });
}

/**
 * A handler's own `input_required` result (one that runs its rounds itself, `ctx.rounds`): what
 * it asks and the state it wants back, or undefined for any other result.
 */
function handlerRound(
  result: unknown,
): { inputRequests: Record<string, unknown>; state: string | undefined } | undefined {
  const r = result as { resultType?: unknown; inputRequests?: unknown; requestState?: unknown } | null;
  if (r?.resultType !== "input_required") return undefined;
  const inputRequests = r.inputRequests;
  if (!inputRequests || typeof inputRequests !== "object" || Array.isArray(inputRequests)) {
    throw new ProtocolError(ErrorCode.InternalError, "the handler asked for input without saying what");
  }
  return {
    inputRequests: inputRequests as Record<string, unknown>,
    state: typeof r.requestState === "string" ? r.requestState : undefined,
  };
}

/** The params a request state is bound to: without the round's own fields. */
function boundParams(params: Record<string, unknown>): Record<string, unknown> {
  const { _meta: _, inputResponses: _r, requestState: _s, ...rest } = params;
  return rest;
}

/**
 * Serves the 2026-07-28 wire on a runtime.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "../../../mod.ts";
 * import { HmacStateSigner } from "../../signing/signer.ts";
 * import { ModernEndpoint } from "./endpoint.ts";
 * import { RequestStateCodec } from "./request_state.ts";
 * const runtime = new Runtime({ config: validateConfig({}, "inline") });
 * const endpoint = new ModernEndpoint(runtime, {
 *   requestState: new RequestStateCodec(HmacStateSigner.random()),
 * });
 * const answer = await endpoint.answer(
 *   { id: 1, method: "server/discover", params: { _meta: {
 *     "io.modelcontextprotocol/protocolVersion": "2026-07-28",
 *     "io.modelcontextprotocol/clientCapabilities": {},
 *   } } },
 *   { headers: {}, signal: new AbortController().signal, transport: "internal", emit: () => {} },
 * );
 * console.log(answer.status); // 200
 * ```
 */
export class ModernEndpoint {
  readonly #host: ModernHost;
  readonly #codec: RequestStateCodec;
  readonly #tasks: TaskService | undefined;
  /** The open `subscriptions/listen` streams. */
  readonly listens: Listens;

  /** The era on `host`. */
  constructor(host: ModernHost, options: ModernOptions) {
    this.#host = host;
    this.#codec = options.requestState;
    this.#tasks = options.tasks;
    this.listens = new Listens(host.changes, () => this.#serverMeta(), {
      watch: (uri, on) => host.resourceWatched?.(uri, on),
    });
  }

  #serverMeta(): Record<string, unknown> {
    return { [META.serverInfo]: this.#host.serverInfo };
  }

  /** The capabilities `server/discover` declares. */
  capabilities(): Record<string, unknown> {
    return {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
      ...(this.#tasks ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
    };
  }

  /** A success response: `resultType`, the server's identity, and a caching hint when given. */
  #result(id: ModernRequest["id"], result: unknown, hint?: CacheHint): ModernAnswer {
    const r = (result && typeof result === "object" ? result : {}) as Record<string, unknown>;
    const meta = (r._meta && typeof r._meta === "object" ? r._meta : {}) as Record<string, unknown>;
    return {
      status: 200,
      message: {
        jsonrpc: "2.0",
        id,
        result: {
          ...r,
          resultType: r.resultType ?? "complete",
          ...(hint ? { ttlMs: hint.ttlMs, cacheScope: hint.scope } : {}),
          _meta: { ...meta, ...this.#serverMeta() },
        },
      },
    };
  }

  /**
   * The error response for `e`, and its status. A missing resource is `-32602` with
   * `data.uri` on this wire; anything that is not a `ProtocolError` is an internal error.
   */
  error(id: ModernRequest["id"] | null, e: unknown): ModernAnswer {
    let error: ProtocolError;
    if (e instanceof ProtocolError) error = e;
    else {
      log.warn(`request ${id} failed: ${errorText(e)}`);
      error = new ProtocolError(ErrorCode.InternalError, "Internal error");
    }
    if (error.code === ErrorCode.ResourceNotFound) {
      error = new ProtocolError(ErrorCode.InvalidParams, error.message, error.data);
    }
    const body: Record<string, unknown> = { code: error.code, message: error.message };
    if (error.data !== undefined) body.data = error.data;
    return { status: statusOf(error), message: { jsonrpc: "2.0", id, error: body } };
  }

  /** The envelope of `request`, or the `WireError` refusing it (removed methods come first: 404). */
  envelope(request: ModernRequest): Envelope {
    return readEnvelope(request.params);
  }

  /**
   * Answer one request (not `subscriptions/listen`, see {@linkcode Listens}). `check` runs after
   * the envelope is read (the HTTP header rules); anything it throws is the answer.
   */
  async answer(
    request: ModernRequest,
    io: ModernIo,
    check?: (env: Envelope) => void,
  ): Promise<ModernAnswer> {
    try {
      const env = this.envelope(request);
      check?.(env);
      return await this.#serve(request, env, io);
    } catch (e) {
      return this.error(request.id, e);
    }
  }

  async #serve(request: ModernRequest, env: Envelope, io: ModernIo): Promise<ModernAnswer> {
    const { id, method, params } = request;
    if (REMOVED.has(method)) {
      // Refused, but counted, traced and logged like any request a client sends.
      return await this.#observed(request, env, io, () =>
        Promise.reject(
          new WireError(
            ErrorCode.MethodNotFound,
            `Method not found: ${method} (removed in ${env.version})`,
            404,
          ),
        )) as never;
    }
    if (method === "server/discover") {
      const instructions = io.instructions ?? this.#host.instructions;
      const result = await this.#observed(request, env, io, () =>
        Promise.resolve({
          supportedVersions: [...MODERN_VERSIONS],
          capabilities: this.capabilities(),
          ...(instructions ? { instructions } : {}),
        }));
      return this.#result(id, result, { ttlMs: 0, scope: "private" });
    }
    if (method === "subscriptions/listen") {
      throw new WireError(ErrorCode.InvalidRequest, "subscriptions/listen opens a stream; use listen()", 400);
    }
    if (TASK_METHODS.has(method)) {
      return await this.#observed(request, env, io, () => this.#task(request, env, io)) as ModernAnswer;
    }
    const userId = io.user?.id ?? null;
    const cacheable = CACHEABLE[method];
    if (method === "tools/call") {
      const entry = typeof params.name === "string" ? this.tool(params.name, io) : undefined;
      if (entry?.task) {
        if (!hasTasks(env) && entry.task.support === "required") throw tasksRequired();
        if (hasTasks(env) && this.#tasks && entry.task.start === "immediately") {
          return this.#result(id, await this.#startTask(entry, request, env, io, userId));
        }
      }
    }
    const result = ROUNDS.has(method)
      ? await this.#rounds(request, env, io, userId)
      : await dispatch(this.#host, method, params, this.#plainCall(request, env, io));
    if ((result as { resultType?: unknown })?.resultType === "input_required") {
      return this.#result(id, result);
    }
    if (cacheable === undefined) return this.#result(id, result);
    const hint = cacheable === "read"
      ? this.#host.registry.readCacheHint(String(params.uri))
      : this.#host.registry.listCacheHint(cacheable);
    return this.#result(id, result, hint);
  }

  /**
   * Serve a request the era answers itself (not through `dispatch`) under the host's observer, so
   * it is counted, traced and logged like every other request.
   */
  async #observed(
    request: ModernRequest,
    env: Envelope,
    io: ModernIo,
    serve: () => Promise<unknown>,
  ): Promise<unknown> {
    const observer = this.#host.observer;
    if (!observer) return await serve();
    const call = this.#plainCall(request, env, io);
    return await observer.request({ method: request.method, params: request.params, call }, serve);
  }

  /** The core's view of a request that cannot ask the client (no `input_required` rounds). */
  #plainCall(request: ModernRequest, env: Envelope, io: ModernIo): Call {
    return this.#call(request, env, io, {
      signal: io.signal,
      ask: () =>
        Promise.reject(
          new ProtocolError(ErrorCode.InvalidRequest, `${request.method} cannot ask the client`),
        ),
    });
  }

  /** The tool `name` as the caller sees it (access rules, views): undefined when it may not. */
  tool(name: string, io: Pick<ModernIo, "user" | "view">): ToolEntry | undefined {
    const surface = this.#host.surface;
    return surface
      ? surface.tool(this.#host.registry, name, { user: io.user, view: io.view })
      : this.#host.registry.tools.get(name);
  }

  /**
   * What a `subscriptions/listen` request will receive ({@linkcode Listens.filter}), without the
   * resources the caller may not see (access rules, views): their updates never reach it.
   */
  listenFilter(request: ModernRequest, io: Pick<ModernIo, "user" | "view">): Honoured {
    const honoured = this.listens.filter(request);
    const surface = this.#host.surface;
    if (surface && honoured.resourceSubscriptions) {
      const caller = { user: io.user, view: io.view };
      honoured.resourceSubscriptions = honoured.resourceSubscriptions.filter((uri) =>
        surface.resource(uri, caller)
      );
    }
    return honoured;
  }

  /** The core's view of one request: its context is built on demand. */
  #call(
    request: ModernRequest,
    env: Envelope,
    io: ModernIo,
    mode: {
      signal: AbortSignal;
      ask(request: ClientRequest, key: string | undefined): Promise<unknown>;
      startTask?(): Promise<boolean>;
      rounds?: RequestContext["rounds"];
    },
  ): Call {
    let ctx: Promise<RequestContext> | undefined;
    return {
      // For observers (traces, request logs); no `signal`: a request that ends in an
      // `input_required` round would read as cancelled.
      id: request.id,
      protocolVersion: env.version,
      ...(io.user ? { user: io.user } : {}),
      ...(io.view !== undefined ? { view: io.view } : {}),
      context: () =>
        ctx ??= (async () => {
          const binding = this.#host.bindSession({ userId: io.user?.id ?? null, followUser: true });
          await binding.ready();
          const wanted = env.logLevel ? MCP_LOG_LEVELS.indexOf(env.logLevel) : -1;
          return requestContext({
            signal: mode.signal,
            headers: io.headers,
            binding,
            user: io.user,
            sandboxId: this.#host.sandboxId,
            requestId: request.id,
            meta: request.params._meta as Record<string, unknown> | undefined,
            transport: io.transport,
            clientCapabilities: () => env.capabilities,
            missingCapability: (c: AskCapability) => new MissingClientCapabilityError({ [c]: {} }),
            // No log messages unless this request asked for them (`_meta` logLevel).
            wantsLog: (level: LoggingLevel) => wanted >= 0 && MCP_LOG_LEVELS.indexOf(level) >= wanted,
            notify: (n) => {
              if (!mode.signal.aborted) io.emit(n);
              return Promise.resolve();
            },
            ask: (r, _signal, key) => mode.ask(r, key),
            resourceUpdated: (uri) => this.#host.resourceUpdated(uri),
            listChanged: (kind) => this.#host.listChanged(kind),
            ...(mode.startTask ? { startTask: mode.startTask } : {}),
            ...(mode.rounds ? { rounds: mode.rounds } : {}),
          });
        })(),
    };
  }

  /**
   * Serve a request whose handler may ask the client: run it with the answers recorded so far;
   * when it asks for something still missing, end with `input_required` and a new state.
   */
  async #rounds(
    request: ModernRequest,
    env: Envelope,
    io: ModernIo,
    userId: string | null,
  ): Promise<unknown> {
    const { method, params } = request;
    const responses = params.inputResponses;
    if (
      responses !== undefined &&
      (responses === null || typeof responses !== "object" || Array.isArray(responses))
    ) {
      throw new ProtocolError(ErrorCode.InvalidParams, "Invalid params: 'inputResponses' must be an object");
    }
    const binding: StateBinding = { method, params: boundParams(params), userId };
    const state = params.requestState === undefined
      ? { answers: {}, round: 0 }
      : await this.#codec.open(params.requestState, binding);
    // Earlier rounds' answers are signed: they win over a different answer under the same key.
    const round = new InputRound(
      { ...(responses as Record<string, unknown> ?? {}), ...state.answers },
      checkAnswer,
    );
    const controller = new AbortController();
    const onGone = () => controller.abort(io.signal.reason);
    if (io.signal.aborted) onGone();
    else io.signal.addEventListener("abort", onGone, { once: true });

    // A tool that becomes a task from `ctx.startTask()` (its `task.start` is "handler").
    let detach: ((result: Record<string, unknown>) => void) | undefined;
    const detached = new Promise<Record<string, unknown>>((resolve) => (detach = resolve));
    let task: RunningTask | undefined;
    const entry = method === "tools/call" && typeof params.name === "string"
      ? this.tool(params.name, io)
      : undefined;
    const canDetach = !!entry?.task && hasTasks(env) && !!this.#tasks;

    const work = dispatch(
      this.#host,
      method,
      params,
      this.#call(request, env, io, {
        signal: controller.signal,
        ask: (r, key) => task ? task.ask(r as InputRequest, key) : round.ask(r as InputRequest, key),
        startTask: async () => {
          if (!canDetach || task) return !!task;
          task = await this.#tasks!.create(userId, entry!.task!);
          // The request is over for the client; the handler goes on as the task.
          io.signal.removeEventListener("abort", onGone);
          task.signal.addEventListener("abort", () => controller.abort(task!.signal.reason), { once: true });
          detach!(task.createResult());
          return true;
        },
        rounds: {
          responses: (responses as Record<string, unknown> | undefined) ?? {},
          state: state.carried,
        },
      }),
    );
    const outcome = await Promise.race([
      work.then(
        (result) => ({ kind: "done" as const, result }),
        (error) => ({ kind: "error" as const, error }),
      ),
      round.ended,
      detached.then((result) => ({ kind: "task" as const, result })),
    ]);
    if (outcome.kind === "task") {
      void this.#finishTask(task!, work);
      return outcome.result;
    }
    io.signal.removeEventListener("abort", onGone);
    if (outcome.kind === "done") {
      const own = handlerRound(outcome.result);
      if (!own) return outcome.result;
      // The handler ended the round itself (ctx.rounds): its state travels inside ours.
      const requestState = await this.#codec.mint(
        {
          answers: round.used,
          round: state.round + 1,
          ...(own.state !== undefined ? { carried: own.state } : {}),
        },
        binding,
      );
      return { resultType: "input_required", inputRequests: own.inputRequests, requestState };
    }
    if (outcome.kind === "error") throw outcome.error;
    // The round is over: the handler's asks reject and its signal aborts, so it unwinds.
    const reason = new RoundOver();
    controller.abort(reason);
    round.abandon(reason);
    void work.catch(() => {});
    if (outcome.kind === "invalid") {
      throw new ProtocolError(
        ErrorCode.InvalidParams,
        `Invalid params: inputResponses.${outcome.key}: ${outcome.message}`,
        { key: outcome.key },
      );
    }
    const requestState = await this.#codec.mint({ answers: round.used, round: state.round + 1 }, binding);
    return { resultType: "input_required", inputRequests: outcome.requests, requestState };
  }

  /** Start `entry` as a task at once (`task.start: "immediately"`): the handler runs in it. */
  async #startTask(
    entry: ToolEntry,
    request: ModernRequest,
    env: Envelope,
    io: ModernIo,
    userId: string | null,
  ): Promise<Record<string, unknown>> {
    const task = await this.#tasks!.create(userId, entry.task!);
    const detachedIo: ModernIo = { ...io, signal: task.signal, emit: () => {} };
    const work = dispatch(
      this.#host,
      request.method,
      request.params,
      this.#call(request, env, detachedIo, {
        signal: task.signal,
        ask: (r, key) => task.ask(r as InputRequest, key),
        startTask: () => Promise.resolve(true),
      }),
    );
    void this.#finishTask(task, work);
    return task.createResult();
  }

  /** Record how the handler of `task` ended. */
  async #finishTask(task: RunningTask, work: Promise<unknown>): Promise<void> {
    try {
      const result = await work as Record<string, unknown>;
      const cause = errorCauseOf(result);
      if (cause instanceof ProtocolError) await task.fail(cause);
      else await task.complete(result);
    } catch (e) {
      await task.fail(e);
    }
  }

  /** `tasks/get`, `tasks/update`, `tasks/cancel`. */
  async #task(request: ModernRequest, env: Envelope, io: ModernIo): Promise<ModernAnswer> {
    if (!this.#tasks) {
      throw new WireError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`, 404);
    }
    if (!hasTasks(env)) throw tasksRequired();
    const userId = io.user?.id ?? null;
    const { taskId } = request.params;
    switch (request.method) {
      case "tasks/get":
        return this.#result(request.id, taskView(await this.#tasks.get(taskId, userId)));
      case "tasks/update":
        await this.#tasks.update(taskId, userId, request.params.inputResponses);
        return this.#result(request.id, {});
      default:
        await this.#tasks.cancel(taskId, userId);
        return this.#result(request.id, {});
    }
  }

  /** End every listen stream (graceful shutdown) and stop running tasks. */
  async close(): Promise<void> {
    this.listens.close();
    await this.#tasks?.close();
  }
}
