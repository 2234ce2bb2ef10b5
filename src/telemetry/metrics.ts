/**
 * The Prometheus series, on `npm:prom-client`. Names and labels are fixed (dashboards are shared
 * between installations) and every label value comes from a bounded set: methods from the
 * protocol's list, tools from the registry (a name the registry does not know is `(unknown)`, and
 * past {@linkcode MAX_TOOL_LABELS} distinct tools the rest are `(other)`), upstreams from the
 * configuration, HTTP codes, transports and storage providers by their few names.
 *
 * | series | type | labels |
 * | --- | --- | --- |
 * | `mcp_requests_total` | counter | `method`, `status` (`ok`, `error`, `cancelled`) |
 * | `mcp_tool_calls_total` | counter | `tool`, `upstream` (`""` for local tools), `status` (`ok`, `tool_error`, `error`, `cancelled`) |
 * | `mcp_tool_call_duration_seconds` | histogram | `tool`, `upstream` |
 * | `mcp_sessions_active` | gauge | `transport` |
 * | `mcp_upstream_up` | gauge | `upstream` |
 * | `mcp_upstream_restarts_total` | counter | `upstream` |
 * | `mcp_http_responses_total` | counter | `code` |
 * | `mcp_artifact_bytes_written_total` | counter | `provider` |
 *
 * plus `mcp_build_info` and the process metrics of `process.ts`.
 *
 * @module
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { VERSION } from "../version.ts";
import { registerProcessMetrics } from "./process.ts";

/** Distinct tool label values kept; later new tools are counted as `(other)`. */
export const MAX_TOOL_LABELS = 1000;

/** The `tool` label of a call to a name the registry does not know. */
export const UNKNOWN_TOOL = "(unknown)";

/** The `tool` label once {@linkcode MAX_TOOL_LABELS} distinct tools were seen. */
export const OTHER_TOOL = "(other)";

/** The `method` label of a method outside the protocol's list. */
export const OTHER_METHOD = "other";

/** Request methods of the protocol (both eras); anything else is counted as `other`. */
const METHODS = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "server/discover",
  "subscriptions/listen",
  "tasks/get",
  "tasks/update",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
]);

const TRANSPORTS = new Set(["stdio", "sse", "streamable-http", "internal"]);

/** Seconds: from 1 ms (a local tool) to a minute (the default tool timeout). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How a request ended. */
export type RequestStatus = "ok" | "error" | "cancelled";

/** How a tool call ended (`tool_error`: a result with `isError: true`). */
export type ToolCallStatus = RequestStatus | "tool_error";

/**
 * The runtime's Prometheus registry and series.
 *
 * @example
 * ```ts
 * import { McpMetrics } from "@chuk/mcp-runtime/telemetry";
 * const metrics = new McpMetrics();
 * metrics.request("tools/list", "ok");
 * metrics.toolCall("greet", "", "ok", 0.002);
 * console.log(await metrics.text());
 * ```
 */
export class McpMetrics {
  /** The prom-client registry holding every series. */
  readonly #registry: Registry = new Registry();
  readonly #requests: Counter<"method" | "status">;
  readonly #toolCalls: Counter<"tool" | "upstream" | "status">;
  readonly #toolDuration: Histogram<"tool" | "upstream">;
  readonly #sessions: Gauge<"transport">;
  readonly #upstreamUp: Gauge<"upstream">;
  readonly #restarts: Counter<"upstream">;
  readonly #http: Counter<"code">;
  readonly #artifactBytes: Counter<"provider">;
  readonly #tools = new Set<string>();
  // Label children by their joined values: prom-client hashes the label object on every call.
  readonly #counters = new Map<string, { inc(n?: number): void }>();
  readonly #histograms = new Map<string, { observe(v: number): void }>();

  constructor() {
    const registers = [this.#registry];
    this.#requests = new Counter({
      name: "mcp_requests_total",
      help: "MCP requests answered, by method and outcome (ok, error, cancelled).",
      labelNames: ["method", "status"],
      registers,
    });
    this.#toolCalls = new Counter({
      name: "mcp_tool_calls_total",
      help: "tools/call requests, by tool, upstream (empty for local tools) and outcome " +
        "(ok, tool_error, error, cancelled).",
      labelNames: ["tool", "upstream", "status"],
      registers,
    });
    this.#toolDuration = new Histogram({
      name: "mcp_tool_call_duration_seconds",
      help: "Time from a tools/call request's arrival to its answer, in seconds.",
      labelNames: ["tool", "upstream"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#sessions = new Gauge({
      name: "mcp_sessions_active",
      help: "Client sessions connected now, by transport (stateless HTTP requests are not sessions).",
      labelNames: ["transport"],
      registers,
    });
    this.#upstreamUp = new Gauge({
      name: "mcp_upstream_up",
      help: "1 when the upstream MCP server is connected and ready, else 0.",
      labelNames: ["upstream"],
      registers,
    });
    this.#restarts = new Counter({
      name: "mcp_upstream_restarts_total",
      help: "Times an upstream MCP server lost its connection after being ready (and is reconnected).",
      labelNames: ["upstream"],
      registers,
    });
    this.#http = new Counter({
      name: "mcp_http_responses_total",
      help: "HTTP responses sent, by status code.",
      labelNames: ["code"],
      registers,
    });
    this.#artifactBytes = new Counter({
      name: "mcp_artifact_bytes_written_total",
      help: "Bytes written to artifact storage, by provider.",
      labelNames: ["provider"],
      registers,
    });
    new Gauge({
      name: "mcp_build_info",
      help: "Always 1; the runtime's version as a label.",
      labelNames: ["version"],
      registers,
    }).set({ version: VERSION }, 1);
    registerProcessMetrics(this.#registry);
  }

  #counter(key: string, make: () => { inc(n?: number): void }): { inc(n?: number): void } {
    let child = this.#counters.get(key);
    if (!child) this.#counters.set(key, child = make());
    return child;
  }

  /** The `tool` label for a tool name (`known`: the registry has it). */
  toolLabel(name: string, known: boolean): string {
    if (!known) return UNKNOWN_TOOL;
    if (this.#tools.has(name)) return name;
    if (this.#tools.size >= MAX_TOOL_LABELS) return OTHER_TOOL;
    this.#tools.add(name);
    return name;
  }

  /** Count one answered request. */
  request(method: string, status: RequestStatus): void {
    const m = METHODS.has(method) ? method : OTHER_METHOD;
    this.#counter(`r\0${m}\0${status}`, () => this.#requests.labels(m, status)).inc();
  }

  /** Count one tool call and its duration; `tool` must already be a label ({@linkcode toolLabel}). */
  toolCall(tool: string, upstream: string, status: ToolCallStatus, seconds: number): void {
    this.#counter(`t\0${tool}\0${upstream}\0${status}`, () => this.#toolCalls.labels(tool, upstream, status))
      .inc();
    const key = `${tool}\0${upstream}`;
    let histogram = this.#histograms.get(key);
    if (!histogram) this.#histograms.set(key, histogram = this.#toolDuration.labels(tool, upstream));
    histogram.observe(seconds);
  }

  /** A session opened (`+1`) or closed (`-1`) on `transport`. */
  session(transport: string, delta: 1 | -1): void {
    this.#sessions.inc({ transport: TRANSPORTS.has(transport) ? transport : "other" }, delta);
  }

  /** An upstream's state changed. `previous` is the state before (a restart is ready → not ready). */
  upstreamState(upstream: string, state: string, previous: string | undefined): void {
    if (state === "stopped") {
      // Gone (stopped or removed from the configuration): its series go too.
      this.#upstreamUp.remove({ upstream });
      return;
    }
    this.#upstreamUp.set({ upstream }, state === "ready" ? 1 : 0);
    if (previous === "ready") this.#restarts.inc({ upstream });
    else this.#restarts.inc({ upstream }, 0); // the series exists from the start, at 0
  }

  /** Count one HTTP response. */
  httpResponse(status: number): void {
    const code = Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "other";
    this.#counter(`h\0${code}`, () => this.#http.labels(code)).inc();
  }

  /** Count bytes written to artifact storage. */
  artifactBytes(provider: string, bytes: number): void {
    if (bytes > 0) this.#artifactBytes.inc({ provider }, bytes);
  }

  /** The exposition text (Prometheus format 0.0.4). */
  text(): Promise<string> {
    return this.#registry.metrics();
  }

  /** The `Content-Type` of {@linkcode McpMetrics.text}. */
  get contentType(): string {
    return this.#registry.contentType;
  }
}
