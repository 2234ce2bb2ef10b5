/**
 * `subscriptions/listen` (2026-07-28): a long-lived response stream on which the server tells a
 * client what changed — list changes, updated resources, task status — as it happens, instead of
 * the 2025 wire's GET stream and `resources/subscribe`. The first frame acknowledges the
 * subscription and names the notifications the server agreed to send; every frame carries the
 * subscription id (the listen request's id) in `_meta`. Changes come from the runtime's change
 * bus, so a change made by any request (or an upstream) reaches every open stream.
 *
 * @module
 */

import type { ChangeBus } from "../../core/bus.ts";
import { ErrorCode, ProtocolError } from "../../errors.ts";
import type { ListKind } from "../../core/registry.ts";
import { META } from "../era.ts";
import type { ModernRequest } from "./envelope.ts";

/** What a listen stream receives (a subset of the client's filter). */
export interface Honoured {
  toolsListChanged?: true;
  promptsListChanged?: true;
  resourcesListChanged?: true;
  resourceSubscriptions?: string[];
  taskIds?: string[];
}

/** Where a listen stream's frames go. */
export interface ListenIo {
  /** The caller (task notifications go to the task's owner only). */
  userId: string | null;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Send one message on the stream. */
  emit(message: Record<string, unknown>): void;
}

/** Options of {@linkcode Listens}. */
export interface ListensOptions {
  /** Most streams open at once (default 10 000); more get `-32603`. */
  maxStreams?: number;
  /** Most resource URIs and task ids one stream may name (default 1000 each). */
  maxItems?: number;
  /** Whether task status notifications are offered (the tasks extension is on). */
  tasks?: boolean;
}

const LIST_FILTER: Record<ListKind, keyof Honoured> = {
  tools: "toolsListChanged",
  prompts: "promptsListChanged",
  resources: "resourcesListChanged",
};

function strings(value: unknown, what: string, max: number): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ProtocolError(
      ErrorCode.InvalidParams,
      `Invalid params: notifications.${what} must be a list of strings`,
    );
  }
  if (value.length > max) {
    throw new ProtocolError(
      ErrorCode.InvalidParams,
      `Invalid params: notifications.${what} names more than ${max}`,
    );
  }
  return [...new Set(value as string[])];
}

/**
 * The open listen streams of one endpoint.
 *
 * @example
 * ```ts
 * import { ChangeBus } from "../../core/bus.ts";
 * import { Listens } from "./listen.ts";
 * const bus = new ChangeBus();
 * const listens = new Listens(bus, () => ({}));
 * const frames: unknown[] = [];
 * const controller = new AbortController();
 * const done = listens.open(
 *   { id: 7, method: "subscriptions/listen", params: { notifications: { toolsListChanged: true } } },
 *   { userId: null, signal: controller.signal, emit: (m) => frames.push(m) },
 * );
 * bus.emit("listChanged", "tools");
 * controller.abort();
 * await done;
 * console.log(frames.length); // 2: the acknowledgement, then tools/list_changed
 * ```
 */
export class Listens {
  readonly #bus: ChangeBus;
  readonly #serverMeta: () => Record<string, unknown>;
  readonly #open = new Set<() => void>();
  readonly #max: number;
  readonly #maxItems: number;
  readonly #tasks: boolean;

  /** Streams fed from `bus`; `serverMeta` is added to the closing result. */
  constructor(bus: ChangeBus, serverMeta: () => Record<string, unknown>, options: ListensOptions = {}) {
    this.#bus = bus;
    this.#serverMeta = serverMeta;
    this.#max = options.maxStreams ?? 10_000;
    this.#maxItems = options.maxItems ?? 1000;
    this.#tasks = options.tasks ?? true;
  }

  /** Streams open now. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * What the server honours of `request`'s filter, or the error refusing it (`-32602` for a
   * malformed filter, `-32603` when too many streams are open).
   */
  filter(request: ModernRequest): Honoured {
    const wanted = request.params.notifications;
    if (!wanted || typeof wanted !== "object" || Array.isArray(wanted)) {
      throw new ProtocolError(ErrorCode.InvalidParams, "Invalid params: 'notifications' must be an object");
    }
    if (this.#open.size >= this.#max) {
      throw new ProtocolError(
        ErrorCode.InternalError,
        `too many subscriptions open (${this.#max}); try later`,
      );
    }
    const w = wanted as Record<string, unknown>;
    const honoured: Honoured = {};
    for (const key of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) {
      if (w[key] === true) honoured[key] = true;
    }
    const uris = strings(w.resourceSubscriptions, "resourceSubscriptions", this.#maxItems);
    if (uris) honoured.resourceSubscriptions = uris;
    const taskIds = this.#tasks ? strings(w.taskIds, "taskIds", this.#maxItems) : undefined;
    if (taskIds) honoured.taskIds = taskIds;
    return honoured;
  }

  /**
   * Serve one listen stream: the acknowledgement at once, then what changes, until the client
   * goes away or the server stops (then the closing result is the last frame). Call
   * {@linkcode Listens.filter} first to refuse a bad request before the stream opens.
   */
  open(request: ModernRequest, io: ListenIo, honoured: Honoured = this.filter(request)): Promise<void> {
    const subscription = { [META.subscriptionId]: request.id };
    const send = (method: string, params: Record<string, unknown> = {}) =>
      io.emit({ jsonrpc: "2.0", method, params: { ...params, _meta: subscription } });
    send("notifications/subscriptions/acknowledged", { notifications: honoured });
    const uris = new Set(honoured.resourceSubscriptions ?? []);
    const taskIds = new Set(honoured.taskIds ?? []);
    const offs = [
      this.#bus.on("listChanged", (kind) => {
        if (honoured[LIST_FILTER[kind]]) send(`notifications/${kind}/list_changed`);
      }),
      this.#bus.on("resourceUpdated", (uri) => {
        if (uris.has(uri)) send("notifications/resources/updated", { uri });
      }),
      this.#bus.on("taskChanged", ({ taskId, userId, task }) => {
        if (taskIds.has(taskId) && userId === io.userId) send("notifications/tasks", task);
      }),
    ];
    return new Promise<void>((resolve) => {
      const end = (graceful: boolean) => {
        if (!this.#open.delete(stop)) return;
        for (const off of offs) off();
        io.signal.removeEventListener("abort", onAbort);
        if (graceful) {
          io.emit({
            jsonrpc: "2.0",
            id: request.id,
            result: { resultType: "complete", _meta: { ...this.#serverMeta(), ...subscription } },
          });
        }
        resolve();
      };
      const stop = () => end(true);
      const onAbort = () => end(false);
      this.#open.add(stop);
      if (io.signal.aborted) onAbort();
      else io.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** End every stream with its closing result (graceful shutdown). */
  close(): void {
    for (const stop of [...this.#open]) stop();
  }
}
