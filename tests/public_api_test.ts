// The public API (deno.json "exports"): named exports only, a small root, and documentation that
// `deno doc --lint` finds complete — run over every entry together, as a published package is
// read (a type exported by one entry is public for all).
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const deno = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
const ENTRIES = Object.values(deno.exports as Record<string, string>);

async function denoDoc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", ...args],
    cwd: new URL(".", ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("public API: deno doc --lint is clean on every export entry", async () => {
  const r = await denoDoc(["--lint", ...ENTRIES]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /^error/m);
});

Deno.test("public API: entries use named exports only", async () => {
  for (const entry of ENTRIES) {
    const text = await Deno.readTextFile(new URL(entry, ROOT));
    assert.doesNotMatch(text, /^export \* from/m, `${entry} uses export *`);
  }
});

Deno.test("public API: the root exports at most 50 values, and every type its signatures use", async () => {
  const r = await denoDoc(["--json", "mod.ts"]);
  assert.equal(r.code, 0, r.stderr);
  const nodes = JSON.parse(r.stdout).nodes as Record<
    string,
    { symbols: { name: string; declarations: { kind: string }[] }[] }
  >;
  const symbols = Object.values(nodes)[0].symbols;
  const values = symbols.filter((s) =>
    s.declarations.some((d) => !["interface", "typeAlias"].includes(d.kind))
  );
  assert.ok(values.length <= 50, `mod.ts exports ${values.length} values`);
  // Types are exported as types only, so the root documents itself without growing what a caller runs.
  const lint = await denoDoc(["--lint", "mod.ts"]);
  assert.equal(lint.code, 0, lint.stderr);
});

Deno.test("public API: every @example in the code type-checks against the entries it imports", async () => {
  const files: string[] = ["mod.ts", "define.ts", "cli.ts"];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(new URL(dir, ROOT))) {
      if (e.isDirectory) walk(`${dir}${e.name}/`);
      else if (e.name.endsWith(".ts")) files.push(`${dir}${e.name}`);
    }
  };
  walk("src/");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--doc", ...files],
    cwd: new URL(".", ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});
