/**
 * Registry entries for what an upstream serves: the core calls them like local ones; each finds
 * the instance that serves the caller and forwards.
 *
 * @module
 */

import type { PromptEntry, ResourceTemplateEntry, ToolEntry } from "../core/registry.ts";
import { ErrorCode, ProtocolError } from "../errors.ts";
import type { Tool } from "../protocol.ts";
import { toolErrorResult } from "../tools/result.ts";
import type { ShapedTool } from "../tools/shape.ts";
import { UpstreamUnavailableError } from "./errors.ts";
import type { UpstreamPool } from "./pool.ts";

/** The source an upstream's entries name in messages and collisions. */
export function upstreamSource(server: string): string {
  return `upstream '${server}'`;
}

/**
 * The entry of upstream tool `tool`, listed as `exposed`. With `shaped` (`tool_overrides`) it is
 * listed as shaped and still called by its upstream name, its arguments completed first.
 *
 * @example
 * ```ts
 * import { proxiedTool } from "./entries.ts";
 * declare const pool: import("./pool.ts").UpstreamPool;
 * const entry = proxiedTool(pool, { name: "now", inputSchema: { type: "object" } }, "proxy.time.now", 60);
 * ```
 */
export function proxiedTool(
  pool: UpstreamPool,
  tool: Tool,
  exposed: string,
  timeoutSeconds: number,
  shaped?: ShapedTool,
): ToolEntry {
  const listed = shaped?.tool ?? tool;
  const upstreamName = tool.name;
  const complete = shaped?.args ?? ((a: Record<string, unknown> | undefined) => a);
  return {
    // Everything the upstream said about the tool (schemas, annotations, _meta, title, icons)
    // passes through; only the name changes (and what an override changes).
    tool: { ...listed, name: exposed },
    source: upstreamSource(pool.name),
    upstream: pool.name,
    call: async (args, ctx) => {
      let up;
      try {
        up = await pool.forCall(ctx);
      } catch (e) {
        // For a tool call, "no upstream" is the tool's result, not a protocol error.
        if (e instanceof UpstreamUnavailableError) return toolErrorResult(e.message);
        throw e;
      }
      return await up.callTool(upstreamName, complete(args), ctx, timeoutSeconds, exposed);
    },
  };
}

/**
 * The entry of upstream prompt `upstreamName`, listed as `prompt`.
 *
 * @example
 * ```ts
 * import { proxiedPrompt } from "./entries.ts";
 * declare const pool: import("./pool.ts").UpstreamPool;
 * const entry = proxiedPrompt(pool, "review", { name: "proxy.git.review" }, 60);
 * ```
 */
export function proxiedPrompt(
  pool: UpstreamPool,
  upstreamName: string,
  prompt: PromptEntry["prompt"],
  timeoutSeconds: number,
): PromptEntry {
  return {
    prompt,
    source: upstreamSource(pool.name),
    get: async (args, ctx) => (await pool.forCall(ctx)).getPrompt(upstreamName, args, ctx, timeoutSeconds),
    complete: async (argument, value, context, ctx) =>
      (await pool.forCall(ctx)).complete({
        ref: { type: "ref/prompt", name: upstreamName },
        argument,
        value,
        context,
      }, ctx),
  };
}

/**
 * The entry of an upstream's resource template (URIs are not renamed).
 *
 * @example
 * ```ts
 * import { proxiedTemplate } from "./entries.ts";
 * declare const pool: import("./pool.ts").UpstreamPool;
 * const entry = proxiedTemplate(pool, { uriTemplate: "file:///{path}", name: "files" }, 60);
 * ```
 */
export function proxiedTemplate(
  pool: UpstreamPool,
  template: ResourceTemplateEntry["template"],
  timeoutSeconds: number,
): ResourceTemplateEntry {
  return {
    template,
    source: upstreamSource(pool.name),
    read: async (uri, _vars, ctx) => {
      // A URI the entry does not serve reads as one nobody serves.
      if (!pool.shape.resource(uri)) {
        throw new ProtocolError(ErrorCode.ResourceNotFound, `Resource not found: ${uri}`, { uri });
      }
      return await (await pool.forCall(ctx)).readResource(uri, ctx, timeoutSeconds);
    },
    complete: async (argument, value, context, ctx) =>
      (await pool.forCall(ctx)).complete(
        { ref: { type: "ref/resource", uri: template.uriTemplate }, argument, value, context },
        ctx,
      ),
  };
}
