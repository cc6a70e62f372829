import { expect, test } from "bun:test";
import { LruMap } from "../../src/stores/lru.ts";

// Keys from least to most recently used (values are indexes into `keys`); empties the map.
function drain(lru: LruMap<number>, keys: string[]): string[] {
  const out: string[] = [];
  lru.dropOldestWhile((v) => (out.push(keys[v]), true));
  return out;
}

test("LruMap keeps recency: get and set bump, peek does not", () => {
  const keys = ["a", "b", "c", "d"];
  const lru = new LruMap<number>(3);
  expect(lru.set("a", 0)).toBe(false);
  lru.set("b", 1);
  lru.set("c", 2);
  lru.get("a");
  lru.peek("b");
  expect(lru.set("d", 3)).toBe(true); // evicts b
  expect(lru.peek("b")).toBeUndefined();
  lru.set("c", 2);
  expect(drain(lru, keys)).toEqual(["a", "d", "c"]);
  expect(lru.size).toBe(0);
});

test("LruMap delete at head, middle and tail; dropOldestWhile stops at the first fresh entry", () => {
  const keys = ["a", "b", "c", "d", "e"];
  const lru = new LruMap<number>();
  keys.forEach((k, i) => lru.set(k, i));
  expect(lru.delete("a")).toBe(true);
  expect(lru.delete("c")).toBe(true);
  expect(lru.delete("e")).toBe(true);
  expect(lru.delete("e")).toBe(false);
  lru.set("f", 5);
  expect(lru.dropOldestWhile((v) => v < 2)).toBe(1); // b; d stops it
  expect(lru.size).toBe(2);
  lru.clear();
  expect(lru.size).toBe(0);
  lru.set("a", 0);
  expect(lru.get("a")).toBe(0);
});

test("LruMap grows past its first capacity, reuses freed places, and a size-0 map keeps nothing", () => {
  const lru = new LruMap<number>(1000);
  for (let i = 0; i < 1500; i++) lru.set(`k${i}`, i);
  expect(lru.size).toBe(1000);
  expect(lru.peek("k499")).toBeUndefined();
  expect(lru.peek("k500")).toBe(500);
  for (let i = 500; i < 1000; i++) lru.delete(`k${i}`);
  for (let i = 0; i < 500; i++) lru.set(`n${i}`, -i);
  expect(lru.size).toBe(1000);
  expect(lru.peek("k1000")).toBe(1000);
  expect(lru.peek("n499")).toBe(-499);
  expect(lru.dropOldestWhile((v) => v >= 1000)).toBe(500);

  const none = new LruMap<number>(0);
  expect(none.set("a", 1)).toBe(true);
  expect(none.size).toBe(0);
  expect(none.get("a")).toBeUndefined();
});
