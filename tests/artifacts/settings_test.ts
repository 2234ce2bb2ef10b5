// Artifact settings: config + environment (environment wins), provider aliases, paths, S3 and
// IBM COS credentials, and clear errors for what cannot work.
import assert from "node:assert/strict";
import { envFromObject } from "../../src/config/env.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { parseConfigText } from "../../src/config/parse.ts";
import type { RuntimeConfigInput } from "../../src/config/types.ts";
import { resolveArtifactNamespace, resolveArtifactSettings } from "../../src/artifacts/settings.ts";
import { ConfigError } from "../../src/errors.ts";

const cfg = (artifacts: RuntimeConfigInput["artifacts"] = {}, rest: RuntimeConfigInput = {}) =>
  validateConfig({ ...rest, artifacts: { enabled: true, ...artifacts } }, "inline");
const none = envFromObject({});

Deno.test("settings: defaults", () => {
  const s = resolveArtifactSettings(cfg(), none, "/srv/app");
  assert.equal(s.storage, "memory");
  assert.equal(s.metadataProvider, "memory");
  assert.equal(s.bucket, "mcp-runtime");
  assert.equal(s.root, "/srv/app/artifacts");
  assert.equal(s.sqlitePath, "/srv/app/artifacts/artifacts.sqlite");
  assert.equal(s.namespace, "default");
  assert.equal(s.maxFileBytes, 100 * 1024 * 1024);
  assert.deepEqual(s.ttl, { session: 900, user: 720 * 3600 }, "user files: 365 days, capped at 720 h");
  assert.equal(s.maxTtlSeconds, 720 * 3600);
  assert.equal(s.s3, undefined);
});

Deno.test("settings: artifacts.max_ttl_hours caps every lifetime; a default above it is a config error", () => {
  assert.deepEqual(resolveArtifactSettings(cfg({ max_ttl_hours: 24 * 365 }), none, "/").ttl, {
    session: 900,
    user: 31_536_000,
  });
  assert.deepEqual(resolveArtifactSettings(cfg({ user_ttl_seconds: 60 }), none, "/").ttl, {
    session: 900,
    user: 60,
  });
  assert.throws(
    () => resolveArtifactSettings(cfg({ user_ttl_seconds: 31_536_000 }), none, "/", "app.yaml"),
    (e) =>
      e instanceof ConfigError && e.location.file === "app.yaml" &&
      e.location.path === "artifacts.user_ttl_seconds" &&
      /31536000 s is longer than artifacts\.max_ttl_hours \(720 h\)/.test(e.message),
  );
  assert.throws(
    () => resolveArtifactSettings(cfg({ max_ttl_hours: 0.1 }), none, "/"),
    (e) => e instanceof ConfigError && e.location.path === "artifacts.session_ttl_seconds",
  );
});

Deno.test("settings: README spellings of providers", () => {
  const cases: [string, string][] = [
    ["filesystem", "filesystem"],
    ["vfs-filesystem", "filesystem"],
    ["fs", "filesystem"],
    ["memory", "memory"],
    ["vfs-memory", "memory"],
    ["s3", "s3"],
    ["vfs-s3", "s3"],
    ["sqlite", "sqlite"],
    ["vfs-sqlite", "sqlite"],
    ["IBM_COS", "s3"],
  ];
  for (const [name, kind] of cases) {
    const env = envFromObject({
      ARTIFACT_STORAGE_PROVIDER: name,
      IBM_COS_ACCESS_KEY_ID: "k",
      IBM_COS_SECRET_ACCESS_KEY: "s",
    });
    assert.equal(resolveArtifactSettings(cfg(), env, "/").storage, kind, name);
  }
  for (const name of ["filesystem", "vfs-filesystem", "vfs-sqlite", "ibm-cos"] as const) {
    const c = cfg({ storage_provider: name });
    const env = envFromObject({ AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" });
    assert.equal(resolveArtifactSettings(c, env, "/").storageName, name);
  }
});

Deno.test("settings: unknown providers are config errors; unknown config values fail validation with a line", () => {
  assert.throws(
    () => resolveArtifactSettings(cfg(), envFromObject({ ARTIFACT_STORAGE_PROVIDER: "dropbox" }), "/"),
    (e) =>
      e instanceof ConfigError && e.exitCode === 2 &&
      /ARTIFACT_STORAGE_PROVIDER: unknown storage provider "dropbox"/.test(e.message),
  );
  assert.throws(
    () => resolveArtifactSettings(cfg(), envFromObject({ ARTIFACT_SESSION_PROVIDER: "dynamodb" }), "/"),
    /ARTIFACT_SESSION_PROVIDER: unknown session provider "dynamodb"; expected one of memory, redis, sqlite/,
  );
  assert.throws(
    () => parseConfigText("artifacts:\n  enabled: true\n  storage_provider: dropbox\n", "c.yaml"),
    /c\.yaml:3: artifacts\.storage_provider: expected one of/,
  );
});

Deno.test("settings: environment beats the file; paths resolve against the config dir", () => {
  const c = cfg({
    storage_provider: "filesystem",
    session_provider: "memory",
    bucket: "from-file",
    filesystem: { base_path: "./data" },
    sqlite_path: "meta/db.sqlite",
  });
  const fromFile = resolveArtifactSettings(c, none, "/etc/mcp");
  assert.equal(fromFile.root, "/etc/mcp/data");
  assert.equal(fromFile.bucket, "from-file");
  assert.equal(fromFile.sqlitePath, "/etc/mcp/meta/db.sqlite");
  const env = envFromObject({
    ARTIFACT_STORAGE_PROVIDER: "sqlite",
    ARTIFACT_SESSION_PROVIDER: "sqlite",
    ARTIFACT_BUCKET: "from-env",
    ARTIFACT_FS_ROOT: "/var/art",
    ARTIFACT_SQLITE_PATH: "/var/db.sqlite",
  });
  const s = resolveArtifactSettings(c, env, "/etc/mcp");
  assert.equal(s.storage, "sqlite");
  assert.equal(s.metadataProvider, "sqlite");
  assert.equal(s.bucket, "from-env");
  assert.equal(s.root, "/var/art");
  assert.equal(s.sqlitePath, "/var/db.sqlite");
  // filesystem_root is the other spelling of the same thing; two different values are an error.
  assert.equal(resolveArtifactSettings(cfg({ filesystem_root: "/x" }), none, "/").root, "/x");
  assert.throws(
    () => resolveArtifactSettings(cfg({ filesystem_root: "/x", filesystem: { base_path: "/y" } }), none, "/"),
    /filesystem_root \(\/x\) and artifacts\.filesystem\.base_path \(\/y\) disagree/,
  );
  assert.throws(() => resolveArtifactSettings(cfg({ bucket: "../up" }), none, "/"), /invalid bucket name/);
});

Deno.test("settings: namespace comes from an explicit sandbox id only", () => {
  assert.equal(resolveArtifactNamespace(cfg(), envFromObject({ POD_NAME: "pod-1" })), "default");
  assert.equal(
    resolveArtifactNamespace(cfg(), envFromObject({ MCP_SANDBOX_ID: "tenant-a_1.x" })),
    "tenant-a_1.x",
  );
  assert.equal(
    resolveArtifactNamespace(
      cfg({}, { sessions: { sandbox_id: "cfg" } }),
      envFromObject({ MCP_SANDBOX_ID: "env" }),
    ),
    "cfg",
  );
  assert.equal(
    resolveArtifactNamespace(
      cfg({}, { sessions: { sandbox_id: "cfg" } }),
      envFromObject({ ARTIFACT_SANDBOX_ID: "art" }),
    ),
    "art",
  );
});

Deno.test("settings: sandbox ids map injectively to namespaces that are blob key segments", () => {
  const ids = [
    "tenant:a",
    "tenant/a",
    "tenant_a",
    "tenant a",
    "tenant%3Aa",
    "_tenant_3aa",
    "tenant_3aa",
    "..x",
    "_.x",
    ".x",
    "-x",
    "x".repeat(64) + "1",
    "x".repeat(64) + "2",
    "Ünïcode",
    "default",
  ];
  const seen = new Map<string, string>();
  for (const id of ids) {
    const ns = resolveArtifactNamespace(cfg(), envFromObject({ MCP_SANDBOX_ID: id }));
    assert.match(ns, /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/, `${id} → ${ns}`);
    assert.equal(
      seen.get(ns),
      undefined,
      `${JSON.stringify(id)} and ${JSON.stringify(seen.get(ns))} share ${ns}`,
    );
    seen.set(ns, id);
  }
  // A plain id is its own namespace (existing data stays where it is).
  assert.equal(resolveArtifactNamespace(cfg(), envFromObject({ MCP_SANDBOX_ID: "tenant_a" })), "tenant_a");
  // One that cannot be a key segment even when escaped is a config error naming its source.
  assert.throws(
    () => resolveArtifactNamespace(cfg(), envFromObject({ MCP_SANDBOX_ID: "/".repeat(100) })),
    (e) => e instanceof ConfigError && e.location.path === "MCP_SANDBOX_ID" && /too long/.test(e.message),
  );
});

Deno.test("settings: S3 and S3-compatible servers", () => {
  const aws = resolveArtifactSettings(
    cfg({ storage_provider: "s3" }),
    envFromObject({ AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "eu-west-1" }),
    "/",
  );
  assert.deepEqual(aws.s3, {
    region: "eu-west-1",
    forcePathStyle: false,
    credentials: { accessKeyId: "AKIA", secretAccessKey: "secret" },
  });
  // No keys: the SDK's own chain (instance roles, ~/.aws) decides.
  assert.equal(
    resolveArtifactSettings(cfg({ storage_provider: "s3" }), none, "/").s3?.credentials,
    undefined,
  );
  const minio = resolveArtifactSettings(
    cfg({ storage_provider: "s3", s3: { endpoint_url: "http://file:9000", region: "file-region" } }),
    envFromObject({ S3_ENDPOINT_URL: "http://127.0.0.1:9000" }),
    "/",
  );
  assert.equal(minio.s3?.endpoint, "http://127.0.0.1:9000");
  assert.equal(minio.s3?.region, "file-region");
  assert.equal(minio.s3?.forcePathStyle, true, "path style by default with a custom endpoint");
  const vhost = resolveArtifactSettings(
    cfg({ storage_provider: "s3", s3: { endpoint_url: "https://t3.storage.dev", force_path_style: false } }),
    none,
    "/",
  );
  assert.equal(vhost.s3?.forcePathStyle, false);
  assert.throws(
    () =>
      resolveArtifactSettings(
        cfg({ storage_provider: "s3" }),
        envFromObject({ AWS_ACCESS_KEY_ID: "only" }),
        "/",
      ),
    /AWS_SECRET_ACCESS_KEY: set both/,
  );
  assert.throws(
    () =>
      resolveArtifactSettings(
        cfg({ storage_provider: "s3" }),
        envFromObject({ S3_ENDPOINT_URL: "not a url" }),
        "/",
      ),
    /S3_ENDPOINT_URL: expected a URL/,
  );
});

Deno.test("settings: IBM COS with HMAC keys; IAM keys get a clear error", () => {
  const ibm = resolveArtifactSettings(
    cfg({ storage_provider: "ibm_cos" }),
    envFromObject({
      IBM_COS_ENDPOINT: "https://s3.eu-de.cloud-object-storage.appdomain.cloud",
      IBM_COS_ACCESS_KEY_ID: "hmac-id",
      IBM_COS_SECRET_ACCESS_KEY: "hmac-secret",
    }),
    "/",
  );
  assert.equal(ibm.storage, "s3");
  assert.equal(ibm.s3?.endpoint, "https://s3.eu-de.cloud-object-storage.appdomain.cloud");
  assert.equal(ibm.s3?.region, "eu-de");
  assert.equal(ibm.s3?.forcePathStyle, true);
  assert.deepEqual(ibm.s3?.credentials, { accessKeyId: "hmac-id", secretAccessKey: "hmac-secret" });
  const defaults = resolveArtifactSettings(
    cfg({ storage_provider: "ibm_cos" }),
    envFromObject({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" }),
    "/",
  );
  assert.equal(defaults.s3?.endpoint, "https://s3.us-south.cloud-object-storage.appdomain.cloud");
  assert.equal(defaults.s3?.region, "us-south");
  assert.throws(
    () =>
      resolveArtifactSettings(
        cfg({ storage_provider: "ibm_cos" }),
        envFromObject({ IBM_COS_APIKEY: "iam" }),
        "/",
      ),
    /IBM COS needs HMAC credentials.*IAM API keys \(IBM_COS_APIKEY\) are not supported/,
  );
});
