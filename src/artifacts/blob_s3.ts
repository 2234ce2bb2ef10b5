/**
 * Blobs in an S3 bucket (AWS S3, or any S3-compatible server: MinIO, Tigris, IBM Cloud Object
 * Storage with HMAC keys, s3rver) through `@aws-sdk/client-s3`. Large objects go up as
 * multipart uploads; presigned GET URLs come from `@aws-sdk/s3-request-presigner`.
 *
 * Checksums are computed only when the service requires them: with the SDK's default
 * (`WHEN_SUPPORTED`) some S3-compatible servers store the aws-chunked framing as object data,
 * and presigned URLs would carry the CRC of an empty body (see deno-notes §4).
 *
 * @module
 */

import { errorText } from "../errors.ts";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertBlobKey, assertBlobPrefix, type BlobInfo, type BlobStore } from "./blob.ts";

/** Connection settings of {@linkcode S3BlobStore}. */
export interface S3BlobStoreOptions {
  /** Bucket name. */
  bucket: string;
  /** Region (default `us-east-1`). */
  region?: string;
  /** Endpoint of an S3-compatible server; default AWS. */
  endpoint?: string;
  /** Address buckets as `<endpoint>/<bucket>` (needed by most S3-compatible servers). */
  forcePathStyle?: boolean;
  /** Static credentials; default the SDK's chain (env `AWS_*`, `~/.aws`, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Objects at least this large are uploaded in parts (bytes; default 16 MiB). */
  multipartThreshold?: number;
  /** Part size of multipart uploads (bytes, >= 5 MiB; default 8 MiB). */
  partSize?: number;
  /** Create the bucket in `init()` when it does not exist (default true). */
  createBucket?: boolean;
}

const MiB = 1024 * 1024;

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === "NoSuchKey" || name === "NotFound" || name === "NoSuchBucket" || statusOf(e) === 404;
}

/** `Content-Disposition` value for a download named `filename` (RFC 6266 / 5987). */
function disposition(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9._ -]/g, "_").slice(0, 150) || "download";
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * S3 {@linkcode BlobStore}.
 *
 * @example
 * ```ts
 * import { S3BlobStore } from "./blob_s3.ts";
 * const blobs = new S3BlobStore({
 *   bucket: "mcp-artifacts",
 *   endpoint: "http://127.0.0.1:4569",
 *   forcePathStyle: true,
 *   credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
 * });
 * await blobs.init();
 * await blobs.put("ns/a", new TextEncoder().encode("hi"), { mime: "text/plain" });
 * console.log(await blobs.presign("ns/a", 900, { mime: "text/plain" }));
 * await blobs.close();
 * ```
 */
export class S3BlobStore implements BlobStore {
  readonly provider = "s3";
  readonly bucket: string;
  /** The SDK client (for advanced use). */
  readonly client: S3Client;
  readonly #threshold: number;
  readonly #partSize: number;
  readonly #createBucket: boolean;

  /** A blob store on the S3 bucket `options.bucket` (created on first use unless `createBucket: false`). */
  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.#partSize = Math.max(5 * MiB, options.partSize ?? 8 * MiB);
    this.#threshold = Math.max(this.#partSize, options.multipartThreshold ?? 16 * MiB);
    this.#createBucket = options.createBucket ?? true;
    this.client = new S3Client({
      region: options.region ?? "us-east-1",
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      if (!isNotFound(e) || !this.#createBucket) {
        throw new Error(`S3 bucket '${this.bucket}' is not usable: ${describe(e)}`, { cause: e });
      }
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (e2) {
        const name = (e2 as { name?: string })?.name;
        if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") {
          throw new Error(`cannot create S3 bucket '${this.bucket}': ${describe(e2)}`, { cause: e2 });
        }
      }
    }
  }

  async put(key: string, data: Uint8Array, info: BlobInfo): Promise<void> {
    assertBlobKey(key);
    if (data.length < this.#threshold) {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentType: info.mime }),
      );
      return;
    }
    await this.#multipart(key, data, info);
  }

  async #multipart(key: string, data: Uint8Array, info: BlobInfo): Promise<void> {
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: info.mime }),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error("S3 did not return an UploadId");
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let off = 0, n = 1; off < data.length; off += this.#partSize, n++) {
        const body = data.subarray(off, Math.min(data.length, off + this.#partSize));
        const r = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: n,
            Body: body,
          }),
        );
        parts.push({ ETag: r.ETag ?? "", PartNumber: n });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      // Abandoned parts cost storage until aborted.
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      )
        .catch(() => {});
      throw e;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertBlobKey(key);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!r.Body) return new Uint8Array();
      return await r.Body.transformToByteArray();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async #exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    assertBlobKey(key);
    const existed = await this.#exists(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return existed;
  }

  async copy(from: string, to: string, info: BlobInfo): Promise<boolean> {
    assertBlobKey(from);
    assertBlobKey(to);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from}`,
          ContentType: info.mime,
          MetadataDirective: "REPLACE",
        }),
      );
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    const out = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: "/",
          ContinuationToken: token,
        }),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.add(p.Prefix.slice(prefix.length, -1));
      for (const o of page.Contents ?? []) if (o.Key) out.add(o.Key.slice(prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return [...out];
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertBlobPrefix(prefix);
    let n = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: o.Key }));
        n++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return n;
  }

  async presign(key: string, expiresInSeconds: number, info: BlobInfo): Promise<string> {
    assertBlobKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(info.filename ? { ResponseContentDisposition: disposition(info.filename) } : {}),
    });
    return await getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

function describe(e: unknown): string {
  const status = statusOf(e);
  const name = (e as { name?: string })?.name ?? "Error";
  const msg = errorText(e);
  return `${name}${status ? ` (HTTP ${status})` : ""}${msg && msg !== name ? `: ${msg}` : ""}`;
}
