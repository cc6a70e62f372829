// Two gateways (two real apps on their own ports) on one real redis-server and one SQLite file, as two
// replicas behind a load balancer run: they share rate limits, the response cache, sessions, learned
// daily caps, admin changes, keys and their revocation, stored responses, budget counters. Then Redis dies mid-test: both keep answering,
// /health says degraded; it comes back on the same port and they share state again, with no restart.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeModel, startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { post, startGateway, type Gateway } from "../helpers.ts";
import { startRedis, type RedisServer } from "../support/services.ts";

const ADMIN = "admin-token-for-the-replica-tests-0123456789";
const SEED = "qwen/qwen3-next-80b-a3b-instruct:free";
let redis: RedisServer;
let openrouter: FakeOpenRouter;
let opencode: FakeOpenRouter;
let a: Gateway;
let b: Gateway;
let dir: string;

const health = async (gw: Gateway) => (await (await fetch(`${gw.url}/health`)).json()) as {
  status: string;
  redis?: { status: string; error?: string };
  providers: Record<string, { candidates?: Array<{ model: string; state: string }> }>;
};

/** Polls until `check` holds (state crosses replicas through pub/sub, a few ms later); how long it took. */
async function eventually(check: () => Promise<boolean>, ms = 1000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await Bun.sleep(10);
  }
  return performance.now() - started;
}

const admin = (gw: Gateway, path: string, body?: unknown, method = body === undefined ? "GET" : "POST") =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** A gateway API key (REQUIRE_AUTH is on), created on replica A. */
async function newKey(rateLimit?: number): Promise<{ key: string; id: string }> {
  const res = await admin(a, "/config/keys", { name: "replica test", rateLimit });
  expect(res.status).toBe(201);
  return (await res.json()) as { key: string; id: string };
}

const chat = (gw: Gateway, key: string, extra: { headers?: Record<string, string>; content?: string; model?: string } = {}) =>
  post(`${gw.url}/v1/chat/completions`, { model: extra.model ?? "gpt-4o-mini", messages: [{ role: "user", content: extra.content ?? "hi" }] },
    { authorization: `Bearer ${key}`, ...extra.headers });

beforeAll(async () => {
  redis = await startRedis();
  [openrouter, opencode] = await Promise.all([startFakeOpenRouter(), startFakeOpenRouter()]);
  opencode.models.splice(0, Infinity, freeModel("big-pickle"));
  dir = mkdtempSync(join(tmpdir(), "ogw-replicas-"));
  const overrides = {
    openrouter: { apiKey: openrouter.apiKey, baseUrl: openrouter.baseUrl },
    opencode: { apiKey: opencode.apiKey, baseUrl: opencode.baseUrl },
    redis: { url: redis.url, prefix: "replicas:" },
    // Replicas on one host share one SQLite file (keys, admin changes).
    databasePath: join(dir, "gateway.db"),
    auth: { adminToken: ADMIN, requireAuth: true },
    cache: { ttlMs: 60_000, maxEntries: 100 },
    catalogRefreshMs: 0,
    maxRetries: 0,
  };
  [a, b] = [await startGateway(overrides), await startGateway(overrides)];
  for (const gw of [a, b]) await eventually(async () => (await health(gw)).redis?.status === "up", 5000);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([openrouter?.stop(), opencode?.stop(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("two replicas on one Redis", () => {
  test("share one rate limit exactly: 8 requests over both against a bucket of 6, exactly 2 refused", async () => {
    const { key } = await newKey(6);
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => chat(i % 2 ? a : b, key, { headers: { "cache-control": "no-store" } })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    const refused = replies.find((r) => r.status === 429)!;
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  test("share the response cache: a miss on one replica is a hit on the other", async () => {
    const { key } = await newKey();
    const content = `cache ${crypto.randomUUID()}`;
    const first = await chat(a, key, { content });
    expect(first.headers.get("x-cache")).toBe("MISS");
    const upstreamCalls = openrouter.requests.length;
    const second = await chat(b, key, { content });
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(((await second.json()) as { choices: unknown[] }).choices).toEqual(((await first.json()) as { choices: unknown[] }).choices);
    expect(openrouter.requests.length).toBe(upstreamCalls);
  });

  test("share sessions: requests on both count in one session, owned by one client", async () => {
    const { key } = await newKey();
    const other = await newKey();
    const id = `sess-${crypto.randomUUID()}`;
    expect((await chat(a, key, { headers: { "x-session-id": id, "cache-control": "no-store" } })).status).toBe(200);
    const requests = async (gw: Gateway) => {
      const res = await fetch(`${gw.url}/session/${id}`, { headers: { authorization: `Bearer ${key}` } });
      return res.status === 200 ? ((await res.json()) as { requests: number }).requests : 0;
    };
    await eventually(async () => (await requests(b)) === 1);
    expect((await chat(b, key, { headers: { "x-session-id": id, "cache-control": "no-store" } })).status).toBe(200);
    await eventually(async () => (await requests(a)) === 2);
    // Admins list it on either replica, newest first (the console's Sessions page).
    const listed = (await (await admin(a, "/config/sessions?limit=5")).json()) as { data: Array<{ id: string; requests: number }> };
    expect(listed.data[0]).toMatchObject({ id, requests: 2 });
    // Another client may not join it on either replica.
    expect((await chat(a, other.key, { headers: { "x-session-id": id } })).status).toBe(403);
    expect((await fetch(`${b.url}/session/${id}`, { headers: { authorization: `Bearer ${other.key}` } })).status).toBe(403);
  });

  test("share admin changes: a mapping made on one replica routes on the other within a second", async () => {
    const { key } = await newKey();
    const alias = `team-model-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin(a, "/config/models", { alias, provider: "opencode", model: "big-pickle" })).status).toBe(200);
    const routed = async () => (await chat(b, key, { model: alias, headers: { "cache-control": "no-store" } })).headers.get("x-gateway-upstream-model") === "big-pickle";
    await eventually(routed);
    expect((await admin(a, `/config/models/${alias}`, undefined, "DELETE")).status).toBe(200);
    await eventually(async () => (await chat(b, key, { model: alias, headers: { "cache-control": "no-store" } })).status === 404);
  });

  test("share keys: a key made on one replica works on the other; its revocation is refused there within a second", async () => {
    const { key, id } = await newKey();
    expect((await chat(b, key, { headers: { "cache-control": "no-store" } })).status).toBe(200);
    // B now remembers the key as valid for a second (LOOKUP_TTL_MS); the announcement makes it forget at once.
    expect((await admin(a, `/config/keys/${id}`, undefined, "DELETE")).status).toBe(200);
    await eventually(async () => (await chat(b, key, { headers: { "cache-control": "no-store" } })).status === 401, 500);
  });

  test("share stored responses: created on one replica, read and continued on the other", async () => {
    const { key } = await newKey();
    const headers = { authorization: `Bearer ${key}`, "cache-control": "no-store" };
    const created = await post(`${a.url}/v1/responses`, { model: "gpt-4o-mini", input: "remember me" }, headers);
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${b.url}/v1/responses/${id}`, { headers });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { id: string }).id).toBe(id);
    const next = await post(`${b.url}/v1/responses`, { model: "gpt-4o-mini", input: "and now?", previous_response_id: id }, headers);
    expect(next.status).toBe(200);
    // The replayed conversation reached the upstream: both turns' input.
    const sent = JSON.stringify(openrouter.requests.at(-1)?.body);
    expect(sent).toContain("remember me");
    expect(sent).toContain("and now?");
    expect((await fetch(`${a.url}/v1/responses/${id}`, { method: "DELETE", headers })).status).toBe(200);
    expect((await fetch(`${b.url}/v1/responses/${id}`, { headers })).status).toBe(404);
  });

  test("share budget counters: a key's daily requests spent over both replicas are refused on either", async () => {
    const res = await admin(a, "/config/keys", { name: "budgeted", budget: { requests_per_day: 3 } });
    const { key } = (await res.json()) as { key: string };
    for (let i = 0; i < 3; i++) {
      expect((await chat(i % 2 ? a : b, key, { headers: { "cache-control": "no-store" } })).status).toBe(200);
      // Counted when its usage row is made, just after the answer.
      await Bun.sleep(30);
    }
    for (const gw of [a, b]) {
      const refused = await chat(gw, key, { headers: { "cache-control": "no-store" } });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("insufficient_quota");
    }
  });

  test("share a learned daily cap: once one replica hits it, the other skips the free pool", async () => {
    const { key } = await newKey();
    openrouter.always(SEED, { kind: "daily-cap", resetAt: Date.now() + 3_600_000 });
    const first = await chat(a, key, { headers: { "cache-control": "no-store" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-gateway-provider")).toBe("opencode");
    const capped = openrouter.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
    await eventually(async () => (await health(b)).providers.openrouter.candidates?.find((c) => c.model === SEED)?.state === "cooling_down");
    const second = await chat(b, key, { headers: { "cache-control": "no-store" } });
    expect(second.headers.get("x-gateway-provider")).toBe("opencode");
    expect(second.headers.get("x-gateway-attempts")).toBe("1");
    expect(openrouter.requests.filter((r) => r.path.endsWith("/chat/completions")).length).toBe(capped);
    openrouter.reset();
  });
});

describe("Redis fails and comes back", () => {
  test("killed: both replicas answer at once from local fallbacks, health is degraded, session reads say 503; restarted: shared again without restart", async () => {
    const { key } = await newKey();
    await redis.kill();
    for (const gw of [a, b]) {
      // Never a hung request: each is answered well within the deadline, from local fallbacks.
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-session-id": "sess-while-down" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "still there?" }] }),
        signal: AbortSignal.timeout(3000),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).not.toBeNull();
      const h = await health(gw);
      expect(h.status).toBe("degraded");
      expect(h.redis?.status).toBe("down");
      // A new response is answered (not stored); reads of stored ones say 503.
      const created = await post(`${gw.url}/v1/responses`, { model: "gpt-4o-mini", input: "hi" }, { authorization: `Bearer ${key}` });
      expect(created.status).toBe(200);
      for (const path of ["/session/sess-while-down", "/v1/responses/resp_while_down"]) {
        const read = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
        expect(read.status).toBe(503);
        expect(((await read.json()) as { error: { code: string } }).error.code).toBe("redis_unavailable");
      }
    }

    // Rate limits fall back to each replica's own bucket: still limited, per replica (6 a minute here).
    const limited = await newKey(6);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await chat(a, limited.key, { headers: { "cache-control": "no-store" } })).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect((await chat(b, limited.key, { headers: { "cache-control": "no-store" } })).status).toBe(200);

    await redis.start();
    for (const gw of [a, b]) await eventually(async () => (await health(gw)).status === "ok", 5000);
    const content = `after restart ${crypto.randomUUID()}`;
    expect((await chat(a, key, { content })).headers.get("x-cache")).toBe("MISS");
    expect((await chat(b, key, { content })).headers.get("x-cache")).toBe("HIT");
  });
});
