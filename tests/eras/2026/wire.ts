/**
 * Raw 2026-07-28 requests for tests: one POST with the standard headers and the envelope, its
 * answer read whether it came as JSON or as an SSE stream.
 */

import { sseEvents } from "../../helpers.ts";

export const V2026 = "2026-07-28";

/** The `_meta` envelope of a request (`caps` = client capabilities). */
export function envelope(caps: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    "io.modelcontextprotocol/protocolVersion": V2026,
    "io.modelcontextprotocol/clientCapabilities": caps,
    "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1.0.0" },
    ...extra,
  };
}

/** The standard headers of a request. */
export function standardHeaders(
  method: string,
  params: Record<string, unknown> = {},
): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": V2026,
    "mcp-method": method,
  };
  const name = method === "resources/read"
    ? params.uri
    : ["tasks/get", "tasks/update", "tasks/cancel"].includes(method)
    ? params.taskId
    : params.name;
  if (typeof name === "string") h["mcp-name"] = name;
  return h;
}

/** What came back: the status, the frames before the answer, the answer. */
export interface Answer {
  status: number;
  contentType: string;
  frames: Record<string, unknown>[];
  body: Record<string, unknown>;
}

let nextId = 1;

/**
 * POST one request. `params._meta` defaults to the envelope (with `caps` and `meta` merged in);
 * given, it is sent as is, and `null` sends none. `headers` replace standard ones (`null` removes
 * one).
 */
export async function call(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  options: {
    caps?: Record<string, unknown>;
    headers?: Record<string, string | null>;
    id?: number | string;
    meta?: Record<string, unknown>;
  } = {},
): Promise<Answer> {
  const id = options.id ?? nextId++;
  const full: Record<string, unknown> = { ...params };
  if (params._meta === undefined) full._meta = { ...envelope(options.caps ?? {}), ...options.meta };
  if (params._meta === null) delete full._meta;
  const headers: Record<string, string> = standardHeaders(method, full);
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    delete headers[k.toLowerCase()];
    if (v !== null) headers[k] = v;
  }
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params: full }),
  });
  const contentType = res.headers.get("content-type") ?? "";
  if (!contentType.startsWith("text/event-stream")) {
    const text = await res.text();
    return { status: res.status, contentType, frames: [], body: text ? JSON.parse(text) : {} };
  }
  const events = sseEvents(res.body!);
  const frames: Record<string, unknown>[] = [];
  while (true) {
    const e = await events.next();
    if (!e) throw new Error(`stream ended without an answer; frames: ${JSON.stringify(frames)}`);
    const m = e.data as Record<string, unknown>;
    if ("result" in m || "error" in m) {
      await events.cancel();
      return { status: res.status, contentType, frames, body: m };
    }
    frames.push(m);
  }
}

/** Open `subscriptions/listen`; read frames one by one. */
export async function listen(
  url: string,
  notifications: Record<string, unknown>,
  options: { id?: string | number; headers?: Record<string, string> } = {},
): Promise<{ status: number; next(): Promise<Record<string, unknown> | undefined>; close(): Promise<void> }> {
  const params = { notifications, _meta: envelope() };
  const controller = new AbortController();
  const res = await fetch(url, {
    method: "POST",
    headers: { ...standardHeaders("subscriptions/listen", params), ...options.headers },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: options.id ?? "listen-1",
      method: "subscriptions/listen",
      params,
    }),
    signal: controller.signal,
  });
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    const body = await res.json();
    return { status: res.status, next: () => Promise.resolve(body), close: () => Promise.resolve() };
  }
  const events = sseEvents(res.body!);
  return {
    status: res.status,
    next: async () => (await events.next())?.data as Record<string, unknown> | undefined,
    close: async () => {
      await events.cancel();
      controller.abort();
    },
  };
}
