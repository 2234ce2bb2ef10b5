// `deno task bundle` builds dist/chuk-mcp-runtime.js; the end-to-end scenario runs against that one
// file with plain `deno run`, in an empty folder, with an empty DENO_DIR and any network access
// pointed at a dead loopback proxy (so a download would fail loudly). One case per scenario: the
// proxy of a real upstream is added as one more entry in CASES when the proxy lands.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import {
  type Connected,
  connectHttp,
  connectSse,
  connectStdio,
  DENO,
  firstText,
  ROOT,
  runCliOnce,
  startCli,
} from "../helpers.ts";

interface BundleCase {
  name: string;
  transport: "stdio" | "sse" | "streamable-http";
  /** Files written into the empty folder next to the bundle. */
  files: Record<string, string>;
  /** CLI arguments after the bundle. */
  args: string[];
  /** The tool call and the text it must return. */
  call: { name: string; arguments: Record<string, unknown>; expect: string };
  /** Run with the flags `permissions` prints (from the bundle itself) instead of -A. */
  leastPrivilege?: boolean;
}

const SHOUT = `export const shout = {
  name: "shout",
  inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  handler: ({ text }) => String(text).toUpperCase(),
};
`;

const CASES: BundleCase[] = [
  {
    name: "stdio server with a config and its tool module, least privilege",
    transport: "stdio",
    files: {
      "config.yaml": "server: {type: stdio}\ntools: {modules_to_import: [tools.js]}\n",
      "tools.js": SHOUT,
    },
    args: ["--config", "config.yaml"],
    call: { name: "shout", arguments: { text: "bundled" }, expect: "BUNDLED" },
    leastPrivilege: true,
  },
  {
    name: "streamable HTTP on the embedded default (example tools)",
    transport: "streamable-http",
    files: {},
    args: ["--port", "0"],
    call: { name: "add", arguments: { a: 2, b: 3 }, expect: '{"sum":5}' },
  },
  {
    name: "SSE with a config, least privilege",
    transport: "sse",
    files: {
      "config.yaml":
        "server: {type: sse}\nsse: {port: 0}\nmcp_servers:\n  mine: {tools: {module: tools.js}}\n",
      "tools.js": SHOUT,
    },
    args: ["--config", "config.yaml"],
    call: { name: "shout", arguments: { text: "sse" }, expect: "SSE" },
    leastPrivilege: true,
  },
  {
    // The upstream is the bundle itself, serving its embedded examples over stdio from a folder
    // without a config.yaml (else it would find this proxy config and start itself again).
    name: "proxy of a real stdio upstream, least privilege",
    transport: "stdio",
    files: {
      "config.yaml": `server: {type: stdio}\nproxy: {enabled: true}\nmcp_servers:\n  up:\n    type: stdio\n` +
        `    cwd: up\n    command: "${DENO}"\n    args: [run, -A, --quiet, ../chuk-mcp-runtime.js, --transport, stdio]\n`,
      "up/README": "the upstream's working directory\n",
    },
    args: ["--config", "config.yaml"],
    call: { name: "proxy.up.add", arguments: { a: 20, b: 22 }, expect: '{"sum":42}' },
    leastPrivilege: true,
  },
];

let built: Promise<string> | undefined;

/** Build the bundle once for all cases, with the real task script. */
function bundle(): Promise<string> {
  return built ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "mcp-rt-bundle-" });
    const out = `${dir}/chuk-mcp-runtime.js`;
    const r = await new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}scripts/bundle.ts`, "--out", out],
      cwd: ROOT,
      stdin: "null",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    return out;
  })();
}

for (const c of CASES) {
  Deno.test(`bundle: ${c.name}`, async () => {
    const file = await bundle();
    const dir = await Deno.makeTempDir({ prefix: "mcp-rt-bundle-run-" });
    const denoDir = await Deno.makeTempDir({ prefix: "mcp-rt-empty-deno-dir-" });
    try {
      const entry = `${dir}/chuk-mcp-runtime.js`;
      await Deno.copyFile(file, entry);
      for (const [name, text] of Object.entries(c.files)) {
        await Deno.mkdir(dirname(`${dir}/${name}`), { recursive: true });
        await Deno.writeTextFile(`${dir}/${name}`, text);
      }
      const env = { DENO_DIR: denoDir, HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" };
      let runFlags = ["run", "-A", "--quiet"];
      if (c.leastPrivilege) {
        const r = await runCliOnce(["permissions", ...c.args, "--format", "json"], { cwd: dir, env, entry });
        assert.equal(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.equal(
          report.command.at(-c.args.length - 1),
          "chuk-mcp-runtime.js",
          "the printed command runs the bundle",
        );
        runFlags = ["run", "--quiet", ...report.flags];
      }
      let conn: Connected;
      let stop = () => Promise.resolve(0);
      if (c.transport === "stdio") {
        conn = await connectStdio(c.args, { cwd: dir, env, entry, runFlags });
      } else {
        const proc = startCli(c.args, { cwd: dir, env, entry, runFlags });
        stop = async () => (await proc.stop()).code;
        const url = await proc.ready.catch(async (e) => {
          await proc.stop();
          throw e;
        });
        conn = c.transport === "sse" ? await connectSse(url) : await connectHttp(url);
      }
      try {
        const r = await conn.client.callTool({ name: c.call.name, arguments: c.call.arguments });
        assert.equal(firstText(r), c.call.expect);
      } finally {
        await conn.close();
      }
      assert.equal(await stop(), 0);
      // Nothing was downloaded or cached: the one file was enough.
      assert.deepEqual(filesUnder(`${denoDir}/npm`).concat(filesUnder(`${denoDir}/remote`)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(denoDir, { recursive: true });
    }
  });
}

Deno.test("bundle: one self-contained file that starts with a deno shebang", async () => {
  const text = await Deno.readTextFile(await bundle());
  assert.ok(text.startsWith("#!/usr/bin/env -S deno run -A\n"));
  // No import left that would need resolving at run time (npm:, jsr:, bare package names).
  assert.doesNotMatch(text, /^import .* from "(npm:|jsr:|@modelcontextprotocol|zod|yaml)/m);
});

/** Every file below `dir` (none when it does not exist). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) out.push(...filesUnder(`${dir}/${e.name}`));
      else out.push(`${dir}/${e.name}`);
    }
  } catch {
    // missing
  }
  return out;
}
