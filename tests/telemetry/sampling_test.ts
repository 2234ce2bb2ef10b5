// The sampling decision made before a span exists: Deno's samplers as OTEL_TRACES_SAMPLER names
// them, and the W3C traceparent values a request may carry (a bad one is no parent at all). The
// end-to-end effect — nothing recorded, the upstreams told — is in tracing_test.ts.
import assert from "node:assert/strict";
import { parseTraceparent, samplerPolicy, traceparentOf } from "../../src/telemetry/tracing.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

Deno.test("samplerPolicy: Deno's samplers, parent-based or not, and the ratio's edges", () => {
  const cases: [string | undefined, string | undefined, boolean, string][] = [
    [undefined, undefined, false, "sample"], // Deno's default: always_on, parent ignored
    ["", undefined, false, "sample"],
    ["always_on", undefined, false, "sample"],
    ["always_off", undefined, false, "drop"],
    ["parentbased_always_on", undefined, true, "sample"],
    ["parentbased_always_off", undefined, true, "drop"],
    ["traceidratio", "0", false, "drop"],
    ["traceidratio", "1", false, "sample"],
    ["traceidratio", "0.25", false, "ask"],
    ["parentbased_traceidratio", "0", true, "drop"],
    ["parentbased_traceidratio", "0.01", true, "ask"],
    ["parentbased_traceidratio", "1.0", true, "sample"],
    ["parentbased_traceidratio", undefined, true, "sample"], // no ratio: 1
    ["parentbased_traceidratio", "lots", true, "sample"],
    ["jaeger_remote", undefined, false, "ask"], // not Deno's: ask span by span
  ];
  for (const [sampler, arg, parentBased, root] of cases) {
    assert.deepEqual(samplerPolicy(sampler, arg), { parentBased, root }, `${sampler} ${arg}`);
  }
  // A variable the process may not read (null): every span is asked.
  assert.deepEqual(samplerPolicy(null, undefined), { parentBased: false, root: "ask" });
  assert.deepEqual(samplerPolicy("always_off", null), { parentBased: false, root: "ask" });
});

Deno.test("parseTraceparent: W3C values, sampled flag; anything malformed is no parent", () => {
  assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-01`), {
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: 1,
  });
  assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags, 0);
  // A later version may append fields; version 00 may not.
  assert.equal(parseTraceparent(`01-${TRACE}-${SPAN}-01-more`)?.traceId, TRACE);
  for (
    const bad of [
      undefined,
      42,
      "",
      `00-${TRACE}-${SPAN}-01-more`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${"0".repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}`,
      `00-${TRACE}-${SPAN}-01${"x".repeat(600)}`,
    ]
  ) {
    assert.equal(parseTraceparent(bad), undefined, String(bad));
  }
  const parent = parseTraceparent(`00-${TRACE}-${SPAN}-00`)!;
  assert.equal(traceparentOf(parent), `00-${TRACE}-${SPAN}-00`);
});
