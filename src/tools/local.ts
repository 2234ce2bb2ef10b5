/**
 * Registry entries for definitions written in TypeScript: argument validation, timeouts,
 * cancellation and result mapping for tools; argument checks for prompts; MIME handling for
 * resources.
 *
 * @module
 */

import { type RequestContext, runWithRequestContext } from "../core/context.ts";
import { MissingClientCapabilityError, ToolError, ToolTimeoutError } from "../errors.ts";
import type {
  CacheHint,
  CompletionContext,
  CompletionValues,
  PromptEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  TaskSettings,
  ToolEntry,
} from "../core/registry.ts";
import type { PromptArgument, Tool } from "../protocol.ts";
import type {
  CompleteFn,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolDefinition,
} from "./define.ts";
import { type CompiledSchema, compileSchema } from "./schema.ts";
import {
  toCallToolResult,
  toGetPromptResult,
  toolErrorResult,
  toolErrorResultFrom,
  toReadResourceResult,
} from "./result.ts";

/** Settings that apply to every local tool. */
export interface LocalToolOptions {
  /** Default timeout in seconds when the tool sets none (`0` = none). */
  defaultTimeout: number;
  /** Caching hint of definitions that set none (the module's `cache:` in the configuration). */
  cache?: CacheHint;
}

/** The task settings of a tool definition, or none when it never runs as a task. */
function taskSettings(def: ToolDefinition): TaskSettings | undefined {
  const support = def.execution?.taskSupport;
  if (support !== "optional" && support !== "required") return undefined;
  return {
    support,
    start: def.task?.start ?? "immediately",
    ...(def.task?.ttlMs !== undefined ? { ttlMs: def.task.ttlMs } : {}),
    ...(def.task?.pollIntervalMs !== undefined ? { pollIntervalMs: def.task.pollIntervalMs } : {}),
  };
}

const TOOL_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;

/**
 * Whether `name` may name a tool or prompt: 1-128 of `A-Z a-z 0-9 _ - . /`. Local definitions
 * and the names upstream servers list are held to the same rule.
 *
 * @example
 * ```ts
 * import { isValidToolName } from "@chuk/mcp-runtime/define";
 * console.log(isValidToolName("files/read_file"), isValidToolName("red\u001b[31m")); // true false
 * ```
 */
export function isValidToolName(name: string): boolean {
  return TOOL_NAME.test(name);
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : JSON.stringify(e);
}

/**
 * A registry entry that runs a {@linkcode ToolDefinition}.
 *
 * @example
 * ```ts
 * import { localToolEntry, defineTool, createTestContext } from "@chuk/mcp-runtime";
 * const entry = localToolEntry(
 *   defineTool({ name: "hi", inputSchema: { type: "object" }, handler: () => "hello" }),
 *   "inline",
 *   { defaultTimeout: 60 },
 * );
 * console.log(await entry.call({}, createTestContext()));
 * ```
 */
export function localToolEntry(def: ToolDefinition, source: string, options: LocalToolOptions): ToolEntry {
  if (!isValidToolName(def.name)) {
    throw new TypeError(
      `${source}: invalid tool name ${JSON.stringify(def.name)} (use 1-128 of A-Z a-z 0-9 _ - . /)`,
    );
  }
  const input = compileSchema(def.inputSchema, `${source}: tool '${def.name}' inputSchema`);
  const output: CompiledSchema | undefined = def.outputSchema === undefined
    ? undefined
    : compileSchema(def.outputSchema, `${source}: tool '${def.name}' outputSchema`);
  const tool: Tool = {
    name: def.name,
    ...(def.title ? { title: def.title } : {}),
    ...(def.description ? { description: def.description } : {}),
    inputSchema: input.json as Tool["inputSchema"],
    ...(output ? { outputSchema: output.json as Tool["outputSchema"] } : {}),
    ...(def.annotations ? { annotations: def.annotations } : {}),
    ...(def.execution ? { execution: def.execution } : {}),
    ...(def._meta ? { _meta: def._meta } : {}),
  };
  const timeoutSeconds = def.timeout ?? options.defaultTimeout;
  const cache = def.cache ?? options.cache;
  const task = taskSettings(def);

  return {
    tool,
    source,
    ...(cache ? { cache } : {}),
    ...(task ? { task } : {}),
    async call(args, ctx) {
      const parsed = await input.validate(args ?? {});
      if (!parsed.ok) return toolErrorResult(`Invalid arguments for tool '${def.name}': ${parsed.message}`);
      const controller = new AbortController();
      const onParentAbort = () => controller.abort(ctx.signal.reason);
      if (ctx.signal.aborted) onParentAbort();
      else ctx.signal.addEventListener("abort", onParentAbort, { once: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => {}); // observed below; avoid an unhandled rejection when the handler wins
      if (timeoutSeconds > 0) {
        timer = setTimeout(
          () => controller.abort(new ToolTimeoutError(def.name, timeoutSeconds)),
          timeoutSeconds * 1000,
        );
      }
      const callCtx: RequestContext = { ...ctx, signal: controller.signal };
      try {
        const value = await Promise.race([
          runWithRequestContext(
            callCtx,
            () => Promise.resolve().then(() => def.handler(parsed.value, callCtx)),
          ),
          aborted,
        ]);
        const result = toCallToolResult(value);
        if (output && result.structuredContent !== undefined && !result.isError) {
          const checked = await output.validate(result.structuredContent);
          if (!checked.ok) {
            return toolErrorResult(
              `Tool execution error: result does not match the tool's outputSchema: ${checked.message}`,
            );
          }
        }
        return result;
      } catch (e) {
        // Not the tool's failure: the request cannot be served to this client (2026-07-28).
        if (e instanceof MissingClientCapabilityError) throw e;
        if (e instanceof ToolTimeoutError) return toolErrorResult(e.message);
        if (e instanceof ToolError) return toolErrorResult(e.message);
        return toolErrorResultFrom(`Tool execution error: ${errorMessage(e)}`, e);
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onParentAbort);
        if (!controller.signal.aborted) controller.abort(new Error("tool call finished"));
      }
    },
  };
}

async function runComplete(
  fns: Record<string, CompleteFn> | undefined,
  argument: string,
  value: string,
  context: CompletionContext,
  ctx: RequestContext,
): Promise<CompletionValues> {
  const fn = fns?.[argument];
  if (!fn) return { values: [] };
  const values = await runWithRequestContext(ctx, () => fn(value, context));
  // The protocol caps one answer at 100 values.
  return { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 };
}

/**
 * A registry entry for a {@linkcode PromptDefinition}. Missing required arguments are an error
 * naming them.
 *
 * @example
 * ```ts
 * import { localPromptEntry } from "./local.ts";
 * import { definePrompt, createTestContext } from "@chuk/mcp-runtime";
 * const entry = localPromptEntry(definePrompt({ name: "p", handler: () => "Hi" }), "inline");
 * console.log(await entry.get({}, createTestContext()));
 * ```
 */
export function localPromptEntry(def: PromptDefinition, source: string, cache?: CacheHint): PromptEntry {
  const required = (def.arguments ?? []).filter((a) => a.required).map((a) => a.name);
  const hint = def.cache ?? cache;
  return {
    ...(hint ? { cache: hint } : {}),
    prompt: {
      name: def.name,
      ...(def.title ? { title: def.title } : {}),
      ...(def.description ? { description: def.description } : {}),
      ...(def.arguments ? { arguments: def.arguments as PromptArgument[] } : {}),
      ...(def._meta ? { _meta: def._meta } : {}),
    },
    source,
    async get(args, ctx) {
      const missing = required.filter((n) => args?.[n] === undefined);
      if (missing.length) {
        throw new ToolError(`Prompt '${def.name}' is missing required argument(s): ${missing.join(", ")}`);
      }
      const value = await runWithRequestContext(ctx, () => def.handler(args ?? {}, ctx));
      return toGetPromptResult(value, def.description);
    },
    complete: def.complete
      ? (argument, value, context, ctx) => runComplete(def.complete, argument, value, context, ctx)
      : undefined,
  };
}

/**
 * A registry entry for a fixed {@linkcode ResourceDefinition}.
 *
 * @example
 * ```ts
 * import { localResourceEntry } from "./local.ts";
 * import { defineResource, createTestContext } from "@chuk/mcp-runtime";
 * const entry = localResourceEntry(defineResource({ uri: "note://a", handler: () => "A" }), "inline");
 * console.log(await entry.read("note://a", createTestContext()));
 * ```
 */
export function localResourceEntry(
  def: ResourceDefinition,
  source: string,
  cache?: CacheHint,
): ResourceEntry {
  const hint = def.cache ?? cache;
  return {
    ...(hint ? { cache: hint } : {}),
    resource: {
      uri: def.uri,
      name: def.name ?? def.uri,
      ...(def.title ? { title: def.title } : {}),
      ...(def.description ? { description: def.description } : {}),
      ...(def.mimeType ? { mimeType: def.mimeType } : {}),
      ...(def.size !== undefined ? { size: def.size } : {}),
      ...(def.annotations ? { annotations: def.annotations } : {}),
      ...(def._meta ? { _meta: def._meta } : {}),
    },
    source,
    async read(uri, ctx) {
      const value = await runWithRequestContext(ctx, () => def.handler(new URL(uri), ctx));
      return toReadResourceResult(uri, value, def.mimeType);
    },
  };
}

/**
 * A registry entry for a {@linkcode ResourceTemplateDefinition}.
 *
 * @example
 * ```ts
 * import { localTemplateEntry } from "./local.ts";
 * import { defineResourceTemplate, createTestContext } from "@chuk/mcp-runtime";
 * const entry = localTemplateEntry(
 *   defineResourceTemplate({ uriTemplate: "note://{id}", handler: (_u, { id }) => `note ${id}` }),
 *   "inline",
 * );
 * console.log(await entry.read("note://7", { id: "7" }, createTestContext()));
 * ```
 */
export function localTemplateEntry(
  def: ResourceTemplateDefinition,
  source: string,
  cache?: CacheHint,
): ResourceTemplateEntry {
  const hint = def.cache ?? cache;
  return {
    ...(hint ? { cache: hint } : {}),
    template: {
      uriTemplate: def.uriTemplate,
      name: def.name ?? def.uriTemplate,
      ...(def.title ? { title: def.title } : {}),
      ...(def.description ? { description: def.description } : {}),
      ...(def.mimeType ? { mimeType: def.mimeType } : {}),
      ...(def.annotations ? { annotations: def.annotations } : {}),
      ...(def._meta ? { _meta: def._meta } : {}),
    },
    source,
    list: def.list ? async (ctx) => await runWithRequestContext(ctx, () => def.list!(ctx)) : undefined,
    async read(uri, variables, ctx) {
      const value = await runWithRequestContext(ctx, () => def.handler(new URL(uri), variables, ctx));
      return toReadResourceResult(uri, value, def.mimeType);
    },
    complete: def.complete
      ? (argument, value, context, ctx) => runComplete(def.complete, argument, value, context, ctx)
      : undefined,
  };
}
