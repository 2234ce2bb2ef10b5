// Access rules and views as pure decisions: globs over exposed names, claims from verified JWTs.
import assert from "node:assert/strict";
import { validateConfig } from "../../mod.ts";
import { AccessPolicy } from "../../src/core/access.ts";

function policy(raw: Record<string, unknown>): AccessPolicy {
  const config = validateConfig(raw, "inline");
  return new AccessPolicy(config.access, config.views);
}

const user = (claims: Record<string, unknown>) => ({ user: { id: String(claims.sub ?? "u"), claims } });

Deno.test("access: no rules and default allow is open; default deny refuses a caller without a token", () => {
  const open = policy({});
  assert.ok(open.open);
  assert.ok(open.judge("tool", "anything", {}).allowed);
  const closed = policy({ access: { default: "deny" } });
  assert.deepEqual(closed.judge("tool", "x", {}), {
    allowed: false,
    why: "access.default is deny (no token)",
  });
  assert.deepEqual(closed.judge("tool", "x", user({ sub: "a" })), {
    allowed: false,
    why: "access.default is deny",
  });
});

Deno.test("access: a covered name needs every claim of every covering rule; a caller without a token gets the default", () => {
  const p = policy({
    access: {
      default: "allow",
      rules: [
        { tools: ["proxy.admin.*"], claims: { role: ["admin"] } },
        { tools: ["proxy.admin.drop_*"], claims: { scope: ["db:drop"], tenant: ["acme", 7] } },
        { prompts: ["secret-*"], resources: ["file:///secret/*"], claims: { role: ["admin"] } },
      ],
    },
  });
  const admin = user({ sub: "ann", role: "admin" });
  const dropper = user({ sub: "dan", role: ["viewer", "admin"], scope: "db:read db:drop", tenant: 7 });
  const viewer = user({ sub: "vic", role: "viewer" });
  assert.ok(p.judge("tool", "proxy.admin.reset", admin).allowed);
  assert.ok(p.judge("tool", "proxy.public.echo", viewer).allowed, "no rule covers it: default allow");
  assert.deepEqual(p.judge("tool", "proxy.admin.reset", viewer), {
    allowed: false,
    why: "access.rules[0] needs role in [admin]",
  });
  // Both covering rules: the second one's scope is missing for a plain admin.
  assert.deepEqual(p.judge("tool", "proxy.admin.drop_table", admin), {
    allowed: false,
    why: "access.rules[1] needs scope in [db:drop]",
  });
  // A space-separated string claim is split; an array claim matches on any element; numbers compare as text.
  assert.ok(p.judge("tool", "proxy.admin.drop_table", dropper).allowed);
  assert.ok(!p.judge("prompt", "secret-plan", viewer).allowed);
  assert.ok(p.judge("prompt", "public-plan", viewer).allowed);
  assert.ok(!p.judge("resource", "file:///secret/key", viewer).allowed);
  assert.ok(p.judge("resource", "file:///secret/key", admin).allowed);
  // A rule for prompts does not cover a tool of the same name.
  assert.ok(p.judge("tool", "secret-plan", viewer).allowed);
  // No token (stdio, auth: none): the default, whatever the rules say.
  assert.ok(p.judge("tool", "proxy.admin.reset", {}).allowed);
  // A claim that is almost the value is not the value.
  assert.ok(!p.judge("tool", "proxy.admin.reset", user({ role: "admins" })).allowed);
  assert.ok(!p.judge("tool", "proxy.admin.reset", user({ role: { admin: true } })).allowed);
});

Deno.test("access: a dotted claim name is looked up as a path when it is not a claim itself", () => {
  const p = policy({ access: { rules: [{ tools: ["*"], claims: { "realm_access.roles": ["ops"] } }] } });
  assert.ok(p.judge("tool", "x", user({ realm_access: { roles: ["dev", "ops"] } })).allowed);
  assert.ok(p.judge("tool", "x", user({ "realm_access.roles": "ops" })).allowed);
  assert.ok(!p.judge("tool", "x", user({ realm_access: { roles: ["dev"] } })).allowed);
  assert.ok(!p.judge("tool", "x", user({ realm_access: "ops" })).allowed);
});

Deno.test("access: a view shows only its globs, before any rule; an unknown view shows nothing", () => {
  const p = policy({
    access: { default: "deny", rules: [{ tools: ["math.*"], resources: ["calc://*"], claims: {} }] },
    views: { math: { tools: ["math.*"], resources: ["calc://*"] }, empty: {} },
  });
  assert.ok(p.hasView("math") && !p.hasView("nope"));
  const anyone = user({ sub: "a" });
  assert.ok(p.judge("tool", "math.add", { ...anyone, view: "math" }).allowed);
  assert.deepEqual(p.judge("tool", "time.now", { ...anyone, view: "math" }), {
    allowed: false,
    why: "not in view 'math'",
  });
  assert.ok(
    !p.judge("prompt", "math.explain", { ...anyone, view: "math" }).allowed,
    "no prompts listed: none",
  );
  assert.ok(p.judge("resource", "calc://pi", { ...anyone, view: "math" }).allowed);
  assert.ok(!p.judge("tool", "math.add", { ...anyone, view: "empty" }).allowed);
  assert.ok(!p.judge("tool", "math.add", { ...anyone, view: "nope" }).allowed);
  // Inside the view the rules still apply: no token → default deny.
  assert.ok(!p.judge("tool", "math.add", { view: "math" }).allowed);
});

Deno.test("config: access and views are checked with the key path", () => {
  assert.throws(
    () => validateConfig({ access: { default: "maybe" } }, "c"),
    /access\.default: expected one of/,
  );
  assert.throws(
    () => validateConfig({ access: { rules: [{ claims: { role: ["a"] } }] } }, "c"),
    /access\.rules\.0: a rule needs at least one of tools, prompts, resources/,
  );
  assert.throws(
    () => validateConfig({ access: { rules: [{ tools: ["*"], claims: { role: [] } }] } }, "c"),
    /access\.rules\.0\.claims\.role: expected a list of >= 1 item/,
  );
  assert.throws(
    () => validateConfig({ views: { "a/b": { tools: ["*"] } } }, "c"),
    /views\.a\/b: expected a view name/,
  );
  assert.throws(
    () => validateConfig({ views: { a: { tool: ["*"] } } }, "c"),
    /views\.a\.tool: unknown key 'tool'/,
  );
  assert.throws(
    () => validateConfig({ tools: { search: { lazy: true } } }, "c"),
    /tools\.search\.lazy: lazy: true needs enabled: true/,
  );
});
