/**
 * The HTTP front door: every request passes the same small guards, once, in this order —
 * Host syntax → health → Host/Origin → CORS preflight → `/.well-known/` → authentication → path →
 * method → `Accept` → `Content-Type` → body → message authorization — and only then reaches a
 * transport (answers to an origin in `allowed_origins` get the CORS headers, `cors.ts`). A guard
 * answers with a `Response` (the request ends there)
 * or with `undefined` (it passes). Transports (streamable HTTP, SSE, and the next protocol era)
 * plug in behind the door as {@linkcode Route}s.
 *
 * @module
 */

import type { Authenticator, UserIdentity } from "../auth/types.ts";
import { acceptsMediaType } from "./accept.ts";
import { DEFAULT_BODY_TIMEOUT_MS, isJsonContentType, readJsonBody } from "./body.ts";
import { corsPreflight, withCors } from "./cors.ts";
import { checkHostAndOrigin, checkHostSyntax, type HostPolicy } from "./host_origin.ts";
import { healthResponse, jsonRpcErrorResponse } from "./responses.ts";

/** What the guards learned about a request on its way in. */
export interface RequestState {
  /** The parsed request URL. */
  readonly url: URL;
  /** The authenticated caller (set by the authentication guard). */
  user?: UserIdentity;
  /** The bearer token it came with. */
  token?: string;
  /** The parsed JSON body (set by {@linkcode jsonBody}). */
  body?: unknown;
}

/** Serves a request that passed the guards. */
export type Handler = (req: Request, state: RequestState) => Response | Promise<Response>;

/** One check: a `Response` ends the request, `undefined` lets it pass. */
export type Guard = (
  req: Request,
  state: RequestState,
) => Response | undefined | Promise<Response | undefined>;

/**
 * `handler` behind `guards`, run in order.
 *
 * @example
 * ```ts
 * import { guarded, jsonContentType } from "./front_door.ts";
 * const echo = guarded([jsonContentType], () => new Response("ok"));
 * ```
 */
export function guarded(guards: readonly Guard[], handler: Handler): Handler {
  return async (req, state) => {
    for (const guard of guards) {
      const refused = await guard(req, state);
      if (refused) return refused;
    }
    return await handler(req, state);
  };
}

/** A transport's share of the door: the paths it answers and how. */
export interface Route {
  /** The paths (exact matches). */
  readonly paths: readonly string[];
  /** Serves a request to one of them (see {@linkcode byMethod}). */
  readonly handle: Handler;
}

/**
 * Handlers by HTTP method; any other method gets 405 with `Allow`.
 *
 * @example
 * ```ts
 * import { byMethod } from "./front_door.ts";
 * const handle = byMethod({ GET: () => new Response("ok") });
 * ```
 */
export function byMethod(handlers: Record<string, Handler>, refusal = "Method not allowed"): Handler {
  const allow = Object.keys(handlers).join(", ");
  return (req, state) => {
    const handler = Object.hasOwn(handlers, req.method) ? handlers[req.method] : undefined;
    if (handler) return handler(req, state);
    return jsonRpcErrorResponse(405, -32000, refusal, { allow });
  };
}

/**
 * Health answers `GET`/`HEAD` on `path` before any other check (load balancers carry no
 * credentials and may use any Host).
 *
 * @example
 * ```ts
 * import { health } from "./front_door.ts";
 * const guard = health("/health", () => ({ status: "ok" }));
 * ```
 */
export function health(path: string, status: () => Record<string, unknown>): Guard {
  return (req, { url }) =>
    url.pathname === path && (req.method === "GET" || req.method === "HEAD")
      ? healthResponse(status(), req.method)
      : undefined;
}

/**
 * DNS-rebinding protection (see `checkHostAndOrigin`): 403 for a foreign `Host` or `Origin`.
 *
 * @example
 * ```ts
 * import { hostAndOrigin } from "./front_door.ts";
 * const guard = hostAndOrigin({ bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [] });
 * ```
 */
export function hostAndOrigin(policy: HostPolicy): Guard {
  return (req) => checkHostAndOrigin(req, policy);
}

/**
 * `/.well-known/` answers without credentials: the authenticator's own documents (an OAuth
 * protected resource's metadata), else 404 — never 401, so OAuth-aware clients see there is no
 * OAuth here and use the token they were given.
 *
 * @example
 * ```ts
 * import { wellKnown } from "./front_door.ts";
 * import { noAuth } from "../auth/types.ts";
 * const guard = wellKnown(noAuth);
 * ```
 */
export function wellKnown(authenticator: Authenticator): Guard {
  return (req, { url }) => {
    if (!url.pathname.startsWith("/.well-known/")) return undefined;
    return authenticator.wellKnown?.(req, url) ??
      jsonRpcErrorResponse(404, -32000, `Not found: ${url.pathname}`);
  };
}

/**
 * After the body is read: the authenticator may refuse this caller this message (a `tools/call`
 * needing scopes the token lacks: 403 `insufficient_scope`, so the client can step up).
 *
 * @example
 * ```ts
 * import { authorizeMessage } from "./front_door.ts";
 * import { noAuth } from "../auth/types.ts";
 * const guard = authorizeMessage(noAuth);
 * ```
 */
export function authorizeMessage(authenticator: Authenticator): Guard {
  return (_req, state) => authenticator.authorize?.(state.body, state.user);
}

/**
 * Every request but the health check needs credentials, unknown paths included: the caller's
 * identity goes into the state, or the authenticator's answer (401) ends the request.
 *
 * @example
 * ```ts
 * import { authenticate } from "./front_door.ts";
 * import { noAuth } from "../auth/types.ts";
 * const guard = authenticate(noAuth);
 * ```
 */
export function authenticate(authenticator: Authenticator): Guard {
  return async (req, state) => {
    const auth = await authenticator.authenticate(req);
    if (!auth.ok) return auth.response;
    state.user = auth.user;
    state.token = auth.token;
    return undefined;
  };
}

/**
 * 406 unless the client accepts every one of `types` (see {@linkcode acceptsMediaType}: any case,
 * wildcards, `q=0`; no `Accept` accepts anything).
 *
 * @example
 * ```ts
 * import { accepts } from "./front_door.ts";
 * const guard = accepts("application/json", "text/event-stream");
 * ```
 */
export function accepts(...types: string[]): Guard {
  const needed = types.length > 1 ? `both ${types.join(" and ")}` : types.join("");
  return (req) => {
    const accept = req.headers.get("accept");
    if (types.every((t) => acceptsMediaType(accept, t))) return undefined;
    return jsonRpcErrorResponse(406, -32000, `Not Acceptable: Client must accept ${needed}`);
  };
}

/**
 * 415 unless the body is declared `application/json`.
 *
 * @example
 * ```ts
 * import { guarded, jsonContentType } from "./front_door.ts";
 * const handler = guarded([jsonContentType], () => new Response("ok"));
 * ```
 */
export function jsonContentType(req: Request): Response | undefined {
  return isJsonContentType(req.headers.get("content-type"))
    ? undefined
    : jsonRpcErrorResponse(415, -32000, "Unsupported Media Type: Content-Type must be application/json");
}

/**
 * Read the JSON body into the state, bounded in size (413) and time (408); malformed JSON is 400.
 *
 * @example
 * ```ts
 * import { jsonBody } from "./front_door.ts";
 * const guard = jsonBody(8 << 20, 30_000);
 * ```
 */
export function jsonBody(maxBytes: number, timeoutMs: number = DEFAULT_BODY_TIMEOUT_MS): Guard {
  return async (req, state) => {
    const body = await readJsonBody(req, maxBytes, timeoutMs);
    if (!body.ok) return body.response;
    state.body = body.value;
    return undefined;
  };
}

/** Options of {@linkcode frontDoor}. */
export interface FrontDoorOptions {
  /** Path of the health endpoint. */
  healthPath: string;
  /** The health document. */
  health: () => Record<string, unknown>;
  /** Which Host and Origin values are accepted. */
  hostPolicy: HostPolicy;
  /** Who is calling. */
  authenticator: Authenticator;
  /** The transports behind the door. */
  routes: readonly Route[];
  /**
   * Routes answered after the Host/Origin check and before `/.well-known/` and authentication:
   * endpoints with access control of their own (the Prometheus endpoint's optional bearer token).
   */
  openRoutes?: readonly Route[];
}

/**
 * The whole door: a well-formed Host (400) → health → Host/Origin → CORS preflight → the open routes →
 * `/.well-known/` → authentication → the route of the path (404 for none). Every answer to an
 * origin in `allowed_origins` carries the CORS headers.
 *
 * @example
 * ```ts
 * import { frontDoor } from "./front_door.ts";
 * import { noAuth } from "../auth/types.ts";
 * const handle = frontDoor({
 *   healthPath: "/health",
 *   health: () => ({ status: "ok" }),
 *   hostPolicy: { bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [] },
 *   authenticator: noAuth,
 *   routes: [{ paths: ["/hello"], handle: () => new Response("hi") }],
 * });
 * const res = await handle(new Request("http://127.0.0.1:3000/hello"));
 * ```
 */
export function frontDoor(options: FrontDoorOptions): (req: Request) => Promise<Response> {
  const byPath = new Map<string, Handler>();
  for (const route of options.routes) for (const path of route.paths) byPath.set(path, route.handle);
  const open = new Map<string, Handler>();
  for (const route of options.openRoutes ?? []) for (const path of route.paths) open.set(path, route.handle);
  const door = guarded(
    [
      health(options.healthPath, options.health),
      hostAndOrigin(options.hostPolicy),
      (req) => corsPreflight(req, options.hostPolicy.allowedOrigins),
      (req, state) => open.get(state.url.pathname)?.(req, state),
      wellKnown(options.authenticator),
      authenticate(options.authenticator),
    ],
    (req, state) => {
      const handle = byPath.get(state.url.pathname);
      if (!handle) return jsonRpcErrorResponse(404, -32000, `Not found: ${state.url.pathname}`);
      return handle(req, state);
    },
  );
  const origins = options.hostPolicy.allowedOrigins;
  return async (req) =>
    checkHostSyntax(req) ?? withCors(req, await door(req, { url: new URL(req.url) }), origins);
}
