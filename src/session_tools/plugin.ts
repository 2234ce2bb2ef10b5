/**
 * The built-in session tools (`session_tools:`), all off by default: `get_current_session`,
 * `set_session`, `clear_session`, `list_sessions`, `get_session_info`, `create_session`. They take
 * and return what the reference runtime's do, but they work: `create_session` persists in the
 * session provider, `set_session` switches the caller's later calls (only to a session the caller
 * owns), `list_sessions` lists the caller's sessions and nobody else's.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import { SESSION_TOOL_NAMES } from "../config/schema.ts";
import type { SessionToolName } from "../config/types.ts";
import type { RuntimePlugin } from "../core/plugin.ts";
import { defineTool, type ToolDefinition } from "../tools/define.ts";
import { localToolEntry } from "../tools/local.ts";
import { SessionError } from "../sessions/errors.ts";
import type { SessionManager, SessionRecord } from "../sessions/manager.ts";
import { bindingOf } from "../sessions/manager.ts";

const SOURCE = "builtin session_tools";

function details(record: SessionRecord, currentId: string | undefined) {
  return {
    session_id: record.id,
    is_current: record.id === currentId,
    user_id: record.userId,
    sandbox_id: record.sandboxId,
    created_at: record.createdAt,
    last_accessed: record.lastAccessedAt,
    expires_at: record.expiresAt,
    metadata: record.metadata,
  };
}

/**
 * The six session tools, bound to a session manager (one definition per name).
 *
 * @example
 * ```ts
 * import { MemoryKeyValueStore, SessionManager } from "@chuk/mcp-runtime/sessions";
 * import { sessionToolDefinitions } from "./plugin.ts";
 * const manager = new SessionManager({ store: new MemoryKeyValueStore(), sandboxId: "demo" });
 * console.log(Object.keys(sessionToolDefinitions(manager)));
 * ```
 */
export function sessionToolDefinitions(manager: SessionManager): Record<SessionToolName, ToolDefinition> {
  const currentId = (ctx: Parameters<ToolDefinition["handler"]>[1]) =>
    bindingOf(ctx)?.sessionId ?? ctx.sessionId;
  return {
    get_current_session: defineTool({
      name: "get_current_session",
      description: "Get the session this client's calls use.",
      inputSchema: { type: "object", properties: {} },
      annotations: { readOnlyHint: true },
      handler: async (_args, ctx) => {
        const record = await manager.current(ctx);
        return {
          session_id: record.id,
          status: "active",
          message: `Current session: ${record.id}`,
          user_id: record.userId,
          expires_at: record.expiresAt,
        };
      },
    }),
    set_session: defineTool({
      name: "set_session",
      description: "Switch this client's later calls to another session it owns.",
      inputSchema: {
        type: "object",
        properties: { session_id: { type: "string", description: "Id of a session you own" } },
        required: ["session_id"],
      },
      handler: async ({ session_id }, ctx) => {
        if (typeof session_id !== "string" || session_id.trim() === "") {
          throw new SessionError("Failed to set session context: Session ID must be a non-empty string");
        }
        try {
          const record = await manager.switchTo(ctx, session_id);
          return `Session context set to: ${record.id}`;
        } catch (e) {
          throw new SessionError(`Failed to set session context: ${errorText(e)}`);
        }
      },
    }),
    clear_session: defineTool({
      name: "clear_session",
      description: "Start over: later calls use a fresh session (the old one is kept until it expires).",
      inputSchema: { type: "object", properties: {} },
      handler: async (_args, ctx) => {
        const previous = await manager.clear(ctx);
        return previous
          ? `Session context cleared (was: ${previous})`
          : "Session context cleared (no previous session)";
      },
    }),
    list_sessions: defineTool({
      name: "list_sessions",
      description: "List the sessions that belong to the caller.",
      inputSchema: { type: "object", properties: {} },
      annotations: { readOnlyHint: true },
      handler: async (_args, ctx) => {
        await manager.current(ctx); // the current session is one of them
        const current = currentId(ctx);
        const records = await manager.listFor(ctx);
        return {
          sessions: records.map((r) => r.id),
          count: records.length,
          current_session: current ?? null,
          note: ctx.user
            ? `Sessions of user ${ctx.user.id}`
            : "Sessions of this connection (anonymous callers see only their own connection's sessions)",
          details: records.map((r) => details(r, current)),
        };
      },
    }),
    get_session_info: defineTool({
      name: "get_session_info",
      description: "Details of one of the caller's sessions.",
      inputSchema: {
        type: "object",
        properties: { session_id: { type: "string", description: "Session id (default: the current one)" } },
      },
      annotations: { readOnlyHint: true },
      handler: async ({ session_id }, ctx) => {
        const id = typeof session_id === "string" && session_id !== ""
          ? session_id
          : (await manager.current(ctx)).id;
        const record = await manager.infoFor(ctx, id);
        const current = currentId(ctx);
        if (!record) {
          return {
            session_id: id,
            is_current: false,
            status: "unknown",
            note: "No such session among the caller's sessions (missing, expired or someone else's)",
          };
        }
        return { ...details(record, current), status: "active", note: "Session found" };
      },
    }),
    create_session: defineTool({
      name: "create_session",
      description: "Create a session (stored in the session provider) and make it current.",
      inputSchema: {
        type: "object",
        properties: {
          session_id: { type: "string", description: "Id to use (default: generated)" },
          metadata: { type: "object", description: "Data to keep with the session" },
        },
      },
      handler: async ({ session_id, metadata }, ctx) => {
        const user = metadata && typeof metadata === "object" && !Array.isArray(metadata)
          ? metadata as Record<string, unknown>
          : {};
        const record = await manager.createFor(ctx, {
          id: typeof session_id === "string" && session_id !== "" ? session_id : undefined,
          metadata: {
            ...user,
            created_at: Math.floor(Date.now() / 1000),
            created_via: "session_management_tools",
          },
        });
        return {
          session_id: record.id,
          status: "created",
          is_current: true,
          user_id: record.userId,
          expires_at: record.expiresAt,
          metadata: record.metadata,
        };
      },
    }),
  };
}

/**
 * The names `config` enables: `session_tools.enabled` and each tool's own `enabled`.
 *
 * @example
 * ```ts
 * import { enabledSessionTools } from "./plugin.ts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({
 *   session_tools: { enabled: true, tools: { list_sessions: { enabled: true } } },
 * }, "inline");
 * enabledSessionTools(config); // ["list_sessions"]
 * ```
 */
export function enabledSessionTools(config: RuntimeConfig): SessionToolName[] {
  if (!config.session_tools.enabled) return [];
  return SESSION_TOOL_NAMES.filter((n) => config.session_tools.tools[n]?.enabled === true);
}

/**
 * The plugin that registers the enabled session tools.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig } from "@chuk/mcp-runtime";
 * import { sessionToolsPlugin } from "./plugin.ts";
 * const config = validateConfig({ session_tools: { enabled: true, tools: { create_session: { enabled: true } } } }, "inline");
 * const runtime = new Runtime({ config, plugins: [sessionToolsPlugin(config)] });
 * await runtime.start();
 * console.log(runtime.registry.tools.get("create_session") !== undefined); // true
 * await runtime.stop();
 * ```
 */
export function sessionToolsPlugin(config: RuntimeConfig): RuntimePlugin {
  const names = enabledSessionTools(config);
  return {
    name: "session_tools",
    start(runtime) {
      const defs = sessionToolDefinitions(runtime.sessionManager);
      for (const name of names) {
        const description = config.session_tools.tools[name]?.description;
        const def = description ? { ...defs[name], description } : defs[name];
        runtime.registry.tools.add(
          localToolEntry(def, SOURCE, { defaultTimeout: runtime.defaultToolTimeout }),
        );
      }
      return Promise.resolve();
    },
    health: () => ({ enabled: names }),
  };
}
