import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { MemoryCacheStore } from "../../src/stores/cache.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";

let now = 5_000_000;
const clock = () => now;
let fake: FakeOpenRouter;
let gw: Gateway;
const ADMIN = "admin-token-0123456789abcdef-0123456789";
const chatUrl = () => `${gw.url}/v1/chat/completions`;
const upstreamCalls = () => fake.requests.length;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway(
    { openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, cache: { ttlMs: 60_000, maxEntries: 100 }, auth: { adminToken: ADMIN }, maxRetries: 0 },
    { clock, cacheStore: new MemoryCacheStore({ maxEntries: 100, clock }) },
  );
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});
beforeEach(async () => {
  fake.reset();
  await post(`${gw.url}/config/clear-cache`, {}, { authorization: `Bearer ${ADMIN}` });
});

const base = { model: "gpt-4o-mini", messages: [{ role: "user", content: "cache me" }], temperature: 0.5 };

describe("response cache", () => {
  test("a repeat is a HIT served without calling the upstream, with the same answer", async () => {
    const first = await post(chatUrl(), base);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const a = (await first.json()) as { id: string; choices: unknown; sessionId: string };
    const second = await post(chatUrl(), base);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.headers.get("x-gateway-provider")).toBe("openrouter");
    const b = (await second.json()) as { id: string; choices: unknown; sessionId: string };
    expect(b.id).toBe(a.id);
    expect(b.choices).toEqual(a.choices);
    // Each caller keeps its own session; the cached answer carries none of the first caller's.
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(upstreamCalls()).toBe(1);
  });

  test("the SDK sees hits too", async () => {
    const one = await gw.client.chat.completions.create({ model: "gpt-4", messages: [{ role: "user", content: "sdk" }] });
    const two = await gw.client.chat.completions.create({ model: "gpt-4", messages: [{ role: "user", content: "sdk" }] });
    expect(two.choices[0].message.content).toBe(one.choices[0].message.content);
    expect(upstreamCalls()).toBe(1);
  });

  const variants: Array<[string, Record<string, unknown>]> = [
    ["model", { model: "gpt-4" }],
    ["messages", { messages: [{ role: "user", content: "other" }] }],
    ["temperature", { temperature: 0.6 }],
    ["top_p", { top_p: 0.5 }],
    ["seed", { seed: 7 }],
    ["n", { n: 2 }],
    ["max_tokens", { max_tokens: 10 }],
    ["stop", { stop: ["x"] }],
    ["tools", { tools: [{ type: "function", function: { name: "f" } }] }],
    ["tool_choice", { tools: [{ type: "function", function: { name: "f" } }], tool_choice: "required" }],
    ["response_format", { response_format: { type: "json_object" } }],
    ["presence_penalty", { presence_penalty: 1 }],
    ["a vendor field", { provider: { sort: "price" } }],
  ];
  for (const [name, change] of variants) {
    test(`a different ${name} is a different entry`, async () => {
      await post(chatUrl(), base);
      const res = await post(chatUrl(), { ...base, ...change });
      expect(res.headers.get("x-cache")).toBe("MISS");
      expect(upstreamCalls()).toBe(2);
    });
  }

  test("the user field does not split entries", async () => {
    await post(chatUrl(), { ...base, user: "a" });
    expect((await post(chatUrl(), { ...base, user: "b" })).headers.get("x-cache")).toBe("HIT");
  });

  test("Cache-Control: no-cache skips the lookup but refreshes the entry; no-store skips the cache", async () => {
    await post(chatUrl(), base);
    const fresh = await post(chatUrl(), base, { "cache-control": "no-cache" });
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(2);
    const bypass = await post(chatUrl(), base, { "cache-control": "no-store" });
    expect(bypass.headers.get("x-cache")).toBe("BYPASS");
    expect(upstreamCalls()).toBe(3);
    expect((await post(chatUrl(), base)).headers.get("x-cache")).toBe("HIT");
  });

  test("entries expire after CACHE_TTL", async () => {
    await post(chatUrl(), base);
    now += 59_000;
    expect((await post(chatUrl(), base)).headers.get("x-cache")).toBe("HIT");
    now += 2_000;
    expect((await post(chatUrl(), base)).headers.get("x-cache")).toBe("MISS");
  });

  test("errors and cut-short answers are never cached", async () => {
    const direct = { ...base, model: "qwen/qwen3-coder:free" };
    fake.script("*", { kind: "error", status: 500 });
    expect((await post(chatUrl(), direct)).status).toBe(502);
    expect((await post(chatUrl(), direct)).headers.get("x-cache")).toBe("MISS");
    fake.script("*", { kind: "reply", finishReason: "length" }, { kind: "reply", finishReason: "length" });
    await post(chatUrl(), { ...direct, seed: 1 });
    expect((await post(chatUrl(), { ...direct, seed: 1 })).headers.get("x-cache")).toBe("MISS");
  });

  test("streams are not cached", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await post(chatUrl(), { ...base, stream: true });
      expect(res.headers.get("x-cache")).toBeNull();
      await res.text();
    }
    expect(upstreamCalls()).toBe(2);
  });

  test("embeddings are cached", async () => {
    const body = { model: "text-embedding-3-small", input: ["a", "b"] };
    await post(`${gw.url}/v1/embeddings`, body);
    const hit = await post(`${gw.url}/v1/embeddings`, body);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(((await hit.json()) as { data: unknown[] }).data).toHaveLength(2);
    expect(upstreamCalls()).toBe(1);
  });

  test("hits and misses are counted in /metrics", async () => {
    const count = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1]);
    const [hits, misses] = [await count("response_cache_hits_total"), await count("response_cache_misses_total")];
    await post(chatUrl(), base);
    await post(chatUrl(), base);
    expect(await count("response_cache_misses_total")).toBe(misses + 1);
    expect(await count("response_cache_hits_total")).toBe(hits + 1);
  });

  test("POST /config/clear-cache needs the admin token and empties the cache", async () => {
    await post(chatUrl(), base);
    expect((await post(`${gw.url}/config/clear-cache`, {})).status).toBe(401);
    expect((await post(`${gw.url}/config/clear-cache`, {}, { authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    const cleared = await post(`${gw.url}/config/clear-cache`, {}, { authorization: `Bearer ${ADMIN}` });
    expect(await cleared.json()).toEqual({ cleared: true });
    expect((await post(chatUrl(), base)).headers.get("x-cache")).toBe("MISS");
  });
});
