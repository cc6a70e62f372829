import { describe, expect, test } from "bun:test";
import { MemoryResponseStore, type StoredResponse } from "../../src/stores/responses.ts";

const stored = (owner = "key:a", size = 10): StoredResponse => ({ owner, response: "r".repeat(size), input: "[]" });

describe("MemoryResponseStore", () => {
  test("put, get, delete", async () => {
    const store = new MemoryResponseStore({ ttlMs: 1000, max: 10, maxBytes: 1_000_000 });
    await store.put("resp_1", stored());
    expect(await store.get("resp_1")).toEqual(stored());
    expect(await store.delete("resp_1")).toBe(true);
    expect(await store.delete("resp_1")).toBe(false);
    expect(await store.get("resp_1")).toBeUndefined();
  });

  test("responses expire ttlMs after they were stored", async () => {
    let now = 0;
    const store = new MemoryResponseStore({ ttlMs: 1000, max: 10, maxBytes: 1_000_000, clock: () => now });
    await store.put("resp_1", stored());
    now = 999;
    expect(await store.get("resp_1")).toBeDefined();
    now = 1000;
    expect(await store.get("resp_1")).toBeUndefined();
  });

  test("past max the least recently used goes", async () => {
    const store = new MemoryResponseStore({ ttlMs: 1000, max: 2, maxBytes: 1_000_000 });
    await store.put("a", stored());
    await store.put("b", stored());
    await store.get("a");
    await store.put("c", stored());
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toBeDefined();
    expect(await store.get("c")).toBeDefined();
  });

  test("past maxBytes the least recently used go; one response larger than the store is not kept", async () => {
    // Each entry is 100 + 2 ("[]") + 5 ("key:a") = 107 characters.
    const store = new MemoryResponseStore({ ttlMs: 1000, max: 100, maxBytes: 250 });
    await store.put("a", stored("key:a", 100));
    await store.put("b", stored("key:a", 100));
    await store.put("c", stored("key:a", 100));
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b")).toBeDefined();
    expect(await store.get("c")).toBeDefined();
    await store.put("huge", stored("key:a", 1000));
    expect(await store.get("huge")).toBeUndefined();
    expect(await store.get("c")).toBeDefined();
    // Replacing an entry does not count it twice.
    await store.put("c", stored("key:a", 100));
    await store.put("c", stored("key:a", 100));
    expect(await store.get("b")).toBeDefined();
  });
});
