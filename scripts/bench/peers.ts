/**
 * The npm peers (`--peers`): installed with npm into a folder outside the project (default
 * `$TMPDIR/chuk-mcp-bench-peers`, reused by later runs), pinned so runs compare like with like.
 *
 * @module
 */

/** Pinned peer versions (change on purpose, and say so next to the numbers). */
export const PEER_PACKAGES: Record<string, string> = {
  "mcp-proxy": "6.7.19",
  "supergateway": "4.0.0",
};

function installedVersion(dir: string, name: string): string | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(`${dir}/node_modules/${name}/package.json`)).version;
  } catch {
    return undefined;
  }
}

/** Make sure the pinned peers are installed in `dir`; returns their installed versions. */
export async function ensurePeers(dir: string): Promise<Record<string, string>> {
  const missing = Object.entries(PEER_PACKAGES).filter(([n, v]) => installedVersion(dir, n) !== v);
  if (missing.length > 0) {
    Deno.mkdirSync(dir, { recursive: true });
    try {
      Deno.statSync(`${dir}/package.json`);
    } catch {
      Deno.writeTextFileSync(`${dir}/package.json`, `{ "private": true }\n`);
    }
    const specs = missing.map(([n, v]) => `${n}@${v}`);
    console.error(`bench: npm install ${specs.join(" ")} into ${dir}`);
    const out = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", "--loglevel", "error", ...specs],
      cwd: dir,
      stdout: "inherit",
      stderr: "inherit",
      signal: AbortSignal.timeout(600_000),
    }).output();
    if (!out.success) throw new Error(`npm install failed (exit ${out.code}) in ${dir}`);
  }
  return Object.fromEntries(Object.keys(PEER_PACKAGES).map((n) => [n, installedVersion(dir, n) ?? "?"]));
}

/** The default peers folder. */
export function defaultPeersDir(): string {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  return `${tmp}/chuk-mcp-bench-peers`;
}
