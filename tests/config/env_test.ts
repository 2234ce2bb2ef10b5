// `.env` parsing and loading: already-set variables win.
import assert from "node:assert/strict";
import { loadDotEnv, parseDotEnv } from "../../src/config/mod.ts";

Deno.test(".env parsing: export, quotes, escapes, comments", () => {
  const parsed = parseDotEnv([
    "# comment",
    "A=1",
    "export B = two words # trailing comment",
    'C="quoted # not a comment\\nnext"',
    "D='single $HOME'",
    "E=",
    "not a line",
    "F.G=dotted",
  ].join("\n"));
  assert.deepEqual(parsed, {
    A: "1",
    B: "two words",
    C: "quoted # not a comment\nnext",
    D: "single $HOME",
    E: "",
    "F.G": "dotted",
  });
});

Deno.test(".env loading: sets only variables that are unset", async () => {
  const dir = await Deno.makeTempDir();
  const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase();
  const fresh = `CHUK_TEST_FRESH_${tag}`;
  const preset = `CHUK_TEST_PRESET_${tag}`;
  await Deno.writeTextFile(`${dir}/.env`, `${fresh}=from-file\n${preset}=from-file\n`);
  Deno.env.set(preset, "from-env");
  try {
    const set = loadDotEnv(dir);
    assert.deepEqual(set, [fresh]);
    assert.equal(Deno.env.get(fresh), "from-file");
    assert.equal(Deno.env.get(preset), "from-env");
    assert.deepEqual(loadDotEnv(`${dir}/missing`), []);
  } finally {
    Deno.env.delete(fresh);
    Deno.env.delete(preset);
  }
});
