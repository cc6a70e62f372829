import { describe, expect, test } from "bun:test";
import { MAX_SESSION_TAGS, MemorySessionStore, newSessionId } from "../../src/stores/sessions.ts";

function setup(max?: number) {
  const time = { now: 1_700_000_000_000 };
  const store = new MemorySessionStore({ ttlMs: 60_000, max, clock: () => time.now, sweepIntervalMs: 1_000 });
  return { time, store };
}

describe("MemorySessionStore", () => {
  test("touch creates, then accumulates; get and delete", () => {
    const { time, store } = setup();
    expect(store.touch("s1", { owner: "o", model: "m1", provider: "gemini", promptTokens: 10, completionTokens: 5 })).toBe(true);
    expect(store.get("s1")).toEqual({
      id: "s1",
      owner: "o",
      createdAt: time.now,
      lastActivity: time.now,
      requests: 1,
      promptTokens: 10,
      completionTokens: 5,
      models: ["m1"],
      providers: ["gemini"],
    });
    time.now += 1000;
    store.touch("s1", { owner: "o", model: "m2", provider: "gemini", promptTokens: 1 });
    expect(store.get("s1")).toMatchObject({
      createdAt: time.now - 1000,
      lastActivity: time.now,
      requests: 2,
      promptTokens: 11,
      completionTokens: 5,
      models: ["m1", "m2"],
      providers: ["gemini"],
    });
    expect(store.delete("s1")).toBe(true);
    expect(store.delete("s1")).toBe(false);
    expect(store.get("s1")).toBeUndefined();
  });

  test("refuses a touch from another owner and leaves the session alone", () => {
    const { store } = setup();
    store.touch("s1", { owner: "alice" });
    expect(store.touch("s1", { owner: "mallory", promptTokens: 99 })).toBe(false);
    expect(store.get("s1")).toMatchObject({ owner: "alice", requests: 1, promptTokens: 0 });
  });

  test("keeps at most MAX_SESSION_TAGS distinct models", () => {
    const { store } = setup();
    for (let i = 0; i < 20; i++) store.touch("s", { owner: "o", model: `m${i % 12}` });
    expect(store.get("s")?.models).toEqual(Array.from({ length: MAX_SESSION_TAGS }, (_, i) => `m${i}`));
  });

  test("expires after ttl of inactivity; activity extends it", () => {
    const { time, store } = setup();
    store.touch("idle", { owner: "o" });
    store.touch("busy", { owner: "o" });
    time.now += 59_999;
    store.touch("busy", { owner: "o" });
    expect(store.get("idle")).toBeDefined();
    time.now += 1;
    expect(store.get("idle")).toBeUndefined();
    expect(store.get("busy")).toBeDefined();
    expect(store.stats()).toEqual({ active: 1, created: 2, evicted: 0, expired: 1 });
    // An expired id starts over, even for another owner.
    expect(store.touch("idle", { owner: "someone-else" })).toBe(true);
    expect(store.get("idle")).toMatchObject({ owner: "someone-else", requests: 1 });
  });

  test("touch sweeps expired sessions it never reads", () => {
    const { time, store } = setup();
    for (let i = 0; i < 100; i++) store.touch(`s${i}`, { owner: "o" });
    time.now += 60_000;
    store.touch("new", { owner: "o" });
    expect(store.stats()).toEqual({ active: 1, created: 101, evicted: 0, expired: 100 });
  });

  test("evicts the least recently active past max", () => {
    const { time, store } = setup(3);
    for (const id of ["a", "b", "c"]) store.touch(id, { owner: `owner-${id}`, model: `model-${id}`, promptTokens: 7 });
    time.now += 1;
    store.touch("a", { owner: "owner-a" });
    store.get("b"); // reading is not activity
    store.touch("d", { owner: "o" });
    expect(store.get("b")).toBeUndefined();
    // d reuses b's place and inherits none of it.
    expect(store.get("d")).toMatchObject({ owner: "o", requests: 1, promptTokens: 0, models: [], providers: [] });
    expect(["a", "c", "d"].map((id) => store.get(id)?.id)).toEqual(["a", "c", "d"]);
    expect(store.stats()).toEqual({ active: 3, created: 4, evicted: 1, expired: 0 });
  });

  test("list: the most recently active first, at most `limit`, expired ones left out", () => {
    const { time, store } = setup();
    for (const id of ["a", "b", "c"]) {
      store.touch(id, { owner: "o" });
      time.now += 10_000;
    }
    store.touch("a", { owner: "o" });
    expect(store.list(10).map((s) => s.id)).toEqual(["a", "c", "b"]);
    expect(store.list(2).map((s) => s.id)).toEqual(["a", "c"]);
    // 45 s on, b was last active 65 s ago (past the 60 s TTL), c 55 s ago.
    time.now += 45_000;
    expect(store.list(10).map((s) => s.id)).toEqual(["a", "c"]);
    expect(store.list(10)[0]).toEqual(store.get("a")!);
  });

  test("50k fresh ids keep the size at max, at a few hundred bytes a session", () => {
    const owner = "f".repeat(64); // one owner hash shared by its sessions, as in the gateway
    const heap = () => {
      Bun.gc(true);
      return process.memoryUsage().heapUsed;
    };
    const empty = heap();
    const { store } = setup(10_000);
    const touchFresh = (count: number) => {
      for (let i = 0; i < count; i++) store.touch(newSessionId(), { owner, model: "gemini-2.5-flash", provider: "gemini", promptTokens: 12 });
    };
    const started = performance.now();
    touchFresh(50_000);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(store.stats()).toMatchObject({ active: 10_000, created: 50_000, evicted: 40_000 });
    // Measured after churn, so the Map's slack from deleted entries is included.
    const steady = heap();
    expect((steady - empty) / 10_000).toBeLessThan(600);
    // More churn does not grow the heap: memory is bounded by max, not by sessions ever created.
    touchFresh(50_000);
    expect(heap() - steady).toBeLessThan((steady - empty) / 20);
  });
});

test("newSessionId is sess_ plus 24 base64url characters, all distinct", () => {
  const ids = new Set(Array.from({ length: 1000 }, newSessionId));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^sess_[A-Za-z0-9_-]{24}$/);
});
