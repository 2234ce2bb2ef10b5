/**
 * The artifact store's settings: the `artifacts:` config section with the environment on top
 * (environment beats the file, as everywhere else), the README's provider spellings folded into
 * four providers, and relative paths resolved.
 *
 * @module
 */

import { resolve } from "node:path";
import type { EnvSource } from "../config/env.ts";
import type { RuntimeConfig } from "../config/schema.ts";
import type { SessionProviderName } from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import { resolveArtifactRoot, resolveSqlitePath } from "../config/paths.ts";
import { resolveSessionProvider } from "../sessions/factory.ts";

/** The four blob providers. */
export type StorageKind = "memory" | "filesystem" | "s3" | "sqlite";

/** Metadata providers: the session providers (artifact metadata lives in the session store). */
export type MetadataProviderName = SessionProviderName;

/** Every spelling accepted for a storage provider, and what it means. */
export const STORAGE_ALIASES: Readonly<Record<string, StorageKind>> = {
  memory: "memory",
  mem: "memory",
  inmemory: "memory",
  "vfs-memory": "memory",
  filesystem: "filesystem",
  fs: "filesystem",
  vfs: "filesystem",
  "vfs-filesystem": "filesystem",
  s3: "s3",
  "vfs-s3": "s3",
  ibm_cos: "s3",
  "ibm-cos": "s3",
  sqlite: "sqlite",
  "vfs-sqlite": "sqlite",
};

/** Default lifetime of user-scope artifacts when `artifacts.max_ttl_hours` allows it (365 days). */
const USER_TTL_SECONDS = 365 * 24 * 3600;

/** Default IBM COS endpoint (US South, public). */
export const IBM_COS_DEFAULT_ENDPOINT = "https://s3.us-south.cloud-object-storage.appdomain.cloud";

/** Resolved S3 connection settings. */
export interface S3Settings {
  /** Endpoint URL (absent: AWS). */
  endpoint?: string;
  /** Region. */
  region: string;
  /** Address buckets as `host/bucket` instead of `bucket.host`. */
  forcePathStyle: boolean;
  /** Explicit credentials (else the AWS SDK's own lookup). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Everything the artifact plugin needs, resolved. */
export interface ArtifactSettings {
  /** Blob provider. */
  storage: StorageKind;
  /** The provider name as configured (`ibm_cos`, `vfs-s3`, ...), for stats. */
  storageName: string;
  /** Metadata provider: the session provider (artifact metadata lives in the session store). */
  metadataProvider: MetadataProviderName;
  /** Bucket (S3), sub-directory (filesystem) or row namespace (sqlite). */
  bucket: string;
  /** Absolute artifact root directory (filesystem blobs; default home of the sqlite file). */
  root: string;
  /** Absolute path of the SQLite file (sqlite storage and sqlite metadata). */
  sqlitePath: string;
  /** Namespace of keys and blobs: the sandbox the artifacts belong to. */
  namespace: string;
  /** Largest artifact accepted. */
  maxFileBytes: number;
  /** Default TTLs in seconds per writable scope. */
  ttl: { session: number; user: number };
  /** The longest lifetime of any artifact, in seconds (`artifacts.max_ttl_hours`). */
  maxTtlSeconds: number;
  /** Seconds between sweeps of expired artifacts. */
  cleanupIntervalSeconds: number;
  /** S3 connection (when `storage` is `s3`). */
  s3?: S3Settings;
}

function envFlag(v: string | undefined): boolean | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  return /^(1|true|yes|on)$/i.test(v.trim());
}

/** A sandbox id that is its own namespace: a blob key segment that does not start with `_`. */
const PLAIN_NAMESPACE = /^[A-Za-z0-9-][A-Za-z0-9._-]{0,127}$/;
/** Longest namespace (a blob key segment). */
const MAX_NAMESPACE = 128;

/**
 * The namespace a sandbox id maps to, injectively, so two sandboxes never share keys or blobs: a
 * plain id (letters, digits, `.`, `_`, `-`, not starting with `.` or `_`) is itself; any other is
 * `_` followed by the id with every byte outside `[A-Za-z0-9.-]` (including `_`) written `_xx`
 * (hex of its UTF-8 bytes). Plain ids never start with `_`, and an escaped one decodes back, so
 * `tenant:a` (`_tenant_3aa`), `tenant/a` (`_tenant_2fa`) and `tenant_a` stay apart.
 *
 * @example
 * ```ts
 * import { sandboxNamespace } from "@chuk/mcp-runtime/artifacts";
 * sandboxNamespace("tenant-a"); // "tenant-a"
 * sandboxNamespace("tenant:a"); // "_tenant_3aa"
 * ```
 */
export function sandboxNamespace(id: string): string {
  if (PLAIN_NAMESPACE.test(id)) return id;
  let out = "_";
  for (const byte of new TextEncoder().encode(id)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9.-]/.test(c) ? c : `_${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/**
 * The namespace artifacts live in: `ARTIFACT_SANDBOX_ID` > `sessions.sandbox_id` >
 * `MCP_SANDBOX_ID` > `CHUK_SANDBOX_ID` > `SANDBOX_ID` > `default`, mapped by
 * {@linkcode sandboxNamespace}. Unlike the runtime's sandbox id there is no per-process fallback
 * (`POD_NAME`, a timestamp): user files must stay reachable after a restart or a redeploy.
 *
 * @throws {ConfigError} the id's namespace would be longer than 128 characters.
 *
 * @example
 * ```ts
 * import { resolveArtifactNamespace } from "@chuk/mcp-runtime/artifacts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * resolveArtifactNamespace(validateConfig({}, "inline"), envFromObject({ MCP_SANDBOX_ID: "tenant-a" })); // "tenant-a"
 * ```
 */
export function resolveArtifactNamespace(
  config: RuntimeConfig,
  env: EnvSource,
  configLabel = "<config>",
): string {
  const sources: [string, string | null | undefined][] = [
    ["ARTIFACT_SANDBOX_ID", env("ARTIFACT_SANDBOX_ID")],
    ["sessions.sandbox_id", config.sessions.sandbox_id],
    ["MCP_SANDBOX_ID", env("MCP_SANDBOX_ID")],
    ["CHUK_SANDBOX_ID", env("CHUK_SANDBOX_ID")],
    ["SANDBOX_ID", env("SANDBOX_ID")],
  ];
  const [source, id] = sources.find(([, v]) => v) ?? ["", "default"];
  const namespace = sandboxNamespace(id!);
  if (namespace.length > MAX_NAMESPACE) {
    throw new ConfigError(
      `sandbox id too long: it names a storage namespace of ${namespace.length} characters (at most ` +
        `${MAX_NAMESPACE}; characters other than letters, digits, '.' and '-' take three each)`,
      { file: source.includes(".") ? configLabel : "<environment>", path: source },
    );
  }
  return namespace;
}

function region(endpoint: string | undefined): string | undefined {
  const m = endpoint ? /s3[.-](?:private\.|direct\.)?([a-z]{2}-[a-z]+)\./.exec(endpoint) : null;
  return m?.[1];
}

/**
 * Resolve the artifact settings. Relative paths in the config file resolve against `baseDir`
 * (the config file's directory); relative paths in the environment against the working directory.
 * An unknown provider or conflicting settings are a {@linkcode ConfigError}.
 *
 * @example
 * ```ts
 * import { resolveArtifactSettings } from "@chuk/mcp-runtime/artifacts";
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { envFromObject } from "@chuk/mcp-runtime/config";
 * const config = validateConfig({ artifacts: { enabled: true, storage_provider: "vfs-filesystem" } }, "inline");
 * const s = resolveArtifactSettings(config, envFromObject({ ARTIFACT_FS_ROOT: "/tmp/art" }), "/srv");
 * console.log(s.storage, s.root); // filesystem /tmp/art
 * ```
 */
export function resolveArtifactSettings(
  config: RuntimeConfig,
  env: EnvSource,
  baseDir: string,
  configLabel = "<config>",
): ArtifactSettings {
  const a = config.artifacts;
  const fromEnv = (name: string) => {
    const v = env(name);
    return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
  };

  const storageName = (fromEnv("ARTIFACT_STORAGE_PROVIDER") ?? a.storage_provider).toLowerCase();
  const storage = STORAGE_ALIASES[storageName];
  if (!storage) {
    throw new ConfigError(
      `unknown storage provider ${JSON.stringify(storageName)}; expected one of ${
        Object.keys(STORAGE_ALIASES).join(", ")
      }`,
      { file: "<environment>", path: "ARTIFACT_STORAGE_PROVIDER" },
    );
  }

  const bucket = fromEnv("ARTIFACT_BUCKET") ?? a.bucket ?? "mcp-runtime";
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(bucket)) {
    throw new ConfigError(`invalid bucket name ${JSON.stringify(bucket)} (use letters, digits, . _ -)`, {
      file: fromEnv("ARTIFACT_BUCKET") ? "<environment>" : configLabel,
      path: fromEnv("ARTIFACT_BUCKET") ? "ARTIFACT_BUCKET" : "artifacts.bucket",
    });
  }

  const basePath = a.filesystem?.base_path;
  if (a.filesystem_root && basePath && resolve(baseDir, a.filesystem_root) !== resolve(baseDir, basePath)) {
    throw new ConfigError(
      `artifacts.filesystem_root (${a.filesystem_root}) and artifacts.filesystem.base_path (${basePath}) disagree; set one`,
      { file: configLabel, path: "artifacts.filesystem.base_path" },
    );
  }
  const root = resolveArtifactRoot(config, env, baseDir);
  const sqlitePath = resolveSqlitePath(config, env, baseDir);

  const maxTtlSeconds = Math.round(a.max_ttl_hours * 3600);
  const userTtl = a.user_ttl_seconds ?? Math.min(USER_TTL_SECONDS, maxTtlSeconds);
  for (
    const [key, seconds] of [["session_ttl_seconds", a.session_ttl_seconds], ["user_ttl_seconds", userTtl]]
  ) {
    if (Number(seconds) > maxTtlSeconds) {
      throw new ConfigError(
        `${seconds} s is longer than artifacts.max_ttl_hours (${a.max_ttl_hours} h); lower it or raise max_ttl_hours`,
        { file: configLabel, path: `artifacts.${key}` },
      );
    }
  }

  const settings: ArtifactSettings = {
    storage,
    storageName,
    metadataProvider: resolveSessionProvider(config, env),
    bucket,
    root,
    sqlitePath,
    namespace: resolveArtifactNamespace(config, env, configLabel),
    maxFileBytes: a.max_file_bytes,
    ttl: { session: a.session_ttl_seconds, user: userTtl },
    maxTtlSeconds,
    cleanupIntervalSeconds: a.cleanup_interval_seconds,
  };
  if (storage === "s3") settings.s3 = resolveS3(config, env, storageName.startsWith("ibm"));
  return settings;
}

function resolveS3(config: RuntimeConfig, env: EnvSource, ibm: boolean): S3Settings {
  const c = config.artifacts.s3 ?? {};
  const get = (name: string) => {
    const v = env(name);
    return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
  };
  const endpoint = ibm
    ? get("IBM_COS_ENDPOINT") ?? get("S3_ENDPOINT_URL") ?? c.endpoint_url ?? IBM_COS_DEFAULT_ENDPOINT
    : get("S3_ENDPOINT_URL") ?? c.endpoint_url;
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new ConfigError(`expected a URL, got ${JSON.stringify(endpoint)}`, {
      file: "<environment>",
      path: ibm ? "IBM_COS_ENDPOINT" : "S3_ENDPOINT_URL",
    });
  }
  const regionName = get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ??
    (ibm ? get("IBM_COS_REGION") : undefined) ?? c.region ??
    (ibm ? region(endpoint) ?? "us-south" : "us-east-1");
  const forcePathStyle = envFlag(get("S3_FORCE_PATH_STYLE")) ?? c.force_path_style ??
    (endpoint !== undefined);

  const accessKeyId = (ibm ? get("IBM_COS_ACCESS_KEY_ID") : undefined) ?? get("AWS_ACCESS_KEY_ID");
  const secretAccessKey = (ibm ? get("IBM_COS_SECRET_ACCESS_KEY") : undefined) ??
    get("AWS_SECRET_ACCESS_KEY");
  let credentials: S3Settings["credentials"];
  if (accessKeyId && secretAccessKey) {
    const sessionToken = get("AWS_SESSION_TOKEN");
    credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  } else if (accessKeyId || secretAccessKey) {
    throw new ConfigError("set both the access key id and the secret access key, or neither", {
      file: "<environment>",
      path: accessKeyId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID",
    });
  } else if (ibm) {
    // The reference README lists IAM API keys; only HMAC keys speak the S3 API.
    const iam = get("IBM_COS_APIKEY") ? " IAM API keys (IBM_COS_APIKEY) are not supported." : "";
    throw new ConfigError(
      `IBM COS needs HMAC credentials: set IBM_COS_ACCESS_KEY_ID and IBM_COS_SECRET_ACCESS_KEY ` +
        `(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).${iam}`,
      { file: "<environment>", path: "IBM_COS_ACCESS_KEY_ID" },
    );
  }
  return {
    ...(endpoint ? { endpoint } : {}),
    region: regionName,
    forcePathStyle,
    ...(credentials ? { credentials } : {}),
  };
}
