/**
 * The HTTP front door and its parts: small guards (health, Host/Origin, CORS, authentication, method,
 * `Accept`, `Content-Type`, body) composed in front of routes, the listener, and the responses
 * they share. `httpHandler` (the package root) puts the door in front of the configured transport.
 *
 * @example
 * ```ts
 * import { frontDoor } from "@chuk/mcp-runtime/http";
 * import { noAuth } from "@chuk/mcp-runtime/auth";
 * const handle = frontDoor({
 *   healthPath: "/health",
 *   health: () => ({ status: "ok" }),
 *   hostPolicy: { bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [] },
 *   authenticator: noAuth,
 *   routes: [{ paths: ["/hello"], handle: () => new Response("hi") }],
 * });
 * console.log((await handle(new Request("http://127.0.0.1:3000/hello"))).status); // 200
 * ```
 *
 * @module
 */

export {
  accepts,
  authenticate,
  byMethod,
  frontDoor,
  guarded,
  health,
  hostAndOrigin,
  jsonBody,
  jsonContentType,
} from "./front_door.ts";
export type { FrontDoorOptions, Guard, Handler, RequestState, Route } from "./front_door.ts";
export { acceptsMediaType } from "./accept.ts";
export { checkHostAndOrigin, checkHostSyntax, isLoopback, isValidHostHeader } from "./host_origin.ts";
export { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, corsPreflight, withCors } from "./cors.ts";
export type { HostPolicy } from "./host_origin.ts";
export { DEFAULT_BODY_TIMEOUT_MS, isJsonContentType, readJsonBody } from "./body.ts";
export type { JsonBody } from "./body.ts";
export { healthResponse, jsonRpcErrorResponse } from "./responses.ts";
export { listenHttp } from "./listen.ts";
export type { HttpListener, ListenOptions } from "./listen.ts";
