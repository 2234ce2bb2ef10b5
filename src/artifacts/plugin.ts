/**
 * The artifacts plugin: builds one {@linkcode ArtifactStore} from the `artifacts:` config
 * section and the environment, registers the enabled artifact tools and the `artifact://`
 * resources, and sweeps expired artifacts in the background.
 *
 * @module
 */

import { errorText } from "../errors.ts";
import { ARTIFACT_TOOL_NAMES } from "../config/schema.ts";
import { getLogger } from "../log/logger.ts";
import type { RequestContext } from "../core/context.ts";
import type { PluginHost, RuntimePlugin } from "../core/plugin.ts";
import type { KeyValueStore } from "../sessions/kv.ts";
import { localToolEntry } from "../tools/local.ts";
import type { BlobStore } from "./blob.ts";
import { countWrites, createBlobStore } from "./providers.ts";
import { artifactStoreOf } from "./open.ts";
import { artifactResourceProvider } from "./resources.ts";
import { type ArtifactSettings, resolveArtifactSettings } from "./settings.ts";
import type { ArtifactMetadata, ArtifactStore } from "./store.ts";
import { artifactToolDefinitions } from "./tools.ts";
import { callerArtifacts } from "./caller.ts";
import { raceTimeout, TIMED_OUT } from "../util/timeout.ts";

const log = getLogger("artifacts");

/** How long stopping waits for a sweep in progress (ms). */
const SWEEP_STOP_WAIT_MS = 5000;

/** Options of {@linkcode artifactsPlugin}. */
export interface ArtifactsPluginOptions {
  /** Build the blob provider yourself (custom providers, crash tests); default from the settings. */
  blobStore?: (settings: ArtifactSettings) => BlobStore;
  /**
   * Metadata store to use instead of the runtime's session store (`runtime.sessionManager.store`).
   * The plugin never closes its metadata store: its owner does.
   */
  keyValueStore?: KeyValueStore;
  /** Told the bytes of every blob stored, by provider (the `mcp_artifact_bytes_written_total` metric). */
  onBytesWritten?: (provider: string, bytes: number) => void;
}

/**
 * The artifacts plugin (what `artifacts.enabled: true` starts). Its store is available as
 * `plugin.store` once started.
 *
 * @example
 * ```ts
 * import { artifactsPlugin } from "@chuk/mcp-runtime/artifacts";
 * import { Runtime, validateConfig } from "@chuk/mcp-runtime";
 * const plugin = artifactsPlugin();
 * const runtime = new Runtime({
 *   config: validateConfig({ artifacts: { enabled: true, tools: { write_file: { enabled: true } } } }, "inline"),
 *   plugins: [plugin],
 * });
 * await runtime.start();
 * console.log(plugin.store?.storageName); // memory
 * await runtime.stop();
 * ```
 */
export function artifactsPlugin(options: ArtifactsPluginOptions = {}): ArtifactsPlugin {
  return new ArtifactsPlugin(options);
}

/**
 * The live sessions whose `artifact://` list an artifact belongs to: its session with its writer's
 * user (session scope), its owner's sessions (user scope), everyone (sandbox). Others are not
 * told anything, so list changes do not leak activity across users.
 *
 * @example
 * ```ts
 * import { artifactAudience, type ArtifactMetadata } from "@chuk/mcp-runtime/artifacts";
 * const sessions = [{ id: "s1", user: undefined }, { id: "s2", user: { id: "bob", claims: {} } }];
 * const m = { scope: "user", owner_id: "bob", session_id: "s9" } as ArtifactMetadata;
 * console.log(artifactAudience(sessions, m).map((s) => s.id)); // ["s2"]
 * ```
 */
export function artifactAudience<S extends { id: string; user?: { id: string } | undefined }>(
  sessions: Iterable<S>,
  m: ArtifactMetadata,
): S[] {
  const out: S[] = [];
  for (const s of sessions) {
    if (
      m.scope === "sandbox" ||
      (m.scope === "session" && s.id === m.session_id && (s.user?.id ?? null) === m.owner_id) ||
      (m.scope === "user" && s.user?.id === m.owner_id)
    ) out.push(s);
  }
  return out;
}

/** See {@linkcode artifactsPlugin}. */
export class ArtifactsPlugin implements RuntimePlugin {
  readonly name = "artifacts";
  /** The store, once started. */
  store: ArtifactStore | undefined;
  /** The resolved settings, once started. */
  settings: ArtifactSettings | undefined;
  readonly #options: ArtifactsPluginOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<unknown> | undefined;
  #undo: (() => void)[] = [];

  /** The plugin; `options` replace what the configuration says (tests, embedding). */
  constructor(options: ArtifactsPluginOptions = {}) {
    this.#options = options;
  }

  async start(runtime: PluginHost): Promise<void> {
    const settings = resolveArtifactSettings(runtime.config, runtime.env, runtime.baseDir);
    this.settings = settings;
    // Metadata lives in the session provider (memory, Redis or SQLite), namespaced like the
    // sessions, so instances sharing that provider see the same artifacts. The runtime owns it.
    const kv: KeyValueStore = this.#options.keyValueStore ?? runtime.sessionManager.store;
    const provided = this.#options.blobStore?.(settings) ?? await createBlobStore(settings);
    const onBytes = this.#options.onBytesWritten;
    const blobs = onBytes ? countWrites(provided, onBytes) : provided;
    const store = await artifactStoreOf(settings, blobs, kv, {
      closeKv: false,
      onChange: (m) => {
        const sessions = [...runtime.connections].map((s) => ({
          id: s.binding.sessionId ?? "",
          user: s.user,
          session: s,
        }));
        for (const s of artifactAudience(sessions, m)) {
          void s.session.notify({ method: "notifications/resources/list_changed" });
        }
      },
    });
    this.store = store;

    const switches = runtime.config.artifacts.tools;
    // Session files expire with their session: the tools resolve it (creating its record, which
    // binds the id to its creator) before storing.
    const sessionOf = (ctx: RequestContext) => runtime.sessionManager.current(ctx);
    const defs = artifactToolDefinitions(store, { sessionOf });
    const enabled = ARTIFACT_TOOL_NAMES.filter((n) => switches[n]?.enabled);
    runtime.registry.batch(() => {
      for (const name of enabled) {
        const description = switches[name]?.description;
        const def = description ? { ...defs[name], description } : defs[name];
        runtime.registry.tools.add(
          localToolEntry(def, "builtin artifacts", { defaultTimeout: runtime.defaultToolTimeout }),
        );
        this.#undo.push(() => runtime.registry.tools.remove(name));
      }
      this.#undo.push(runtime.registry.addResourceProvider(artifactResourceProvider(store)));
    });
    // Tool modules reach the store too (`ctx.artifacts`), with the tools' rules.
    if (runtime.provideArtifacts) {
      runtime.provideArtifacts((ctx) => callerArtifacts(store, ctx, sessionOf));
      this.#undo.push(() => runtime.provideArtifacts?.(undefined));
    }

    const every = settings.cleanupIntervalSeconds * 1000;
    this.#timer = setInterval(() => void this.#sweep(), every);
    Deno.unrefTimer(this.#timer);
    void this.#sweep();
    log.info(
      `artifacts: storage ${settings.storageName} (bucket ${settings.bucket}), metadata ${kv.provider}, ` +
        `sandbox ${settings.namespace}, ${enabled.length} tool(s)`,
    );
  }

  #sweep(): Promise<unknown> {
    // One sweep at a time; a slow backend must not pile them up.
    return this.#sweeping ??= (async () => {
      try {
        const n = await this.store?.sweep();
        if (n) log.debug(`removed ${n} expired artifact(s)`);
      } catch (e) {
        log.warn(`artifact cleanup failed: ${errorText(e)}`);
      } finally {
        this.#sweeping = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#sweeping) {
      // A storage service that stopped answering must not hold shutdown forever.
      if ((await raceTimeout(this.#sweeping, SWEEP_STOP_WAIT_MS)) === TIMED_OUT) {
        log.warn(`artifact cleanup still running after ${SWEEP_STOP_WAIT_MS} ms; stopping anyway`);
      }
    }
    for (const undo of this.#undo.splice(0).reverse()) undo();
    await this.store?.close();
    this.store = undefined;
  }

  health(): unknown {
    const s = this.settings;
    return s
      ? {
        storage_provider: s.storageName,
        session_provider: this.store?.kv.provider ?? s.metadataProvider,
        bucket: s.bucket,
        sandbox: s.namespace,
      }
      : undefined;
  }
}
