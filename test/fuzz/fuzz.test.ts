// The fuzzer with a fixed seed, as part of `make test`: a few thousand requests over every route that
// takes input. `make fuzz` (test/fuzz/run.ts) runs far more with a random seed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fuzzRoute, startFuzzTarget, stillServes, type FuzzTarget } from "./harness.ts";
import { FUZZ_ROUTES } from "./routes.ts";

const SEED = 20261130;
/** Cases per route of weight 1. */
const RUNS = 100;

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(() => target.stop());

describe("fuzz (fixed seed)", () => {
  for (const route of FUZZ_ROUTES) {
    test(`${route.method} ${route.path}${route.admin ? " (admin)" : ""}`, async () => {
      const stats = await fuzzRoute(target, route, { seed: SEED, numRuns: RUNS });
      // The API's cases are not all refused at the door: a good share get past validation to an upstream.
      if (route.upstream) expect(stats.upstreamCalls).toBeGreaterThan(stats.cases / 10);
    }, 60_000);
  }
  test("the gateway still serves afterwards", () => stillServes(target));
});
