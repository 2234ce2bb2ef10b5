/**
 * Serving a runtime on its configured transport, with graceful shutdown: stop accepting, let
 * in-flight calls finish (bounded), close sessions, stop plugins (children die with us).
 *
 * @module
 */

import { ConfigError, errorText } from "../errors.ts";
import type { RuntimeConfig } from "../config/types.ts";
import { getLogger, jsonLogging } from "../log/logger.ts";
import type { Runtime } from "../core/runtime.ts";
import { batchRefusal } from "../eras/2025/batches.ts";
import { openConnection } from "../eras/2025/connection.ts";
import { SessionLimits } from "../eras/2025/session_limits.ts";
import { sseTransport } from "../eras/2025/sse.ts";
import { type HttpTransport, streamableHttpTransport, viewPath } from "../eras/2025/streamable_http.ts";
import { classifyMessage } from "../eras/era.ts";
import { modernPost } from "../eras/2026/http.ts";
import { ModernStdio } from "../eras/2026/stdio.ts";
import { authorizeMessage, frontDoor, type RequestState, type Route } from "../http/front_door.ts";
import { checkHostAndOrigin } from "../http/host_origin.ts";
import { type HttpListener, listenHttp } from "../http/listen.ts";
import { metricsListenPort } from "../telemetry/settings.ts";
import type { MetricsEndpoint, Telemetry } from "../telemetry/types.ts";
import { jsonRpcErrorResponse } from "../http/responses.ts";
import { MemoryEventStore } from "../streams/event_store.ts";
import { type Fleet, openFleet } from "./fleet.ts";
import { closeModernEra, modernEra } from "./modern.ts";
import { StdioTransport } from "../transports/stdio.ts";

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
  /**
   * Serve only this view (`views.<name>`) on stdio. Over HTTP every view has its own endpoint
   * (`<mcp_path>/<name>`), so this applies to stdio only.
   */
  view?: string;
  /**
   * Metrics of the HTTP listeners and the Prometheus endpoint (`runServer` passes the telemetry
   * the configuration asks for); default none.
   */
  telemetry?: Telemetry;
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
export async function serve(runtime: Runtime, options: ServeOptions = {}): Promise<ServeHandle> {
  const type = runtime.config.server.type;
  const drainMs = options.drainMs ?? 10_000;
  const banner = options.banner ?? true;
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let closeTransport: () => Promise<void>;
  let info: { url?: string; port?: number } = {};
  let uninstallSignals = () => {};

  const view = options.view;
  checkView(runtime.config, view);

  // Metrics on a listener of their own (stdio servers, or `metrics.port`), started first so a
  // port already in use stops the server before it serves anything.
  const telemetry = options.telemetry;
  const metrics = telemetry?.metrics;
  const metricsPort = metricsListenPort(runtime.config);
  const onResponse = telemetry && metrics ? (status: number) => telemetry.httpResponse(status) : undefined;
  let metricsListener: HttpListener | undefined;
  if (metrics && metricsPort !== undefined) {
    const host = runtime.config.metrics.host;
    const policy = { bindHost: host, allowedHosts: [], allowedOrigins: [] };
    metricsListener = listenHttp(host, metricsPort, (req) => {
      if (new URL(req.url).pathname !== metrics.path) {
        return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain" } });
      }
      return checkHostAndOrigin(req, policy) ?? metrics.handle(req);
    }, { onResponse });
    if (banner) log.info(`metrics: ${metricsListener.origin}${metrics.path}`);
  }
  const closeMetrics = async () => await metricsListener?.shutdown(1000);

  if (type === "stdio") {
    // End of input means the client is going away: answer what is in flight, then stop. A message
    // of the 2026-07-28 wire (it claims the version in its _meta) is served beside the connection.
    const description = view !== undefined ? runtime.config.views[view].description : undefined;
    const modern = new ModernStdio(
      modernEra(runtime, { instances: false }),
      (m) => void transport.send(m as never),
      {
        ...(view !== undefined ? { view } : {}),
        ...(description !== undefined ? { instructions: description } : {}),
      },
    );
    const transport = new StdioTransport({
      onEnd: () => void stop(),
      intercept: (m) => modern.take(m),
      batchRefusal: () => batchRefusal(connection.protocolVersion),
    });
    const connection = openConnection(runtime, {
      transport: "stdio",
      ...(view !== undefined ? { view } : {}),
      ...(description !== undefined ? { instructions: description } : {}),
    });
    // stdout is the protocol: a tool's console.log must not corrupt it.
    const restoreConsole = consoleToStderr();
    // However the connection ends, stop the whole runtime (and its children).
    connection.onClose(() => void stop());
    closeTransport = async () => {
      // End of input or a signal: let in-flight calls answer first.
      if (!connection.closed) await drain();
      modern.close();
      await closeModernEra(runtime);
      await connection.close();
      restoreConsole();
      await closeMetrics();
    };
    await connection.connect(transport);
    const h = handle();
    if (banner) {
      log.info(`MCP server "${runtime.serverInfo.name}" ready on stdio${view ? ` (view '${view}')` : ""}`);
    }
    return h;
  }

  // The transport's listener answers the metrics path itself unless metrics have their own.
  const onListener = metrics && metricsPort === undefined ? metrics : undefined;
  if (onListener && runtime.authenticator.scheme !== "none" && !runtime.config.metrics.bearer_token) {
    log.warn(
      `${onListener.path} is not authenticated (server.auth covers MCP only): set metrics.bearer_token`,
    );
  }
  const fleet = await openFleet(runtime);
  const http = handlerFor(runtime, fleet, { metrics: onListener });
  const { sse, "streamable-http": streamable } = runtime.config;
  const section = type === "sse" ? sse : streamable;
  const path = type === "sse" ? sse.sse_path : streamable.mcp_path;
  const mode = type === "sse"
    ? `messages at ${sse.message_path}`
    : `${streamable.stateless ? "stateless" : "stateful"}, ${
      streamable.json_response ? "JSON" : "SSE"
    } responses`;
  const listener = listenHttp(section.host, section.port, (req) => http.handle(req), {
    accessLog: section.access_log,
    onResponse,
  });
  const url = `${listener.origin}${path}`;
  info = { url, port: listener.port };
  closeTransport = async () => {
    // Readiness fails first: the load balancer takes this instance out while it still serves.
    runtime.draining = true;
    if (section.drain_seconds > 0) {
      log.info(`draining: /health answers 503 for ${section.drain_seconds} s before the listener stops`);
      await new Promise((resolve) => setTimeout(resolve, section.drain_seconds * 1000));
    }
    const shuttingDown = listener.shutdown(drainMs);
    await drain();
    await http.close();
    await shuttingDown;
    await fleet?.close();
    await closeMetrics();
  };
  // The banner comes once a signal stops the server gracefully: a supervisor may send SIGTERM as
  // soon as it reads it.
  const h = handle();
  if (banner) printBanner(runtime, type, url, listener.origin, mode + (fleet ? ", fleet" : ""));
  return h;

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
        log.warn(`transport did not close cleanly: ${errorText(e)}`);
      }
      await runtime.stop();
      uninstallSignals();
      resolveDone();
    })();
  }
}

/**
 * Throw the {@linkcode ConfigError} of `--view name` when `config` cannot serve it: views are
 * served on stdio by name (over HTTP each has its own path), and the name must be configured.
 *
 * @example
 * ```ts
 * import { checkView } from "./serve.ts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * checkView(validateConfig({ views: { math: { tools: ["add"] } } }, "inline"), "math"); // fine
 * ```
 */
export function checkView(config: RuntimeConfig, view: string | undefined): void {
  if (view === undefined) return;
  const where = { file: "<command line>", path: "--view" };
  const type = config.server.type;
  if (type !== "stdio") {
    throw new ConfigError(
      `views are served over ${type} at their own paths (<path>/<name>); --view is for stdio`,
      where,
    );
  }
  if (!Object.hasOwn(config.views, view)) {
    const known = Object.keys(config.views);
    throw new ConfigError(
      `unknown view '${view}' (${
        known.length ? `views: ${known.join(", ")}` : "the configuration has no views"
      })`,
      where,
    );
  }
}

/** An HTTP request handler, and what it must close on shutdown. */
export interface HttpHandler {
  /** Serve one request. */
  handle(req: Request): Promise<Response>;
  /** Close every connection this handler opened and stop its timers. */
  close(): Promise<void>;
}

/**
 * The HTTP handler of a started runtime: the front door (health, Host/Origin, authentication)
 * with the transport `config.server.type` names behind it. Mount it on any server.
 *
 * @example
 * ```ts
 * import { httpHandler, Runtime, validateConfig } from "@chuk/mcp-runtime";
 * const runtime = new Runtime({ config: validateConfig({ server: { type: "streamable-http" } }, "inline") });
 * await runtime.start();
 * const http = httpHandler(runtime);
 * const res = await http.handle(new Request("http://127.0.0.1:3000/health"));
 * await http.close();
 * await runtime.stop();
 * ```
 */
export function httpHandler(
  runtime: Runtime,
  /**
   * `metrics`: the Prometheus endpoint, answered at its path after the Host/Origin check and before
   * MCP's authentication (it has its own optional bearer token).
   */
  options: { metrics?: MetricsEndpoint } = {},
): HttpHandler {
  return handlerFor(runtime, undefined, options);
}

/** {@linkcode httpHandler}, sharing stateful sessions with a fleet when one was joined (`serve` does). */
function handlerFor(
  runtime: Runtime,
  fleet: Fleet | undefined,
  options: { metrics?: MetricsEndpoint } = {},
): HttpHandler {
  const config = runtime.config;
  // Each view is an endpoint of its own beside the main one (`<mcp_path>/<name>`).
  const views = Object.entries(config.views).map(([name, v]) => ({
    name,
    ...(v.description !== undefined ? { instructions: v.description } : {}),
  }));
  let transports: HttpTransport[];
  let section: typeof config.sse | typeof config["streamable-http"];
  const afterBody = [authorizeMessage(runtime.authenticator)];
  if (config.server.type === "sse") {
    section = config.sse;
    transports = [sseTransport(runtime, {
      ssePath: section.sse_path,
      messagePath: section.message_path,
      maxBodyBytes: section.max_body_bytes,
      maxQueueBytes: section.max_queue_bytes,
      maxSessions: section.max_sessions,
      maxSessionsPerUser: section.max_sessions_per_user,
      bodyTimeoutMs: section.body_timeout * 1000,
      views,
      afterBody,
    })];
  } else {
    const s = config["streamable-http"];
    section = s;
    const settings = {
      mcpPath: s.mcp_path,
      jsonResponse: s.json_response,
      stateless: s.stateless,
      sessionIdleTimeout: s.session_idle_timeout,
      maxSessions: s.max_sessions,
      maxSessionsPerUser: s.max_sessions_per_user,
      maxBodyBytes: s.max_body_bytes,
      bodyTimeoutMs: s.body_timeout * 1000,
      afterBody,
      otherEra: eraRouter(runtime, {}),
      ...(fleet ? { fleet } : {}),
      // One store for every endpoint: event ids name their session, sessions are unique.
      ...(s.resumable && !s.stateless
        ? {
          eventStore: new MemoryEventStore({ maxEventsPerStream: s.max_stream_events }),
          retryMs: s.sse_retry_ms,
        }
        : {}),
    };
    transports = [
      streamableHttpTransport(runtime, settings),
      ...views.map((view) =>
        streamableHttpTransport(runtime, {
          ...settings,
          mcpPath: viewPath(s.mcp_path, view.name),
          view: view.name,
          ...(view.instructions !== undefined ? { instructions: view.instructions } : {}),
          otherEra: eraRouter(runtime, {
            view: view.name,
            ...(view.instructions !== undefined ? { instructions: view.instructions } : {}),
          }),
        })
      ),
    ];
  }
  const handle = frontDoor({
    healthPath: section.health_path,
    health: () => runtime.health(),
    hostPolicy: {
      bindHost: section.host,
      allowedHosts: section.allowed_hosts,
      allowedOrigins: section.allowed_origins,
    },
    authenticator: runtime.authenticator,
    routes: transports.flatMap((t) => t.routes),
    // Prometheus scrapes carry no MCP token: the endpoint has its own (optional) bearer.
    openRoutes: options.metrics ? [metricsRoute(options.metrics)] : [],
  });
  return {
    handle,
    close: async () => {
      await Promise.all(transports.map((t) => t.close()));
      await closeModernEra(runtime);
    },
  };
}

/**
 * Both protocol eras on one streamable-HTTP endpoint (of the full surface, or of a view): a POST
 * whose body claims 2026-07-28 (or is a malformed modern request) goes to the 2026 era; everything
 * else stays on the 2025 transport.
 */
function eraRouter(
  runtime: Runtime,
  endpoint: { view?: string; instructions?: string },
): (req: Request, state: RequestState) => Promise<Response> | undefined {
  const s = runtime.config["streamable-http"];
  // A listen stream is a long-lived connection: it counts against the endpoint's session limits
  // (a 2026 request itself creates no session).
  const listens = new SessionLimits({
    maxSessions: s.max_sessions,
    maxSessionsPerUser: s.max_sessions_per_user,
    section: "streamable-http",
  });
  const post = modernPost({
    endpoint: modernEra(runtime),
    ...endpoint,
    admitListen: (user) => listens.admit(user),
  });
  return (req, state) => {
    const route = classifyMessage(state.body, {
      headerVersion: req.headers.get("mcp-protocol-version"),
      sessionId: req.headers.get("mcp-session-id"),
    });
    if (route.era === "2026") return post(req, route.message, state.user);
    if (route.era === "invalid") return Promise.resolve(jsonRpcErrorResponse(400, -32600, route.reason));
    return undefined;
  };
}

/** The Prometheus endpoint as a route of the front door. */
function metricsRoute(metrics: MetricsEndpoint): Route {
  return { paths: [metrics.path], handle: (req) => metrics.handle(req) };
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
  const views = Object.keys(runtime.config.views);
  if (views.length) {
    const base = type === "sse" ? runtime.config.sse.sse_path : runtime.config["streamable-http"].mcp_path;
    lines.push(`  views:  ${views.map((v) => `${origin}${viewPath(base, v)}`).join(" ")}`);
  }
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
