// Metrics and logs, checked after real requests through the gateway.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

let fake: FakeOpenRouter;
let gw: Gateway;
const lines: string[] = [];
const ADMIN = "admin-token-0123456789abcdef-0123456789";
const CLIENT_KEY = "sk-client-secret-key-42";
const SECRET_PROMPT = "my very private prompt text";

beforeAll(async () => {
  fake = await startFakeOpenRouter("sk-or-v1-upstream-secret");
  gw = await startGateway(
    { openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, auth: { adminToken: ADMIN }, cache: { ttlMs: 60_000, maxEntries: 100 }, retryDelayMs: 1 },
    { log: (event, data) => lines.push(JSON.stringify({ event, ...data })) },
  );
  const auth = { authorization: `Bearer ${CLIENT_KEY}` };
  await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: SECRET_PROMPT }] }, { ...auth, "x-request-id": "req-abc.123" });
  const stream = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4", stream: true, messages: [{ role: "user", content: SECRET_PROMPT }] }, auth);
  await stream.text();
  await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4", messages: [{ role: "robot", content: "x" }] }, auth);
  await fetch(`${gw.url}/session/sess_doesnotexist123`, { headers: auth });
  await fetch(`${gw.url}/session/sess_doesnotexist456`, { headers: auth });
  await post(`${gw.url}/config/clear-cache`, {}, { authorization: `Bearer ${ADMIN}` });
  // The first gpt-4 candidate fails every try (1 + MAX_RETRIES), then the next one answers.
  fake.always("deepseek/deepseek-r1-0528:free", { kind: "error", status: 500 });
  await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4", messages: [{ role: "user", content: "failover" }] }, auth);
  await Bun.sleep(20);
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});

type Sample = { name: string; labels: Record<string, string>; value: number };
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      expect(types.has(name)).toBe(false);
      types.set(name, type);
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m).not.toBeNull();
    const labels = Object.fromEntries([...(m![2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    samples.push({ name: m![1], labels, value: Number(m![3]) });
  }
  return { samples, types };
}

describe("GET /metrics", () => {
  test("is Prometheus text 0.0.4 with the gateway's families and real counts", async () => {
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    const { samples, types } = parse(text);
    for (const name of ["http_requests_total", "openrouter_requests_total", "gemini_requests_total", "opencode_requests_total", "rate_limit_hits_total",
      "response_cache_hits_total", "response_cache_misses_total", "chat_completions_total", "chat_completion_tokens_used", "failovers_total"]) {
      expect(types.get(name)).toBe("counter");
    }
    for (const name of ["http_request_duration_seconds", "gateway_overhead_seconds", "upstream_request_duration_seconds", "time_to_first_token_seconds"]) {
      expect(types.get(name)).toBe("histogram");
    }
    expect(types.get("active_requests")).toBe("gauge");
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    expect(find("http_requests_total", { endpoint: "/v1/chat/completions", method: "POST", status: "200" })[0].value).toBe(3);
    expect(find("http_requests_total", { endpoint: "/v1/chat/completions", method: "POST", status: "400" })[0].value).toBe(1);
    // Route patterns, never raw paths.
    expect(find("http_requests_total", { endpoint: "/session/:id", status: "404" })[0].value).toBe(2);
    expect(samples.some((s) => s.labels.endpoint?.includes("sess_"))).toBe(false);
    expect(find("chat_completions_total", { door: "chat" }).reduce((a, s) => a + s.value, 0)).toBe(3);
    // Upstream attempts, by provider, status and outcome, and the failover away from the failing candidate.
    expect(find("openrouter_requests_total", { status: "200", outcome: "success" })[0].value).toBe(3);
    expect(find("openrouter_requests_total", { status: "500", outcome: "error" })[0].value).toBe(3);
    expect(find("upstream_requests_total", { provider: "openrouter", status: "500" })[0].value).toBe(3);
    expect(find("upstream_request_duration_seconds_count", { provider: "openrouter" })[0].value).toBe(6);
    expect(find("failovers_total", { provider: "openrouter" })[0].value).toBe(1);
    expect(find("chat_completion_tokens_used", { type: "prompt" })[0].value).toBeGreaterThan(0);
    expect(find("chat_completion_tokens_used", { type: "completion" })[0].value).toBeGreaterThan(0);
    expect(find("time_to_first_token_seconds_count")[0].value).toBe(1);
    expect(find("gateway_overhead_seconds_count")[0].value).toBeGreaterThanOrEqual(3);
    // The scrape itself is the only request in flight.
    expect(find("active_requests")[0].value).toBe(1);

    // Histograms: cumulative buckets, +Inf equals _count.
    const buckets = find("http_request_duration_seconds_bucket", { endpoint: "/v1/chat/completions", method: "POST" });
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(buckets.at(-1)!.labels.le).toBe("+Inf");
    expect(buckets.at(-1)!.value).toBe(find("http_request_duration_seconds_count", { endpoint: "/v1/chat/completions", method: "POST" })[0].value);
  });
});

describe("logs", () => {
  const requests = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === "request");

  test("one JSON line per request with id, route, status, duration, provider and cache", () => {
    const chat = requests().filter((l) => l.route === "/v1/chat/completions");
    expect(chat).toHaveLength(4);
    const first = chat.find((l) => l.request_id === "req-abc.123")!;
    expect(first).toMatchObject({ method: "POST", status: 200, provider: "openrouter", upstream_model: "qwen/qwen3-next-80b-a3b-instruct:free", attempts: 1, cache: "MISS" });
    expect(typeof first.duration_ms).toBe("number");
    expect(first.session_id).toBeString();
    expect(String(first.client)).toMatch(/^key:[0-9a-f]{12}$/);
    const stream = chat.find((l) => l.stream === true)!;
    expect(stream.completion_tokens).toBeGreaterThan(0);
    expect(chat.find((l) => l.status === 400)).toBeDefined();
  });

  test("lifecycle events: provider state changes and failovers", () => {
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const states = events.filter((e) => e.event === "provider_state").map((e) => `${e.from}->${e.to}`);
    expect(states).toEqual(["unknown->ok", "ok->failing", "failing->ok"]);
    expect(events.find((e) => e.event === "failover")).toMatchObject({ requested: "gpt-4", reason: "server", status: 500 });
  });

  test("x-request-id is returned, and generated when missing or unsafe", async () => {
    const given = await fetch(`${gw.url}/health`, { headers: { "x-request-id": "trace-1" } });
    expect(given.headers.get("x-request-id")).toBe("trace-1");
    const bad = await fetch(`${gw.url}/health`, { headers: { "x-request-id": "bad id\twith\"quotes" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("no message content, key, token or secret ever reaches a log line", () => {
    const all = lines.join("\n");
    for (const secret of [SECRET_PROMPT, CLIENT_KEY, fake.apiKey, ADMIN, "Echo:"]) expect(all).not.toContain(secret);
  });
});
