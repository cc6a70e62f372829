// The load generator: autocannon in its own process, so it never shares an event loop (or a core, when
// pinned) with the servers under test. It stays up for the whole suite, so its JIT is warm for every run:
// one JSON LoadSpec per stdin line in, one JSON LoadResult per stdout line out.
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

async function measure(spec: LoadSpec): Promise<LoadResult> {
  const r = await autocannon({
    url: spec.url,
    method: "POST",
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: 10,
  });
  return {
    requests: r.requests.total,
    // Total over wall time, not autocannon's per-second mean, so a slow last second is not dropped.
    rps: r.requests.total / r.duration,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
  };
}

for await (const line of console) {
  if (line.trim()) console.log(JSON.stringify(await measure(JSON.parse(line) as LoadSpec)));
}
