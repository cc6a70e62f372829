import { describe, expect, test } from "bun:test";
import { callsTo, chat, FAST, routedTo, useRoutingGateway } from "./fixture.ts";

const fx = useRoutingGateway({ maxRetries: 2, retryDelayMs: 10 });
const [SEED, SECOND] = FAST;
// What gpt-4o-mini falls back to after its OpenRouter candidates (src/routing/aliases.ts).
const GEMINI_FALLBACK = "gemini-3-flash-preview";
const HOUR = 3_600_000;

interface Health { providers: Record<string, { candidates: Array<{ model: string; state: string; until?: string; reason?: string }> }> }
const candidate = async (provider: string, model: string) => {
  const body = (await (await fetch(`${fx.gw.url}/health`)).json()) as Health;
  return body.providers[provider].candidates.find((c) => c.model === model);
};

describe("daily caps", () => {
  test("OpenRouter's daily free cap closes every free OpenRouter candidate until its reset, then the seed is probed", async () => {
    const resetAt = fx.now() + HOUR;
    fx.openrouter.always(SEED, { kind: "daily-cap", resetAt });
    let res = await chat(fx.gw, { model: "gpt-4o-mini" });
    // The cap is per account: the other :free models (and openrouter/free) would refuse too, so the
    // next provider answers at once instead of after one wasted 429 per free model.
    expect(routedTo(res)).toEqual({ provider: "gemini", model: GEMINI_FALLBACK, attempts: 2 });
    expect(fx.openrouter.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(1);
    expect(fx.sleeps).toEqual([]);
    expect(await candidate("openrouter", SEED)).toMatchObject({ state: "cooling_down", until: new Date(resetAt).toISOString(), reason: "quota" });

    fx.skewMs = HOUR - 60_000;
    res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(routedTo(res)).toEqual({ provider: "gemini", model: GEMINI_FALLBACK, attempts: 1 });
    expect(callsTo(fx.openrouter, SEED)).toBe(1);
    expect(callsTo(fx.openrouter, SECOND)).toBe(0);

    // Past the reset the seed gets one probe; it answers again, and its circuit closes.
    fx.openrouter.reset();
    fx.skewMs = HOUR + 1000;
    res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SEED, attempts: 1 });
    expect(await candidate("openrouter", SEED)).toMatchObject({ state: "ok" });
  });

  test("OpenRouter's free-models-per-min cap closes the whole free pool until the reset it names", async () => {
    const resetAt = fx.now() + 45_000;
    fx.openrouter.always(SEED, { kind: "error", status: 429, body: { error: { code: 429, message: "Rate limit exceeded: free-models-per-min.", metadata: { headers: { "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(resetAt) } } } } });
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "gemini", model: GEMINI_FALLBACK, attempts: 2 });
    expect(callsTo(fx.openrouter, SECOND)).toBe(0);
    expect(await candidate("openrouter", "*free")).toMatchObject({ state: "cooling_down", until: new Date(resetAt).toISOString(), reason: "rate_limit" });
    // Past the reset the pool and the seed are back at once, with no probe.
    fx.openrouter.reset();
    fx.skewMs = 46_000;
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "openrouter", model: SEED, attempts: 1 });
  });

  test("a quota of one model (Gemini's are per model) cools only that model", async () => {
    const resetAt = fx.now() + HOUR;
    fx.openrouter.always(SEED, { kind: "error", status: 429, headers: { "retry-after": "3600" }, body: { error: { code: 429, message: "Rate limit exceeded: model quota" } } });
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SECOND, attempts: 2 });
    expect((await candidate("openrouter", SEED))?.state).toBe("cooling_down");
    expect(new Date((await candidate("openrouter", SEED))!.until!).getTime()).toBeGreaterThanOrEqual(resetAt - 1000);
  });

  test("with one model capped, 200 requests across its alias are all answered on the first try", async () => {
    fx.openrouter.always(SEED, { kind: "daily-cap", resetAt: fx.now() + HOUR });
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => chat(fx.gw, { model: "gpt-4o-mini" })));
      for (const r of replies) {
        statuses.push(r.status);
        await r.arrayBuffer();
      }
    }
    const answered = statuses.filter((s) => s === 200).length;
    expect(answered / statuses.length).toBeGreaterThanOrEqual(0.99);
    expect(answered).toBe(200);
    // Only requests in flight before the first cap came back reached the capped model.
    expect(callsTo(fx.openrouter, SEED)).toBeLessThanOrEqual(20);
  });
});

describe("circuit breaker", () => {
  test("repeated failures open the circuit; after the cooldown one probe closes it again", async () => {
    fx.openrouter.always(SEED, { kind: "error", status: 500 });
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "openrouter", model: SECOND, attempts: 4 });
    expect(await candidate("openrouter", SEED)).toMatchObject({ state: "open", reason: "server" });
    // Open: skipped without a request.
    expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" })).attempts).toBe(1);
    expect(callsTo(fx.openrouter, SEED)).toBe(3);

    // After the cooldown: half-open. Of two concurrent requests only one probes the seed.
    fx.openrouter.reset();
    fx.openrouter.always(SEED, { kind: "reply", delayMs: 150 });
    fx.skewMs = 31_000;
    expect(await candidate("openrouter", SEED)).toMatchObject({ state: "half_open" });
    const both = await Promise.all([chat(fx.gw, { model: "gpt-4o-mini" }), chat(fx.gw, { model: "gpt-4o-mini" })]);
    expect(both.map((r) => routedTo(r).model).sort()).toEqual([SECOND, SEED].sort());
    expect(callsTo(fx.openrouter, SEED)).toBe(1);
    expect(await candidate("openrouter", SEED)).toMatchObject({ state: "ok" });
  });

  test("a failed probe opens the circuit again at once, without retries", async () => {
    fx.openrouter.always(SEED, { kind: "error", status: 500 });
    await chat(fx.gw, { model: "gpt-4o-mini" });
    fx.skewMs = 31_000;
    const res = await chat(fx.gw, { model: "gpt-4o-mini" });
    expect(routedTo(res)).toEqual({ provider: "openrouter", model: SECOND, attempts: 2 });
    expect(callsTo(fx.openrouter, SEED)).toBe(4);
    expect(await candidate("openrouter", SEED)).toMatchObject({ state: "open" });
  });

  test("when every candidate is cooling down, those cooled on a guess are still tried; a capped one is not", async () => {
    fx.openrouter.always("meta-llama/llama-3.3-70b-instruct:free", { kind: "daily-cap", resetAt: fx.now() + HOUR });
    fx.gemini.always("*", { kind: "error", status: 404 });
    const direct = { model: "meta-llama/llama-3.3-70b-instruct:free" };
    let res = await chat(fx.gw, direct);
    expect(res.status).toBe(404);
    fx.openrouter.reset();
    fx.gemini.reset();
    // Both are cooling down now: OpenRouter until its known reset, Gemini on a guess (a 404 for 30 s).
    // The guess is tried, and Gemini has recovered; the capped model gets no call before its reset.
    res = await chat(fx.gw, direct);
    expect(routedTo(res)).toEqual({ provider: "gemini", model: GEMINI_FALLBACK, attempts: 1 });
    expect(callsTo(fx.openrouter, direct.model)).toBe(0);
  });
});
