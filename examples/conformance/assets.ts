/**
 * Shared bits of the conformance example: tiny media files and the state of the watched
 * resource. Not a definitions module (the config does not load it); the tool, resource and prompt
 * modules import it.
 *
 * @module
 */

import { fromBase64 } from "../../define.ts";

/** A 1x1 red PNG (RGBA). */
export const RED_PIXEL_PNG: Uint8Array = fromBase64(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
);

/** A valid WAV file: 8 kHz, mono, 8-bit, `samples` samples of silence. */
export function silentWav(samples = 80): Uint8Array {
  const bytes = new Uint8Array(44 + samples);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[offset + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, 8000, true); // sample rate
  view.setUint32(28, 8000, true); // byte rate
  view.setUint16(32, 1, true); // block align
  view.setUint16(34, 8, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, samples, true);
  bytes.fill(0x80, 44); // 8-bit PCM silence is the midpoint
  return bytes;
}

/** URI of the resource clients subscribe to. */
export const WATCHED_URI = "test://watched-resource";

/** Current content of the watched resource (changed by `test_update_watched_resource`). */
export const watched: { content: string; version: number } = {
  content: "Watched resource content, version 0",
  version: 0,
};
