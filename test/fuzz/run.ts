// `make fuzz`: the fuzzer with a random seed (or FUZZ_SEED to replay one) and FUZZ_RUNS cases per route
// (default 2000), over every route in routes.ts. Prints per-route statistics, and on a failure the
// seed, fast-check's replay path and the request; exits non-zero then.
import { fuzzRoute, startFuzzTarget, stillServes } from "./harness.ts";
import { FUZZ_ROUTES } from "./routes.ts";

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
const only = process.env.FUZZ_ROUTE;

console.log(`fuzz: seed ${seed}, ${numRuns} cases per route (replay: FUZZ_SEED=${seed} make fuzz)`);
const target = await startFuzzTarget();
let failed = false;
const started = performance.now();
for (const route of FUZZ_ROUTES) {
  const name = `${route.method} ${route.path}`;
  if (only && !name.includes(only)) continue;
  const t0 = performance.now();
  try {
    const stats = await fuzzRoute(target, route, { seed, numRuns });
    const statuses = [...stats.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(" ");
    console.log(`ok   ${name.padEnd(40)} ${String(stats.cases).padStart(6)} cases, ${String(stats.upstreamCalls).padStart(5)} upstream calls, ${((performance.now() - t0) / 1000).toFixed(1)} s  [${statuses}]`);
  } catch (error) {
    failed = true;
    console.log(`FAIL ${name} (seed ${seed}; replay: FUZZ_SEED=${seed} FUZZ_ROUTE='${name}' make fuzz)`);
    // fast-check's report holds the whole counterexample; a fuzzed URL or body can be megabytes.
    const report = error instanceof Error ? `${error.message}\n${error.cause instanceof Error ? error.cause.message : ""}` : String(error);
    console.log(report.split("\n").map((line) => (line.length > 1500 ? `${line.slice(0, 1500)}… (${line.length} chars)` : line)).join("\n"));
  }
}
try {
  await stillServes(target);
  console.log("ok   the gateway still serves afterwards");
} catch (error) {
  failed = true;
  console.log(`FAIL the gateway no longer serves: ${error instanceof Error ? error.message : error}`);
}
await target.stop();
console.log(`fuzz: ${failed ? "FAILED" : "passed"} in ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${seed})`);
process.exit(failed ? 1 : 0);
