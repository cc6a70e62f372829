import { describe, expect, test } from "bun:test";
import { MemoryCacheStore } from "../../src/stores/cache.ts";

function setup(maxEntries: number) {
  const time = { now: 1_700_000_000_000 };
  return { time, cache: new MemoryCacheStore({ maxEntries, clock: () => time.now }) };
}

describe("MemoryCacheStore", () => {
  test("stores and returns values", () => {
    const { cache } = setup(10);
    expect(cache.get("a")).toBeUndefined();
    cache.set("a", "1", 1000);
    cache.set("a", "2", 1000);
    expect(cache.get("a")).toBe("2");
    expect(cache.size()).toBe(1);
  });

  test("evicts the least recently used past maxEntries; a hit counts as use", () => {
    const { cache } = setup(3);
    cache.set("a", "1", 1000);
    cache.set("b", "2", 1000);
    cache.set("c", "3", 1000);
    expect(cache.get("a")).toBe("1"); // b is now the least recently used
    cache.set("d", "4", 1000);
    expect(cache.size()).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual(["1", "3", "4"]);
  });

  test("expires entries after their TTL on the injected clock", () => {
    const { time, cache } = setup(10);
    cache.set("short", "s", 100);
    cache.set("long", "l", 1000);
    time.now += 99;
    expect(cache.get("short")).toBe("s");
    time.now += 1;
    expect(cache.get("short")).toBeUndefined();
    expect(cache.size()).toBe(1); // reclaimed on read
    expect(cache.get("long")).toBe("l");
    time.now += 900;
    expect(cache.get("long")).toBeUndefined();
  });

  test("maxEntries 0 disables it and ttl <= 0 stores nothing", () => {
    const off = setup(0).cache;
    off.set("a", "1", 1000);
    expect(off.get("a")).toBeUndefined();
    expect(off.size()).toBe(0);
    const { cache } = setup(10);
    cache.set("a", "1", 0);
    expect(cache.size()).toBe(0);
  });

  test("clear empties it", () => {
    const { cache } = setup(10);
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, "v", 1000);
    cache.clear();
    expect(cache.size()).toBe(0);
    expect(cache.get("k1")).toBeUndefined();
    cache.set("k1", "again", 1000);
    expect(cache.get("k1")).toBe("again");
  });

  test("stays bounded under churn", () => {
    const { cache } = setup(1000);
    for (let i = 0; i < 100_000; i++) cache.set(`k${i}`, "v", 60_000);
    expect(cache.size()).toBe(1000);
    expect(cache.get("k99999")).toBe("v");
    expect(cache.get("k98999")).toBeUndefined();
  });
});
