/**
 * Running the reference README's examples (tests/fixtures/reference/): each example folder is
 * copied to a temporary directory (servers write artifacts next to their config), and `uvx` /
 * `python` stand-ins are put first on PATH.
 */

import { DENO, ROOT } from "../helpers.ts";

/** Folder of the verbatim examples. */
export const REFERENCE = `${ROOT}tests/fixtures/reference/`;

/** Copy example `name` to a fresh temporary directory; returns that directory. */
export async function copyExample(name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `ref-${name}-` });
  const copy = async (from: string, to: string) => {
    for await (const e of Deno.readDir(from)) {
      if (e.isDirectory) {
        await Deno.mkdir(`${to}/${e.name}`);
        await copy(`${from}/${e.name}`, `${to}/${e.name}`);
      } else {
        await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
      }
    }
  };
  await copy(`${REFERENCE}${name}`, dir);
  return dir;
}

let bin: Promise<string> | undefined;

/** A directory holding `uvx` and `python` scripts that run the stand-in server (made once). */
export function standInBin(): Promise<string> {
  return bin ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "ref-bin-" });
    const script =
      `#!/bin/sh\nexec "${DENO}" run --quiet --no-config --no-prompt "${REFERENCE}stand_in_server.ts" "$@"\n`;
    for (const name of ["uvx", "python"]) {
      await Deno.writeTextFile(`${dir}/${name}`, script);
      await Deno.chmod(`${dir}/${name}`, 0o755);
    }
    return dir;
  })();
}

/** Environment for the CLI: the stand-ins first on PATH, plus `extra`. */
export async function referenceEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { PATH: `${await standInBin()}:${Deno.env.get("PATH") ?? ""}`, ...extra };
}
