/**
 * The client adapter the conformance suite spawns for its client scenarios
 * (`conformance client --command "deno run -A scripts/conformance_client.ts"`): it runs **our
 * proxy** with the suite's server as its one upstream and drives the proxy the way a local MCP
 * client (an IDE, a desktop app) does, over stdio. The suite therefore measures the proxy's client
 * stack: its handshake, its calls and, for `auth/*`, its OAuth login.
 *
 * The suite appends the server URL to the command and sets `MCP_CONFORMANCE_SCENARIO` (and, where
 * the scenario has one, `MCP_CONFORMANCE_CONTEXT`: pre-registered credentials, keys).
 *
 * What the driver does, as a person at the keyboard would:
 * - it lets the proxy ask it to log in (URL-mode elicitation) and "opens" the URL: the suite's
 *   authorization server redirects at once (no consent page), so following its redirect to the
 *   proxy's loopback listener is the whole browser step;
 * - it waits for the upstream's tools to appear, then calls the ones the scenario wants.
 *
 * Scenarios are a table: add a row for a new one (`SCENARIOS`).
 *
 * @module
 */

import { Client, type ClientOptions } from "../src/sdk/client.ts";
import { StdioClientTransport } from "../src/sdk/client_stdio.ts";
import {
  ElicitRequestSchema,
  type ElicitResult,
  ToolListChangedNotificationSchema,
} from "../src/sdk/types.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;

/** The Client ID Metadata Document URL the suite's CIMD scenarios expect. */
export const CIMD_URL = "https://conformance-test.local/client-metadata.json";

/** The upstream's name in the proxy configuration. */
const UPSTREAM = "conformance";

/** What the suite may pass in `MCP_CONFORMANCE_CONTEXT`. */
export interface ScenarioContext {
  name?: string;
  client_id?: string;
  client_secret?: string;
  private_key_pem?: string;
  signing_algorithm?: string;
  [key: string]: unknown;
}

/** How the driver exercises the proxy for one scenario. */
export interface ScenarioPlan {
  /** `mcp_servers.<upstream>.oauth` for the proxy (omit: no OAuth). */
  oauth?: Record<string, unknown>;
  /** Tools to call, once each, with their arguments (after the tools appear). */
  calls: { name: string; arguments: Record<string, unknown> }[];
  /** Answer for form-mode elicitations the upstream sends through the proxy. */
  formAnswer?: ElicitResult;
}

/** The usual login: dynamic registration or the metadata document, authorization code + PKCE. */
function loginOAuth(): Record<string, unknown> {
  return { redirect_uri: "http://127.0.0.1:0/callback", client_metadata_url: CIMD_URL };
}

/** The plan for a scenario (unknown scenarios: connect and list only). */
export function planFor(scenario: string, context: ScenarioContext): ScenarioPlan {
  if (scenario === "auth/pre-registration") {
    return {
      oauth: { ...loginOAuth(), client_metadata_url: undefined, ...credentials(context) },
      calls: [{ name: "test-tool", arguments: {} }],
    };
  }
  if (scenario === "auth/client-credentials-basic") {
    return {
      oauth: { grant: "client_credentials", ...credentials(context) },
      calls: [{ name: "test-tool", arguments: {} }],
    };
  }
  if (scenario === "auth/client-credentials-jwt") {
    return {
      oauth: {
        grant: "client_credentials",
        client_id: context.client_id,
        token_endpoint_auth_method: "private_key_jwt",
        private_key: context.private_key_pem,
        signing_algorithm: context.signing_algorithm ?? "ES256",
      },
      calls: [{ name: "test-tool", arguments: {} }],
    };
  }
  if (scenario.startsWith("auth/")) {
    return { oauth: loginOAuth(), calls: [{ name: "test-tool", arguments: {} }] };
  }
  if (scenario === "tools_call") return { calls: [{ name: "add_numbers", arguments: { a: 5, b: 3 } }] };
  if (scenario === "sse-retry") return { calls: [{ name: "test_reconnection", arguments: {} }] };
  if (scenario === "elicitation-sep1034-client-defaults") {
    return {
      calls: [{ name: "test_client_elicitation_defaults", arguments: {} }],
      formAnswer: { action: "accept", content: {} },
    };
  }
  return { calls: [] };
}

function credentials(context: ScenarioContext): Record<string, unknown> {
  return {
    ...(context.client_id ? { client_id: context.client_id } : {}),
    ...(context.client_secret ? { client_secret: context.client_secret } : {}),
  };
}

/** The proxy's configuration: stdio downstream, the suite's server as the one upstream. */
export function proxyConfig(serverUrl: string, plan: ScenarioPlan): string {
  const oauth = plan.oauth
    ? Object.fromEntries(Object.entries(plan.oauth).filter(([, v]) => v !== undefined))
    : undefined;
  const entry = { type: "streamable-http", url: serverUrl, ...(oauth ? { oauth } : {}) };
  return [
    `# Written by scripts/conformance_client.ts`,
    `host: { name: "chuk-conformance-client" }`,
    `server: { type: "stdio" }`,
    `proxy: { enabled: true, namespace: "proxy", keep_root_aliases: true }`,
    `mcp_servers:`,
    `  ${UPSTREAM}: ${JSON.stringify(entry)}`,
    ``,
  ].join("\n");
}

/**
 * The browser step: request the authorization URL and follow the authorization server's
 * redirects (keeping its cookies, as a browser does) up to the proxy's redirect listener, whose
 * page hands the code to the proxy. Consent pages that need a click are not handled: the suite's
 * server (and the tests' one) consent at once.
 */
export async function openInBrowser(url: string): Promise<void> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hop = 0; hop < 20; hop++) {
    const target = new URL(next);
    const cookie = [...jar].filter(([k]) => k.startsWith(`${target.host}|`)).map(([k, v]) =>
      `${k.slice(k.indexOf("|") + 1)}=${v}`
    ).join("; ");
    const res = await fetch(next, { redirect: "manual", headers: cookie ? { cookie } : {} });
    await res.body?.cancel();
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      if (i > 0) jar.set(`${target.host}|${pair.slice(0, i).trim()}`, pair.slice(i + 1).trim());
    }
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !location) {
      if (res.ok) return;
      throw new Error(`the login page answered ${res.status} (${next})`);
    }
    next = new URL(location, next).href;
  }
  throw new Error(`too many redirects from ${url}`);
}

async function waitForTools(client: Client, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let changed: () => void = () => {};
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
  while (true) {
    const listed = new Set((await client.listTools()).tools.map((t) => t.name));
    if (names.every((n) => listed.has(n))) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(`the proxy never listed ${names.join(", ")} (it lists ${[...listed].join(", ")})`);
    }
    // A list_changed (the upstream came up) or a short pause, whichever comes first.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(left, 250));
      changed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Run one scenario against `serverUrl`. Resolves when done; rejects with why it failed. */
export async function runScenario(
  serverUrl: string,
  scenario: string,
  context: ScenarioContext,
): Promise<void> {
  const plan = planFor(scenario, context);
  const dir = await Deno.makeTempDir({ prefix: "chuk-conformance-client-" });
  const config = `${dir}/proxy.yaml`;
  await Deno.writeTextFile(config, proxyConfig(serverUrl, plan));
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", "--quiet", CLI, "--config", config],
    env: { ...Deno.env.toObject(), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stderr: "inherit",
  });
  const options: ClientOptions = { capabilities: { elicitation: { form: {}, url: {} } } };
  const client = new Client({ name: "chuk-conformance-driver", version: "1.0.0" }, options);
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    const params = req.params as { mode?: string; url?: string };
    if (params.mode === "url" && params.url) {
      await openInBrowser(params.url);
      return { action: "accept" };
    }
    return plan.formAnswer ?? { action: "decline" };
  });
  try {
    await client.connect(transport);
    await waitForTools(client, plan.calls.map((c) => c.name), 10_000);
    for (const call of plan.calls) {
      const result = await client.callTool({ name: call.name, arguments: call.arguments });
      if (result.isError) {
        throw new Error(`${call.name} failed: ${JSON.stringify(result.content)}`);
      }
    }
  } finally {
    await client.close().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const serverUrl = Deno.args.at(-1);
  const scenario = Deno.env.get("MCP_CONFORMANCE_SCENARIO") ?? "";
  if (!serverUrl) {
    console.error("usage: conformance_client.ts <server-url> (MCP_CONFORMANCE_SCENARIO set by the suite)");
    Deno.exit(2);
  }
  const rawContext = Deno.env.get("MCP_CONFORMANCE_CONTEXT");
  const context: ScenarioContext = rawContext ? JSON.parse(rawContext) : {};
  try {
    await runScenario(serverUrl, scenario, context);
    Deno.exit(0);
  } catch (e) {
    console.error(`conformance client: ${scenario}: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
