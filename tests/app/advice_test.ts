// Startup advice: an anonymous stateless HTTP server with session-scoped artifact tools is told,
// at startup, that each request is a session of its own and what to do; other setups are not.
import assert from "node:assert/strict";
import { SECRET } from "../auth/tokens.ts";
import { startHttpServer } from "../helpers.ts";

const ARTIFACTS =
  "artifacts:\n  enabled: true\n  tools: {write_file: {enabled: true}, read_file: {enabled: true}}\n";
const ADVICE = /WARNING server: artifacts: write_file keep files in the caller's session, but on stateless/;

Deno.test("startup advice: anonymous stateless HTTP with session artifact tools is warned, with what to do", async () => {
  const server = await startHttpServer(
    `server: {type: streamable-http}\nstreamable-http: {port: 0}\n${ARTIFACTS}`,
  );
  try {
    const stderr = server.proc.stderr();
    assert.match(stderr, ADVICE);
    assert.match(stderr, /a file one request writes is not found by the next/);
    assert.match(stderr, /streamable-http\.stateless: false .*server\.auth: bearer/);
  } finally {
    assert.equal((await server.stop()).code, 0);
  }
});

Deno.test("startup advice: none when the server is stateful or authenticates", async () => {
  for (
    const [yaml, env] of [
      [`server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false}\n${ARTIFACTS}`, {}],
      [`server: {type: streamable-http, auth: bearer}\nstreamable-http: {port: 0}\n${ARTIFACTS}`, {
        JWT_SECRET_KEY: SECRET,
      }],
    ] as const
  ) {
    const server = await startHttpServer(yaml, { env });
    try {
      assert.doesNotMatch(server.proc.stderr(), /keep files in the caller's session/);
    } finally {
      assert.equal((await server.stop()).code, 0, `${yaml}\n${server.proc.stderr()}`);
    }
  }
});
