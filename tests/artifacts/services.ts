/**
 * Test access to the real S3-compatible server started by `.ci/run` (s3rver on loopback).
 * Tests that need it use `s3Test(...)`: skipped with a visible "ignored" when `S3_ENDPOINT_URL`
 * is not set, unless `REQUIRE_SERVICES=1`, in which case they run and fail.
 */

import type { S3BlobStoreOptions } from "../../src/artifacts/blob_s3.ts";

const env = (k: string) => Deno.env.get(k) || undefined;

/** Whether tests needing services must run even when the service is not configured. */
export const REQUIRE_SERVICES: boolean = env("REQUIRE_SERVICES") === "1";

/** The S3 endpoint for tests, if any. */
export const S3_ENDPOINT: string | undefined = env("S3_ENDPOINT_URL");

/** Environment variables a spawned server needs to reach the test S3 server. */
export function s3Env(bucket: string): Record<string, string> {
  if (!S3_ENDPOINT) throw new Error("S3_ENDPOINT_URL is not set (start s3rver, see .ci/run)");
  return {
    S3_ENDPOINT_URL: S3_ENDPOINT,
    AWS_ACCESS_KEY_ID: env("AWS_ACCESS_KEY_ID") ?? "S3RVER",
    AWS_SECRET_ACCESS_KEY: env("AWS_SECRET_ACCESS_KEY") ?? "S3RVER",
    AWS_REGION: env("AWS_REGION") ?? "us-east-1",
    ARTIFACT_BUCKET: bucket,
  };
}

/** S3BlobStore options for the test server, with a bucket of its own. */
export function s3Options(bucket: string): S3BlobStoreOptions {
  const e = s3Env(bucket);
  return {
    bucket,
    endpoint: e.S3_ENDPOINT_URL,
    region: e.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY },
  };
}

/** A bucket name unique to this test run (buckets are shared with other test runs). */
export function uniqueBucket(prefix = "art"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}`;
}

/** Skip (visibly) unless S3 is configured or required. */
export const IGNORE_WITHOUT_S3: boolean = !S3_ENDPOINT && !REQUIRE_SERVICES;

/** The Redis URL for tests, if any. */
export const REDIS_URL: string | undefined = env("REDIS_URL");

/** Skip (visibly) unless Redis is configured or required. */
export const IGNORE_WITHOUT_REDIS: boolean = !REDIS_URL && !REQUIRE_SERVICES;
