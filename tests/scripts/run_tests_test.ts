// `deno task test` (scripts/run_tests.ts; not named test.ts, which deno test would run as a test): with redis-server on PATH it starts a Redis, a Redis Cluster
// and s3rver itself, so nothing is ignored, and stops them afterwards; without redis-server the
// Redis tests are ignored and say what to install.
import assert from "node:assert/strict";
import { childEnv, DENO, ROOT } from "../helpers.ts";
import { onPath } from "../services.ts";

async function runTask(env: Record<string, string>) {
  const out = await new Deno.Command(DENO, {
    args: ["run", "-A", `${ROOT}scripts/run_tests.ts`, `${ROOT}tests/fixtures/services_probe.ts`],
    cwd: ROOT,
    env: childEnv(env),
    clearEnv: true,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

async function closed(url: string): Promise<boolean> {
  const [hostname, port] = url.replace(/^[a-z]+:\/\//, "").split(",")[0].split(":");
  try {
    (await Deno.connect({ hostname, port: Number(port) })).close();
    return false;
  } catch {
    return true;
  }
}

Deno.test({
  name: "deno task test starts Redis, a Redis Cluster and s3rver itself: 0 ignored, all stopped after",
  ignore: !onPath("redis-server"),
  async fn() {
    const r = await runTask({});
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /ok \| 3 passed \| 0 failed/);
    assert.doesNotMatch(r.text, /ignored/);
    const started = /test: started: (.*)/.exec(r.text)?.[1] ?? "";
    const urls = [...started.matchAll(/\w+=(\S+)/g)].map((m) => m[1]);
    assert.equal(urls.length, 3, started);
    for (const url of urls) assert.ok(await closed(url), `${url} still answers after the run`);
  },
});

Deno.test("without redis-server on PATH the Redis tests are ignored, each saying what to install", async () => {
  const bin = await Deno.makeTempDir({ prefix: "no-redis-bin-" });
  await Deno.symlink(DENO, `${bin}/deno`);
  try {
    const r = await runTask({ PATH: bin });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /ok \| 1 passed \| 0 failed \| 2 ignored/);
    for (const name of ["REDIS_URL", "REDIS_CLUSTER_URL"]) {
      assert.match(
        r.text,
        new RegExp(
          `probe ${name} \\[ignored: needs .*install redis-server \\(apt-get install redis-server, or brew install redis\\).*\\] \\.\\.\\. ignored`,
        ),
      );
    }
    assert.match(r.text, /test: redis-server is not on PATH: .*install it: apt-get install redis-server/);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
