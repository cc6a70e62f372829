// Per-key budgets through the real gateway: the boundary (the last allowed request, then 429
// insufficient_quota with retry-after and no upstream call), cache hits counting, token budgets
// overshot by one answer, UTC resets, PATCH and GET /config/keys, and counters rebuilt from the ledger
// after a restart; with the ledger in SQLite and in Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { errorBody, post, startGateway, type Gateway } from "../helpers.ts";
import { freshPostgresDatabase } from "../support/services.ts";

const ADMIN = "admin-token-for-budget-tests-0123456789";
const admin = { authorization: `Bearer ${ADMIN}` };
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 15, 12, 0, 0); // mid-June, noon UTC
let now = T0;
const clock = () => now;
let databaseUrl: string | undefined;

let fake: FakeOpenRouter;
let gw: Gateway;
let dir: string;

const start = async () => {
  gw = await startGateway({
    openrouter: { apiKey: fake.apiKey, baseUrl: fake.baseUrl },
    auth: { adminToken: ADMIN },
    databasePath: join(dir, "gateway.db"),
    cache: { ttlMs: 600_000, maxEntries: 100 },
    usage: { enabled: true, retentionDays: 30, databaseUrl },
  }, { clock, ledger: { flushMs: 10 } });
};
const createKey = async (budget?: Record<string, number>) => {
  const res = await post(`${gw.url}/config/keys`, { name: "team", ...(budget && { budget }) }, admin);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string; budget: Record<string, number> | null };
};
let n = 0;
/** A chat; a fresh prompt each time (so no cache hit) unless `content` is given. Waits for its row to be counted. */
const chat = async (key: string, content = `question ${++n}`) => {
  const res = await post(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content }] }, { authorization: `Bearer ${key}` });
  await Bun.sleep(15);
  return res;
};
const patch = (id: string, body: unknown) => fetch(`${gw.url}/config/keys/${id}`, { method: "PATCH", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify(body) });
const listed = async (id: string) => {
  const { data } = (await (await fetch(`${gw.url}/config/keys`, { headers: admin })).json()) as { data: Array<{ id: string; budget: unknown; used: { today: { requests: number; tokens: number }; month: { requests: number; tokens: number } } }> };
  return data.find((k) => k.id === id)!;
};

for (const backend of ["sqlite", "postgres"] as const) describe(`budgets, ledger on ${backend}`, () => {
  beforeAll(async () => {
    now = T0;
    dir = mkdtempSync(join(tmpdir(), "ogw-budgets-"));
    databaseUrl = backend === "postgres" ? await freshPostgresDatabase("budgets") : undefined;
    fake = await startFakeOpenRouter();
    await start();
  });
  afterAll(async () => {
    await gw.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("requests_per_day: the last allowed request, then 429 insufficient_quota with retry-after, before any upstream call; cache hits count", async () => {
    const { id, key } = await createKey({ requests_per_day: 2 });
    expect((await chat(key, "same question")).status).toBe(200);
    const hit = await chat(key, "same question");
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const upstreamCalls = fake.requests.length;

    const refused = await chat(key);
    expect(refused.status).toBe(429);
    const error = await errorBody(refused);
    expect(error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(error.message).toContain("requests_per_day");
    expect(error.message).toContain("2026-06-16T00:00:00.000Z");
    expect(refused.headers.get("retry-after")).toBe(String(12 * 3600));
    // Refused before any upstream call, also for a request that would have been a cache hit.
    expect((await chat(key, "same question")).status).toBe(429);
    expect(fake.requests.length).toBe(upstreamCalls);

    expect((await listed(id)).used).toEqual({ today: { requests: 2, tokens: expect.any(Number) }, month: { requests: 2, tokens: expect.any(Number) } });
    // The refusals are ledger rows, counted as errors.
    await Bun.sleep(30);
    const rows = ((await (await fetch(`${gw.url}/v1/usage/requests?key=${id}`, { headers: admin })).json()) as { data: Array<{ status: number; error: string | null }> }).data;
    expect(rows.map((r) => [r.status, r.error])).toEqual([[429, "insufficient_quota"], [429, "insufficient_quota"], [200, null], [200, null]]);
  });

  test("tokens_per_day: one answer may overshoot, the next is refused; the next UTC day starts afresh", async () => {
    const { id, key } = await createKey({ tokens_per_day: 1 });
    expect((await chat(key)).status).toBe(200);
    const refused = await chat(key);
    expect(refused.status).toBe(429);
    expect((await errorBody(refused)).message).toContain("tokens_per_day");
    expect((await listed(id)).used.today.tokens).toBeGreaterThan(1);
    now += DAY;
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);
  });

  test("tokens_per_month holds across days and resets with the UTC month", async () => {
    const { key } = await createKey({ tokens_per_month: 1 });
    expect((await chat(key)).status).toBe(200);
    now += DAY;
    const refused = await chat(key);
    expect(refused.status).toBe(429);
    const error = await errorBody(refused);
    expect(error.message).toContain("tokens_per_month");
    expect(error.message).toContain("2026-07-01T00:00:00.000Z");
    now = Date.UTC(2026, 6, 1, 0, 0, 1);
    expect((await chat(key)).status).toBe(200);
  });

  test("PATCH replaces the budget, null removes it, name and rateLimit change; GET shows it; bad input is 400, unknown 404", async () => {
    const { id, key } = await createKey({ requests_per_day: 1 });
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);

    const replaced = await patch(id, { budget: { tokens_per_month: 1_000_000 } });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ id, budget: { tokens_per_month: 1_000_000 } });
    expect((await chat(key)).status).toBe(200);

    expect((await patch(id, { budget: { requests_per_day: 2 } })).status).toBe(200);
    expect((await chat(key)).status).toBe(429);
    const cleared = (await (await patch(id, { budget: null, name: "renamed", rateLimit: 30 })).json()) as Record<string, unknown>;
    expect(cleared).toMatchObject({ id, name: "renamed", rateLimit: 30, budget: null });
    expect((await chat(key)).status).toBe(200);
    expect((await listed(id))).toMatchObject({ budget: null, used: { today: { requests: 3 } } });

    for (const body of [{ budget: { requests_per_week: 5 } }, { budget: { tokens_per_day: 0 } }, { rateLimit: "fast" }, { colour: "red" }]) {
      const res = await patch(id, body);
      expect(res.status).toBe(400);
    }
    expect((await post(`${gw.url}/config/keys`, { name: "x", budget: { tokens_per_day: -1 } }, admin)).status).toBe(400);
    expect((await patch("key_nope", { name: "x" })).status).toBe(404);
    expect((await fetch(`${gw.url}/config/keys/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
  });

  test("after a restart the counters are rebuilt from the ledger: a key at its budget stays refused", async () => {
    const { id, key } = await createKey({ requests_per_day: 2 });
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);
    await gw.stop();
    await start();
    expect((await chat(key)).status).toBe(429);
    expect((await listed(id)).used.today.requests).toBe(2);
  });
});
