import { describe, expect, test } from "bun:test";
import { createGatewayMetrics } from "../../src/metrics/gateway-metrics.ts";
import { contentType, OVERFLOW_VALUE, Counter, Registry } from "../../src/metrics/registry.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  const value = Number(text);
  if (Number.isNaN(value) && text !== "NaN") throw new Error(`bad value ${text}`);
  return value;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (m === null) throw new Error(`bad labels {${text}}`);
    expect(labels[m[1]]).toBeUndefined();
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

/** Parses exposition text, asserting the format rules of protocols.md section 5 on the way. */
function parse(text: string): Map<string, Family> {
  expect(text.endsWith("\n")).toBe(true);
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    expect(line).not.toBe("");
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (kind === "HELP") {
        expect(families.has(name)).toBe(false); // once per family, before its samples
        families.set(name, { type: "", help: rest, samples: [] });
      } else {
        expect(families.get(name)).toMatchObject({ type: "", samples: [] });
        expect(["counter", "gauge", "histogram"]).toContain(rest);
        families.get(name)!.type = rest;
      }
      current = name;
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`bad line: ${line}`);
    const name = m[1];
    const family = current === undefined ? undefined : families.get(current);
    // Samples of a family are grouped right after its metadata.
    const suffixes = family?.type === "histogram" ? ["_bucket", "_sum", "_count"] : [""];
    expect(suffixes.map((s) => current + s)).toContain(name);
    family!.samples.push({ name, labels: parseLabels(m[2] ?? ""), value: parseValue(m[3]) });
  }
  for (const [name, family] of families) if (family.type === "histogram") checkHistogram(name, family.samples);
  return families;
}

function checkHistogram(name: string, samples: Sample[]): void {
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le"));
  const series = new Map<string, Sample[]>();
  for (const s of samples) series.set(key(s.labels), [...(series.get(key(s.labels)) ?? []), s]);
  for (const group of series.values()) {
    const buckets = group.filter((s) => s.name === `${name}_bucket`);
    const les = buckets.map((b) => parseValue(b.labels.le));
    expect(les.at(-1)).toBe(Infinity);
    for (let i = 1; i < buckets.length; i++) {
      expect(les[i]).toBeGreaterThan(les[i - 1]);
      expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value); // cumulative
    }
    for (const b of buckets) expect(Object.keys(b.labels).at(-1)).toBe("le");
    const count = group.find((s) => s.name === `${name}_count`);
    expect(group.find((s) => s.name === `${name}_sum`)).toBeDefined();
    expect(buckets.at(-1)?.value).toBe(count!.value);
    expect(group.at(-1)).toBe(count!); // bucket lines, then _sum, then _count
  }
}

test("the test parser rejects format violations", () => {
  const head = "# HELP h H.\n# TYPE h histogram\n";
  const bad = [
    "# HELP c C.\n# TYPE c counter\nc 1", // no trailing newline
    "# HELP c C.\n# TYPE c counter\n# HELP c C.\n", // HELP twice
    "# HELP c C.\n# TYPE c counter\n# HELP d D.\n# TYPE d counter\nc 1\n", // c's samples not grouped
    'c{a="x"y"} 1\n', // unescaped quote, no metadata
    head + 'h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
    head + 'h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n', // +Inf != count
    head + 'h_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', // no +Inf
  ];
  for (const text of bad) expect(() => parse(text)).toThrow();
});

describe("Registry", () => {
  test("renders counters, gauges and histograms in valid exposition format", () => {
    const registry = new Registry();
    const requests = registry.counter("req_total", "Requests.\nSecond line with \\ backslash.", ["route", "status"]);
    const inflight = registry.gauge("inflight", "In flight.");
    const latency = registry.histogram("latency_seconds", "Latency.", [0.1, 0.5, 1], ["upstream"]);
    const plain = registry.histogram("plain_seconds", "No labels.", [1, 2]);
    const idle = registry.counter("idle_total", "Never incremented, no labels.");
    registry.counter("unused_total", "Never incremented, labelled.", ["x"]);

    requests.inc({ route: "/v1/chat", status: 200 });
    requests.inc({ route: "/v1/chat", status: 200 }, 2);
    requests.inc({ route: 'we"ird\\path\nx', status: 500 });
    inflight.inc();
    inflight.inc(3);
    inflight.dec();
    for (const v of [0.05, 0.1, 0.3, 0.7, 2, 5]) latency.observe({ upstream: "gemini" }, v);
    latency.observe({ upstream: "openrouter" }, 0.2);
    plain.observe(1.5);

    const text = registry.render();
    const families = parse(text);
    expect([...families.keys()]).toEqual(["req_total", "inflight", "latency_seconds", "plain_seconds", "idle_total", "unused_total"]);
    expect(families.get("req_total")!.help).toBe("Requests.\\nSecond line with \\\\ backslash.");
    expect(families.get("req_total")!.samples).toEqual([
      { name: "req_total", labels: { route: "/v1/chat", status: "200" }, value: 3 },
      { name: "req_total", labels: { route: 'we"ird\\path\nx', status: "500" }, value: 1 },
    ]);
    expect(text).toContain('req_total{route="we\\"ird\\\\path\\nx",status="500"} 1\n');
    expect(families.get("inflight")!.samples).toEqual([{ name: "inflight", labels: {}, value: 3 }]);
    expect(families.get("idle_total")!.samples).toEqual([{ name: "idle_total", labels: {}, value: 0 }]);
    expect(families.get("unused_total")!.samples).toEqual([]);

    const gemini = families.get("latency_seconds")!.samples.filter((s) => s.labels.upstream === "gemini");
    expect(gemini.map((s) => `${s.labels.le ?? s.name} ${s.value}`)).toEqual([
      "0.1 2", // le is inclusive: 0.1 falls in the 0.1 bucket
      "0.5 3",
      "1 4",
      "+Inf 6",
      "latency_seconds_sum 8.15",
      "latency_seconds_count 6",
    ]);
    expect(text).toContain('plain_seconds_bucket{le="1"} 0\nplain_seconds_bucket{le="2"} 1\nplain_seconds_bucket{le="+Inf"} 1\nplain_seconds_sum 1.5\nplain_seconds_count 1\n');
    expect(contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  test("gauge set and special values", () => {
    const registry = new Registry();
    const g = registry.gauge("g", "G.", ["k"]);
    g.set({ k: "a" }, Infinity);
    g.set({ k: "b" }, -Infinity);
    g.set({ k: "c" }, NaN);
    g.set({ k: "d" }, 1e-7);
    expect(registry.render()).toBe('# HELP g G.\n# TYPE g gauge\ng{k="a"} +Inf\ng{k="b"} -Inf\ng{k="c"} NaN\ng{k="d"} 1e-7\n');
  });

  test("label sets that could collide when joined stay apart", () => {
    const registry = new Registry();
    const c = registry.counter("c_total", "C.", ["a", "b"]);
    c.inc({ a: "x:1", b: "y" });
    c.inc({ a: "x", b: "1:y" });
    expect(parse(registry.render()).get("c_total")!.samples).toHaveLength(2);
  });

  test("label sets past maxSeries fold into one overflow series", () => {
    const registry = new Registry();
    const c = registry.register(new Counter("many_total", "Many.", ["model"], 3));
    for (let i = 0; i < 10; i++) c.inc({ model: `m${i}` });
    c.inc({ model: "m0" });
    const samples = parse(registry.render()).get("many_total")!.samples;
    expect(samples.map((s) => [s.labels.model, s.value])).toEqual([
      ["m0", 2],
      ["m1", 1],
      ["m2", 1],
      [OVERFLOW_VALUE, 7],
    ]);
  });

  test("a number and its string count in one series; an overflowed label set stays in the overflow", () => {
    const registry = new Registry();
    const c = registry.register(new Counter("mixed_total", "Mixed.", ["route", "status"], 2));
    c.inc({ route: "/a", status: 200 });
    c.inc({ route: "/a", status: "200" });
    c.inc({ route: "/a", status: 200 });
    c.inc({ route: "/b", status: 500 });
    c.inc({ route: "/c", status: 404 });
    c.inc({ route: "/c", status: 404 });
    const samples = parse(registry.render()).get("mixed_total")!.samples;
    expect(samples.map((s) => [s.labels.route, s.labels.status, s.value])).toEqual([
      ["/a", "200", 3],
      ["/b", "500", 1],
      [OVERFLOW_VALUE, OVERFLOW_VALUE, 2],
    ]);
  });

  test("rejects invalid names, duplicates and bad buckets", () => {
    const registry = new Registry();
    registry.counter("ok_total", "OK.");
    expect(() => registry.counter("ok_total", "Again.")).toThrow();
    expect(() => registry.counter("bad-name", "X.")).toThrow();
    expect(() => registry.counter("x_total", "X.", ["bad-label"])).toThrow();
    expect(() => registry.counter("y_total", "Y.", ["__reserved"])).toThrow();
    expect(() => registry.histogram("h", "H.", [1, 1])).toThrow();
    expect(() => registry.histogram("h2", "H.", [1], ["le"])).toThrow();
  });

  test("an increment costs well under a microsecond", () => {
    const c = new Registry().counter("hot_total", "Hot.", ["endpoint", "method", "status"]);
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i++) c.inc({ endpoint: "/v1/chat/completions", method: "POST", status: 200 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("createGatewayMetrics", () => {
  test("registers exactly the gateway's families", () => {
    const m = createGatewayMetrics();
    m.httpRequests.inc({ endpoint: "/v1/chat/completions", method: "POST", status: 200 });
    m.httpRequestDuration.observe({ endpoint: "/v1/chat/completions", method: "POST" }, 0.42);
    m.upstreamRequest("gemini", 429, "rate_limited");
    m.upstreamRequest("my-custom", 200, "success");
    m.rateLimitHits.inc();
    m.responseCacheHits.inc();
    m.responseCacheMisses.inc();
    m.chatCompletions.inc({ model: "gemini-2.5-flash", provider: "gemini", door: "chat" });
    m.chatTokens.inc({ type: "prompt", door: "chat" }, 12);
    m.chatTokens.inc({ type: "completion", door: "messages" }, 34);
    m.gatewayOverhead.observe(0.0003);
    m.upstreamDuration.observe({ provider: "gemini" }, 1.2);
    m.timeToFirstToken.observe(0.3);
    m.failovers.inc({ provider: "gemini" });
    m.activeRequests.inc();
    m.quotaRemaining.set({ provider: "groq", model: "llama-3.1-8b-instant", kind: "requests" }, 14_399);
    m.quotaReset.set({ provider: "groq", model: "llama-3.1-8b-instant", kind: "requests" }, 1_764_547_200);

    const families = parse(m.registry.render());
    expect(Object.fromEntries([...families].map(([name, f]) => [name, f.type]))).toEqual({
      http_requests_total: "counter",
      http_request_duration_seconds: "histogram",
      openrouter_requests_total: "counter",
      gemini_requests_total: "counter",
      opencode_requests_total: "counter",
      upstream_requests_total: "counter",
      rate_limit_hits_total: "counter",
      response_cache_hits_total: "counter",
      response_cache_misses_total: "counter",
      chat_completions_total: "counter",
      chat_completion_tokens_used: "counter",
      gateway_overhead_seconds: "histogram",
      upstream_request_duration_seconds: "histogram",
      time_to_first_token_seconds: "histogram",
      failovers_total: "counter",
      active_requests: "gauge",
      sqlite_wal_checkpoints_total: "counter",
      sqlite_wal_frames: "gauge",
      usage_ledger_rows_written_total: "counter",
      usage_ledger_write_failures_total: "counter",
      usage_ledger_rows_dropped_total: "counter",
      usage_ledger_queue_rows: "gauge",
      upstream_quota_remaining: "gauge",
      upstream_quota_reset_timestamp_seconds: "gauge",
    });
    expect(families.get("gemini_requests_total")!.samples).toEqual([
      { name: "gemini_requests_total", labels: { status: "429", outcome: "rate_limited" }, value: 1 },
    ]);
    expect(families.get("openrouter_requests_total")!.samples).toEqual([]);
    expect(families.get("upstream_requests_total")!.samples.map((s) => s.labels.provider)).toEqual(["gemini", "my-custom"]);
    expect(families.get("chat_completion_tokens_used")!.samples.map((s) => s.value)).toEqual([12, 34]);
  });
});
