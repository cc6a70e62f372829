// The two ledger stores answer alike: same rows, same groups and percentiles, same pruning, same
// budget totals; migrations apply once however often a store is opened.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/database.ts";
import { PostgresLedger } from "../../src/ledger/postgres.ts";
import { SqliteLedger } from "../../src/ledger/sqlite.ts";
import type { LedgerStore, UsageRow } from "../../src/ledger/store.ts";
import { freshPostgresDatabase } from "../support/services.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0); // 2026-11-30T12:00Z

function row(n: number, over: Partial<UsageRow> = {}): UsageRow {
  return {
    id: `r${n}`, time: T0 + n * 1000, owner: "key:aaa", key_id: "key_a", user_login: null, endpoint: "/v1/chat/completions",
    model: "gpt-4o-mini", provider: "openrouter", upstream_model: "m:free", status: 200, error: null, prompt_tokens: 10, completion_tokens: 5,
    latency_ms: n, first_byte_ms: null, attempts: 1, cache: "MISS", session_id: null, cost_usd: 0, ...over,
  };
}

const opened: LedgerStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});

const backends: Array<[string, () => Promise<{ store: LedgerStore; reopen: () => LedgerStore }>]> = [
  ["sqlite", async () => {
    const db = openDatabase(":memory:");
    return { store: new SqliteLedger(db), reopen: () => new SqliteLedger(db) };
  }],
  ["postgres", async () => {
    const url = await freshPostgresDatabase("ledger");
    return { store: new PostgresLedger(url), reopen: () => new PostgresLedger(url) };
  }],
];

for (const [name, open] of backends) {
  describe(`${name} ledger store`, () => {
    test("groups with nearest-rank percentiles, errors, cache hits and cost; time groups in UTC", async () => {
      const { store } = await open();
      opened.push(store);
      // 20 rows with latencies 1..20 ms: p50 = 10, p95 = 19. One 500, one stream failed after 200, one hit.
      await store.insert(Array.from({ length: 20 }, (_, i) => row(i + 1, {
        status: i === 0 ? 500 : 200, error: i === 0 ? "upstream_error" : i === 1 ? "upstream_error" : null,
        cache: i === 2 ? "HIT" : "MISS", cost_usd: 0.5,
      })));
      await store.insert([row(100, { model: "other", key_id: "key_b", owner: "key:bbb", time: T0 + 3 * 3_600_000 })]);
      const [top, other] = await store.summary("model", {});
      expect(top).toEqual({
        group: "gpt-4o-mini", requests: 20, errors: 2, prompt_tokens: 200, completion_tokens: 100, total_tokens: 300, cache_hits: 1,
        latency_ms_p50: 10, latency_ms_p95: 19, cost_usd: 10,
      });
      expect(other.group).toBe("other");
      expect((await store.summary("hour", {})).map((g) => [g.group, g.requests])).toEqual([["2026-11-30T12", 20], ["2026-11-30T15", 1]]);
      expect((await store.summary("day", {})).map((g) => [g.group, g.requests])).toEqual([["2026-11-30", 21]]);
      expect((await store.summary("key", { owner: "key:bbb" })).map((g) => g.group)).toEqual(["key_b"]);
      expect((await store.summary("model", { from: T0 + 5000, to: T0 + 10_000 }))[0].requests).toBe(5);
    });

    test("retention: prune deletes only rows older than the cut-off", async () => {
      const { store } = await open();
      opened.push(store);
      await store.insert([row(1, { id: "old", time: T0 - 31 * DAY }), row(2, { id: "edge", time: T0 - 30 * DAY }), row(3, { id: "new" })]);
      expect(await store.prune(T0 - 30 * DAY)).toBe(1);
      expect((await store.requests({}, 10))!.map((r) => r.id)).toEqual(["new", "edge"]);
      expect(await store.prune(T0 - 30 * DAY)).toBe(0);
    });

    test("budget totals per key since the start of the UTC day and month; answered requests only", async () => {
      const { store } = await open();
      opened.push(store);
      const dayStart = Date.UTC(2026, 10, 30);
      const monthStart = Date.UTC(2026, 10, 1);
      await store.insert([
        row(1), row(2, { status: 429, prompt_tokens: 0, completion_tokens: 0 }), row(3, { status: 499, prompt_tokens: 4, completion_tokens: 3 }),
        row(4, { time: dayStart - 1000 }), row(5, { time: monthStart - 1000 }), row(6, { key_id: null, owner: "user:1" }),
      ]);
      expect(await store.keyTotals(dayStart, monthStart)).toEqual([
        { key: "key_a", dayRequests: 1, dayTokens: 22, monthRequests: 2, monthTokens: 37 },
      ]);
    });

    test("migrations are versioned: reopening applies nothing twice and keeps the rows", async () => {
      const { store, reopen } = await open();
      opened.push(store);
      await store.insert([row(1)]);
      const again = reopen();
      opened.push(again);
      expect((await again.requests({}, 10))!.map((r) => r.id)).toEqual(["r1"]);
    });
  });
}

test("a SQLite ledger from a newer gateway is refused, not silently misread", () => {
  const db = new Database(":memory:");
  new SqliteLedger(db);
  db.run("INSERT INTO ledger_migrations (version, applied_at) VALUES (99, 0)");
  expect(() => new SqliteLedger(db)).toThrow(/newer gateway/);
});
