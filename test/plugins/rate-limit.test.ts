import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MemoryRateLimitStore } from "../../src/stores/rate-limit.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, startGateway, type Gateway } from "../helpers.ts";

let now = 1_000_000;
const clock = () => now;
let fake: FakeOpenRouter;
let gw: Gateway;
const chat = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
const as = (key: string) => ({ authorization: `Bearer ${key}`, "cache-control": "no-store" });

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  gw = await startGateway(
    { openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl }, rateLimit: { maxRequests: 3, windowMs: 60_000 } },
    { clock, rateLimitStore: new MemoryRateLimitStore({ clock }) },
  );
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});

describe("token bucket per client key", () => {
  test("a burst of capacity passes, the next gets 429 with Retry-After; refill restores exactly one", async () => {
    const url = `${gw.url}/v1/chat/completions`;
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(url, chat, as("sk-burst"));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("3");
      remaining.push(res.headers.get("x-ratelimit-remaining-requests")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await post(url, chat, as("sk-burst"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("20"); // 60 s / 3 tokens
    expect(limited.headers.get("retry-after-ms")).toBe("20000");
    expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const error = await errorBody(limited);
    expect(error.type).toBe("rate_limit_error");
    expect(error.code).toBe("rate_limit_exceeded");

    now += 19_999; // fractional tokens: not yet a whole one
    expect((await post(url, chat, as("sk-burst"))).status).toBe(429);
    now += 1;
    expect((await post(url, chat, as("sk-burst"))).status).toBe(200);
    expect((await post(url, chat, as("sk-burst"))).status).toBe(429);
  });

  test("each key has its own bucket; the raw key is never a bucket name", async () => {
    const url = `${gw.url}/v1/chat/completions`;
    for (let i = 0; i < 3; i++) expect((await post(url, chat, as("sk-a"))).status).toBe(200);
    expect((await post(url, chat, as("sk-a"))).status).toBe(429);
    expect((await post(url, chat, as("sk-b"))).status).toBe(200);
  });

  test("without a key the client IP is the bucket", async () => {
    const url = `${gw.url}/v1/models`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(url)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  test("the login routes share the client's bucket", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${gw.url}/auth/me`, { headers: as("sk-login-flood") })).status);
    // Three pass the limiter (and get the login routes' own 401), the fourth is refused by it.
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test("health, metrics and docs are exempt and carry no rate-limit headers", async () => {
    for (const path of ["/health", "/metrics", "/swagger/json", "/"]) {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${gw.url}${path}`, { headers: as("sk-exempt") });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-ratelimit-limit-requests")).toBeNull();
      }
    }
  });
});
