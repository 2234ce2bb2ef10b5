/**
 * What does bearer auth cost per call? Starts the CLI twice with the same configuration
 * (streamable HTTP, stateless, JSON answers, the example tools on 127.0.0.1) — once with
 * `server.auth: none`, once with `server.auth: bearer` — and times sequential `tools/call echo`
 * POSTs against each, in alternating blocks so both see the same machine load. Also times
 * `JwtAuthenticator.verify()` alone, in process.
 *
 * ```sh
 * deno run -A scripts/bench_auth.ts                  # 2000 calls each, HS256
 * deno run -A scripts/bench_auth.ts --calls 5000 --alg ES256
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { JwtAuthenticator } from "../src/auth/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    calls: { type: "string", default: "2000" },
    block: { type: "string", default: "250" },
    warmup: { type: "string", default: "300" },
    alg: { type: "string", default: "HS256" },
  },
});
const CALLS = Number(values.calls);
const BLOCK = Number(values.block);
const WARMUP = Number(values.warmup);
const ALG = values.alg!;
const SECRET = "bench-secret-bench-secret-bench-secret-0123456789";

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function start(auth: "none" | "bearer", env: Record<string, string>): Promise<Server> {
  const dir = await Deno.makeTempDir({ prefix: "bench-auth-" });
  const config = `${dir}/config.yaml`;
  await Deno.writeTextFile(
    config,
    `server: {type: streamable-http, auth: ${auth}}\n` +
      `streamable-http: {host: 127.0.0.1, port: 0, stateless: true, json_response: true}\n` +
      `logging: {level: WARNING}\n` +
      `tools:\n  modules_to_import: ["${ROOT}examples/tools.ts"]\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}cli.ts`, "--config", config],
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let err = "";
  const reader = child.stderr.getReader();
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server (${auth}) exited:\n${err}`);
    err += decoder.decode(value, { stream: true });
    url = /ready: \S+ at (http:\/\/\S+)/.exec(err)?.[1];
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function callOnce(url: string, headers: Record<string, string>, id: number): Promise<number> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "echo", arguments: { text: "hi" } },
  });
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
  const text = await res.text();
  const dt = performance.now() - t0;
  if (res.status !== 200 || !text.includes('"hi"')) throw new Error(`bad answer ${res.status}: ${text}`);
  return dt;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), mean };
}

function fmt(ms: number): string {
  return `${(ms * 1000).toFixed(0).padStart(5)} µs`;
}

// Keys and a token for the chosen algorithm.
let env: Record<string, string>;
let token: string;
let authOptions: { secret?: string; publicKeyPem?: string };
if (ALG.startsWith("HS")) {
  env = { JWT_SECRET_KEY: SECRET };
  token = await new SignJWT({ sub: "bench-user" }).setProtectedHeader({ alg: ALG }).setExpirationTime("2h")
    .sign(new TextEncoder().encode(SECRET));
  authOptions = { secret: SECRET };
} else {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const pem = await exportSPKI(publicKey);
  env = { JWT_PUBLIC_KEY: pem };
  token = await new SignJWT({ sub: "bench-user" }).setProtectedHeader({ alg: ALG }).setExpirationTime("2h")
    .sign(privateKey);
  authOptions = { publicKeyPem: pem };
}

// 1. Verification alone, in process: full verification (cache off), and a remembered token.
async function timeVerify(verifiedCacheSeconds: number): Promise<number[]> {
  const auth = await JwtAuthenticator.create({ ...authOptions, verifiedCacheSeconds });
  for (let i = 0; i < 1000; i++) await auth.verify(token);
  const times: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const t0 = performance.now();
    await auth.verify(token);
    times.push(performance.now() - t0);
  }
  return times;
}
const verifyTimes = await timeVerify(0);
const cachedTimes = await timeVerify(60);

// 2. Whole calls over loopback HTTP.
const open = await start("none", {});
const guarded = await start("bearer", env);
const withToken = { authorization: `Bearer ${token}` };
try {
  let id = 0;
  for (let i = 0; i < WARMUP; i++) {
    await callOnce(open.url, {}, ++id);
    await callOnce(guarded.url, withToken, ++id);
  }
  const a: number[] = [];
  const b: number[] = [];
  while (a.length < CALLS) {
    const n = Math.min(BLOCK, CALLS - a.length);
    for (let i = 0; i < n; i++) a.push(await callOnce(open.url, {}, ++id));
    for (let i = 0; i < n; i++) b.push(await callOnce(guarded.url, withToken, ++id));
  }
  const sa = stats(a);
  const sb = stats(b);
  const sv = stats(verifyTimes);
  console.log(`tools/call echo, stateless JSON, ${CALLS} sequential calls each, blocks of ${BLOCK}, ${ALG}`);
  console.log(`                    p50        p90        p99        mean`);
  console.log(`auth: none     ${fmt(sa.p50)}  ${fmt(sa.p90)}  ${fmt(sa.p99)}  ${fmt(sa.mean)}`);
  console.log(`auth: bearer   ${fmt(sb.p50)}  ${fmt(sb.p90)}  ${fmt(sb.p99)}  ${fmt(sb.mean)}`);
  console.log(
    `difference     ${fmt(sb.p50 - sa.p50)}  ${fmt(sb.p90 - sa.p90)}  ${fmt(sb.p99 - sa.p99)}  ${
      fmt(sb.mean - sa.mean)
    }`,
  );
  const sc = stats(cachedTimes);
  console.log(
    `verify(), full ${fmt(sv.p50)}  ${fmt(sv.p90)}  ${fmt(sv.p99)}  ${
      fmt(sv.mean)
    }  (in process, ${sv.n} runs)`,
  );
  console.log(
    `verify(), seen ${fmt(sc.p50)}  ${fmt(sc.p90)}  ${fmt(sc.p99)}  ${fmt(sc.mean)}  (token remembered)`,
  );
} finally {
  await open.stop();
  await guarded.stop();
}
