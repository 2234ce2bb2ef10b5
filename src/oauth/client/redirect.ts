/**
 * The loopback redirect listener (RFC 8252 §7.3): after a login, the authorization server sends
 * the browser to `redirect_uri` with `code`, `state` and maybe `iss`; this listener takes them
 * and hands them to the login that waits for that `state`. One listener per `host:port`, shared
 * by every login of the process; it closes when no login waits. It answers only `GET <path>`
 * with a `state` some login waits for.
 *
 * @module
 */

import { getLogger } from "../../log/logger.ts";

const log = getLogger("oauth.redirect");

/** What the authorization server sent back. */
export interface AuthorizationResponse {
  /** The authorization code. */
  code: string;
  /** The `iss` parameter (RFC 9207), when sent. */
  iss?: string;
}

/**
 * The login was refused or failed at the authorization server (`error=` on the redirect).
 *
 * @example
 * ```ts
 * import { AuthorizationDeniedError } from "./redirect.ts";
 * const e = new AuthorizationDeniedError("access_denied", "the user said no");
 * console.log(e.message); // "the authorization server answered access_denied: the user said no"
 * ```
 */
export class AuthorizationDeniedError extends Error {
  /** A refusal with the server's error code and description. */
  constructor(readonly error: string, description?: string) {
    super(`the authorization server answered ${error}${description ? `: ${description}` : ""}`);
    this.name = "AuthorizationDeniedError";
  }
}

interface Waiter {
  resolve(r: AuthorizationResponse): void;
  reject(e: Error): void;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif">` +
  `<h1>${title}</h1><p>${text}</p></body>`;

function html(status: number, title: string, text: string): Response {
  return new Response(PAGE(title, text), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/** An idle listener stays this long (a step-up login often follows the first one). */
const IDLE_CLOSE_MS = 30_000;

class Listener {
  readonly waiters = new Map<string, Waiter>();
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #starting: Promise<number> | undefined;
  #closing: Promise<void> = Promise.resolve();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The port bound last (for `:0`, so the redirect URI stays the same while the process lives). */
  port: number | undefined;

  constructor(readonly host: string, readonly wantPort: number, readonly path: string) {}

  start(): Promise<number> {
    clearTimeout(this.#idleTimer);
    if (this.#server) return Promise.resolve(this.port!);
    return this.#starting ??= (async () => {
      await this.#closing;
      try {
        const server = Deno.serve({
          hostname: this.host,
          port: this.port ?? this.wantPort,
          onListen: () => {},
        }, (req) => this.#handle(req));
        // Never what keeps the process alive.
        server.unref();
        this.#server = server;
        this.port = server.addr.port;
        return this.port;
      } catch (e) {
        throw e instanceof Deno.errors.AddrInUse
          ? new Error(
            `the OAuth redirect listener cannot listen on ${this.host}:${this.port ?? this.wantPort}: ` +
              `address in use (set another port in oauth.redirect_uri)`,
          )
          : e;
      } finally {
        this.#starting = undefined;
      }
    })();
  }

  #handle(req: Request): Response {
    const url = new URL(req.url);
    if (req.method !== "GET" || url.pathname !== this.path) return html(404, "Not found", "");
    const state = url.searchParams.get("state") ?? "";
    const waiter = this.waiters.get(state);
    if (!waiter) {
      return html(
        400,
        "Unknown login",
        "This login is not expected (it may have timed out). Start it again.",
      );
    }
    this.waiters.delete(state);
    const error = url.searchParams.get("error");
    if (error) {
      waiter.reject(
        new AuthorizationDeniedError(error, url.searchParams.get("error_description") ?? undefined),
      );
      this.#idle();
      return html(
        400,
        "Login failed",
        "The authorization server refused the login. You can close this window.",
      );
    }
    const code = url.searchParams.get("code");
    if (!code) {
      waiter.reject(new AuthorizationDeniedError("invalid_response", "no code in the redirect"));
      this.#idle();
      return html(400, "Login failed", "The redirect carried no code.");
    }
    const iss = url.searchParams.get("iss") ?? undefined;
    waiter.resolve({ code, ...(iss !== undefined ? { iss } : {}) });
    this.#idle();
    return html(200, "Logged in", "The proxy has what it needs. You can close this window.");
  }

  #idle(): void {
    // A `:0` listener keeps its port while the process lives: the redirect URI must not change,
    // and the grant (`host:0`) allows binding a free port, not that one again.
    if (this.waiters.size > 0 || !this.#server || this.wantPort === 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      const server = this.#server;
      if (this.waiters.size > 0 || !server) return;
      this.#server = undefined;
      this.#closing = server.shutdown().catch(() => {});
    }, IDLE_CLOSE_MS);
    Deno.unrefTimer(this.#idleTimer as unknown as number);
  }

  forget(state: string): void {
    this.waiters.delete(state);
    this.#idle();
  }
}

const listeners = new Map<string, Listener>();

function listenerFor(uri: URL): Listener {
  const host = uri.hostname.replace(/^\[|\]$/g, "");
  const port = uri.port ? Number(uri.port) : 80;
  const key = `${host}:${port}`;
  let l = listeners.get(key);
  if (!l) listeners.set(key, l = new Listener(host, port, uri.pathname || "/"));
  return l;
}

/**
 * The redirect URI as it will be used: a `:0` port becomes the port the listener got (the
 * listener starts now for that). Other URIs come back unchanged.
 *
 * @example
 * ```ts
 * import { resolveRedirectUri } from "./redirect.ts";
 * const uri = await resolveRedirectUri(new URL("http://127.0.0.1:0/callback"));
 * console.log(uri.port !== "0"); // true
 * ```
 */
export async function resolveRedirectUri(uri: URL): Promise<URL> {
  if (uri.port !== "0") return uri;
  const l = listenerFor(uri);
  const port = l.port ?? await l.start();
  const out = new URL(uri);
  out.port = String(port);
  return out;
}

/**
 * Wait on the redirect listener of `redirectUri` for the answer to the login `state`. Rejects
 * with {@linkcode AuthorizationDeniedError} when the server refused, or on timeout / abort.
 *
 * @example
 * ```ts
 * import { awaitRedirect } from "./redirect.ts";
 * const answer = await awaitRedirect(new URL("http://127.0.0.1:33418/callback"), "st4te", 300_000);
 * console.log(answer.code);
 * ```
 */
export async function awaitRedirect(
  redirectUri: URL,
  state: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<AuthorizationResponse> {
  const original = new URL(redirectUri);
  // A resolved `:0` URI names the port the listener already has.
  const l =
    [...listeners.values()].find((x) =>
      x.host === original.hostname.replace(/^\[|\]$/g, "") && x.port === Number(original.port || 80)
    ) ?? listenerFor(original);
  await l.start();
  log.debug(`waiting for the login redirect on ${l.host}:${l.port}${l.path}`);
  return await new Promise<AuthorizationResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      l.forget(state);
      reject(new Error(`no login within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      finish();
      l.forget(state);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("login aborted"));
    };
    l.waiters.set(state, {
      resolve: (r) => (finish(), resolve(r)),
      reject: (e) => (finish(), reject(e)),
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
