// The Redis stores against a real redis-server, each store used from two connections as two replicas
// would: exact token buckets under concurrency with fractional refill, sessions' owner, bound and tags,
// circuit breakers' single probe, the reconnection backoff's cap, and the watchdog's view of a stalled process.
import { RedisClient } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { backoffMs, MAX_BACKOFF_MS, Redis, RedisUnavailable } from "../../src/redis/client.ts";
import { openDatabase } from "../../src/db/database.ts";
import { RevocationStore } from "../../src/db/revocations.ts";
import { RedisBudgetStore } from "../../src/redis/budgets.ts";
import { RedisCooldownStore } from "../../src/redis/cooldown.ts";
import { RedisRevocations } from "../../src/redis/revocations.ts";
import { RedisRateLimitStore } from "../../src/redis/rate-limit.ts";
import { RedisSessionStore } from "../../src/redis/sessions.ts";
import { RedisQuotaStore } from "../../src/redis/quota.ts";
import { MemoryCooldownStore } from "../../src/routing/cooldown.ts";
import { MemoryQuotaStore } from "../../src/routing/quota.ts";
import { MemoryBudgetStore } from "../../src/stores/budgets.ts";
import { MemoryRateLimitStore } from "../../src/stores/rate-limit.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

let server: RedisServer;
let one: Redis;
let two: Redis;

beforeAll(async () => {
  server = await startRedis();
  [one, two] = [new Redis(server.url, "stores:", silentLogger), new Redis(server.url, "stores:", silentLogger)];
  for (const r of [one, two]) r.start();
  await Promise.all([one.ready(), two.ready()]);
});
afterAll(async () => {
  one?.close();
  two?.close();
  await server?.stop();
});

describe("token bucket script", () => {
  test("exact under concurrency: 400 takes from two connections against 50 tokens, exactly 50 pass", async () => {
    const stores = [one, two].map((r) => new RedisRateLimitStore(r, new MemoryRateLimitStore()));
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => stores[i % 2].take("burst", 50, 50 / 3_600_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    expect(results.filter((r) => !r.allowed).every((r) => r.remaining === 0 && r.retryAfterMs > 0)).toBe(true);
  });

  test("fractional refill: a partly refilled token is not enough, and is counted towards the next", async () => {
    const store = new RedisRateLimitStore(one, new MemoryRateLimitStore());
    // 2 tokens per 2 s: one token every 1000 ms.
    const rate = 2 / 2000;
    expect((await store.take("frac", 2, rate)).allowed).toBe(true);
    expect((await store.take("frac", 2, rate)).allowed).toBe(true);
    await Bun.sleep(150);
    const early = await store.take("frac", 2, rate);
    expect(early.allowed).toBe(false);
    // At least 0.15 of a token came back: under 850 ms to wait, not a whole 1000.
    expect(early.retryAfterMs).toBeLessThanOrEqual(850);
    expect(early.retryAfterMs).toBeGreaterThan(0);
    await Bun.sleep(early.retryAfterMs + 20);
    expect((await store.take("frac", 2, rate)).allowed).toBe(true);
  });
});

describe("sessions", () => {
  test("one owner; SESSION_MAX evicts the least recently active; tags are distinct and bounded", async () => {
    const [s1, s2] = [one, two].map((r) => new RedisSessionStore(r, { ttlMs: 60_000, max: 2 }));
    expect(await s1.touch("sess-a", { owner: "alice", model: "m1", provider: "p", promptTokens: 3, completionTokens: 4 })).toBe(true);
    expect(await s2.touch("sess-a", { owner: "bob" })).toBe(false);
    for (let i = 0; i < 10; i++) await s2.touch("sess-a", { owner: "alice", model: `m${i % 9}`, provider: "p", promptTokens: 1 });
    const a = (await s1.get("sess-a"))!;
    expect(a).toMatchObject({ owner: "alice", requests: 11, promptTokens: 13, completionTokens: 4, providers: ["p"] });
    expect(a.models).toEqual(["m1", "m0", "m2", "m3", "m4", "m5", "m6", "m7"]);
    await s1.touch("sess-b", { owner: "bob" });
    await s2.touch("sess-c", { owner: "carol" });
    expect(await s1.get("sess-a")).toBeUndefined();
    expect(await s2.stats()).toMatchObject({ active: 2, created: 3, evicted: 1 });
    expect(await s1.delete("sess-b")).toBe(true);
    expect(await s1.delete("sess-b")).toBe(false);
  });
});

describe("circuit breakers", () => {
  test("a state learned on one replica reaches the other's mirror; past the cooldown exactly one probe is admitted", async () => {
    const [c1, c2] = [one, two].map((r) => new RedisCooldownStore(r, new MemoryCooldownStore()));
    const now = Date.now();
    // A cooldown the gateway guessed (a refusal: 30 s): past it, one probe.
    await c1.recordFailure("openrouter:m", { now, reason: "rejected", openUntil: now + 1000, threshold: 3, cooldownMs: 30_000 });
    for (let i = 0; i < 100 && !(await c2.get("openrouter:m")); i++) await Bun.sleep(10);
    expect(await c2.get("openrouter:m")).toMatchObject({ failures: 1, openUntil: now + 1000, reason: "rejected", timed: false });
    expect(await c2.admit("openrouter:m", now + 10, 5000)).toBe("open");
    const later = now + 2000;
    const admissions = await Promise.all([c1, c2, c1, c2].map((c) => c.admit("openrouter:m", later, 5000)));
    expect(admissions.filter((a) => a === "probe")).toHaveLength(1);
    await c2.recordSuccess("openrouter:m");
    for (let i = 0; i < 100 && (await c1.get("openrouter:m")); i++) await Bun.sleep(10);
    expect(await c1.get("openrouter:m")).toBeUndefined();
    expect(await c1.admit("openrouter:m", later, 5000)).toBe("closed");
  });
});

describe("budget counters", () => {
  test("shared by two replicas; a Redis that lost them gets back what the replicas counted, never zero", async () => {
    const [b1, b2] = [one, two].map((r) => new RedisBudgetStore(r, new MemoryBudgetStore()));
    const at = { day: "2026-11-30", month: "2026-11" };
    await b1.seed("key_1", at, { dayRequests: 5, dayTokens: 50, monthRequests: 20, monthTokens: 200 });
    // Another replica starting later does not overwrite the live counters with its older view.
    await b2.seed("key_1", at, { dayRequests: 1, dayTokens: 10, monthRequests: 1, monthTokens: 10 });
    await b1.add("key_1", at, 1, 7);
    await b2.add("key_1", at, 1, 3);
    expect(await b2.get("key_1", at)).toEqual({ dayRequests: 7, dayTokens: 60, monthRequests: 22, monthTokens: 210 });
    // Redis restarts empty: each replica offers its own counts when it reconnects (the first one in is kept).
    await server.kill();
    await server.start();
    await Promise.all([one.ready(5_000), two.ready(5_000)]);
    for (let i = 0; i < 100 && (await b1.get("key_1", at)).dayRequests === 0; i++) await Bun.sleep(10);
    expect((await b1.get("key_1", at)).dayRequests).toBeGreaterThanOrEqual(2);
    expect((await b1.get("key_1", at)).monthTokens).toBeGreaterThanOrEqual(13);
  });
});

describe("quotas", () => {
  test("a reset the upstream named closes the circuit on every replica at that time, with no probe", async () => {
    const [c1, c2] = [one, two].map((r) => new RedisCooldownStore(r, new MemoryCooldownStore()));
    const now = Date.now();
    await c1.recordFailure("openrouter:*free", { now, reason: "quota", openUntil: now + 1000, threshold: 3, cooldownMs: 30_000 });
    // A guessed cooldown that ends earlier neither shortens it nor takes over its reason.
    await c1.recordFailure("openrouter:*free", { now, reason: "rejected", openUntil: now + 500, threshold: 3, cooldownMs: 30_000 });
    for (let i = 0; i < 100 && !(await c2.get("openrouter:*free"))?.failures; i++) await Bun.sleep(10);
    expect(await c2.get("openrouter:*free")).toMatchObject({ openUntil: now + 1000, reason: "quota", timed: true });
    expect(await c2.admit("openrouter:*free", now + 10, 5000)).toBe("open");
    const admissions = await Promise.all([c1, c2, c1, c2].map((c) => c.admit("openrouter:*free", now + 1000, 5000)));
    expect(admissions).toEqual(["closed", "closed", "closed", "closed"]);
  });

  test("what one replica's rate-limit headers said reaches the other's mirror; a reconnected mirror reloads it", async () => {
    const [q1, q2] = [one, two].map((r) => new RedisQuotaStore(r, new MemoryQuotaStore()));
    const state = { requests: { remaining: 0, resetAt: Date.now() + 60_000 }, tokens: { remaining: 5000, resetAt: Date.now() + 1000 } };
    await q1.record("groq:llama-3.1-8b-instant", state);
    for (let i = 0; i < 100 && !(await q2.get("groq:llama-3.1-8b-instant")); i++) await Bun.sleep(10);
    expect(await q2.get("groq:llama-3.1-8b-instant")).toEqual(state);
    // A replica that connects later loads what the others learned.
    const three = new Redis(server.url, "stores:", silentLogger);
    const q3 = new RedisQuotaStore(three, new MemoryQuotaStore());
    three.start();
    try {
      await three.ready();
      for (let i = 0; i < 100 && !(await q3.get("groq:llama-3.1-8b-instant")); i++) await Bun.sleep(10);
      expect(await q3.get("groq:llama-3.1-8b-instant")).toEqual(state);
    } finally {
      three.close();
    }
  });
});

describe("JWT revocations", () => {
  test("a logout on one replica is refused on another with its own database within a second", async () => {
    const [r1, r2] = [one, two].map((r) => new RedisRevocations(r, new RevocationStore(openDatabase(":memory:"))));
    const exp = Math.floor(Date.now() / 1000) + 3600;
    r1.revoke("jti-1", exp, Date.now());
    expect(r1.isRevoked("jti-1")).toBe(true);
    for (let i = 0; i < 100 && !r2.isRevoked("jti-1"); i++) await Bun.sleep(10);
    expect(r2.isRevoked("jti-1")).toBe(true);
    expect(r2.isRevoked("jti-2")).toBe(false);
    // A replica that connects later (or reconnects) loads every unexpired revocation.
    const late = new Redis(server.url, "stores:", silentLogger);
    const r3 = new RedisRevocations(late, new RevocationStore(openDatabase(":memory:")));
    late.start();
    await late.ready();
    for (let i = 0; i < 100 && !r3.isRevoked("jti-1"); i++) await Bun.sleep(10);
    expect(r3.isRevoked("jti-1")).toBe(true);
    late.close();
  });
});

describe("the link", () => {
  test("reconnection backoff doubles from 100 ms and is capped at 10 s", () => {
    expect([0, 1, 2, 3].map(backoffMs)).toEqual([100, 200, 400, 800]);
    expect(backoffMs(7)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(50)).toBe(10_000);
  });

  test("while down a command fails at once with RedisUnavailable, and the link comes back by itself", async () => {
    const link = new Redis(server.url, "stores:", silentLogger);
    link.start();
    await link.ready();
    await server.kill();
    for (let i = 0; i < 100 && link.up; i++) await Bun.sleep(5);
    expect(link.health().status).toBe("down");
    const started = performance.now();
    await expect(link.send("PING", [])).rejects.toBeInstanceOf(RedisUnavailable);
    expect(performance.now() - started).toBeLessThan(100);
    await server.start();
    await link.ready(5_000);
    expect(await link.send("PING", [])).toBe("PONG");
    link.close();
    // The shared links reconnect too (the other tests' connections).
    await Promise.all([one.ready(), two.ready()]);
  });

  test("a stalled event loop is no outage: an answer that arrived during the stall is read before the watchdog judges", async () => {
    const link = new Redis(server.url, "stores:", silentLogger);
    link.start();
    await link.ready();
    for (let round = 0; round < 5; round++) {
      const answer = link.send("PING", []);
      // The whole process stalls past the command timeout (a long GC pause, a CPU-starved host); Redis answers meanwhile.
      const until = performance.now() + 700;
      while (performance.now() < until);
      expect(await answer).toBe("PONG");
      expect(link.health().status).toBe("up");
    }
    link.close();
  });

  test("a Redis that stops answering counts as down within a second: its commands fail, the link comes back after", async () => {
    const link = new Redis(server.url, "stores:", silentLogger);
    link.start();
    await link.ready();
    const admin = new RedisClient(server.url);
    await admin.send("CLIENT", ["PAUSE", "1500", "ALL"]);
    const started = performance.now();
    await expect(link.send("PING", [])).rejects.toBeInstanceOf(RedisUnavailable);
    // Failed by the watchdog (500 ms), not by the pause ending.
    expect(performance.now() - started).toBeLessThan(1400);
    expect(link.health().status).toBe("down");
    await link.ready(5_000);
    expect(await link.send("PING", [])).toBe("PONG");
    link.close();
    admin.close();
  });
});
