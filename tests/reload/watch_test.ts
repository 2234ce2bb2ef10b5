// The --watch file watcher on the real filesystem, both ways it works (folder watches, and the
// timer it falls back to without read access to the folder): one report per burst of writes, a
// file saved the way editors do (a temp file renamed over it) is still seen on its next save,
// files outside the set are not reported, nothing after close.
import assert from "node:assert/strict";
import { type FileWatch, watchFiles } from "../../src/reload/watch.ts";
import { nextEvent } from "../helpers.ts";

for (const poll of [false, true]) {
  Deno.test(`watchFiles (${poll ? "timer" : "folder watch"}): bursts once, rename-over saves, close`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "watch-test-" });
    const config = `${dir}/config.yaml`;
    const tools = `${dir}/tools.ts`;
    const other = `${dir}/other.txt`;
    for (const f of [config, tools, other]) await Deno.writeTextFile(f, "v1\n");
    const reports: string[][] = [];
    let notify: ((changed: string[]) => void) | undefined;
    const options = { debounceMs: 100, pollMs: 100, poll };
    const watch = watchFiles([config, tools], (changed) => {
      reports.push(changed);
      notify?.(changed);
    }, options);
    let witness: FileWatch | undefined;
    try {
      const burst = nextEvent<string[]>((resolve) => (notify = resolve));
      for (let i = 0; i < 5; i++) await Deno.writeTextFile(config, `version ${i + 2}\n`);
      await Deno.writeTextFile(other, "not watched\n");
      assert.deepEqual(await burst, [config]);
      assert.equal(reports.length, 1);

      // An editor's save: write a temp file, rename it over the original (a new inode) — twice.
      for (const version of [2, 3]) {
        const saved = nextEvent<string[]>((resolve) => (notify = resolve));
        await Deno.writeTextFile(`${dir}/.tools.ts.tmp`, `export const x = ${version};\n`);
        await Deno.rename(`${dir}/.tools.ts.tmp`, tools);
        assert.deepEqual(await saved, [tools], `save ${version}`);
      }
      const inPlace = nextEvent<string[]>((resolve) => (notify = resolve));
      await Deno.writeTextFile(tools, "export const x = 4; // in place\n");
      assert.deepEqual(await inPlace, [tools]);

      watch.close();
      const before = reports.length;
      // A second watch on the same file shows when a change has been seen; the closed one stays quiet.
      const seen = nextEvent<string[]>((resolve) => (witness = watchFiles([config], resolve, options)));
      await Deno.writeTextFile(config, "after close\n");
      assert.deepEqual(await seen, [config]);
      assert.equal(reports.length, before);
    } finally {
      watch.close();
      witness?.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
