// Free capacity over simulated days: fakes that enforce free caps on a virtual clock, and the gateway in
// front of them on the same clock. Each scenario sends more requests than the pools hold and measures
// what the issue targets: answers, upstream calls wasted on refusals, and refusals while some candidate
// still had quota (none allowed, except within a second of a reset announced in whole seconds).
import { afterEach, describe, expect, test } from "bun:test";
import { DAY, MINUTE, startCappedUpstream, type CappedModel, type CappedUpstream } from "../fakes/capped.ts";
import { startGateway, testConfig, type Gateway } from "../helpers.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openai-compatible/provider.ts";
import { PRESETS } from "../../src/providers/presets.ts";
import { createRegistry } from "../../src/providers/registry.ts";
import { CHAT_ALIASES, type Target } from "../../src/routing/aliases.ts";
import { abortableSleep } from "../../src/routing/router.ts";

let now = 0;
const clock = () => now;
const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function upstream(...args: Parameters<typeof startCappedUpstream>) {
  const fake = await startCappedUpstream(...args);
  running.push(fake);
  return fake;
}

/** The gateway over these fakes by provider name; retry waits are instant (the virtual clock does not move during them). */
async function gateway(fakes: Record<string, CappedUpstream>): Promise<Gateway> {
  const keyed = (names: string[]) => Object.fromEntries(names.filter((n) => fakes[n]).map((n) => [n, { apiKey: fakes[n].apiKey, baseUrl: fakes[n].baseUrl }]));
  const config = { ...keyed(["openrouter", "opencode"]), presets: keyed(PRESETS.map((p) => p.name)), catalogRefreshMs: 0 };
  const registry = createRegistry(testConfig(config));
  // Gemini's own wire format is tested elsewhere; here an OpenAI-compatible stand-in carries its caps.
  const gemini = fakes.gemini;
  if (gemini) registry.add(new OpenAICompatibleProvider({ name: "gemini", label: "Gemini", apiKey: gemini.apiKey, baseUrl: gemini.baseUrl, requiresKey: true, envHint: [] }));
  const gw = await startGateway(config, { clock, registry, routing: { sleep: (_ms, signal) => abortableSleep(0, signal) } });
  running.push(gw);
  return gw;
}

interface Day {
  requests: number;
  answered: number;
  /** Upstream calls that did not answer (429s and errors). */
  wasted: number;
  /** Refusals while a candidate had quota left (and had had it for over a second). */
  wrongRefusals: number;
}

/**
 * Sends one request per entry of `times` (ms into the day starting at `dayStart`), `batch` at a time at
 * the same virtual instant, to the models in turn; checks each refusal against the fakes' caps.
 */
async function simulateDay(gw: Gateway, fakes: Record<string, CappedUpstream>, models: string[], dayStart: number, times: number[], batch: number): Promise<Day> {
  const wastedBefore = Object.values(fakes).reduce((n, f) => n + f.calls.filter((c) => c.status !== 200).length, 0);
  const day: Day = { requests: times.length, answered: 0, wasted: 0, wrongRefusals: 0 };
  const candidates = (model: string): Target[] => CHAT_ALIASES.get(model)!.filter((t) => fakes[t.provider]);
  for (let i = 0; i < times.length; i += batch) {
    now = dayStart + times[i];
    const group = models.length === 1 ? [models[0]] : models;
    const sent = times.slice(i, i + batch).map((_, j) => group[(i + j) % group.length]);
    const replies = await Promise.all(sent.map(async (model) => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
      });
      await res.arrayBuffer();
      return { model, status: res.status };
    }));
    for (const r of replies) {
      if (r.status === 200) {
        day.answered++;
        continue;
      }
      const stillHad = candidates(r.model).some((t) => fakes[t.provider].available(t.model, now) && fakes[t.provider].available(t.model, now - 1000));
      if (stillHad) day.wrongRefusals++;
    }
  }
  day.wasted = Object.values(fakes).reduce((n, f) => n + f.calls.filter((c) => c.status !== 200).length, 0) - wastedBefore;
  return day;
}

const spread = (n: number) => Array.from({ length: n }, (_, i) => Math.floor((i * DAY) / n));
/** `n` requests at `perSecond` from the start of the day. */
const burst = (n: number, perSecond: number) => Array.from({ length: n }, (_, i) => Math.floor((i * 1000) / perSecond));
const nextMidnight = () => (Math.floor(Date.now() / DAY) + 1) * DAY;

// The three original providers' free caps. OpenRouter publishes 50 free requests a day per account
// without credit and 20 a minute; Google no longer publishes Gemini's free caps, so the last published
// ones of a Flash model (10 a minute, 250 a day) stand in; OpenCode publishes none: 200 a day assumed.
async function threeProviders() {
  const orModels: CappedModel[] = CHAT_ALIASES.get("gpt-4o-mini")!.filter((t) => t.provider === "openrouter").map((t) => ({ id: t.model, caps: [] }));
  const fakes = {
    openrouter: await upstream({ style: "openrouter", clock, models: orModels, shared: [{ requests: 50, windowMs: DAY }, { requests: 20, windowMs: MINUTE }] }),
    gemini: await upstream({ style: "plain", clock, models: [{ id: "gemini-3-flash-preview", caps: [{ requests: 250, windowMs: DAY }, { requests: 10, windowMs: MINUTE }] }] }),
    opencode: await upstream({ style: "plain", clock, models: [{ id: "big-pickle", caps: [{ requests: 200, windowMs: DAY }] }] }),
  };
  return { fakes, gw: await gateway(fakes), capacity: 500 };
}

describe("capacity over simulated days", () => {
  test("three providers, requests spread over the day at twice their capacity, then a second day", async () => {
    const { fakes, gw, capacity } = await threeProviders();
    const start = nextMidnight();
    const first = await simulateDay(gw, fakes, ["gpt-4o-mini"], start, spread(2 * capacity), 4);
    expect(first.answered).toBe(capacity);
    expect(first.wrongRefusals).toBe(0);
    expect(first.wasted / first.answered).toBeLessThan(0.5);

    // The second day: every pool is fresh at midnight, and no cooldown outlasts its reset.
    const second = await simulateDay(gw, fakes, ["gpt-4o-mini"], start + DAY, spread(2 * capacity), 4);
    expect(second.answered).toBe(capacity);
    expect(second.wrongRefusals).toBe(0);
    expect(second.wasted / second.answered).toBeLessThan(0.5);
  });

  test("three providers at 120 requests a second: the minute caps bind, nothing is refused while quota is left", async () => {
    const { fakes, gw } = await threeProviders();
    const start = nextMidnight();
    // 1,000 requests in the first ~8 s, then 200 spread over the rest of the day.
    const times = [...burst(1000, 120), ...spread(200).map((t) => 10_000 + Math.floor(t * (DAY - 10_000) / DAY))];
    const day = await simulateDay(gw, fakes, ["gpt-4o-mini"], start, times, 8);
    expect(day.wrongRefusals).toBe(0);
    expect(day.wasted / day.answered).toBeLessThan(0.5);
    // The burst got each minute cap's worth plus OpenCode's day; the rest of the day drained the daily caps.
    expect(day.answered).toBeGreaterThanOrEqual(230);
  });

  test("with the Groq and Cerebras presets keyed, their published caps hold over 50,000 answers a day", async () => {
    // Daily caps are divided by SCALE so that the day takes a thousand requests, not a hundred thousand;
    // per-minute caps stay as published (spread over a day they never bind: 30 a minute is 43,200 a day,
    // above every daily cap here). Answers are 20 tokens, so the daily token caps do not bind either.
    const SCALE = 100;
    const published: Record<string, Record<string, { rpd: number; tpd: number; rpm: number; tpm: number }>> = {
      groq: {
        "llama-3.1-8b-instant": { rpd: 14_400, tpd: 500_000, rpm: 30, tpm: 6_000 },
        "llama-3.3-70b-versatile": { rpd: 1_000, tpd: 100_000, rpm: 30, tpm: 12_000 },
        "openai/gpt-oss-120b": { rpd: 1_000, tpd: 200_000, rpm: 30, tpm: 8_000 },
        "openai/gpt-oss-20b": { rpd: 1_000, tpd: 200_000, rpm: 30, tpm: 8_000 },
      },
      cerebras: Object.fromEntries(["llama3.1-8b", "qwen-3-32b", "gpt-oss-120b", "qwen-3-235b-a22b-instruct-2507", "llama-3.3-70b"]
        .map((id) => [id, { rpd: 14_400, tpd: 1_000_000, rpm: 30, tpm: 60_000 }])),
    };
    const caps = (name: string): CappedModel[] => Object.entries(published[name]).map(([id, c]) => ({
      id,
      caps: [
        { requests: c.rpd / SCALE, windowMs: DAY, reported: true },
        { tokens: c.tpd / SCALE, windowMs: DAY },
        { requests: c.rpm, windowMs: MINUTE },
        { tokens: c.tpm, windowMs: MINUTE, reported: true },
      ],
    }));
    const fakes = {
      groq: await upstream({ style: "groq", clock, models: caps("groq") }),
      cerebras: await upstream({ style: "cerebras", clock, models: caps("cerebras") }),
    };
    // Every model above is one of the presets' fast or large models: the two classes plain `auto` draws on.
    const presetModels = PRESETS.filter((p) => fakes[p.name as keyof typeof fakes]).flatMap((p) => [...p.models.fast!, ...p.models.large!].map((m) => `${p.name}:${m}`));
    expect(new Set(presetModels)).toEqual(new Set(Object.entries(published).flatMap(([p, models]) => Object.keys(models).map((m) => `${p}:${m}`))));

    const gw = await gateway(fakes);
    const capacity = Object.values(published).flatMap((models) => Object.values(models)).reduce((n, c) => n + c.rpd / SCALE, 0);
    const day = await simulateDay(gw, fakes, ["gpt-4o-mini", "gpt-4o"], nextMidnight(), spread(Math.round(capacity * 1.2)), 4);
    const answersPerDay = day.answered * SCALE;
    console.log(`capacity simulation: ${day.answered} answers of ${day.requests} requests at caps / ${SCALE} -> ${answersPerDay} answers a day at published caps; ${day.wasted} wasted upstream calls`);
    expect(answersPerDay).toBeGreaterThan(50_000);
    expect(day.answered).toBe(capacity);
    expect(day.wrongRefusals).toBe(0);
    expect(day.wasted / day.answered).toBeLessThan(0.5);
  });
});
