import { describe, expect, test } from "bun:test";
import { readRateLimitHeaders } from "../../src/providers/rate-limit-headers.ts";

const read = (h: Record<string, string>) => readRateLimitHeaders(new Headers(h));

describe("rate-limit headers", () => {
  test("Groq and OpenAI: durations like 2m59.56s, 7.66s and 20ms", () => {
    expect(read({
      "x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14370", "x-ratelimit-reset-requests": "2m59.56s",
      "x-ratelimit-limit-tokens": "6000", "x-ratelimit-remaining-tokens": "5997", "x-ratelimit-reset-tokens": "20ms",
    })).toEqual({ requests: { remaining: 14370, resetInMs: 179_560 }, tokens: { remaining: 5997, resetInMs: 20 } });
    expect(read({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1h2m3s" })).toEqual({ requests: { remaining: 0, resetInMs: 3_723_000 } });
  });

  test("Cerebras: window suffixes and resets in seconds; the tightest window of a dimension wins", () => {
    expect(read({
      "x-ratelimit-remaining-requests-day": "14399", "x-ratelimit-reset-requests-day": "33011.382867097855",
      "x-ratelimit-remaining-requests-minute": "0", "x-ratelimit-reset-requests-minute": "11.5",
      "x-ratelimit-remaining-tokens-minute": "59980", "x-ratelimit-reset-tokens-minute": "11.382867097854614",
    })).toEqual({ requests: { remaining: 0, resetInMs: 11_500 }, tokens: { remaining: 59980, resetInMs: 11_382.867097854614 } });
  });

  test("OpenRouter: X-RateLimit-Remaining with an epoch reset (ms or s)", () => {
    expect(read({ "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1764547200000" })).toEqual({ requests: { remaining: 0, resetAt: 1_764_547_200_000 } });
    expect(read({ "x-ratelimit-remaining": "3", "x-ratelimit-reset": "1764547200" })).toEqual({ requests: { remaining: 3, resetAt: 1_764_547_200_000 } });
  });

  test("nothing usable: no headers, no reset, garbage", () => {
    expect(read({ "content-type": "application/json" })).toBeUndefined();
    expect(read({ "x-ratelimit-remaining-requests": "0" })).toBeUndefined();
    expect(read({ "x-ratelimit-remaining-requests": "soon", "x-ratelimit-reset-requests": "1s" })).toBeUndefined();
    expect(read({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "later" })).toBeUndefined();
  });
});
