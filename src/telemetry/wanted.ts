/**
 * Whether any telemetry is wanted, decided without loading it.
 *
 * @module
 */

import type { RuntimeConfig } from "../config/types.ts";
import { JSON_LOG_FORMAT } from "../log/logger.ts";
import { tracingRegistered } from "./detect.ts";

/**
 * Whether `config` (or the process: an OpenTelemetry SDK is registered) asks for any telemetry:
 * metrics, traces or JSON log fields.
 *
 * @example
 * ```ts
 * import { validateConfig } from "@chuk/mcp-runtime";
 * import { telemetryWanted } from "@chuk/mcp-runtime/telemetry";
 * telemetryWanted(validateConfig({ metrics: { enabled: true } }, "inline")); // true
 * ```
 */
export function telemetryWanted(config: RuntimeConfig): boolean {
  return config.metrics.enabled || config.logging.format === JSON_LOG_FORMAT || tracingRegistered();
}
