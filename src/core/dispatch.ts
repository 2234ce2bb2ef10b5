/**
 * The core's answer to every MCP method the runtime serves, whatever wire the request came on:
 * `dispatch(host, method, params, call)`. An era adapter (the 2025 connection's wire, the
 * 2026 per-request adapter) hands requests in; what comes back is the method's result, and what is
 * thrown is a {@linkcode ProtocolError} the adapter renders on its wire.
 *
 * Methods that change the state of a client's link (`resources/subscribe`, `logging/setLevel`)
 * need `call.connection`; without one (a per-request era) they are not served.
 *
 * Observation (metrics, traces, request logs) happens here too, at the one point every era's
 * requests pass: a {@linkcode RequestObserver} on the host sees each request and runs it inside
 * its context (for the few methods an era answers itself — the 2025 `initialize`, a method it
 * does not serve; the 2026 `server/discover`, the tasks methods, a method the version removed —
 * the era calls the same observer). The core knows no metric or span; `src/telemetry/` implements
 * it.
 *
 * What a caller sees — the access rules, the view of the endpoint, the search tools — is the
 * host's {@linkcode Surface}, applied here to every list and every lookup by name, whichever era
 * or transport the request came on: a name the caller may not see answers as an unknown one.
 *
 * @module
 */

import { ErrorCode, errorText, ProtocolError, ToolError } from "../errors.ts";
import type { LoggingLevel } from "../protocol.ts";
import type { CallerArtifacts } from "./artifacts.ts";
import type { Connection } from "./connection.ts";
import type { RequestContext, UserIdentity } from "./context.ts";
import type { Registry } from "./registry.ts";
import { type Caller, Surface } from "./surface.ts";

/** A request's `params` (what a handler may read is checked by the handler). */
export type Params = Record<string, unknown>;

/**
 * What {@linkcode dispatch} needs of the runtime.
 *
 * @example
 * ```ts
 * import { type DispatchHost, Registry } from "@chuk/mcp-runtime";
 * const host: DispatchHost = {
 *   registry: new Registry(),
 *   beginRequest: () => () => {},
 *   subscribed: () => {},
 *   unsubscribed: () => {},
 *   logLevelSet: () => {},
 * };
 * ```
 */
export interface DispatchHost {
  /** Where every tool, resource and prompt is found. */
  readonly registry: Registry;
  /** What each caller sees of the registry (access rules, views, tool search); default everything. */
  readonly surface?: Surface;
  /** Count a tool call as in flight until the returned function is called (graceful shutdown). */
  beginRequest(): () => void;
  /** A connection subscribed to `uri`. */
  subscribed(connection: Connection, uri: string): void;
  /** A connection unsubscribed from `uri`. */
  unsubscribed(connection: Connection, uri: string): void;
  /** A connection set its log level. */
  logLevelSet(connection: Connection, level: LoggingLevel): void;
  /** Sees every request (metrics, traces, request logs); none by default. */
  readonly observer?: RequestObserver;
  /** The artifact store as the caller of `ctx` sees it (`ctx.artifacts`), when there is one. */
  artifactsFor?(ctx: RequestContext): CallerArtifacts | undefined;
}

/**
 * One request as the core sees it, apart from its method and params.
 *
 * @example
 * ```ts
 * import { type Call, createTestContext } from "@chuk/mcp-runtime";
 * const call: Call = { context: () => Promise.resolve(createTestContext()) };
 * ```
 */
export interface Call {
  /** The request's context (built on demand: stateless HTTP first looks its session up). */
  context(): Promise<RequestContext>;
  /** The client link the request came on, when the era has one. */
  connection?: Connection;
  /** The verified caller (none without a token): what the access rules judge. */
  user?: UserIdentity;
  /** The view whose endpoint the request came to (`<mcp_path>/<view>`); none for the full surface. */
  view?: string;
  /** The JSON-RPC id (for observers: traces, request logs). */
  id?: string | number;
  /** Aborted when the client cancels the request or goes away (observers count it as cancelled). */
  signal?: AbortSignal;
  /** The protocol version the request speaks, when known (negotiated, or from its envelope). */
  protocolVersion?: string;
}

/**
 * One request as an observer sees it.
 *
 * @example
 * ```ts
 * import type { ObservedRequest } from "@chuk/mcp-runtime/telemetry";
 * const request: ObservedRequest = { method: "tools/list", params: {}, call: { context: () => Promise.reject() } };
 * ```
 */
export interface ObservedRequest {
  /** The JSON-RPC method (as the client sent it: an unknown one too). */
  readonly method: string;
  /** Its params (`_meta` may carry the caller's `traceparent`). */
  readonly params: Params;
  /** The request's call: its id, signal, connection and protocol version, when the era knows them. */
  readonly call: Call;
  /**
   * `tools/call` only: the upstream the named tool forwards to (`""` for a local tool), or `null`
   * when the registry has no such tool.
   */
  readonly toolUpstream?: string | null;
}

/**
 * Sees every request the runtime serves, and every client connection.
 *
 * @example
 * ```ts
 * import type { RequestObserver } from "@chuk/mcp-runtime/telemetry";
 * const timing: RequestObserver = {
 *   async request(request, serve) {
 *     const started = performance.now();
 *     try {
 *       return await serve();
 *     } finally {
 *       console.error(`${request.method}: ${(performance.now() - started).toFixed(1)} ms`);
 *     }
 *   },
 *   connectionOpened() {},
 * };
 * ```
 */
export interface RequestObserver {
  /**
   * Serve `request` by calling `serve` once — inside whatever context the observer keeps for it
   * (a span, log fields) — and return or throw what it does.
   */
  request(request: ObservedRequest, serve: () => Promise<unknown>): Promise<unknown>;
  /** A client connection opened (it reports its end through `connection.onClose`). */
  connectionOpened(connection: Connection): void;
}

type Handler = (host: DispatchHost, params: Params, call: Call) => Promise<unknown> | unknown;

const EVERYTHING = new Surface();

function surfaceOf(host: DispatchHost): Surface {
  return host.surface ?? EVERYTHING;
}

function callerOf(call: Call): Caller {
  return { user: call.user, view: call.view };
}

function invalid(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, message);
}

function text(params: Params, key: string): string {
  const v = params[key];
  if (typeof v !== "string") throw invalid(`Invalid params: '${key}' must be a string`);
  return v;
}

function record<T>(params: Params, key: string): T | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    throw invalid(`Invalid params: '${key}' must be an object`);
  }
  return v as T;
}

/**
 * The `arguments` of a `tools/call` or `prompts/get`: an object, or (as the reference runtime
 * takes it, and some clients send it) a JSON string holding one; absent is `undefined`. Anything
 * else is a {@linkcode ProtocolError} (`-32602`) with one line saying so.
 *
 * @example
 * ```ts
 * import { argumentsOf } from "./dispatch.ts";
 * argumentsOf({ arguments: '{"a": 1}' }); // { a: 1 }
 * argumentsOf({}); // undefined
 * ```
 */
export function argumentsOf(params: Params): Record<string, unknown> | undefined {
  const v = params.arguments;
  if (typeof v !== "string") return record(params, "arguments");
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    // not JSON: refused below
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalid("Invalid params: 'arguments' must be an object (or a JSON string of one); got a string");
  }
  return parsed as Record<string, unknown>;
}

function linkOf(call: Call, method: string): Connection {
  if (!call.connection) {
    throw new ProtocolError(ErrorCode.MethodNotFound, `Method not found: ${method} needs a connection`);
  }
  return call.connection;
}

const HANDLERS: Record<string, Handler> = {
  ping: () => ({}),

  "tools/list": (host, _params, call) => ({
    tools: surfaceOf(host).listTools(host.registry, callerOf(call)),
  }),

  "tools/call": async (host, params, call) => {
    const name = text(params, "name");
    const entry = surfaceOf(host).tool(host.registry, name, callerOf(call));
    if (!entry) throw invalid(`Unknown tool: ${name}`);
    const end = host.beginRequest();
    try {
      return await entry.call(argumentsOf(params), await call.context());
    } finally {
      end();
    }
  },

  "resources/list": async (host, _params, call) => ({
    resources: surfaceOf(host).resources(
      await host.registry.listResources(await call.context()),
      callerOf(call),
    ),
  }),

  "resources/templates/list": (host, _params, call) => ({
    resourceTemplates: surfaceOf(host).templates(host.registry.listTemplates(), callerOf(call)),
  }),

  "resources/read": async (host, params, call) => {
    const uri = text(params, "uri");
    const notFound = () =>
      new ProtocolError(ErrorCode.ResourceNotFound, `Resource not found: ${uri}`, { uri });
    if (!surfaceOf(host).resource(uri, callerOf(call))) throw notFound();
    let result;
    try {
      result = await host.registry.readResource(uri, await call.context());
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError(ErrorCode.InternalError, `Failed to read resource ${uri}: ${errorText(e)}`);
    }
    if (!result) throw notFound();
    return result;
  },

  "resources/subscribe": (host, params, call) => {
    const uri = text(params, "uri");
    const connection = linkOf(call, "resources/subscribe");
    // Accepted like any URI, but no update about a resource the caller may not see ever reaches it.
    if (!surfaceOf(host).resource(uri, callerOf(call))) return {};
    connection.subscriptions.add(uri);
    host.subscribed(connection, uri);
    return {};
  },

  "resources/unsubscribe": (host, params, call) => {
    const uri = text(params, "uri");
    const connection = linkOf(call, "resources/unsubscribe");
    if (connection.subscriptions.delete(uri)) host.unsubscribed(connection, uri);
    return {};
  },

  "prompts/list": (host, _params, call) => ({
    prompts: surfaceOf(host).listPrompts(host.registry, callerOf(call)),
  }),

  "prompts/get": async (host, params, call) => {
    const name = text(params, "name");
    const entry = surfaceOf(host).prompt(host.registry, name, callerOf(call));
    if (!entry) throw invalid(`Unknown prompt: ${name}`);
    try {
      return await entry.get(argumentsOf(params) as Record<string, string> | undefined, await call.context());
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      // Bad arguments are the caller's problem; anything else failed inside the prompt.
      if (e instanceof ToolError) throw invalid(errorText(e));
      throw new ProtocolError(ErrorCode.InternalError, `Failed to get prompt ${name}: ${errorText(e)}`);
    }
  },

  "completion/complete": async (host, params, call) => {
    const { registry } = host;
    const surface = surfaceOf(host);
    const ref = record<{ type?: unknown; name?: unknown; uri?: unknown }>(params, "ref") ?? {};
    const argument = record<{ name?: unknown; value?: unknown }>(params, "argument") ?? {};
    if (typeof argument.name !== "string" || typeof argument.value !== "string") {
      throw invalid("Invalid params: 'argument' needs a name and a value");
    }
    const context = record<{ arguments?: Record<string, string> }>(params, "context") ?? {};
    const ctx = await call.context();
    let entry;
    if (ref.type === "ref/prompt" && typeof ref.name === "string") {
      entry = surface.prompt(registry, ref.name, callerOf(call));
      if (!entry) throw invalid(`Unknown prompt: ${ref.name}`);
    } else if (ref.type === "ref/resource" && typeof ref.uri === "string") {
      entry = registry.templates.get(ref.uri);
      const known = entry || registry.resources.get(ref.uri);
      if (!known || !surface.resource(ref.uri, callerOf(call))) {
        throw invalid(`Unknown resource template: ${ref.uri}`);
      }
    } else {
      throw invalid("Invalid params: 'ref' must be a ref/prompt or a ref/resource");
    }
    const values = entry?.complete
      ? await entry.complete(argument.name, argument.value, context, ctx)
      : { values: [] };
    return { completion: values };
  },

  "logging/setLevel": (host, params, call) => {
    const level = text(params, "level") as LoggingLevel;
    const connection = linkOf(call, "logging/setLevel");
    connection.logLevel = level;
    host.logLevelSet(connection, level);
    return {};
  },
};

/**
 * The MCP methods {@linkcode dispatch} serves.
 *
 * @example
 * ```ts
 * import { DISPATCHED_METHODS } from "./dispatch.ts";
 * console.log(DISPATCHED_METHODS.includes("tools/call")); // true
 * ```
 */
export const DISPATCHED_METHODS: readonly string[] = Object.keys(HANDLERS);

/**
 * Serve one MCP request: its result, or a thrown {@linkcode ProtocolError}.
 *
 * @example
 * ```ts
 * import { createTestContext, dispatch, Registry } from "@chuk/mcp-runtime";
 * const registry = new Registry();
 * const host = {
 *   registry,
 *   beginRequest: () => () => {},
 *   subscribed: () => {},
 *   unsubscribed: () => {},
 *   logLevelSet: () => {},
 * };
 * const result = await dispatch(host, "tools/list", {}, {
 *   context: () => Promise.resolve(createTestContext()),
 * });
 * console.log(result); // { tools: [] }
 * ```
 */
export async function dispatch(
  host: DispatchHost,
  method: string,
  params: Params | undefined,
  call: Call,
): Promise<unknown> {
  const p = params ?? {};
  const observer = host.observer;
  if (!observer) return await serve(host, method, p, call);
  let toolUpstream: string | null | undefined;
  if (method === "tools/call" && typeof p.name === "string") {
    const entry = host.registry.tools.get(p.name);
    toolUpstream = entry ? entry.upstream ?? "" : null;
  }
  return await observer.request(
    { method, params: p, call, toolUpstream },
    () => serve(host, method, p, call),
  );
}

async function serve(host: DispatchHost, method: string, params: Params, call: Call): Promise<unknown> {
  const handler = Object.hasOwn(HANDLERS, method) ? HANDLERS[method] : undefined;
  if (!handler) throw new ProtocolError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
  return await handler(host, params, withArtifacts(host, call));
}

/** `call` whose context carries `ctx.artifacts` (looked up on first use) when the host has a store. */
function withArtifacts(host: DispatchHost, call: Call): Call {
  if (!host.artifactsFor) return call;
  return {
    ...call,
    context: async () => {
      const ctx = await call.context();
      if (!("artifacts" in ctx)) {
        let artifacts: CallerArtifacts | undefined;
        Object.defineProperty(ctx, "artifacts", {
          get: () => artifacts ??= host.artifactsFor!(ctx),
          enumerable: true,
        });
      }
      return ctx;
    },
  };
}
