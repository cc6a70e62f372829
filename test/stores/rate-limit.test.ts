import { describe, expect, test } from "bun:test";
import { MemoryRateLimitStore } from "../../src/stores/rate-limit.ts";

// An epoch-sized start catches float-precision slips at bucket boundaries.
function setup(options: { maxKeys?: number } = {}) {
  const time = { now: 1_700_000_000_000 };
  const store = new MemoryRateLimitStore({ clock: () => time.now, ...options });
  return { time, store };
}

describe("MemoryRateLimitStore", () => {
  test("allows a burst of exactly capacity, then refuses with exact retry and reset times", () => {
    const { store } = setup();
    const refill = 5 / 1000; // 5 requests per second
    for (let i = 4; i >= 0; i--) {
      expect(store.take("k", 5, refill)).toEqual({ allowed: true, remaining: i, retryAfterMs: 0, resetMs: (5 - i) * 200 });
    }
    expect(store.take("k", 5, refill)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 200, resetMs: 1000 });
  });

  test("refills continuously with fractional tokens", () => {
    const { time, store } = setup();
    const refill = 5 / 1000;
    for (let i = 0; i < 5; i++) store.take("k", 5, refill);
    time.now += 100; // half a token
    expect(store.take("k", 5, refill)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 100, resetMs: 900 });
    time.now += 100; // exactly one token
    expect(store.take("k", 5, refill)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 1000 });
    time.now += 700; // 3.5 tokens
    expect(store.take("k", 5, refill)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0, resetMs: 500 });
    time.now += 10_000; // full again, never more than capacity
    expect(store.take("k", 5, refill).remaining).toBe(4);
  });

  test("stays exact at boundaries with a rate that is not a round number", () => {
    const { time, store } = setup();
    const refill = 7 / 3000;
    for (let i = 0; i < 7; i++) expect(store.take("k", 7, refill).allowed).toBe(true);
    for (let round = 0; round < 50; round++) {
      time.now += 3000; // exactly 7 tokens each time
      for (let i = 6; i >= 0; i--) expect(store.take("k", 7, refill).remaining).toBe(i);
      expect(store.take("k", 7, refill).allowed).toBe(false);
    }
    time.now += 428; // 0.9987 tokens
    expect(store.take("k", 7, refill)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    time.now += 1;
    expect(store.take("k", 7, refill).allowed).toBe(true);
  });

  test("keys are isolated", () => {
    const { store } = setup();
    expect(store.take("a", 1, 0.001).allowed).toBe(true);
    expect(store.take("a", 1, 0.001).allowed).toBe(false);
    expect(store.take("b", 1, 0.001).allowed).toBe(true);
  });

  test("cost takes several tokens and retryAfterMs waits for all of them", () => {
    const { store } = setup();
    expect(store.take("k", 10, 0.01, 8)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0, resetMs: 800 });
    expect(store.take("k", 10, 0.01, 5)).toEqual({ allowed: false, remaining: 2, retryAfterMs: 300, resetMs: 800 });
    expect(() => store.take("k", 10, 0.01, 11)).toThrow(RangeError);
    expect(() => store.take("k", 10, 0)).toThrow(RangeError);
  });

  test("drops buckets that have refilled, which is the same as keeping them", () => {
    const { time, store } = setup();
    for (let i = 0; i < 1000; i++) store.take(`k${i}`, 10, 0.01);
    expect(store.size).toBe(1000);
    time.now += 1_000; // refilled after 100 ms; the sweep runs at most once a second
    expect(store.take("other", 10, 0.01).remaining).toBe(9);
    expect(store.size).toBe(1);
    expect(store.take("k1", 10, 0.01).remaining).toBe(9);
  });

  test("keeps at most maxKeys, dropping the least recently used", () => {
    const { store } = setup({ maxKeys: 3 });
    for (const key of ["a", "b", "c"]) store.take(key, 1, 0.001);
    store.take("a", 1, 0.001); // refused, but touches a
    store.take("d", 1, 0.001); // evicts b
    expect(store.size).toBe(3);
    expect(store.take("a", 1, 0.001).allowed).toBe(false);
    expect(store.take("b", 1, 0.001).allowed).toBe(true); // came back full
  });

  test("200k distinct keys stay bounded and fast", () => {
    const { time, store } = setup();
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) {
      time.now += 0.001; // never long enough for a bucket to refill
      store.take(`key-${i}`, 60, 60 / 60_000);
    }
    expect(store.size).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
