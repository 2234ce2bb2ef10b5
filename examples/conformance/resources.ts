/**
 * Resources the MCP conformance suite reads and subscribes to: a text and a binary resource, a
 * URI template, and a resource clients may subscribe to (`resources/subscribe` is handled by the
 * runtime; tools tell subscribers about changes with `ctx.resourceUpdated(uri)`).
 *
 * @module
 */

import { defineResource, defineResourceTemplate } from "../../define.ts";
import { RED_PIXEL_PNG, watched, WATCHED_URI } from "./assets.ts";

/** Plain text (`resources-read-text`). */
export const staticText = defineResource({
  uri: "test://static-text",
  name: "Static text resource",
  description: "A static text resource for testing",
  mimeType: "text/plain",
  handler: () => "This is the content of the static text resource.",
});

/** Bytes, sent as a base64 blob (`resources-read-binary`). */
export const staticBinary = defineResource({
  uri: "test://static-binary",
  name: "Static binary resource",
  description: "A static binary resource (a 1x1 PNG) for testing",
  mimeType: "image/png",
  handler: () => RED_PIXEL_PNG,
});

/** A template whose variable shows up in the content (`resources-templates-read`). */
export const templateData = defineResourceTemplate({
  uriTemplate: "test://template/{id}/data",
  name: "Template data resource",
  description: "JSON data for any id, e.g. test://template/123/data",
  mimeType: "application/json",
  complete: { id: (prefix) => ["1", "42", "123"].filter((id) => id.startsWith(prefix)) },
  handler: (_uri, { id }) => JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
});

/** The resource clients subscribe to (`resources-subscribe`, `resources-unsubscribe`). */
export const watchedResource = defineResource({
  uri: WATCHED_URI,
  name: "Watched resource",
  description: "A resource that can be subscribed to; test_update_watched_resource changes it",
  mimeType: "text/plain",
  handler: () => watched.content,
});
