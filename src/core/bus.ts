/**
 * The change bus: what happened in the runtime that clients may want to hear about without asking
 * — a list changed, a resource changed, a task moved on. The runtime raises the events wherever
 * they come from (a tool that adds a tool, an upstream that came back, a task that finished); the
 * eras deliver them (2025 connections as notifications, 2026 `subscriptions/listen` streams).
 * One bus per process; a bus shared between instances (Redis pub/sub) is a later provider.
 *
 * @module
 */

import { Emitter } from "../util/emitter.ts";
import type { ListKind } from "./registry.ts";

/** A task changed status: its id, the user it belongs to, its public view. */
type TaskChange = { taskId: string; userId: string | null; task: Record<string, unknown> };

interface ChangeEvents extends Record<string, unknown> {
  listChanged: ListKind;
  resourceUpdated: string;
  taskChanged: TaskChange;
}

/**
 * The runtime's change bus.
 *
 * @example
 * ```ts
 * import { ChangeBus } from "@chuk/mcp-runtime";
 * const bus = new ChangeBus();
 * const off = bus.on("listChanged", (kind) => console.log(`${kind} changed`));
 * bus.emit("listChanged", "tools");
 * off();
 * ```
 */
export class ChangeBus {
  readonly #events = new Emitter<ChangeEvents>();

  /** A list changed (`notifications/<kind>/list_changed`). Returns the unsubscribe. */
  on(name: "listChanged", listener: (kind: ListKind) => void): () => void;
  /** A resource changed (`notifications/resources/updated`). */
  on(name: "resourceUpdated", listener: (uri: string) => void): () => void;
  /** A task changed status (`notifications/tasks`). */
  on(
    name: "taskChanged",
    listener: (change: { taskId: string; userId: string | null; task: Record<string, unknown> }) => void,
  ): () => void;
  on(name: keyof ChangeEvents, listener: (payload: never) => void): () => void {
    return this.#events.on(name, listener as (payload: unknown) => void);
  }

  /** Raise that a list changed. */
  emit(name: "listChanged", kind: ListKind): void;
  /** Raise that a resource changed. */
  emit(name: "resourceUpdated", uri: string): void;
  /** Raise that a task changed status. */
  emit(
    name: "taskChanged",
    change: { taskId: string; userId: string | null; task: Record<string, unknown> },
  ): void;
  emit(name: keyof ChangeEvents, payload: unknown): void {
    this.#events.emit(name, payload as never);
  }
}
