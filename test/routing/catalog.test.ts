import { describe, expect, test } from "bun:test";
import { freeModel, startFakeOpenRouter } from "../fakes/openrouter.ts";
import { startGateway } from "../helpers.ts";
import { callsTo, chat, FAST, routedTo, useRoutingGateway } from "./fixture.ts";

const fx = useRoutingGateway();
const [SEED, SECOND] = FAST;
const NEW = "acme/brand-new-model:free";

const modelIds = async () => ((await (await fetch(`${fx.gw.url}/v1/models`)).json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
const byProvider = async () => {
  const body = (await (await fetch(`${fx.gw.url}/v1/models-by-provider`)).json()) as { data: Array<{ provider: string; models: string[] }> };
  return Object.fromEntries(body.data.map((p) => [p.provider, p.models]));
};

/** Runs `fn` with OpenRouter's list changed: `NEW` added, `SEED` retired; the list is restored after. */
async function withChangedList(fn: () => Promise<void>) {
  const saved = [...fx.openrouter.models];
  fx.openrouter.models.splice(fx.openrouter.models.findIndex((m) => m.id === SEED), 1);
  fx.openrouter.models.push(freeModel(NEW), { id: "acme/paid-model", pricing: { prompt: "0.000001", completion: "0.000002" } });
  try {
    await fn();
  } finally {
    fx.openrouter.models.splice(0, Infinity, ...saved);
    fx.openrouter.failModels(undefined);
  }
}

describe("live catalog", () => {
  test("a refresh adds new free models and drops retired ones from listing and routing", async () => {
    await fx.catalog.refresh();
    expect(await modelIds()).toContain(SEED);
    await withChangedList(async () => {
      await fx.catalog.refresh();
      const ids = await modelIds();
      expect(ids).toContain(NEW);
      expect(ids).not.toContain("acme/paid-model");
      expect(ids).not.toContain("openrouter/auto");
      expect(ids).not.toContain(SEED);
      expect((await byProvider()).openrouter).toContain(NEW);
      expect((await byProvider()).gemini).toContain("gemini-2.5-flash");
      // The retired seed is skipped without a request; the next candidate answers first time.
      expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" }))).toEqual({ provider: "openrouter", model: SECOND, attempts: 1 });
      expect(callsTo(fx.openrouter, SEED)).toBe(0);
      const health = (await (await fetch(`${fx.gw.url}/health`)).json()) as { providers: Record<string, { catalog: { models: number }; candidates: Array<{ model: string; state: string }> }> };
      expect(health.providers.openrouter.candidates.find((c) => c.model === SEED)?.state).toBe("dropped");
      expect(health.providers.openrouter.catalog.models).toBe(fx.openrouter.models.length);
      // New free models are routable by their id.
      expect(routedTo(await chat(fx.gw, { model: NEW })).model).toBe(NEW);
    });
  });

  test("a failed refresh keeps the last good catalog", async () => {
    await withChangedList(async () => {
      await fx.catalog.refresh();
      fx.openrouter.models.push(freeModel("acme/never-seen:free"));
      fx.openrouter.failModels(500);
      await fx.catalog.refresh();
      const ids = await modelIds();
      expect(ids).toContain(NEW);
      expect(ids).not.toContain("acme/never-seen:free");
      expect(ids).not.toContain(SEED);
      expect(fx.logs.find((l) => l.event === "catalog_refresh_failed")?.data).toMatchObject({ provider: "openrouter" });
    });
  });

  test("an alias whose every candidate was dropped still tries its list in order", async () => {
    const saved = [...fx.openrouter.models];
    fx.openrouter.models.splice(0, Infinity, freeModel(NEW));
    fx.gemini.models.splice(0, 1);
    try {
      await fx.catalog.refresh();
      // gpt-4o-mini's candidates are all gone from their providers' lists except OpenCode's big-pickle.
      expect(routedTo(await chat(fx.gw, { model: "gpt-4o-mini" })).provider).toBe("opencode");
      // gpt-4-vision has no OpenCode candidate: every one is dropped, so the seed list is tried as is.
      expect(routedTo(await chat(fx.gw, { model: "gpt-4-vision" }))).toEqual({ provider: "openrouter", model: "qwen/qwen3-vl-235b-a22b-instruct:free", attempts: 1 });
    } finally {
      fx.openrouter.models.splice(0, Infinity, ...saved);
      fx.gemini.models.unshift(freeModel("gemini-3-flash-preview"));
    }
  });
});

describe("background refresh", () => {
  test("fetched at start-up without blocking it, refreshed every CATALOG_REFRESH, stopped with the app", async () => {
    const fake = await startFakeOpenRouter();
    const gw = await startGateway({ openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, catalogRefreshMs: 40 });
    try {
      const until = Date.now() + 2000;
      while (fake.modelListings < 3 && Date.now() < until) await Bun.sleep(10);
      expect(fake.modelListings).toBeGreaterThanOrEqual(3);
    } finally {
      await gw.stop();
    }
    const after = fake.modelListings;
    await Bun.sleep(150);
    expect(fake.modelListings).toBe(after);
    await fake.stop();
  });
});
