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

/** The events on the bus. */
export interface ChangeEvents extends Record<string, unknown> {
  /** A list changed (`notifications/<kind>/list_changed`). */
  listChanged: ListKind;
  /** A resource changed (`notifications/resources/updated`). */
  resourceUpdated: string;
  /** A task changed status (`notifications/tasks`): its id and the user it belongs to. */
  taskChanged: { taskId: string; userId: string | null; task: Record<string, unknown> };
}

/**
 * The runtime's change bus.
 *
 * @example
 * ```ts
 * import { ChangeBus } from "./bus.ts";
 * const bus = new ChangeBus();
 * const off = bus.on("listChanged", (kind) => console.log(`${kind} changed`));
 * bus.emit("listChanged", "tools");
 * off();
 * ```
 */
export class ChangeBus extends Emitter<ChangeEvents> {}
