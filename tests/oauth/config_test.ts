/** The OAuth configuration: defaults, and one clear error (key path + what is expected) per mistake. */

import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/validate.ts";
import { ConfigError } from "../../src/errors.ts";

function error(raw: unknown): ConfigError {
  try {
    validateConfig(raw, "c.yaml");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  throw new Error("expected a ConfigError");
}

const remote = (oauth: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  proxy: { enabled: true },
  mcp_servers: { gh: { type: "streamable-http", url: "https://mcp.example.com/mcp", oauth, ...extra } },
});

Deno.test("oauth config: defaults of an upstream login", () => {
  const c = validateConfig(remote({}), "c.yaml");
  const o = c.mcp_servers.gh.oauth!;
  assert.equal(o.grant, "authorization_code");
  assert.equal(o.redirect_uri, "http://127.0.0.1:33418/callback");
  assert.equal(o.per_user, false);
  assert.deepEqual(o.authorization_servers, []);
  assert.equal(o.authorization_timeout, 300);
});

Deno.test("oauth config: mistakes name the key and what is expected", () => {
  const cases: [unknown, RegExp][] = [
    [
      { oauth: { resource: "https://x/mcp#frag", authorization_servers: ["https://as"] } },
      /oauth\.resource.*fragment/,
    ],
    [
      { oauth: { resource: "https://x/mcp", authorization_servers: [] } },
      /oauth\.authorization_servers.*>= 1/,
    ],
    [{
      server: { type: "streamable-http", auth: "bearer" },
      oauth: { resource: "https://x/mcp", authorization_servers: ["https://as"] },
    }, /server\.auth.*choose one/],
    [remote({}, { api_key: "k" }), /mcp_servers\.gh\.api_key.*Authorization/],
    [remote({}, { headers: { Authorization: "Bearer x" } }), /mcp_servers\.gh\.headers/],
    [remote({ client_metadata_url: "http://x/client.json" }), /client_metadata_url.*https/],
    [remote({ token_endpoint_auth_method: "private_key_jwt" }), /private_key_jwt needs client_id/],
    [remote({ per_user: true }), /per_user.*server\.auth: bearer or an oauth: section/],
    [
      { proxy: { enabled: true }, mcp_servers: { s: { command: "x", oauth: {} } } },
      /mcp_servers\.s\.oauth.*remote/,
    ],
    [remote({ grant: "password" }), /oauth\.grant.*authorization_code/],
  ];
  for (const [raw, pattern] of cases) {
    const e = error(raw);
    assert.match(`${e.message} ${JSON.stringify(e)}`, pattern);
  }
});
