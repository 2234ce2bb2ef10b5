/**
 * Tools the official MCP conformance suite (`@modelcontextprotocol/conformance`, server scenarios)
 * calls, written only with the public API: plain returns and content helpers for results,
 * `ctx.log` / `ctx.sendProgress` for notifications during a call, `ctx.sample` / `ctx.elicit` for
 * requests back to the client, `ToolError` for a tool-level error.
 *
 * Served by `examples/conformance/config.yaml`; exercised by `deno task conformance`.
 *
 * @module
 */

import { z } from "zod";
import {
  audio,
  defineTool,
  embeddedResource,
  ErrorCode,
  image,
  ProtocolError,
  text,
  ToolError,
} from "../../define.ts";
import type { ContentBlock } from "../../define.ts";
import { RED_PIXEL_PNG, silentWav, watched, WATCHED_URI } from "./assets.ts";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/** A text answer (scenario `tools-call-simple-text`; the suite calls it with no `arguments`). */
export const simpleText = defineTool({
  name: "test_simple_text",
  description: "Returns a simple text response",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () => "This is a simple text response for testing.",
});

/** One image content item (`tools-call-image`). */
export const imageContent = defineTool({
  name: "test_image_content",
  description: "Returns a 1x1 red PNG as image content",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () => image(RED_PIXEL_PNG, "image/png"),
});

/** One audio content item (`tools-call-audio`). */
export const audioContent = defineTool({
  name: "test_audio_content",
  description: "Returns a short silent WAV as audio content",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () => audio(silentWav(), "audio/wav"),
});

/** One embedded text resource (`tools-call-embedded-resource`). */
export const embeddedResourceTool = defineTool({
  name: "test_embedded_resource",
  description: "Returns an embedded text resource",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: () =>
    embeddedResource("test://embedded-resource", "This is an embedded resource content.", "text/plain"),
});

/** Text, image and resource in one result (`tools-call-mixed-content`). */
export const multipleContentTypes = defineTool({
  name: "test_multiple_content_types",
  description: "Returns text, image and embedded resource content together",
  inputSchema: { type: "object", properties: {} },
  annotations: { readOnlyHint: true },
  handler: (): ContentBlock[] => [
    text("Multiple content types test:"),
    image(RED_PIXEL_PNG, "image/png"),
    embeddedResource(
      "test://mixed-content-resource",
      JSON.stringify({ test: "data", value: 123 }),
      "application/json",
    ),
  ],
});

/** Three `notifications/message` entries during the call (`tools-call-with-logging`). */
export const toolWithLogging = defineTool({
  name: "test_tool_with_logging",
  description: "Sends three info log notifications while it runs",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    await ctx.log("info", "Tool execution started", "conformance");
    await sleep(50, ctx.signal);
    await ctx.log("info", "Tool processing data", "conformance");
    await sleep(50, ctx.signal);
    await ctx.log("info", "Tool execution completed", "conformance");
    return "Tool with logging executed successfully";
  },
});

/** Progress 0, 50, 100 of 100 (`tools-call-with-progress`); silent without a progress token. */
export const toolWithProgress = defineTool({
  name: "test_tool_with_progress",
  description: "Reports progress 0/100, 50/100 and 100/100 while it runs",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    await ctx.sendProgress(0, 100, "started");
    await sleep(50, ctx.signal);
    await ctx.sendProgress(50, 100, "half way");
    await sleep(50, ctx.signal);
    await ctx.sendProgress(100, 100, "done");
    return `Progress tool completed (token: ${JSON.stringify(ctx.progressToken ?? null)})`;
  },
});

/** Always fails with a tool-level error: `isError: true`, not a JSON-RPC error (`tools-call-error`). */
export const errorHandling = defineTool({
  name: "test_error_handling",
  description: "Always fails with a tool error result",
  inputSchema: { type: "object", properties: {} },
  handler: () => {
    throw new ToolError("This tool intentionally returns an error for testing");
  },
});

/** Asks the client's model (`sampling/createMessage`) and returns its answer (`tools-call-sampling`). */
export const sampling = defineTool({
  name: "test_sampling",
  description: "Requests an LLM completion from the client (sampling) and returns it",
  inputSchema: { prompt: z.string().describe("The prompt to send to the LLM") },
  handler: async ({ prompt }, ctx) => {
    const result = await ctx.sample({
      messages: [{ role: "user", content: { type: "text", text: prompt } }],
      maxTokens: 100,
    });
    const blocks = Array.isArray(result.content) ? result.content : [result.content];
    const answer = blocks.map((b) => (b.type === "text" ? b.text : `[${b.type}]`)).join("\n");
    return `LLM response: ${answer}`;
  },
});

/** Asks the user for a username and email (`elicitation/create`; `tools-call-elicitation`). */
export const elicitation = defineTool({
  name: "test_elicitation",
  description: "Requests user input (elicitation) from the client and returns the answer",
  inputSchema: { message: z.string().describe("The message to show the user") },
  handler: async ({ message }, ctx) => {
    const result = await ctx.elicit({
      message,
      requestedSchema: {
        type: "object",
        properties: {
          username: { type: "string", description: "User's response" },
          email: { type: "string", description: "User's email address" },
        },
        required: ["username", "email"],
      },
    });
    return `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  },
});

/** Elicitation whose schema carries a default for every primitive type (SEP-1034). */
export const elicitationDefaults = defineTool({
  name: "test_elicitation_sep1034_defaults",
  description: "Requests elicitation with default values for string, integer, number, enum and boolean",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const result = await ctx.elicit({
      message: "Please review and update the form fields with defaults",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "User name", default: "John Doe" },
          age: { type: "integer", description: "User age", default: 30 },
          score: { type: "number", description: "User score", default: 95.5 },
          status: {
            type: "string",
            description: "User status",
            enum: ["active", "inactive", "pending"],
            default: "active",
          },
          verified: { type: "boolean", description: "Verification status", default: true },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  },
});

/** Elicitation with the five enum schema variants of SEP-1330. */
export const elicitationEnums = defineTool({
  name: "test_elicitation_sep1330_enums",
  description: "Requests elicitation with untitled, titled and legacy enums, single and multi select",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const result = await ctx.elicit({
      message: "Please choose options from each kind of enum",
      requestedSchema: {
        type: "object",
        properties: {
          untitledSingle: {
            type: "string",
            description: "Untitled single-select",
            enum: ["option1", "option2", "option3"],
          },
          titledSingle: {
            type: "string",
            description: "Titled single-select",
            oneOf: [
              { const: "value1", title: "First Option" },
              { const: "value2", title: "Second Option" },
              { const: "value3", title: "Third Option" },
            ],
          },
          legacyEnum: {
            type: "string",
            description: "Legacy titled enum (enumNames, deprecated)",
            enum: ["opt1", "opt2", "opt3"],
            enumNames: ["Option One", "Option Two", "Option Three"],
          },
          untitledMulti: {
            type: "array",
            description: "Untitled multi-select",
            items: { type: "string", enum: ["option1", "option2", "option3"] },
          },
          titledMulti: {
            type: "array",
            description: "Titled multi-select",
            items: {
              anyOf: [
                { const: "value1", title: "First Choice" },
                { const: "value2", title: "Second Choice" },
                { const: "value3", title: "Third Choice" },
              ],
            },
          },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  },
});

/**
 * A JSON Schema 2020-12 input schema, listed as written (`json-schema-2020-12`): `$schema`,
 * `$defs` with an `$anchor`, composition (`allOf`/`anyOf`) and conditionals (`if`/`then`/`else`).
 */
export const jsonSchema202012 = defineTool({
  name: "json_schema_2020_12_tool",
  description: "Tool with JSON Schema 2020-12 features",
  inputSchema: {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    $defs: {
      address: {
        $anchor: "addressDef",
        type: "object",
        properties: { street: { type: "string" }, city: { type: "string" } },
      },
    },
    properties: {
      name: { type: "string" },
      address: { $ref: "#/$defs/address" },
      contactMethod: { type: "string", enum: ["phone", "email"] },
      phone: { type: "string" },
      email: { type: "string" },
    },
    allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
    if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
    then: { required: ["phone"] },
    else: { required: ["email"] },
    additionalProperties: false,
  },
  handler: (args) => ({ received: args }),
});

/**
 * Change `test://watched-resource` and tell subscribers (`notifications/resources/updated`).
 * Not called by the suite (it only subscribes and unsubscribes); here so the subscription has
 * something to report.
 */
export const updateWatchedResource = defineTool({
  name: "test_update_watched_resource",
  description: "Changes test://watched-resource and notifies its subscribers",
  inputSchema: { content: z.string().optional().describe("New content (default: a counter)") },
  handler: async ({ content }, ctx) => {
    watched.content = content ?? `Watched resource content, version ${++watched.version}`;
    await ctx.resourceUpdated(WATCHED_URI);
    return `Updated ${WATCHED_URI}`;
  },
});

/**
 * Ends its own SSE response stream half way (`ctx.closeStream()`), then answers: the client gets
 * the result by reconnecting with `Last-Event-ID` (`server-sse-polling`, SEP-1699).
 */
export const reconnection = defineTool({
  name: "test_reconnection",
  description: "Closes the response stream mid-call; the result arrives after the client reconnects",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    await sleep(20, ctx.signal);
    ctx.closeStream();
    await sleep(200, ctx.signal);
    return "Reconnection test completed";
  },
});

// ---------------------------------------------------------------------------------------------
// The 2026-07-28 wire: asks answered by `input_required` rounds, per-request capabilities, logs
// only on request, list changes for `subscriptions/listen`, header-mirrored arguments.

/** Needs sampling, which a client declaring `{}` cannot do: the request fails with -32021. */
export const missingCapability = defineTool({
  name: "test_missing_capability",
  description: "Asks the client's model; a client that did not declare sampling gets -32021",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const answer = await ctx.sample({
      messages: [{ role: "user", content: { type: "text", text: "Say hi" } }],
      maxTokens: 10,
    });
    return `The model said: ${answer.content.type === "text" ? answer.content.text : answer.content.type}`;
  },
});

/** Asks the user something: on the 2026 wire the answer is an `input_required` result, never a request. */
export const streamingElicitation = defineTool({
  name: "test_streaming_elicitation",
  description: "Asks the user for input while the call runs",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "Continue?",
      requestedSchema: { type: "object", properties: { ok: { type: "boolean" } } },
    });
    return `action=${answer.action}`;
  },
});

/** Logs one message (sent only when the request asked for a log level). */
export const loggingTool = defineTool({
  name: "test_logging_tool",
  description: "Sends a log message, then answers",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    await ctx.log("info", "test_logging_tool ran", "conformance");
    return "logged";
  },
});

/** Tells clients the tool list changed (reaches open `subscriptions/listen` streams). */
export const triggerToolChange = defineTool({
  name: "test_trigger_tool_change",
  description: "Announces a tool list change",
  inputSchema: { type: "object", properties: {} },
  handler: (_args, ctx) => {
    ctx.listChanged("tools");
    return "tools/list_changed sent";
  },
});

/** Tells clients the prompt list changed. */
export const triggerPromptChange = defineTool({
  name: "test_trigger_prompt_change",
  description: "Announces a prompt list change",
  inputSchema: { type: "object", properties: {} },
  handler: (_args, ctx) => {
    ctx.listChanged("prompts");
    return "prompts/list_changed sent";
  },
});

const NAME_SCHEMA = {
  type: "object" as const,
  properties: { name: { type: "string" as const } },
  required: ["name"],
};

/** One elicitation, answered under the key `user_name`. */
export const inputRequiredElicitation = defineTool({
  name: "test_input_required_result_elicitation",
  description: "Asks for the user's name (an input_required round on the 2026 wire)",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }, {
      key: "user_name",
    });
    return `Hello, ${answer.content?.name ?? "stranger"}!`;
  },
});

/** One sampling request, under the key `capital_question`. */
export const inputRequiredSampling = defineTool({
  name: "test_input_required_result_sampling",
  description: "Asks the client's model a question",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const answer = await ctx.sample({
      messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }],
      maxTokens: 100,
    }, { key: "capital_question" });
    return `The model answered: ${
      answer.content.type === "text" ? answer.content.text : answer.content.type
    }`;
  },
});

/** The client's roots, under the key `client_roots`. */
export const inputRequiredRoots = defineTool({
  name: "test_input_required_result_list_roots",
  description: "Asks the client for its roots",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const { roots } = await ctx.listRoots({ key: "client_roots" });
    return `Roots: ${roots.map((r) => r.uri).join(", ")}`;
  },
});

const CONFIRM_SCHEMA = {
  type: "object" as const,
  properties: { ok: { type: "boolean" as const } },
  required: ["ok"],
};

/** A confirmation; its answer comes back with the signed request state ("state-ok"). */
export const inputRequiredRequestState = defineTool({
  name: "test_input_required_result_request_state",
  description: "Asks for a confirmation across a signed request state",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "Please confirm", requestedSchema: CONFIRM_SCHEMA }, {
      key: "confirm",
    });
    return `state-ok: action=${answer.action}`;
  },
});

/** Three asks made together: one round with all three. */
export const inputRequiredMultiple = defineTool({
  name: "test_input_required_result_multiple_inputs",
  description: "Asks for a name, a greeting from the model and the roots, all at once",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const [name, greeting, roots] = await Promise.all([
      ctx.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }, { key: "user_name" }),
      ctx.sample({
        messages: [{ role: "user", content: { type: "text", text: "Generate a greeting" } }],
        maxTokens: 50,
      }, { key: "greeting" }),
      ctx.listRoots({ key: "client_roots" }),
    ]);
    const said = greeting.content.type === "text" ? greeting.content.text : "";
    return `${said} ${name.content?.name ?? ""} (${roots.roots.length} root(s))`;
  },
});

/** Two asks one after the other: two rounds, the second state differs from the first. */
export const inputRequiredMultiRound = defineTool({
  name: "test_input_required_result_multi_round",
  description: "Asks for a name, then for a favourite colour",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const name = await ctx.elicit({ message: "Step 1: What is your name?", requestedSchema: NAME_SCHEMA }, {
      key: "step1",
    });
    const color = await ctx.elicit({
      message: "Step 2: What is your favorite color?",
      requestedSchema: { type: "object", properties: { color: { type: "string" } }, required: ["color"] },
    }, { key: "step2" });
    return `${name.content?.name} likes ${color.content?.color}`;
  },
});

/** A confirmation whose request state the suite tampers with (refused with -32602). */
export const inputRequiredTampered = defineTool({
  name: "test_input_required_result_tampered_state",
  description: "Asks for a confirmation; a changed request state is refused",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "Please confirm", requestedSchema: CONFIRM_SCHEMA }, {
      key: "confirm",
    });
    return `confirmed: ${answer.action}`;
  },
});

/** Asks only what the client declared it can answer (per-request capabilities). */
export const inputRequiredCapabilities = defineTool({
  name: "test_input_required_result_capabilities",
  description: "Asks the model and the user, each only if the client can answer",
  inputSchema: { type: "object", properties: {} },
  handler: async (_args, ctx) => {
    const can = ctx.clientCapabilities ?? {};
    const asks: Promise<unknown>[] = [];
    if (can.sampling) {
      asks.push(ctx.sample({
        messages: [{ role: "user", content: { type: "text", text: "Summarise the day" } }],
        maxTokens: 50,
      }, { key: "summary" }));
    }
    if (can.elicitation) {
      asks.push(
        ctx.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }, { key: "user_name" }),
      );
    }
    await Promise.all(asks);
    return `asked ${asks.length} question(s)`;
  },
});

/** An argument mirrored in an HTTP header (`Mcp-Param-Region`, SEP-2243). */
export const xMcpHeader = defineTool({
  name: "test_x_mcp_header",
  description: "Echoes the region, which clients also send as the Mcp-Param-Region header",
  inputSchema: {
    type: "object",
    properties: {
      region: { type: "string", description: "Where to run", "x-mcp-header": "Region" },
      query: { type: "string" },
    },
    required: ["region"],
  },
  handler: ({ region }) => `region=${region}`,
});

// ---------------------------------------------------------------------------------------------
// Tasks (the MCP tasks extension, SEP-2663): `execution.taskSupport` lets a call run as a task
// for clients that declare the extension.

/** Sync only: never a task. */
export const greet = defineTool({
  name: "greet",
  description: "Says hello",
  inputSchema: { type: "object", properties: { name: { type: "string" } } },
  handler: ({ name }) => `Hello, ${name ?? "world"}!`,
});

/** Sleeps `seconds`, then answers; a task for clients that can take one. */
export const slowCompute = defineTool({
  name: "slow_compute",
  description: "Works for `seconds` seconds, then answers",
  inputSchema: {
    type: "object",
    properties: { seconds: { type: "number", minimum: 0 }, label: { type: "string" } },
  },
  execution: { taskSupport: "optional" },
  timeout: 0,
  handler: async ({ seconds, label }, ctx) => {
    const s = Number(seconds ?? 1);
    if (s > 0) await sleep(s * 1000, ctx.signal);
    return `Computed ${label ?? "result"} after ${s}s`;
  },
});

/** Always fails as a tool (a completed task with `isError`); only runs as a task. */
export const failingJob = defineTool({
  name: "failing_job",
  description: "Fails after about a second",
  inputSchema: { type: "object", properties: {} },
  execution: { taskSupport: "required" },
  handler: async (_args, ctx) => {
    await sleep(1000, ctx.signal);
    throw new ToolError("the job failed");
  },
});

/** Fails at protocol level (a `failed` task with its error). */
export const protocolErrorJob = defineTool({
  name: "protocol_error_job",
  description: "Fails with a protocol error",
  inputSchema: { type: "object", properties: {} },
  execution: { taskSupport: "optional" },
  handler: async (_args, ctx) => {
    await sleep(100, ctx.signal);
    throw new ProtocolError(ErrorCode.InternalError, "the job crashed");
  },
});

/** Asks for a confirmation inside the task (`input_required` until `tasks/update`). */
export const confirmDelete = defineTool({
  name: "confirm_delete",
  description: "Deletes a file after the user confirms",
  inputSchema: { type: "object", properties: { filename: { type: "string" } } },
  execution: { taskSupport: "optional" },
  timeout: 0,
  handler: async ({ filename }, ctx) => {
    const answer = await ctx.elicit({
      message: `Delete ${filename}?`,
      requestedSchema: {
        type: "object",
        properties: { confirm: { type: "boolean" } },
        required: ["confirm"],
      },
    });
    return answer.action === "accept" && answer.content?.confirm ? `Deleted ${filename}` : `Kept ${filename}`;
  },
});

/** Two questions at once inside the task: two pending inputs. */
export const multiInput = defineTool({
  name: "multi_input",
  description: "Asks two questions at once",
  inputSchema: { type: "object", properties: {} },
  execution: { taskSupport: "optional" },
  timeout: 0,
  handler: async (_args, ctx) => {
    const schema = { type: "object" as const, properties: { name: { type: "string" as const } } };
    const [a, b] = await Promise.all([
      ctx.elicit({ message: "First name?", requestedSchema: schema }),
      ctx.elicit({ message: "Second name?", requestedSchema: schema }),
    ]);
    return `${a.content?.name} and ${b.content?.name}`;
  },
});

/** Asks for a name in `input_required` rounds, then goes on as a task (`ctx.startTask()`). */
export const toolWithTask = defineTool({
  name: "test_tool_with_task",
  description: "Asks for the user's name, then finishes as a task",
  inputSchema: { type: "object", properties: {} },
  execution: { taskSupport: "required" },
  task: { start: "handler" },
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }, {
      key: "user_name",
    });
    await ctx.startTask();
    await sleep(100, ctx.signal);
    return `Hello, ${answer.content?.name}! (from a task)`;
  },
});
