/**
 * Errors of the artifact store. Tool handlers let them surface as tool errors
 * (`Tool execution error: <message>`); the messages keep the reference runtime's wording.
 *
 * @module
 */

import { RuntimeError } from "../errors.ts";

/**
 * Base class of artifact store errors.
 *
 * @example
 * ```ts
 * import { ArtifactError } from "@chuk/mcp-runtime/artifacts";
 * try {
 *   throw new ArtifactError("storage unavailable");
 * } catch (e) {
 *   if (e instanceof ArtifactError) console.error(e.message);
 * }
 * ```
 */
export class ArtifactError extends RuntimeError {
  /** An artifact error with `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArtifactError";
  }
}

/**
 * The artifact does not exist, has expired, or the caller may not see it. The three cases are
 * one error on purpose: a caller must not learn that someone else's artifact exists.
 *
 * @example
 * ```ts
 * import { ArtifactNotFoundError } from "@chuk/mcp-runtime/artifacts";
 * console.log(new ArtifactNotFoundError("0b7c").message); // File not found: 0b7c
 * ```
 */
export class ArtifactNotFoundError extends ArtifactError {
  /** No artifact `artifactId` the caller may see. */
  constructor(readonly artifactId: string) {
    super(`File not found: ${artifactId}`);
    this.name = "ArtifactNotFoundError";
  }
}

/**
 * The content is larger than `artifacts.max_file_bytes`.
 *
 * @example
 * ```ts
 * import { ArtifactTooLargeError } from "@chuk/mcp-runtime/artifacts";
 * console.log(new ArtifactTooLargeError(11, 10).message);
 * ```
 */
export class ArtifactTooLargeError extends ArtifactError {
  /** `bytes` is over the limit `maxBytes`. */
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(
      `File too large: ${bytes} bytes exceeds the limit of ${maxBytes} bytes (artifacts.max_file_bytes)`,
    );
    this.name = "ArtifactTooLargeError";
  }
}

/**
 * The call lacks the identity the operation needs (a user for user scope, a session for session
 * scope).
 *
 * @example
 * ```ts
 * import { ArtifactIdentityError } from "@chuk/mcp-runtime/artifacts";
 * console.log(ArtifactIdentityError.noUser().message);
 * ```
 */
export class ArtifactIdentityError extends ArtifactError {
  /** An identity error with `message` (see the static constructors). */
  constructor(message: string) {
    super(message);
    this.name = "ArtifactIdentityError";
  }

  /** No authenticated user. */
  static noUser(): ArtifactIdentityError {
    return new ArtifactIdentityError("No user context available - authentication required");
  }

  /** No session. */
  static noSession(): ArtifactIdentityError {
    return new ArtifactIdentityError("No session context available");
  }
}

/**
 * The operation is not allowed on this artifact through tools (sandbox artifacts are
 * read-only; only the embedding program writes them).
 *
 * @example
 * ```ts
 * import { ArtifactPermissionError } from "@chuk/mcp-runtime/artifacts";
 * console.log(new ArtifactPermissionError("sandbox artifacts are read-only").message);
 * ```
 */
export class ArtifactPermissionError extends ArtifactError {
  /** A refusal with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "ArtifactPermissionError";
  }
}
