/**
 * Serving a runtime on its configured transport, with graceful shutdown: stop accepting, let
 * in-flight calls finish (bounded), close sessions, stop plugins (children die with us).
 *
 * @module
 */

import { getLogger, jsonLogging } from "../log/logger.ts";
import { metricsListenPort } from "../telemetry/settings.ts";
import type { MetricsEndpoint } from "../telemetry/types.ts";
import {
  checkHostAndOrigin,
  type HttpHygiene,
  type HttpListener,
  listenHttp,
} from "../transports/http_common.ts";
import { createSseHandler } from "../transports/sse.ts";
import { StdioTransport } from "../transports/stdio.ts";
import { createStreamableHttpHandler, type HttpHandler } from "../transports/streamable_http.ts";
import type { Runtime } from "./runtime.ts";

const log = getLogger("server");

/** A running server. */
export interface ServeHandle {
  /** The transport in use. */
  readonly transport: "stdio" | "sse" | "streamable-http";
  /** The MCP endpoint URL (HTTP transports): `/mcp` or the SSE stream path. */
  readonly url?: string;
  /** The bound port (HTTP transports). */
  readonly port?: number;
  /** Resolves when the server has stopped (client went away on stdio, or `stop()`). */
  readonly done: Promise<void>;
  /** Stop gracefully: stop accepting, drain in-flight calls, close sessions, stop plugins. */
  stop(): Promise<void>;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Stop on SIGINT/SIGTERM (default true; the CLI wants it, embedders may not). */
  handleSignals?: boolean;
  /** How long in-flight calls may take to finish on shutdown (ms, default 10 000). */
  drainMs?: number;
  /** Print the ready banner to stderr (default true). */
  banner?: boolean;
}

/**
 * Serve a started runtime on `config.server.type`.
 *
 * @example
 * ```ts
 * import { Runtime, validateConfig, serve } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({
 *   config: validateConfig({ server: { type: "streamable-http" }, "streamable-http": { port: 0 } }, "inline"),
 * });
 * await runtime.start();
 * const server = await serve(runtime, { handleSignals: false, banner: false });
 * console.log(server.url);
 * await server.stop();
 * ```
 */
export function serve(runtime: Runtime, options: ServeOptions = {}): Promise<ServeHandle> {
  const type = runtime.config.server.type;
  const drainMs = options.drainMs ?? 10_000;
  const banner = options.banner ?? true;
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let closeTransport: () => Promise<void>;
  let info: { url?: string; port?: number } = {};
  let uninstallSignals = () => {};

  // Metrics on a listener of their own (stdio servers, or `metrics.port`), started first so a
  // port already in use stops the server before it serves anything.
  const metrics = runtime.telemetry.metrics;
  const metricsPort = metricsListenPort(runtime.config);
  const onResponse = metrics ? (status: number) => runtime.telemetry.httpResponse(status) : undefined;
  let metricsListener: HttpListener | undefined;
  if (metrics && metricsPort !== undefined) {
    const host = runtime.config.metrics.host;
    const hygiene = { bindHost: host, maxBodyBytes: 0, allowedHosts: [], allowedOrigins: [] };
    metricsListener = listenHttp(host, metricsPort, (req) => {
      const served = serveMetrics(req, metrics, hygiene);
      return served ??
        new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain" } });
    }, { onResponse });
    if (banner) log.info(`metrics: ${metricsListener.origin}${metrics.path}`);
  }
  const closeMetrics = async () => await metricsListener?.shutdown(1000);

  if (type === "stdio") {
    // End of input means the client is going away: answer what is in flight, then stop.
    const transport = new StdioTransport({ onEnd: () => void stop() });
    const session = runtime.openSession({ transport: "stdio" });
    // stdout is the protocol: a tool's console.log must not corrupt it.
    const restoreConsole = consoleToStderr();
    // However the session ends, stop the whole runtime (and its children).
    session.onClose(() => void stop());
    closeTransport = async () => {
      // End of input or a signal: let in-flight calls answer first.
      if (!session.closed) await drain();
      await session.close();
      restoreConsole();
      await closeMetrics();
    };
    const ready = session.connect(transport);
    if (banner) log.info(`MCP server "${runtime.serverInfo.name}" ready on stdio`);
    return ready.then(() => handle());
  }

  let http: HttpHandler;
  let host: string;
  let port: number;
  let accessLog: boolean;
  let path: string;
  let mode: string;
  if (type === "sse") {
    const s = runtime.config.sse;
    http = createSseHandler(runtime, {
      ssePath: s.sse_path,
      messagePath: s.message_path,
      healthPath: s.health_path,
      bindHost: s.host,
      maxBodyBytes: s.max_body_bytes,
      bodyTimeoutMs: s.body_timeout * 1000,
      allowedHosts: s.allowed_hosts,
      allowedOrigins: s.allowed_origins,
    });
    ({ host, port, access_log: accessLog, sse_path: path } = s);
    mode = `messages at ${s.message_path}`;
  } else {
    const s = runtime.config["streamable-http"];
    http = createStreamableHttpHandler(runtime, {
      mcpPath: s.mcp_path,
      healthPath: s.health_path,
      jsonResponse: s.json_response,
      stateless: s.stateless,
      sessionIdleTimeout: s.session_idle_timeout,
      bindHost: s.host,
      maxBodyBytes: s.max_body_bytes,
      bodyTimeoutMs: s.body_timeout * 1000,
      allowedHosts: s.allowed_hosts,
      allowedOrigins: s.allowed_origins,
    });
    ({ host, port, access_log: accessLog, mcp_path: path } = s);
    mode = `${s.stateless ? "stateless" : "stateful"}, ${s.json_response ? "JSON" : "SSE"} responses`;
  }
  const section = type === "sse" ? runtime.config.sse : runtime.config["streamable-http"];
  const hygiene: HttpHygiene = {
    bindHost: section.host,
    maxBodyBytes: section.max_body_bytes,
    allowedHosts: section.allowed_hosts,
    allowedOrigins: section.allowed_origins,
  };
  // The transport's listener answers the metrics path itself unless metrics have their own.
  const onListener = metrics && metricsPort === undefined ? metrics : undefined;
  if (onListener && runtime.authenticator.scheme !== "none" && !runtime.config.metrics.bearer_token) {
    log.warn(
      `${onListener.path} is not authenticated (server.auth covers MCP only): set metrics.bearer_token`,
    );
  }
  const listener = listenHttp(
    host,
    port,
    onListener
      ? (req) => serveMetrics(req, onListener, hygiene) ?? http.handle(req)
      : (req) => http.handle(req),
    { accessLog, onResponse },
  );
  const url = `${listener.origin}${path}`;
  info = { url, port: listener.port };
  closeTransport = async () => {
    const shuttingDown = listener.shutdown(drainMs);
    await drain();
    await http.close();
    await shuttingDown;
    await closeMetrics();
  };
  if (banner) printBanner(runtime, type, url, listener.origin, mode);
  return Promise.resolve(handle());

  /** Wait for in-flight calls, then one macrotask: the SDK sends a handler's answer a few microtasks after it returns. */
  async function drain(): Promise<void> {
    await runtime.drain(drainMs);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  function handle(): ServeHandle {
    if (options.handleSignals ?? true) uninstallSignals = installSignals(() => void stop());
    return { transport: type, ...info, done, stop };
  }

  function stop(): Promise<void> {
    return stopping ??= (async () => {
      log.info(`stopping: ${runtime.inflight} call(s) in flight`);
      try {
        await closeTransport();
      } catch (e) {
        log.warn(`transport did not close cleanly: ${e instanceof Error ? e.message : e}`);
      }
      await runtime.stop();
      uninstallSignals();
      resolveDone();
    })();
  }
}

/**
 * The metrics endpoint's answer when `req` is for its path (after the DNS-rebinding check every
 * non-health request passes), else undefined.
 */
function serveMetrics(
  req: Request,
  metrics: MetricsEndpoint,
  hygiene: HttpHygiene,
): Promise<Response> | Response | undefined {
  if (new URL(req.url).pathname !== metrics.path) return undefined;
  return checkHostAndOrigin(req, hygiene) ?? metrics.handle(req);
}

/**
 * Send what `console.log` & co. would print on stdout to stderr instead. Returns a function that
 * puts the original methods back.
 */
function consoleToStderr(): () => void {
  const c = console as unknown as Record<string, unknown>;
  const names = ["log", "info", "debug", "dir", "dirxml", "table"] as const;
  const saved = names.map((n) => [n, c[n]] as const);
  const toStderr = (...args: unknown[]) => console.error(...args);
  c.log = c.info = c.debug = toStderr;
  c.dir = c.dirxml = (value: unknown, options?: Deno.InspectOptions) =>
    console.error(Deno.inspect(value, options));
  c.table = (data: unknown) => console.error(Deno.inspect(data));
  return () => {
    for (const [n, fn] of saved) c[n] = fn;
  };
}

/** Stop on SIGINT/SIGTERM. Returns a function that removes the listeners (once stopped). */
function installSignals(onSignal: () => void): () => void {
  let received = 0;
  const installed: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => {
      // The first signal stops gracefully; a second one (Ctrl-C again) does not wait.
      if (++received === 1) return onSignal();
      log.warn(`${sig} again: exiting without waiting for calls in flight`);
      Deno.exit(sig === "SIGINT" ? 130 : 143);
    };
    try {
      Deno.addSignalListener(sig, listener);
      installed.push([sig, listener]);
    } catch {
      // SIGTERM is not available on Windows.
    }
  }
  return () => {
    for (const [sig, listener] of installed.splice(0)) Deno.removeSignalListener(sig, listener);
  };
}

function printBanner(runtime: Runtime, type: string, url: string, origin: string, mode: string): void {
  const health = type === "sse"
    ? runtime.config.sse.health_path
    : runtime.config["streamable-http"].health_path;
  const lines = [`MCP server "${runtime.serverInfo.name}" ready: ${type} at ${url} (${mode})`];
  lines.push(`  health: curl -s ${origin}${health}`);
  if (type === "streamable-http") {
    const auth = runtime.authenticator.scheme === "bearer" ? ` -H "Authorization: Bearer $TOKEN"` : "";
    lines.push(
      `  try:    curl -s ${url} -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'${auth}` +
        ` -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
    );
  }
  // JSON logs stay JSON all the way: the banner is then one log line.
  if (jsonLogging()) return log.info(lines.join("\n"), { url });
  const text = new TextEncoder().encode(lines.join("\n") + "\n");
  try {
    Deno.stderr.writeSync(text);
  } catch {
    // no stderr
  }
}
