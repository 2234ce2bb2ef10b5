/**
 * Typed errors of the runtime. Each carries what a user needs to fix the problem; the CLI maps
 * them to exit codes (configuration problems exit with 2, other startup problems with 1).
 *
 * @module
 */

/**
 * Base class of every error the runtime raises on purpose.
 *
 * @example
 * ```ts
 * import { RuntimeError } from "@chuk/mcp-runtime";
 * try {
 *   throw new RuntimeError("boom");
 * } catch (e) {
 *   if (e instanceof RuntimeError) console.error(e.message);
 * }
 * ```
 */
export class RuntimeError extends Error {
  /** Process exit code the CLI uses when this error ends startup. */
  readonly exitCode: number = 1;
  /** An error with `message` (and an optional `cause`). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/** Where in a configuration file a problem was found. */
export interface ConfigErrorLocation {
  /** The file, or a label such as `<embedded default>` or `<command line>`. */
  file: string;
  /** Dotted key path, e.g. `server.type` or `mcp_servers.time.command`. */
  path?: string;
  /** 1-based line in the file, when the YAML has one for the key. */
  line?: number;
}

/**
 * Invalid configuration: bad YAML, a wrong value, an unknown key, a missing file.
 * The message names the file, the key path, the line and what was expected; exit code 2.
 *
 * @example
 * ```ts
 * import { ConfigError } from "@chuk/mcp-runtime";
 * const err = new ConfigError("expected one of stdio, sse, streamable-http", {
 *   file: "config.yaml",
 *   path: "server.type",
 *   line: 2,
 * });
 * console.log(err.message); // config.yaml:2: server.type: expected one of stdio, sse, streamable-http
 * ```
 */
export class ConfigError extends RuntimeError {
  /** Exit code 2: the user fixes the configuration. */
  override readonly exitCode: number = 2;
  /** Where the problem is. */
  readonly location: ConfigErrorLocation;
  /** What was wrong, without the location prefix. */
  readonly detail: string;
  /** An error at `location`, saying what was wrong (`detail`). */
  constructor(detail: string, location: ConfigErrorLocation, options?: ErrorOptions) {
    const where = location.line ? `${location.file}:${location.line}` : location.file;
    super(`${where}: ${location.path ? `${location.path}: ` : ""}${detail}`, options);
    this.name = "ConfigError";
    this.location = location;
    this.detail = detail;
  }
}

/**
 * Two definitions (tools, prompts, resources) claim the same name. Names both sources.
 *
 * @example
 * ```ts
 * import { DuplicateNameError } from "@chuk/mcp-runtime";
 * const err = new DuplicateNameError("tool", "greet", "a.ts", "b.ts");
 * console.log(err.message);
 * ```
 */
export class DuplicateNameError extends RuntimeError {
  /** Exit code 2: the user fixes the configuration. */
  override readonly exitCode: number = 2;
  /** Two definitions of `kind` named `key`, from two sources. */
  constructor(
    /** `tool`, `prompt`, `resource` or `resource template`. */
    readonly kind: string,
    /** The name (or URI) both definitions use. */
    readonly key: string,
    /** Where the first definition came from. */
    readonly firstSource: string,
    /** Where the second definition came from. */
    readonly secondSource: string,
  ) {
    super(`duplicate ${kind} '${key}': defined by ${firstSource} and by ${secondSource}`);
    this.name = "DuplicateNameError";
  }
}

/**
 * A tool, resource or prompt module could not be imported.
 *
 * @example
 * ```ts
 * import { ModuleLoadError } from "@chuk/mcp-runtime";
 * const err = new ModuleLoadError("./tools.ts", new SyntaxError("Unexpected token"));
 * console.log(err.message);
 * ```
 */
export class ModuleLoadError extends RuntimeError {
  /** Importing `file` failed with `cause`. */
  constructor(readonly file: string, cause: unknown) {
    super(`cannot load module ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "ModuleLoadError";
  }
}

/**
 * A tool call failed in a way the caller should see as a tool error (`isError: true`).
 * Throw it from a handler to control the message exactly.
 *
 * @example
 * ```ts
 * import { defineTool, ToolError } from "@chuk/mcp-runtime";
 * export const divide = defineTool({
 *   name: "divide",
 *   inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
 *   handler: ({ a, b }) => {
 *     if (b === 0) throw new ToolError("division by zero");
 *     return String(Number(a) / Number(b));
 *   },
 * });
 * ```
 */
export class ToolError extends RuntimeError {
  /** A tool error the caller sees with exactly `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ToolError";
  }
}

/**
 * A tool call ran past its timeout. The call's `ctx.signal` is aborted with this error.
 *
 * @example
 * ```ts
 * import { ToolTimeoutError } from "@chuk/mcp-runtime";
 * const err = new ToolTimeoutError("slow", 2);
 * console.log(err.message); // Tool 'slow' timed out after 2.0s
 * ```
 */
export class ToolTimeoutError extends RuntimeError {
  /** `tool` ran longer than `seconds`. */
  constructor(readonly tool: string, readonly seconds: number) {
    super(`Tool '${tool}' timed out after ${seconds.toFixed(1)}s`);
    this.name = "ToolTimeoutError";
  }
}

/**
 * JSON-RPC error codes the runtime answers with: the standard ones, the SDK's connection and
 * timeout codes, and MCP's "resource not found".
 */
export const ErrorCode = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request. */
  InvalidRequest: -32600,
  /** The method does not exist or is not served here. */
  MethodNotFound: -32601,
  /** Invalid method parameters (an unknown tool, a missing argument). */
  InvalidParams: -32602,
  /** An error inside the server. */
  InternalError: -32603,
  /** The connection closed before the answer came. */
  ConnectionClosed: -32000,
  /** The request timed out. */
  RequestTimeout: -32001,
  /** MCP: no resource at the URI. */
  ResourceNotFound: -32002,
  /** MCP 2026-07-28: an HTTP header disagrees with the body (or a required one is missing). */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28: serving the request needs a capability the client did not declare. */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28: the request names a protocol version the server does not speak. */
  UnsupportedProtocolVersion: -32022,
} as const;

/**
 * An MCP (JSON-RPC) error: what the runtime answers a request with when it cannot serve it — an
 * unknown tool, a resource that is not there, an upstream that is down. Handlers and plugins
 * throw it; each wire (era) turns it into its error response, with the message as given.
 *
 * @example
 * ```ts
 * import { ErrorCode, ProtocolError } from "@chuk/mcp-runtime";
 * throw new ProtocolError(ErrorCode.InvalidParams, "Unknown tool: x");
 * ```
 */
export class ProtocolError extends Error {
  /** A protocol error with JSON-RPC `code`, `message` and optional `data`. */
  constructor(
    /** The JSON-RPC error code (see {@linkcode ErrorCode}). */
    readonly code: number,
    message: string,
    /** Extra data sent with the error (`{ uri }` for a missing resource). */
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

/**
 * Serving the request needs something from the client it did not declare it can do (sampling,
 * elicitation, roots, an extension): the request fails with `-32021` and
 * `data.requiredCapabilities` naming what is missing, on eras where capabilities are declared per
 * request (2026-07-28). Handlers need not catch it: the runtime answers the request with it.
 *
 * @example
 * ```ts
 * import { MissingClientCapabilityError } from "@chuk/mcp-runtime/define";
 * const e = new MissingClientCapabilityError({ sampling: {} });
 * console.log(e.code, e.data); // -32021 { requiredCapabilities: { sampling: {} } }
 * ```
 */
export class MissingClientCapabilityError extends ProtocolError {
  /** The request needs `required` (a `ClientCapabilities` object, e.g. `{ sampling: {} }`). */
  constructor(readonly required: Record<string, unknown>) {
    super(
      ErrorCode.MissingRequiredClientCapability,
      `Missing required client capability: ${Object.keys(required).join(", ")}`,
      { requiredCapabilities: required },
    );
    this.name = "MissingClientCapabilityError";
  }
}

/**
 * The message of any thrown value: an error's message, else the value as text.
 *
 * @example
 * ```ts
 * import { errorText } from "./errors.ts";
 * errorText(new Error("boom")); // "boom"
 * errorText("plain"); // "plain"
 * ```
 */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
