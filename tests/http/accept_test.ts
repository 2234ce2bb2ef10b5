// Accept negotiation as HTTP defines it: any case, wildcards, the most specific range decides,
// q=0 refuses, no header accepts anything; and the guard's 406 says what is needed.
import assert from "node:assert/strict";
import { accepts, acceptsMediaType } from "../../src/http/mod.ts";

Deno.test("acceptsMediaType: case, wildcards, q=0, specificity, no header", () => {
  const json = "application/json";
  const sse = "text/event-stream";
  const cases: [string | null, string, boolean][] = [
    ["application/json", json, true],
    ["APPLICATION/JSON", json, true],
    ["application/json, text/event-stream", sse, true],
    ["Text/Event-Stream", sse, true],
    ["*/*", json, true],
    ["*/*", sse, true],
    ["application/*", json, true],
    ["application/*", sse, false],
    ["text/html", json, false],
    ["application/json;q=0", json, false],
    ["application/json;q=0, */*", json, false],
    ["*/*;q=0, application/json", json, true],
    ["text/*;q=0, */*", sse, false],
    ["application/json; charset=utf-8", json, true],
    [null, json, true],
    ["", sse, true],
    ["garbage", json, false],
  ];
  for (const [header, type, expected] of cases) {
    assert.equal(acceptsMediaType(header, type), expected, `${header} → ${type}`);
  }
});

Deno.test("accepts: 406 names what the client must accept", async () => {
  const state = { url: new URL("http://127.0.0.1/mcp") };
  const req = (accept: string) => new Request(state.url, { headers: { accept } });
  assert.equal(await accepts("application/json")(req("*/*"), state), undefined);
  const one = await accepts("application/json")(req("text/event-stream"), state);
  assert.equal(one?.status, 406);
  assert.match((await one!.json()).error.message, /^Not Acceptable: Client must accept application\/json$/);
  const both = await accepts("application/json", "text/event-stream")(req("application/json"), state);
  assert.match(
    (await both!.json()).error.message,
    /^Not Acceptable: Client must accept both application\/json and text\/event-stream$/,
  );
});
