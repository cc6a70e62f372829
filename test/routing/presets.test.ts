// The free-tier presets behind the gateway: two fakes standing in for Groq and Cerebras, each with its
// own key, base URL, caps and rate-limit header style, on a clock the tests move.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { DAY, MINUTE, startCappedUpstream, type CappedUpstream } from "../fakes/capped.ts";
import { errorBody, startGateway, type Gateway } from "../helpers.ts";
import { PRESETS } from "../../src/providers/presets.ts";
import { CHAT_ALIASES } from "../../src/routing/aliases.ts";
import { chat, routedTo } from "./fixture.ts";

const HOUR = 3_600_000;
let now = Math.ceil(Date.now() / DAY) * DAY + HOUR;
const clock = () => now;
let groq: CappedUpstream;
let cerebras: CappedUpstream;
let gw: Gateway;

beforeAll(async () => {
  groq = await startCappedUpstream({
    style: "groq", clock, models: [
      // Caps as small as the tests need; the published ones are in .env.example.
      { id: "llama-3.1-8b-instant", caps: [{ requests: 3, windowMs: DAY, reported: true }, { tokens: 6000, windowMs: MINUTE, reported: true }] },
      { id: "openai/gpt-oss-20b", caps: [{ requests: 1000, windowMs: DAY, reported: true }, { tokens: 50, windowMs: MINUTE, reported: true }] },
      { id: "llama-3.3-70b-versatile", caps: [{ requests: 1, windowMs: DAY, reported: true }] },
      { id: "openai/gpt-oss-120b", caps: [{ requests: 1000, windowMs: DAY, reported: true }] },
    ],
  });
  cerebras = await startCappedUpstream({
    style: "cerebras", clock, models: [
      { id: "llama3.1-8b", caps: [{ requests: 14_400, windowMs: DAY, reported: true }, { tokens: 60_000, windowMs: MINUTE, reported: true }] },
      { id: "gpt-oss-120b", caps: [{ requests: 2, windowMs: DAY, reported: true }] },
    ],
  });
});
afterAll(async () => {
  await Promise.all([groq.stop(), cerebras.stop()]);
});
beforeEach(async () => {
  now = Math.ceil(Date.now() / DAY) * DAY + HOUR;
  groq.reset();
  cerebras.reset();
  gw = await startGateway(
    { presets: { groq: { apiKey: groq.apiKey, baseUrl: groq.baseUrl }, cerebras: { apiKey: cerebras.apiKey, baseUrl: cerebras.baseUrl } }, catalogRefreshMs: 0 },
    { clock },
  );
});
afterEach(async () => {
  await gw.stop();
});

interface Candidate { model: string; state: string; until?: string; remaining_requests?: number; requests_reset_at?: string; remaining_tokens?: number }
const health = async (provider: string, model: string) => {
  const body = (await (await fetch(`${gw.url}/health`)).json()) as { providers: Record<string, { candidates: Candidate[] }> };
  return body.providers[provider].candidates.find((c) => c.model === model);
};
const calls = (fake: CappedUpstream, model: string) => fake.calls.filter((c) => c.model === model).length;

describe("presets", () => {
  test("a preset routes with its own key and base URL; its prefix wins over the slash, an alias over both", async () => {
    expect(routedTo(await chat(gw, { model: "groq-llama-3.3-70b-versatile" }))).toEqual({ provider: "groq", model: "llama-3.3-70b-versatile", attempts: 1 });
    expect(routedTo(await chat(gw, { model: "cerebras-llama3.1-8b" }))).toEqual({ provider: "cerebras", model: "llama3.1-8b", attempts: 1 });
    expect(routedTo(await chat(gw, { model: "groq-openai/gpt-oss-120b" }))).toEqual({ provider: "groq", model: "openai/gpt-oss-120b", attempts: 1 });
    expect(groq.calls.map((c) => c.auth)).toEqual([`Bearer ${groq.apiKey}`, `Bearer ${groq.apiKey}`]);
    expect(cerebras.calls.map((c) => c.auth)).toEqual([`Bearer ${cerebras.apiKey}`]);
    // An exact alias wins over the mistral- prefix: its list starts on OpenRouter (no key here), then the fast presets.
    expect(routedTo(await chat(gw, { model: "mistral-small-3.1-24b" }))).toMatchObject({ provider: "groq", model: "llama-3.1-8b-instant" });
  });

  test("each preset's free models follow the OpenRouter models of their class and precede the broad fallbacks", () => {
    const fast = CHAT_ALIASES.get("gpt-4o-mini")!.map((t) => `${t.provider}:${t.model}`);
    const firstPreset = fast.findIndex((k) => !k.startsWith("openrouter:"));
    expect(fast.slice(0, firstPreset).every((k) => k.endsWith(":free"))).toBe(true);
    expect(fast.slice(firstPreset, firstPreset + 4)).toEqual(["groq:llama-3.1-8b-instant", "groq:openai/gpt-oss-20b", "cerebras:llama3.1-8b", "cerebras:qwen-3-32b"]);
    expect(fast.slice(-3)).toEqual(["openrouter:openrouter/free", "gemini:gemini-3-flash-preview", "opencode:big-pickle"]);
    for (const preset of PRESETS) expect(fast).toContain(`${preset.name}:${preset.models.fast![0]}`);
  });

  test("a preset without its key is skipped; a request only it could serve names the variable to set", async () => {
    const res = await chat(gw, { model: "nvidia-meta/llama-3.3-70b-instruct" });
    // Its one fallback, openrouter/free, has no key either.
    expect(res.status).toBe(503);
    expect((await errorBody(res)).message).toContain("NVIDIA_API_KEY");
  });
});

describe("quotas learned from rate-limit headers", () => {
  test("a reported 0 remaining requests skips the candidate until its reset, without a wasted call", async () => {
    for (let i = 0; i < 3; i++) expect(routedTo(await chat(gw, { model: "gpt-4o-mini" })).model).toBe("llama-3.1-8b-instant");
    // The third answer said 0 requests left until midnight: the next request goes straight to the next candidate.
    expect(routedTo(await chat(gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "groq", model: "openai/gpt-oss-20b", attempts: 1 });
    expect(calls(groq, "llama-3.1-8b-instant")).toBe(3);
    const midnight = (Math.floor(now / DAY) + 1) * DAY;
    expect(await health("groq", "llama-3.1-8b-instant")).toMatchObject({
      state: "cooling_down", until: new Date(midnight).toISOString(), remaining_requests: 0, requests_reset_at: new Date(midnight).toISOString(),
    });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('upstream_quota_remaining{provider="groq",model="llama-3.1-8b-instant",kind="requests"} 0');
    expect(metrics).toContain(`upstream_quota_reset_timestamp_seconds{provider="groq",model="llama-3.1-8b-instant",kind="requests"} ${midnight / 1000}`);

    // Past the reset it is usable again at once.
    now = midnight;
    expect(routedTo(await chat(gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "groq", model: "llama-3.1-8b-instant", attempts: 1 });
    expect(await health("groq", "llama-3.1-8b-instant")).toMatchObject({ state: "ok", remaining_requests: 2 });
  });

  test("0 remaining tokens counts too, until the tokens' window resets", async () => {
    // gpt-oss-20b has 50 tokens a minute and answers cost 20: the third answer leaves 0 (the 8b model is spent first).
    groq.failing.set("llama-3.1-8b-instant", 404);
    const first = await chat(gw, { model: "gpt-4o-mini" });
    expect(routedTo(first).model).toBe("openai/gpt-oss-20b");
    for (let i = 0; i < 2; i++) expect(routedTo(await chat(gw, { model: "gpt-4o-mini" })).model).toBe("openai/gpt-oss-20b");
    expect(await health("groq", "openai/gpt-oss-20b")).toMatchObject({ state: "cooling_down", remaining_tokens: 0 });
    expect(routedTo(await chat(gw, { model: "gpt-4o-mini" }))).toMatchObject({ provider: "cerebras", model: "llama3.1-8b" });
    expect(calls(groq, "openai/gpt-oss-20b")).toBe(3);
    now = (Math.floor(now / MINUTE) + 1) * MINUTE;
    expect(routedTo(await chat(gw, { model: "gpt-4o-mini" })).model).toBe("openai/gpt-oss-20b");
  });

  test("every candidate out of quota with a known reset: 429 at once, retry-after the earliest reset, no upstream call", async () => {
    expect((await chat(gw, { model: "groq-llama-3.3-70b-versatile" })).status).toBe(200);
    const before = groq.calls.length;
    const res = await chat(gw, { model: "groq-llama-3.3-70b-versatile" });
    expect(res.status).toBe(429);
    const midnight = (Math.floor(now / DAY) + 1) * DAY;
    expect(Number(res.headers.get("retry-after"))).toBe(Math.ceil((midnight - now) / 1000));
    const error = await errorBody(res);
    expect(error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(error.message).toContain("out of quota");
    expect(groq.calls.length).toBe(before);
  });

  test("Cerebras's suffixed headers (resets in seconds) and a 429 that reports 0 left: no retry before the reset", async () => {
    for (let i = 0; i < 2; i++) expect((await chat(gw, { model: "cerebras-gpt-oss-120b" })).status).toBe(200);
    expect(await health("cerebras", "gpt-oss-120b")).toMatchObject({ state: "cooling_down", remaining_requests: 0 });
    expect((await chat(gw, { model: "cerebras-gpt-oss-120b" })).status).toBe(429);
    expect(calls(cerebras, "gpt-oss-120b")).toBe(2);
  });
});
