// The manual (README.md and docs/*.md) is checked block by block: TypeScript type-checks, YAML is a
// valid configuration, JSON parses, every command line is one the CLI accepts and every task exists,
// and the output it shows is what the program prints.
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { parseProxyArgs, parseServerFlags, SERVER_USAGE } from "../cli.ts";
import { createTestContext, defineTool, localToolEntry } from "../mod.ts";
import { SERVER_FLAG_SPEC } from "../src/cli/common.ts";
import { JwtAuthenticator } from "../src/auth/mod.ts";
import { parseConfigText } from "../src/config/mod.ts";
import { z } from "zod";
import { runCliOnce } from "./helpers.ts";
import { bearer, SECRET, sign } from "./auth/tokens.ts";

const ROOT = new URL("../", import.meta.url);
const DOCS = [
  "README.md",
  ...[...Deno.readDirSync(new URL("docs/", ROOT))].map((e) => `docs/${e.name}`).filter((n) =>
    n.endsWith(".md")
  )
    .sort(),
];

interface Block {
  where: string;
  lang: string;
  text: string;
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of DOCS) {
    const lines = Deno.readTextFileSync(new URL(file, ROOT)).split("\n");
    let open: { lang: string; line: number; body: string[] } | undefined;
    lines.forEach((line, i) => {
      if (!line.startsWith("```")) return void open?.body.push(line);
      if (open) {
        out.push({ where: `${file}:${open.line}`, lang: open.lang, text: open.body.join("\n") });
        open = undefined;
      } else {
        open = { lang: line.slice(3).trim(), line: i + 1, body: [] };
      }
    });
  }
  return out;
}

const ALL = blocks();
const of = (...langs: string[]) => ALL.filter((b) => langs.includes(b.lang));

Deno.test("docs: every block has a language the checks know", () => {
  const known = ["ts", "yaml", "json", "sh", "text", "http"];
  assert.deepEqual(ALL.filter((b) => !known.includes(b.lang)).map((b) => `${b.where} '${b.lang}'`), []);
});

Deno.test("docs: every TypeScript block type-checks", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--doc-only", ...DOCS],
    cwd: new URL(".", ROOT),
    env: { NO_COLOR: "1" },
    stderr: "piped",
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

Deno.test("docs: every YAML block is a valid configuration", () => {
  const env = (name: string) => (name === "SEARCH_KEY" ? "key-from-the-environment" : undefined);
  for (const b of of("yaml")) parseConfigText(b.text, b.where, env);
});

Deno.test("docs: every JSON block parses", () => {
  for (const b of of("json")) {
    assert.doesNotThrow(() => JSON.parse(b.text), b.where);
  }
});

/** The logical lines of a shell block: continuations joined, comments dropped. */
function shellLines(text: string): string[] {
  return text.replace(/\\\n\s*/g, " ").split("\n").map((l) => l.replace(/(^|\s)#.*$/, "").trim()).filter(
    Boolean,
  );
}

/** Split a line into words (quotes kept together, not interpreted further). */
function words(line: string): string[] {
  return line.match(/'[^']*'|"[^"]*"|[^\s]+/g) ?? [];
}

/** Check the arguments a documented command line hands the CLI. */
function checkCli(args: string[], where: string): void {
  const [first, ...rest] = args;
  if (first === "proxy") return void parseProxyArgs(rest[0] === "tools" ? rest : rest);
  if (first === "permissions") {
    if (rest[0] === "proxy") {
      return void parseProxyArgs(
        rest.slice(1).filter((a, i, all) => a !== "--format" && all[i - 1] !== "--format"),
      );
    }
    const { values } = parseArgs({
      args: rest,
      options: { ...SERVER_FLAG_SPEC, format: { type: "string" }, entry: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    assert.ok(!values.format || ["text", "json", "flags"].includes(values.format), where);
    return void parseServerFlags(values);
  }
  const { values } = parseArgs({
    args: first === "server" ? rest : args,
    options: SERVER_FLAG_SPEC,
    allowPositionals: true,
    strict: true,
  });
  parseServerFlags(values);
}

Deno.test("docs: every command line is one the CLI accepts, every task exists", async () => {
  const tasks = Object.keys(JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks);
  let checked = 0;
  for (const b of of("sh")) {
    for (const line of shellLines(b.text)) {
      const w = words(line);
      for (let i = 0; i < w.length; i++) {
        if (w[i] === "deno" && w[i + 1] === "task") {
          const name = w[i + 2] === "-q" ? w[i + 3] : w[i + 2];
          assert.ok(tasks.includes(name), `${b.where}: no task '${name}'`);
          checked++;
        }
        if (["cli.ts", "mod.ts", "proxy_main.ts"].includes(w[i]) && w.slice(0, i).includes("run")) {
          const args: string[] = [];
          for (const word of w.slice(i + 1)) {
            if (["&", "|", ";", "&&"].includes(word) || /^\d?>/.test(word)) break;
            if (word.endsWith(")")) {
              args.push(word.slice(0, -1));
              break;
            }
            args.push(word.replace(/^["']|["']$/g, ""));
          }
          assert.doesNotThrow(
            () => checkCli(w[i] === "proxy_main.ts" ? ["proxy", ...args] : args, b.where),
            b.where,
          );
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} command lines found`);
});

Deno.test("docs: the usage the manual shows is what --help prints", () => {
  const usage = of("text").find((b) => b.text.includes("Usage:\n  cli.ts [server]"));
  assert.ok(usage, "docs/cli.md shows the usage");
  assert.equal(usage.text.trim(), SERVER_USAGE.trim());
});

Deno.test("docs: the invalid-arguments message the manual shows is what a tool answers", async () => {
  const shown = of("text").find((b) => b.text.startsWith("Invalid arguments for tool 'add'"));
  assert.ok(shown);
  const add = defineTool({
    name: "add",
    inputSchema: { a: z.number(), b: z.number() },
    handler: ({ a, b }) => ({ sum: a + b }),
  });
  const r = await localToolEntry(add, "docs", { defaultTimeout: 0 }).call(
    { a: "1", b: 2 },
    createTestContext(),
  );
  assert.equal(r.isError, true);
  assert.equal((r.content[0] as { text: string }).text, shown.text.trim());
});

Deno.test("docs: the 401 the manual shows is what an expired token gets", async () => {
  const shown = of("http").find((b) => b.text.includes("401 Unauthorized"));
  assert.ok(shown);
  const [, header, body] = shown.text.trim().split("\n");
  const auth = await JwtAuthenticator.create({ secret: SECRET });
  const token = await sign({ sub: "alice" }, { exp: Math.floor(Date.now() / 1000) - 3600 });
  const outcome = await auth.authenticate(new Request("http://127.0.0.1/mcp", { headers: bearer(token) }));
  assert.ok(!outcome.ok);
  assert.equal(outcome.response.status, 401);
  assert.equal(`www-authenticate: ${outcome.response.headers.get("www-authenticate")}`, header);
  assert.equal(await outcome.response.text(), body);
});

Deno.test("docs: the startup check's message the manual shows is what the CLI prints", async () => {
  const shown = of("text").find((b) => b.text.startsWith("error: missing Deno permissions"));
  assert.ok(shown);
  const config = "examples/config.http.yaml";
  const plan = JSON.parse((await runCliOnce(["permissions", "--config", config, "--format", "json"])).stdout);
  // Everything it needs but the listen address.
  const flags = (plan.flags as string[]).filter((f) => !f.startsWith("--allow-net"));
  const out = await runCliOnce(["--config", config], { runFlags: ["run", ...flags] });
  assert.equal(out.code, 2, out.stderr);
  assert.ok(out.stderr.startsWith(shown.text.trim()), out.stderr);
});

Deno.test("docs: the README stays a front door (at most 350 lines; the manual is in docs/)", async () => {
  const lines = (await Deno.readTextFile(new URL("README.md", ROOT))).split("\n").length;
  assert.ok(lines <= 350, `README.md has ${lines} lines`);
});
