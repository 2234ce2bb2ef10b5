// The explicit config types (src/config/types.ts) must equal what the schema infers, so the
// schema stays the single source of truth. This file fails `deno check` when they drift.
import assert from "node:assert/strict";
import type { z } from "zod";
import type { configSchemaDefinition } from "../../src/config/schema.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../../src/config/types.ts";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

type Inferred = z.output<typeof configSchemaDefinition>;
const outputMatches: Equals<Inferred, RuntimeConfig> = true;
// Every input our type allows must be an input the schema accepts.
type InputOk = RuntimeConfigInput extends z.input<typeof configSchemaDefinition> ? true : false;
const inputMatches: InputOk = true;

Deno.test("config types mirror the schema", () => {
  assert.ok(outputMatches && inputMatches);
});
