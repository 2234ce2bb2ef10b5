/**
 * Loading tool, resource and prompt modules named in the configuration, and registering what
 * they export.
 *
 * @module
 */

import { isAbsolute, relative, resolve as resolvePath, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { RuntimeConfig } from "../config/types.ts";
import { ConfigError, errorText, ModuleLoadError, RuntimeError } from "../errors.ts";
import { isCompiledBinary } from "../util/compiled.ts";
import type { CacheHint, Registry } from "../core/registry.ts";
import type {
  Definition,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ToolDefinition,
} from "./define.ts";
import {
  localPromptEntry,
  localResourceEntry,
  localTemplateEntry,
  localToolEntry,
  type LocalToolOptions,
} from "./local.ts";
import { ServerShape } from "./shape.ts";
import { isObject } from "../util/object.ts";

/** Which config slot a module came from; decides how an untagged `{ name, handler }` is read. */
export type ModuleSlot = "tools" | "resources" | "prompts" | "any";

/** Definitions found in one module, by kind. */
export interface CollectedDefinitions {
  /** Tool definitions. */
  tools: ToolDefinition[];
  /** Fixed resources. */
  resources: ResourceDefinition[];
  /** Resource templates. */
  templates: ResourceTemplateDefinition[];
  /** Prompts. */
  prompts: PromptDefinition[];
}

/** Classify one exported value, or `undefined` when it is not a definition. */
function classify(value: unknown, slot: ModuleSlot): keyof CollectedDefinitions | undefined {
  if (!isObject(value) || typeof value.handler !== "function") return undefined;
  switch (value.kind) {
    case "tool":
      return "tools";
    case "resource":
      return "resources";
    case "resourceTemplate":
      return "templates";
    case "prompt":
      return "prompts";
  }
  if (typeof value.uriTemplate === "string") return "templates";
  if (typeof value.uri === "string") return "resources";
  if (typeof value.name !== "string") return undefined;
  if ("inputSchema" in value) return "tools";
  if (Array.isArray(value.arguments)) return "prompts";
  return slot === "prompts" ? "prompts" : slot === "resources" ? undefined : "tools";
}

/**
 * Collect the definitions a module exports (each export may be a definition or an array of them).
 *
 * @example
 * ```ts
 * import { collectDefinitions, defineTool } from "@chuk/mcp-runtime";
 * const found = collectDefinitions({
 *   hello: defineTool({ name: "hello", inputSchema: { type: "object" }, handler: () => "hi" }),
 * });
 * console.log(found.tools.length); // 1
 * ```
 */
export function collectDefinitions(
  namespace: Record<string, unknown>,
  slot: ModuleSlot = "any",
): CollectedDefinitions {
  const out: CollectedDefinitions = { tools: [], resources: [], templates: [], prompts: [] };
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if (seen.has(value)) return; // `export default` of something also exported by name
    seen.add(value);
    if (Array.isArray(value)) return value.forEach(visit);
    const kind = classify(value, slot);
    if (kind) (out[kind] as Definition[]).push(value as Definition);
  };
  for (const value of Object.values(namespace)) visit(value);
  return out;
}

/**
 * Register collected definitions under `source`. Duplicate names throw
 * {@linkcode DuplicateNameError} naming both sources.
 *
 * @example
 * ```ts
 * import { Registry, registerDefinitions, collectDefinitions } from "@chuk/mcp-runtime";
 * const registry = new Registry();
 * registerDefinitions(registry, collectDefinitions({}), "empty.ts", { defaultTimeout: 60 });
 * ```
 */
export function registerDefinitions(
  registry: Registry,
  defs: CollectedDefinitions,
  source: string,
  options: LocalToolOptions,
): void {
  registerShaped(registry, defs, source, options);
}

/**
 * {@linkcode registerDefinitions} for a module of an `mcp_servers` entry: what `shape` filters out
 * is not registered, and tools are shown as its overrides say.
 *
 * @example
 * ```ts
 * import { collectDefinitions, registerShaped } from "./loader.ts";
 * import { ServerShape } from "./shape.ts";
 * import { Registry } from "../core/registry.ts";
 * const shape = new ServerShape({ exclude_tools: ["debug_*"] });
 * registerShaped(new Registry(), collectDefinitions({}), "tools.ts", { defaultTimeout: 60 }, shape);
 * ```
 */
export function registerShaped(
  registry: Registry,
  defs: CollectedDefinitions,
  source: string,
  options: LocalToolOptions,
  shape?: ServerShape,
): void {
  const keep = <T>(items: T[], ok: ((key: string) => boolean) | undefined, key: (item: T) => string) =>
    ok ? items.filter((item) => ok(key(item))) : items;
  try {
    registry.batch(() => {
      for (const d of keep(defs.tools, shape?.tool, (t) => t.name)) {
        const entry = localToolEntry(d, source, options);
        registry.tools.add(shape ? shape.shapeEntry(entry) : entry);
      }
      for (const d of keep(defs.resources, shape?.resource, (r) => r.uri)) {
        registry.resources.add(localResourceEntry(d, source, options.cache));
      }
      for (const d of keep(defs.templates, shape?.resource, (t) => t.uriTemplate)) {
        registry.templates.add(localTemplateEntry(d, source, options.cache));
      }
      for (const d of keep(defs.prompts, shape?.prompt, (p) => p.name)) {
        registry.prompts.add(localPromptEntry(d, source, options.cache));
      }
    });
  } catch (e) {
    // An invalid definition (bad name, bad schema): its message already names the module; a
    // RuntimeError makes the CLI print just that instead of a stack trace.
    if (e instanceof TypeError) throw new RuntimeError(e.message, { cause: e });
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** A tool/resource/prompt module a configuration names, before its file is resolved. */
export interface ConfiguredModule {
  /** The spec as written in the config. */
  spec: string;
  /** Directory the spec is relative to. */
  dir: string;
  /** Key path in the config, for error messages (`tools.modules_to_import.0`). */
  keyPath: string;
  /** Which slot it fills. */
  slot: ModuleSlot;
  /** Source label for the registry. */
  source: string;
  /** The module's caching hint (`cache:` of its slot), when the configuration sets one. */
  cache?: CacheHint;
  /** The `mcp_servers` entry it belongs to: what it serves of the module and how (`include_tools`, ...). */
  shape?: ServerShape;
}

/**
 * Every module `config` asks to load, in load order: `tools.modules_to_import`, then each enabled
 * `mcp_servers.<name>` entry's `tools` / `resources` / `prompts` slots.
 *
 * @example
 * ```ts
 * import { configuredModules } from "./loader.ts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ tools: { modules_to_import: ["tools.ts"] } }, "inline");
 * configuredModules(config, "/srv/app").map((m) => m.spec); // ["tools.ts"]
 * ```
 */
export function configuredModules(config: RuntimeConfig, baseDir: string): ConfiguredModule[] {
  const out: ConfiguredModule[] = [];
  for (const [i, spec] of config.tools.modules_to_import.entries()) {
    out.push({ spec, dir: baseDir, keyPath: `tools.modules_to_import.${i}`, slot: "any", source: spec });
  }
  for (const [name, entry] of Object.entries(config.mcp_servers)) {
    if (!entry.enabled) continue;
    const dir = entry.location ? resolvePath(baseDir, entry.location) : baseDir;
    const shape = new ServerShape(entry);
    for (const slot of ["tools", "resources", "prompts"] as const) {
      const m = entry[slot];
      if (!m || !m.enabled) continue;
      out.push({
        spec: m.module,
        dir,
        keyPath: `mcp_servers.${name}.${slot}.module`,
        slot,
        source: `mcp_servers.${name} (${m.module})`,
        ...(m.cache ? { cache: { ttlMs: m.cache.ttl_ms, scope: m.cache.scope } } : {}),
        ...(shape.plain ? {} : { shape }),
      });
    }
  }
  return out;
}

/**
 * The absolute paths {@linkcode resolveModulePath} tries for a module spec, in order: the path as
 * given, then with `.ts` / `.js`, then (for dotted Python-style names) with dots as folders.
 * Pure: touches no file (the permission planner uses it to know which files will be read).
 *
 * @example
 * ```ts
 * import { moduleCandidates } from "./loader.ts";
 * moduleCandidates("tools.ts", "/srv/app"); // ["/srv/app/tools.ts"]
 * ```
 */
export function moduleCandidates(spec: string, baseDir: string): string[] {
  const base = isAbsolute(spec) ? spec : resolvePath(baseDir, spec);
  const candidates = [base];
  if (!/\.(m?[jt]sx?)$/.test(spec)) {
    candidates.push(`${base}.ts`, `${base}.js`);
    if (/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(spec)) {
      const dotted = spec.replace(/\./g, "/");
      candidates.push(resolvePath(baseDir, `${dotted}.ts`), resolvePath(baseDir, `${dotted}.js`));
      candidates.push(resolvePath(baseDir, "..", `${dotted}.ts`), resolvePath(baseDir, "..", `${dotted}.js`));
    }
  }
  return candidates;
}

/**
 * Find the file a config names. A path is tried as given, then with `.ts` / `.js`, then (for the
 * reference's dotted Python-style names such as `my_tools.tools`) with dots as folders.
 * Throws a {@linkcode ConfigError} at `keyPath` listing what was tried.
 *
 * @example
 * ```ts
 * import { resolveModulePath } from "./loader.ts";
 * const file = await resolveModulePath("examples/tools.ts", Deno.cwd(), { file: "config.yaml", path: "tools.modules_to_import.0" });
 * ```
 */
export async function resolveModulePath(
  spec: string,
  baseDir: string,
  where: { file: string; path: string },
): Promise<string> {
  const candidates = moduleCandidates(spec, baseDir);
  for (const c of candidates) if (await exists(c)) return c;
  throw new ConfigError(`module not found: ${JSON.stringify(spec)} (tried ${candidates.join(", ")})`, where);
}

/**
 * Import a module file and collect its definitions. Import failures become
 * {@linkcode ModuleLoadError} naming the file. With `fresh` (a live reload), the file is imported
 * again under a URL of its own (`?reload=<fresh>`): a module once imported is otherwise served from
 * the module cache. Only that file is read again; what it imports stays as first loaded.
 *
 * @example
 * ```ts
 * import { importDefinitions } from "./loader.ts";
 * const defs = await importDefinitions(`${Deno.cwd()}/examples/tools.ts`, "tools");
 * console.log(defs.tools.map((t) => t.name));
 * ```
 */
export async function importDefinitions(
  file: string,
  slot: ModuleSlot,
  fresh?: string | number,
): Promise<CollectedDefinitions> {
  let namespace: Record<string, unknown>;
  const url = pathToFileURL(file).href;
  try {
    namespace = await import(fresh === undefined ? url : `${url}?reload=${encodeURIComponent(fresh)}`);
  } catch (e) {
    if (!isCompiledBinary()) throw new ModuleLoadError(file, e);
    // deno compile binaries cannot import files that were not in the build (denoland/deno#18327).
    const why = errorText(e);
    throw new ModuleLoadError(
      file,
      new Error(
        `${why} — a compiled binary only loads the tool modules baked in when it was built: ` +
          `deno task compile --permissions-from <config.yaml> (or run with deno run)`,
      ),
    );
  }
  return collectDefinitions(namespace, slot);
}

const baked = new Map<string, Record<string, unknown>>();

/**
 * Register module namespaces that were imported statically ("baked in") at build time, keyed by
 * their path relative to the configuration file's directory (`/` separators). A configured module
 * whose path matches is served from here instead of being imported from disk — which is how tool
 * modules named in a config work inside a `deno compile` binary (it cannot import files outside
 * its build). `scripts/compile.ts` generates the call.
 *
 * @example
 * ```ts
 * import { bakeModules } from "./loader.ts";
 * import { defineTool } from "@chuk/mcp-runtime";
 * const hello = defineTool({ name: "hello", inputSchema: { type: "object" }, handler: () => "hi" });
 * bakeModules({ "tools.ts": { hello } }); // serves `modules_to_import: [tools.ts]` without reading it
 * ```
 */
export function bakeModules(modules: Record<string, Record<string, unknown>>): void {
  for (const [key, namespace] of Object.entries(modules)) baked.set(key.replace(/\\/g, "/"), namespace);
}

/**
 * The baked-in namespace for a configured module, if {@linkcode bakeModules} registered one.
 *
 * @example
 * ```ts
 * import { bakedModule, configuredModules } from "./loader.ts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * const config = validateConfig({ tools: { modules_to_import: ["tools.ts"] } }, "inline");
 * const ns = bakedModule(configuredModules(config, "/srv/app")[0], "/srv/app"); // undefined unless baked
 * ```
 */
export function bakedModule(m: ConfiguredModule, baseDir: string): Record<string, unknown> | undefined {
  if (baked.size === 0) return undefined;
  for (const candidate of moduleCandidates(m.spec, m.dir)) {
    const namespace = baked.get(relative(baseDir, candidate).split(sep).join("/"));
    if (namespace) return namespace;
  }
  return undefined;
}
