/**
 * The one place that imports the MCP SDK's server side. Everything else in the runtime imports
 * from here, so moving to the v2 SDK (`@modelcontextprotocol/server`) touches this folder only.
 *
 * The `@ts-types` lines are needed because the SDK's `"./*"` export maps types to `*.js.d.ts`,
 * which does not exist, so Deno would otherwise type every import as `any`.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/server/index"
export { Server } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
export { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
export { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
export type {
  EventStore,
  WebStandardStreamableHTTPServerTransportOptions,
} from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
export type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
// @ts-types="@modelcontextprotocol/sdk/shared/transport"
export type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
// @ts-types="@modelcontextprotocol/sdk/server/zod-json-schema-compat"
export { toJsonSchemaCompat } from "@modelcontextprotocol/sdk/server/zod-json-schema-compat.js";
// @ts-types="@modelcontextprotocol/sdk/server/zod-compat"
export {
  normalizeObjectSchema,
  safeParse,
  safeParseAsync,
} from "@modelcontextprotocol/sdk/server/zod-compat.js";
// @ts-types="@modelcontextprotocol/sdk/server/zod-compat"
export type { AnyObjectSchema, AnySchema } from "@modelcontextprotocol/sdk/server/zod-compat.js";
// @ts-types="@modelcontextprotocol/sdk/validation/ajv-provider"
export { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
// @ts-types="@modelcontextprotocol/sdk/shared/uriTemplate"
export { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";

// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
// @ts-types="@modelcontextprotocol/sdk/server/index"
import type { Server as SdkServer } from "@modelcontextprotocol/sdk/server/index.js";
import type { JSONRPCRequest } from "./types.ts";

/**
 * Register a request handler with the base `Protocol` logic only (one parse of the request
 * against `schema`), skipping what `Server.setRequestHandler` adds for `tools/call`: a second
 * parse of the request and a full re-validation of the result. Kept here, with the SDK.
 */
export function setRequestHandlerUnwrapped(
  server: SdkServer,
  ...args: Parameters<SdkServer["setRequestHandler"]>
): void {
  (Protocol.prototype.setRequestHandler as (...a: unknown[]) => void).apply(server, args);
}

/** A request handler as the SDK keeps it: the raw request in, the result out. */
type StoredHandler = (request: JSONRPCRequest, extra: unknown) => Promise<unknown>;

/**
 * Put `around` in front of a handler the SDK registered itself (`initialize`): it gets the raw
 * request and its `extra`, and runs the SDK's handler through `inner`. Kept here, with the SDK: it reaches into the
 * handler table of its `Protocol`.
 *
 * @example
 * ```ts
 * import { aroundSdkHandler, Server } from "./server.ts";
 * const server = new Server({ name: "demo", version: "1" }, { capabilities: {} });
 * aroundSdkHandler(server, "initialize", (request, _extra, inner) => {
 *   console.error(`initialize from request ${request.id}`);
 *   return inner();
 * });
 * ```
 */
export function aroundSdkHandler(
  server: SdkServer,
  method: string,
  around: (request: JSONRPCRequest, extra: unknown, inner: () => Promise<unknown>) => Promise<unknown>,
): void {
  const handlers = (server as unknown as { _requestHandlers: Map<string, StoredHandler> })._requestHandlers;
  const inner = handlers.get(method);
  if (!inner) throw new Error(`aroundSdkHandler: the SDK has no handler for ${method}`);
  handlers.set(method, (request, extra) => around(request, extra, () => inner(request, extra)));
}
