/**
 * The runtime as an OAuth 2.1 protected resource, with a real authorization server
 * (`npm:oidc-provider`, tests/fixtures/oauth_server.ts) and the CLI as a real process:
 * metadata discovery, 401 challenges, audience checks, scope step-up (403), introspection of
 * opaque tokens, and 404 for `/.well-known/*` when OAuth is not configured.
 */

import assert from "node:assert/strict";
import { startCli } from "../../helpers.ts";
import { startAuthServer } from "../../fixtures/oauth_server.ts";
import { call, freePort, mcpPost, resourceConfig } from "../_helpers.ts";

async function runtimeWith(yaml: string) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.yaml`, yaml);
  const cli = startCli(["--config", `${dir}/config.yaml`]);
  const url = await cli.ready;
  return {
    url,
    cli,
    async stop() {
      await cli.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("oauth: metadata without credentials, 401 challenges naming it, audience and issuer checks", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools", "mcp:admin"] });
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const rt = await runtimeWith(resourceConfig(port, {
    resource,
    authorization_servers: [as.issuer],
    scopes_supported: ["mcp:tools"],
    required_scopes: ["mcp:tools"],
  }));
  try {
    const metadataUrl = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
    for (
      const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]
    ) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      assert.equal(res.status, 200, path);
      const doc = await res.json();
      assert.equal(doc.resource, resource);
      assert.deepEqual(doc.authorization_servers, [as.issuer]);
      assert.deepEqual(doc.scopes_supported, ["mcp:tools"]);
    }
    // Other well-known documents are not ours: 404, not 401.
    const asMeta = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`);
    assert.equal(asMeta.status, 404);
    await asMeta.body?.cancel();

    const anonymous = await mcpPost(rt.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    assert.equal(anonymous.status, 401);
    assert.equal(
      anonymous.headers.get("www-authenticate"),
      `Bearer scope="mcp:tools", resource_metadata="${metadataUrl}"`,
    );
    await anonymous.body?.cancel();

    const good = await as.mint(resource, "mcp:tools");
    const ok = await mcpPost(rt.url, call("whoami"), good);
    assert.equal(ok.status, 200);
    const who = JSON.parse((await ok.json()).result.content[0].text);
    assert.equal(who.user_id, "minter"); // the client's own identity (client credentials)

    // A token issued for another resource is refused, however valid otherwise.
    const elsewhere = await as.mint("http://127.0.0.1:1/other", "mcp:tools");
    const wrongAudience = await mcpPost(rt.url, call("whoami"), elsewhere);
    assert.equal(wrongAudience.status, 401);
    const challenge = wrongAudience.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /error="invalid_token"/);
    assert.match(challenge, /audience/);
    await wrongAudience.body?.cancel();

    // A token without the required scope: 403, naming it.
    const noScope = await mcpPost(rt.url, call("whoami"), await as.mint(resource, "mcp:admin"));
    assert.equal(noScope.status, 403);
    assert.match(
      noScope.headers.get("www-authenticate") ?? "",
      /error="insufficient_scope", .*scope="mcp:tools"/,
    );
    await noScope.body?.cancel();

    // Tampered signature.
    const [h, p] = good.split(".");
    const forged = await mcpPost(rt.url, call("whoami"), `${h}.${p}.${"A".repeat(43)}`);
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
  } finally {
    await rt.stop();
    await as.stop();
  }
});

Deno.test("oauth: tool_scopes — a tool needing more scope answers 403 insufficient_scope (step-up)", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools", "mcp:admin"] });
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const rt = await runtimeWith(resourceConfig(port, {
    resource,
    authorization_servers: [as.issuer],
    tool_scopes: { "add": ["mcp:admin"], "wh*": ["mcp:tools"] },
  }));
  try {
    const basic = await as.mint(resource, "mcp:tools");
    const greet = await mcpPost(rt.url, call("greet", { name: "Ada" }), basic);
    assert.equal(greet.status, 200);
    await greet.body?.cancel();
    const add = await mcpPost(rt.url, call("add", { a: 1, b: 2 }), basic);
    assert.equal(add.status, 403);
    const challenge = add.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /^Bearer error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp:admin"/);
    assert.match(
      challenge,
      new RegExp(`resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`),
    );
    assert.equal((await add.json()).error, "insufficient_scope");
    // A batch holding the tool is refused whole.
    const batch = await mcpPost(
      rt.url,
      [call("greet", { name: "x" }, 1), call("add", { a: 1, b: 1 }, 2)],
      basic,
    );
    assert.equal(batch.status, 403);
    await batch.body?.cancel();
    const admin = await as.mint(resource, "mcp:tools mcp:admin");
    const stepped = await mcpPost(rt.url, call("add", { a: 1, b: 2 }), admin);
    assert.equal(stepped.status, 200);
    assert.deepEqual((await stepped.json()).result.structuredContent, { sum: 3 });
  } finally {
    await rt.stop();
    await as.stop();
  }
});

Deno.test("oauth: tool_scopes also hold for a tool run through call_tool (tools.search.lazy)", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools", "mcp:admin"] });
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const rt = await runtimeWith(resourceConfig(
    port,
    { resource, authorization_servers: [as.issuer], tool_scopes: { "add": ["mcp:admin"] } },
    "tools: { search: { enabled: true, lazy: true } }",
  ));
  try {
    const basic = await as.mint(resource, "mcp:tools");
    const viaCallTool = call("call_tool", { name: "add", arguments: { a: 1, b: 2 } });
    const refused = await mcpPost(rt.url, viaCallTool, basic);
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get("www-authenticate") ?? "", /scope="mcp:admin"/);
    await refused.body?.cancel();
    const greet = await mcpPost(
      rt.url,
      call("call_tool", { name: "greet", arguments: { name: "Ada" } }),
      basic,
    );
    assert.equal(greet.status, 200);
    await greet.body?.cancel();
    const admin = await as.mint(resource, "mcp:tools mcp:admin");
    const stepped = await mcpPost(rt.url, viaCallTool, admin);
    assert.equal(stepped.status, 200);
    assert.deepEqual((await stepped.json()).result.structuredContent, { sum: 3 });
  } finally {
    await rt.stop();
    await as.stop();
  }
});

Deno.test("oauth: opaque tokens are introspected (RFC 7662), audience included", async () => {
  const as = await startAuthServer({ scopes: ["mcp:tools"], opaque: true });
  const port = freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const rt = await runtimeWith(resourceConfig(port, {
    resource,
    authorization_servers: [as.issuer],
    introspection: { client_id: "minter", client_secret: "minter-secret" },
  }));
  try {
    const token = await as.mint(resource, "mcp:tools");
    assert.equal(token.split(".").length, 1, "expected an opaque token");
    const ok = await mcpPost(rt.url, call("whoami"), token);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    const other = await mcpPost(
      rt.url,
      call("whoami"),
      await as.mint("http://127.0.0.1:1/other", "mcp:tools"),
    );
    assert.equal(other.status, 401);
    await other.body?.cancel();
    const junk = await mcpPost(rt.url, call("whoami"), "not-a-token-anyone-issued");
    assert.equal(junk.status, 401);
    await junk.body?.cancel();
  } finally {
    await rt.stop();
    await as.stop();
  }
});

Deno.test("no oauth: /.well-known/* is 404 (not 401), with and without bearer auth", async () => {
  for (const extra of [``, `server: { type: "streamable-http", auth: "bearer" }`]) {
    const port = freePort();
    const yaml = resourceConfig(port, undefined).replace(
      `server: { type: "streamable-http" }`,
      extra || `server: { type: "streamable-http" }`,
    );
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/config.yaml`, yaml);
    const cli = startCli(["--config", `${dir}/config.yaml`], {
      env: { JWT_SECRET_KEY: "a-test-secret-of-32-characters!!" },
    });
    try {
      await cli.ready;
      for (
        const path of [
          "/.well-known/oauth-protected-resource",
          "/.well-known/oauth-protected-resource/mcp",
          "/.well-known/oauth-authorization-server",
        ]
      ) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(res.status, 404, `${path} (${extra || "no auth"})`);
        await res.body?.cancel();
      }
    } finally {
      await cli.stop();
      await Deno.remove(dir, { recursive: true });
    }
  }
});
