/**
 * Tasks (the MCP tasks extension, SEP-2663, as the 2026-07-28 wire carries it): a tool call that
 * answers at once with a task id while its handler goes on; the client polls `tasks/get` for the
 * status and, once done, the inlined result; `tasks/update` brings answers to what a running task
 * asked (`input_required`); `tasks/cancel` stops it.
 *
 * Task records live in the session store (memory, Redis, SQLite), so a finished task's result
 * survives a restart and can be read from any instance sharing the store. A running handler lives
 * in the process that started it: it refreshes its record's heartbeat, and a record whose
 * heartbeat stopped (its process went away) reads as `failed`.
 *
 * @module
 */

import type { ChangeBus } from "../core/bus.ts";
import type { AnswerCheck, InputRequest, InputRequests, InputResponses } from "../core/input.ts";
import { ErrorCode, errorText, ProtocolError } from "../errors.ts";
import { getLogger } from "../log/logger.ts";
import type { KeyValueStore } from "../sessions/kv.ts";

const log = getLogger("tasks");

/** The extension's identifier (client and server capabilities, `_meta`). */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** Where a task is. */
export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

const TERMINAL: readonly TaskStatus[] = ["completed", "failed", "cancelled"];

/** A task as the store keeps it. */
export interface TaskRecord {
  /** Its id. */
  taskId: string;
  /** Who may see it (`null`: anonymous callers). */
  userId: string | null;
  /** Where it is. */
  status: TaskStatus;
  /** A word on the status. */
  statusMessage?: string;
  /** When it was created (ISO 8601). */
  createdAt: string;
  /** When its status last changed (ISO 8601). */
  lastUpdatedAt: string;
  /** How long it is kept after its last change (ms). */
  ttlMs: number;
  /** How often clients should poll (ms). */
  pollIntervalMs: number;
  /** The tool's result (completed). */
  result?: Record<string, unknown>;
  /** The protocol error (failed). */
  error?: { code: number; message: string; data?: unknown };
  /** What it waits for (input_required). */
  inputRequests?: InputRequests;
  /** The process running it. */
  owner: string;
  /** When the running process last said it is alive (ms epoch). */
  heartbeatAt: number;
  /** A cancel arrived at another process. */
  cancelRequested?: boolean;
}

/** The public view of a task (`tasks/get`, `notifications/tasks`). */
export function taskView(record: TaskRecord): Record<string, unknown> {
  const { taskId, status, statusMessage, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs } = record;
  return {
    taskId,
    status,
    ...(statusMessage !== undefined ? { statusMessage } : {}),
    createdAt,
    lastUpdatedAt,
    ttlMs,
    pollIntervalMs,
    ...(status === "completed" && record.result ? { result: record.result } : {}),
    ...(status === "failed" && record.error ? { error: record.error } : {}),
    ...(status === "input_required" && record.inputRequests ? { inputRequests: record.inputRequests } : {}),
  };
}

/** Options of {@linkcode TaskService}. */
export interface TaskServiceOptions {
  /** How long a task is kept after its last change (ms, default one hour). */
  defaultTtlMs?: number;
  /** Polling interval suggested to clients (ms, default 1000). */
  defaultPollIntervalMs?: number;
  /** How often a running task refreshes its heartbeat (ms, default 10 s). */
  heartbeatMs?: number;
  /** Most tasks running in this process at once (default 1000). */
  maxRunning?: number;
  /** Checks answers delivered by `tasks/update`. */
  check?: AnswerCheck;
  /** The clock (tests). */
  now?: () => number;
}

interface Waiting {
  request: InputRequest;
  resolve(answer: unknown): void;
  reject(reason: unknown): void;
}

/**
 * One task running in this process: its handler asks through it and ends it.
 *
 * @example
 * ```ts
 * import { TaskService } from "./service.ts";
 * import { MemoryKeyValueStore } from "../sessions/kv.ts";
 * import { ChangeBus } from "../core/bus.ts";
 * const tasks = new TaskService(new MemoryKeyValueStore(), new ChangeBus());
 * const task = await tasks.create(null);
 * await task.complete({ content: [{ type: "text", text: "done" }] });
 * console.log((await tasks.get(task.id, null)).status); // "completed"
 * await tasks.close();
 * ```
 */
export class RunningTask {
  /** Aborted when the task is cancelled or the server stops. */
  readonly signal: AbortSignal;
  readonly #service: TaskService;
  readonly #controller = new AbortController();
  readonly #waiting = new Map<string, Waiting>();
  readonly #counts = new Map<string, number>();
  #record: TaskRecord;
  #writes: Promise<void> = Promise.resolve();

  /** @internal made by {@linkcode TaskService.create}. */
  constructor(service: TaskService, record: TaskRecord) {
    this.#service = service;
    this.#record = record;
    this.signal = this.#controller.signal;
  }

  /** The task id. */
  get id(): string {
    return this.#record.taskId;
  }

  /** The record as last written. */
  get record(): TaskRecord {
    return this.#record;
  }

  /** Whether it reached a terminal status. */
  get done(): boolean {
    return TERMINAL.includes(this.#record.status);
  }

  /** What `tools/call` answers for it (a flat `CreateTaskResult`). */
  createResult(): Record<string, unknown> {
    const { taskId, status, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs } = this.#record;
    return { resultType: "task", taskId, status, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs };
  }

  /** Change the record (writes are serialized). */
  update(patch: Partial<TaskRecord>): Promise<void> {
    const write = this.#writes.then(async () => {
      if (this.done && patch.status !== undefined) return; // a terminal status is final
      this.#record = { ...this.#record, ...patch, lastUpdatedAt: this.#service.isoNow() };
      await this.#service.write(this.#record);
    });
    this.#writes = write.catch((e) => log.warn(`task ${this.id}: cannot write its record: ${errorText(e)}`));
    return write;
  }

  /** Refresh the heartbeat; pick up a cancel that reached another process. */
  async beat(): Promise<void> {
    const stored = await this.#service.read(this.id);
    if (stored?.cancelRequested && !this.done) return void await this.cancel();
    this.#record = { ...this.#record, heartbeatAt: this.#service.now() };
    await this.#service.write(this.#record).catch(() => {});
  }

  /**
   * Ask the client through the task: it parks in `input_required` until `tasks/update` brings the
   * answer under `key` (default `<kind>-<n>`).
   */
  ask(request: InputRequest, key: string | undefined): Promise<unknown> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    const short = request.method === "roots/list" ? "roots" : request.method.split("/")[0];
    let k = key;
    if (k === undefined) {
      const n = (this.#counts.get(short) ?? 0) + 1;
      this.#counts.set(short, n);
      k = `${short}-${n}`;
    }
    const unique = k;
    for (let i = 2; this.#waiting.has(k); i++) k = `${unique}#${i}`;
    const answer = new Promise<unknown>((resolve, reject) =>
      this.#waiting.set(k, { request, resolve, reject })
    );
    void this.#parked();
    return answer;
  }

  #parked(): Promise<void> {
    const inputRequests: InputRequests = {};
    for (const [key, w] of this.#waiting) inputRequests[key] = w.request;
    if (this.#waiting.size === 0) return this.update({ status: "working", inputRequests: undefined });
    return this.update({ status: "input_required", inputRequests });
  }

  /** Deliver answers (`tasks/update`); unknown keys are ignored. */
  async answer(responses: InputResponses): Promise<void> {
    const check = this.#service.check;
    const ready: [Waiting, unknown][] = [];
    for (const [key, answer] of Object.entries(responses)) {
      const w = this.#waiting.get(key);
      if (!w) continue;
      const checked = check ? check(w.request, answer) : { ok: true as const, value: answer };
      if (!checked.ok) {
        throw new ProtocolError(
          ErrorCode.InvalidParams,
          `Invalid params: inputResponses.${key}: ${checked.message}`,
        );
      }
      ready.push([w, checked.value]);
      this.#waiting.delete(key);
    }
    if (ready.length === 0) return;
    await this.#parked();
    for (const [w, value] of ready) w.resolve(value);
  }

  /** The handler finished: its result (a tool error is a completed task with `isError`). */
  complete(result: Record<string, unknown>): Promise<void> {
    const { resultType: _, ...rest } = result;
    return this.#end({ status: "completed", result: rest });
  }

  /** The call failed at protocol level. */
  fail(error: unknown): Promise<void> {
    const e = error instanceof ProtocolError
      ? {
        code: error.code,
        message: error.message,
        ...(error.data !== undefined ? { data: error.data } : {}),
      }
      : { code: ErrorCode.InternalError, message: errorText(error) };
    return this.#end({ status: "failed", statusMessage: e.message, error: e });
  }

  /** Stop it: the handler's signal aborts, asks reject; the status is `cancelled`. */
  cancel(): Promise<void> {
    const done = this.#end({ status: "cancelled", statusMessage: "The task was cancelled by request." });
    this.#controller.abort(new ProtocolError(ErrorCode.RequestTimeout, "the task was cancelled"));
    return done;
  }

  /** The server stops: the task fails and its handler's signal aborts. */
  stop(): Promise<void> {
    const reason = new ProtocolError(ErrorCode.InternalError, "The server running the task stopped.");
    const done = this.fail(reason);
    this.#controller.abort(reason);
    return done;
  }

  async #end(patch: Partial<TaskRecord>): Promise<void> {
    if (this.done) return;
    for (const w of this.#waiting.values()) w.reject(new Error(`task ${patch.status}`));
    this.#waiting.clear();
    await this.update({ ...patch, inputRequests: undefined });
    this.#service.ended(this);
  }
}

/**
 * The tasks of this runtime: creating them, reading them, answering and cancelling them.
 *
 * @example
 * ```ts
 * import { TaskService } from "./service.ts";
 * import { MemoryKeyValueStore } from "../sessions/kv.ts";
 * import { ChangeBus } from "../core/bus.ts";
 * const tasks = new TaskService(new MemoryKeyValueStore(), new ChangeBus(), { defaultTtlMs: 60_000 });
 * const task = await tasks.create("alice");
 * console.log(task.createResult().status); // "working"
 * await tasks.cancel(task.id, "alice");
 * await tasks.close();
 * ```
 */
export class TaskService {
  /** This process, as task records name their owner. */
  readonly instance: string = crypto.randomUUID();
  /** Checks answers of `tasks/update`. */
  readonly check: AnswerCheck | undefined;
  readonly #store: KeyValueStore;
  readonly #bus: ChangeBus;
  readonly #live = new Map<string, RunningTask>();
  readonly #ttlMs: number;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  readonly #maxRunning: number;
  readonly #clock: () => number;
  #beat: ReturnType<typeof setInterval> | undefined;

  /** Tasks kept in `store` (already namespaced), announced on `bus`. */
  constructor(store: KeyValueStore, bus: ChangeBus, options: TaskServiceOptions = {}) {
    this.#store = store;
    this.#bus = bus;
    this.#ttlMs = options.defaultTtlMs ?? 3_600_000;
    this.#pollMs = options.defaultPollIntervalMs ?? 1000;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#maxRunning = options.maxRunning ?? 1000;
    this.check = options.check;
    this.#clock = options.now ?? Date.now;
  }

  /** Now (ms epoch). */
  now(): number {
    return this.#clock();
  }

  /** Now (ISO 8601). */
  isoNow(): string {
    return new Date(this.#clock()).toISOString();
  }

  /** Tasks running in this process. */
  get running(): number {
    return this.#live.size;
  }

  /** @internal read a record. */
  async read(taskId: string): Promise<TaskRecord | undefined> {
    const text = await this.#store.get(`task:${taskId}`);
    return text === undefined ? undefined : JSON.parse(text) as TaskRecord;
  }

  /** @internal write a record and announce it. */
  async write(record: TaskRecord): Promise<void> {
    await this.#store.set(
      `task:${record.taskId}`,
      JSON.stringify(record),
      Math.ceil(record.ttlMs / 1000) + 60,
    );
    this.#bus.emit("taskChanged", { taskId: record.taskId, userId: record.userId, task: taskView(record) });
  }

  /** @internal a task ended. */
  ended(task: RunningTask): void {
    this.#live.delete(task.id);
    if (this.#live.size === 0 && this.#beat !== undefined) {
      clearInterval(this.#beat);
      this.#beat = undefined;
    }
  }

  /**
   * A new task for `userId`, stored before this resolves (so a `tasks/get` right after finds it).
   */
  async create(
    userId: string | null,
    settings: { ttlMs?: number; pollIntervalMs?: number } = {},
  ): Promise<RunningTask> {
    if (this.#live.size >= this.#maxRunning) {
      throw new ProtocolError(
        ErrorCode.InternalError,
        `too many tasks running (${this.#maxRunning}); try later`,
      );
    }
    const now = this.isoNow();
    const record: TaskRecord = {
      taskId: crypto.randomUUID(),
      userId,
      status: "working",
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: Math.max(1, Math.round(settings.ttlMs ?? this.#ttlMs)),
      pollIntervalMs: Math.max(1, Math.round(settings.pollIntervalMs ?? this.#pollMs)),
      owner: this.instance,
      heartbeatAt: this.now(),
    };
    await this.write(record);
    const task = new RunningTask(this, record);
    this.#live.set(record.taskId, task);
    this.#beat ??= setInterval(() => {
      for (const t of this.#live.values()) void t.beat().catch(() => {});
    }, this.#heartbeatMs);
    Deno.unrefTimer(this.#beat);
    return task;
  }

  #unknown(taskId: string): ProtocolError {
    return new ProtocolError(ErrorCode.InvalidParams, `Unknown task: ${taskId}`, { taskId });
  }

  async #own(taskId: unknown, userId: string | null): Promise<TaskRecord> {
    if (typeof taskId !== "string" || taskId === "") {
      throw new ProtocolError(ErrorCode.InvalidParams, "Invalid params: 'taskId' must be a string");
    }
    const live = this.#live.get(taskId);
    const record = live?.record ?? await this.read(taskId);
    // Another caller's task is as unknown as a task that does not exist.
    if (!record || record.userId !== userId) throw this.#unknown(taskId);
    return record;
  }

  /** The task `taskId` of `userId` (`tasks/get`). */
  async get(taskId: unknown, userId: string | null): Promise<TaskRecord> {
    const record = await this.#own(taskId, userId);
    if (TERMINAL.includes(record.status) || this.#live.has(record.taskId)) return record;
    // Not running here: it runs elsewhere, or its process went away (no heartbeat for long).
    if (this.now() - record.heartbeatAt > 3 * this.#heartbeatMs) {
      const lost: TaskRecord = {
        ...record,
        status: "failed",
        statusMessage: "The server running the task stopped.",
        error: { code: ErrorCode.InternalError, message: "The server running the task stopped." },
        inputRequests: undefined,
        lastUpdatedAt: this.isoNow(),
      };
      await this.write(lost);
      return lost;
    }
    return record;
  }

  /** Answers for what the task asked (`tasks/update`). */
  async update(taskId: unknown, userId: string | null, responses: unknown): Promise<void> {
    const record = await this.#own(taskId, userId);
    if (responses === undefined) return;
    if (!responses || typeof responses !== "object" || Array.isArray(responses)) {
      throw new ProtocolError(ErrorCode.InvalidParams, "Invalid params: 'inputResponses' must be an object");
    }
    const live = this.#live.get(record.taskId);
    if (!live) {
      if (TERMINAL.includes(record.status)) return;
      throw new ProtocolError(
        ErrorCode.InternalError,
        "the task runs on another server instance; send tasks/update there",
      );
    }
    await live.answer(responses as InputResponses);
  }

  /** Cancel the task (`tasks/cancel`); a finished task stays as it is. */
  async cancel(taskId: unknown, userId: string | null): Promise<void> {
    const record = await this.#own(taskId, userId);
    if (TERMINAL.includes(record.status)) return;
    const live = this.#live.get(record.taskId);
    if (live) return await live.cancel();
    // Running elsewhere: the owner sees the request at its next heartbeat.
    await this.write({ ...record, cancelRequested: true });
  }

  /** Stop: running tasks fail ("the server stopped"); their records stay. */
  async close(): Promise<void> {
    clearInterval(this.#beat);
    this.#beat = undefined;
    await Promise.allSettled([...this.#live.values()].map((t) => t.stop()));
  }
}
