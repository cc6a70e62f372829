// The two ledger stores answer alike: same rows, same groups and percentiles, same pruning, same
// budget totals; migrations apply once however often a store is opened.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { openDatabase } from "../../src/db/database.ts";
import { migratePostgres } from "../../src/db/sql.ts";
import { PostgresLedger } from "../../src/ledger/postgres.ts";
import { MIGRATIONS, MIGRATIONS_TABLE } from "../../src/ledger/sql.ts";
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

// A row as schema 2 stored it (with its hour text), for the upgrade test.
const oldRow = (id: string, time: number) => `INSERT INTO usage_requests (id, time, hour, owner, key_id, endpoint, model, status, prompt_tokens, completion_tokens, latency_ms, attempts, cost_usd)
  VALUES ('${id}', ${time}, '2026-11-30T12', 'key:aaa', 'key_a', '/v1/chat/completions', 'gpt-4o-mini', 200, 10, 5, 7, 1, 0)`;
// Two rows as a replica of schema 3 writes them (no hour; names as text), one with names never stored before.
const schema3Rows = (time: number) => `INSERT INTO usage_requests (id, time, owner, key_id, user_login, endpoint, model, provider, upstream_model, status, error,
    prompt_tokens, completion_tokens, latency_ms, first_byte_ms, attempts, cache, session_id, cost_usd)
  VALUES ('s3a', ${time}, 'key:ccc', 'key_c', NULL, '/v1/messages', 'claude-x', 'gemini', 'gemini-x', 429, 'rate_limit_exceeded', 0, 0, 3, NULL, 2, NULL, 'sess', 0),
    ('s3b', ${time + 1}, 'key:aaa', 'key_a', NULL, '/v1/chat/completions', 'gpt-4o-mini', 'openrouter', 'm:free', 200, NULL, 1, 2, 4, 1.5, 1, 'HIT', NULL, 0)`;

interface Backend {
  open(): Promise<{ store: LedgerStore; reopen: () => LedgerStore; names: () => Promise<string[]> }>;
  /**
   * A ledger as the gateway left it at schema 2 (hour column, index on id) with one row (old1); then opened
   * by this gateway. `oldWrite` and `schema3Write` insert rows the way replicas of older versions still do,
   * `oldRead` reads one the way they do.
   */
  fromSchema2(): Promise<{ store: LedgerStore; oldWrite: (id: string, time?: number) => Promise<void>; schema3Write: () => Promise<void>; oldRead: (id: string) => Promise<unknown>; indexes: () => Promise<string[]> }>;
}

const backends: Array<[string, Backend]> = [
  ["sqlite", {
    async open() {
      const db = openDatabase(":memory:");
      const names = async () => db.query<{ name: string }, []>("SELECT name FROM usage_names").all().map((n) => n.name).sort();
      return { store: new SqliteLedger(db), reopen: () => new SqliteLedger(db), names };
    },
    async fromSchema2() {
      const db = openDatabase(":memory:");
      db.exec(MIGRATIONS_TABLE);
      MIGRATIONS.slice(0, 2).forEach((m, i) => {
        for (const statement of m("sqlite")) db.exec(statement);
        db.run("INSERT INTO ledger_migrations (version, applied_at) VALUES (?, 0)", [i + 1]);
      });
      db.exec(oldRow("old1", T0));
      return {
        store: new SqliteLedger(db),
        oldWrite: async (id, time = T0 + 2000) => void db.exec(oldRow(id, time)),
        schema3Write: async () => void db.exec(schema3Rows(T0 + 3000)),
        oldRead: async (id) => db.query("SELECT owner, model, cache FROM usage_requests WHERE id = ?").get(id),
        indexes: async () => db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_rows' ORDER BY name").all().map((c) => c.name),
      };
    },
  }],
  ["postgres", {
    async open() {
      const url = await freshPostgresDatabase("ledger");
      const sql = new SQL(url, { max: 1 });
      afterAll(() => sql.close());
      const names = async () => (await sql.unsafe("SELECT name FROM usage_names")).map((n: { name: string }) => n.name).sort();
      return { store: new PostgresLedger(url), reopen: () => new PostgresLedger(url), names };
    },
    async fromSchema2() {
      const url = await freshPostgresDatabase("ledger");
      const sql = new SQL(url, { max: 1 });
      await migratePostgres(sql, { table: "ledger_migrations", lock: 1, migrations: MIGRATIONS.slice(0, 2), name: "usage ledger" });
      await sql.unsafe(oldRow("old1", T0));
      afterAll(() => sql.close());
      return {
        store: new PostgresLedger(url),
        oldWrite: async (id, time = T0 + 2000) => void (await sql.unsafe(oldRow(id, time))),
        schema3Write: async () => void (await sql.unsafe(schema3Rows(T0 + 3000))),
        oldRead: async (id) => (await sql.unsafe("SELECT owner, model, cache FROM usage_requests WHERE id = $1", [id]))[0],
        indexes: async () => (await sql.unsafe("SELECT indexname AS name FROM pg_indexes WHERE tablename = 'usage_rows' AND indexname <> 'usage_rows_pkey' ORDER BY indexname")).map((c: { name: string }) => c.name),
      };
    },
  }],
];

for (const [name, { open, fromSchema2 }] of backends) {
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

    test("retention: prune deletes only rows older than the cut-off, and the names only they held", async () => {
      const { store, names } = await open();
      opened.push(store);
      // Batches as the gateway writes them: each within moments of its rows.
      const gone = { owner: "ip:gone", key_id: "anon:gone", model: "old-model", error: "upstream_error" };
      await store.insert([row(1, { id: "old", time: T0 - 32 * DAY, ...gone })]);
      await store.insert([row(2, { id: "edge", time: T0 - 30 * DAY })]);
      await store.insert([row(3, { id: "new" })]);
      expect(await store.prune(T0 - 30 * DAY)).toBe(1);
      expect((await store.requests({}, 10))!.map((r) => r.id)).toEqual(["new", "edge"]);
      expect(await names()).toEqual(["/v1/chat/completions", "MISS", "gpt-4o-mini", "key:aaa", "key_a", "m:free", "openrouter"]);
      expect(await store.prune(T0 - 30 * DAY)).toBe(0);
      // The caller comes back: its name is added again, under a new id, and its rows are its own.
      await store.insert([row(4, { id: "back", ...gone })]);
      expect((await store.requests({ owner: "ip:gone" }, 10))!.map((r) => [r.id, r.key, r.model])).toEqual([["back", "anon:gone", "old-model"]]);
    });

    test("a name still in use is never pruned: the store marks it used again at least every hour of rows", async () => {
      const { store } = await open();
      opened.push(store);
      // One store, as a long-running gateway: the owner's name was looked up two days before its last row.
      await store.insert([row(1, { id: "first", time: T0 })]);
      await store.insert([row(2, { id: "later", time: T0 + 2 * DAY })]);
      await store.prune(T0 + 2 * DAY);
      expect((await store.requests({ owner: "key:aaa" }, 10))!.map((r) => [r.id, r.key, r.model])).toEqual([["later", "key_a", "gpt-4o-mini"]]);
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

    test("a ledger from schema 2 keeps its rows, in usage_rows with two indexes; replicas of the previous versions can still write", async () => {
      const { store, oldWrite, schema3Write, oldRead, indexes } = await fromSchema2();
      opened.push(store);
      await store.insert([row(1, { id: "new1" })]);
      expect((await store.requests({}, 10))!.map((r) => [r.id, r.latency_ms])).toEqual([["new1", 1], ["old1", 7]]);
      expect((await store.requests({}, 10, "new1"))!.map((r) => r.id)).toEqual(["old1"]);
      // Copied with its names, the ones it lacked (NULL) left out.
      expect((await store.requests({ owner: "key:aaa" }, 10))!.at(-1)).toMatchObject({
        id: "old1", key: "key_a", user: null, endpoint: "/v1/chat/completions", model: "gpt-4o-mini", provider: null, upstream_model: null, error: null, cache: null,
      });
      expect((await store.summary("hour", {})).map((g) => [g.group, g.requests])).toEqual([["2026-11-30T12", 2]]);
      expect(await indexes()).toEqual(["usage_rows_client_id", "usage_rows_time_owner"]);
      // During a rolling upgrade the other replicas still write into usage_requests (now a view), with their names as text.
      await oldWrite("old2");
      expect((await store.requests({}, 10))!.map((r) => r.id)).toEqual(["old2", "new1", "old1"]);
      await schema3Write();
      const [s3b, s3a] = (await store.requests({}, 2))!;
      expect(s3a).toMatchObject({ id: "s3a", key: "key_c", endpoint: "/v1/messages", model: "claude-x", provider: "gemini", upstream_model: "gemini-x", status: 429, error: "rate_limit_exceeded", cache: null, attempts: 2 });
      expect(s3b).toMatchObject({ id: "s3b", key: "key_a", cache: "HIT", first_byte_ms: 1.5 });
      expect((await store.requests({ owner: "key:ccc" }, 10))!.map((r) => r.id)).toEqual(["s3a"]);
      // They read through the view, with the names spelled out.
      expect(await oldRead("s3b")).toEqual({ owner: "key:aaa", model: "gpt-4o-mini", cache: "HIT" });
      expect(await oldRead("new1")).toEqual({ owner: "key:aaa", model: "gpt-4o-mini", cache: "MISS" });
      expect((await store.summary("model", {})).map((g) => [g.group, g.requests, g.cache_hits])).toEqual([["gpt-4o-mini", 4, 1], ["claude-x", 1, 0]]);
    });

    test("an older replica's rows mark their names used, so a name in use is not pruned with the rows before it", async () => {
      const { store, oldWrite } = await fromSchema2();
      opened.push(store);
      // old1 (T0) named key:aaa; two days later an older replica writes another of its rows through the view.
      await oldWrite("late", T0 + 2 * DAY);
      await store.prune(T0 + 2 * DAY);
      expect((await store.requests({ owner: "key:aaa" }, 10))!.map((r) => [r.id, r.key, r.model])).toEqual([["late", "key_a", "gpt-4o-mini"]]);
    });

    test("pages of one row walk rows of the same millisecond from several callers once each, newest first", async () => {
      const { store } = await open();
      opened.push(store);
      const same = T0 + 5000;
      await store.insert([
        row(1, { id: "a", time: same, owner: "key:bbb" }), row(2, { id: "b", time: same, owner: "key:aaa" }),
        row(3, { id: "c", time: same, owner: "key:bbb" }), row(4, { id: "d" }), row(5, { id: "e", time: same + 1 }),
      ]);
      const walk = async (owner?: string) => {
        const seen: string[] = [];
        for (let page = await store.requests({ owner }, 1); page?.length; page = await store.requests({ owner }, 1, seen.at(-1))) seen.push(page[0].id);
        return seen;
      };
      // Rows of one millisecond come in the index's order of their owners' name ids, each once.
      const all = (await store.requests({}, 10))!.map((r) => r.id);
      expect([all[0], all.at(-1), [...all].sort()]).toEqual(["e", "d", ["a", "b", "c", "d", "e"]]);
      expect(await walk()).toEqual(all);
      expect(await walk("key:bbb")).toEqual(["c", "a"]);
    });

    test("a caller whose name was never stored sees no rows: its id is NULL, which matches none, not every row", async () => {
      const { store } = await open();
      opened.push(store);
      await store.insert([row(1), row(2, { owner: "key:bbb", key_id: null, model: null })]);
      for (const filter of [{ owner: "key:nobody" }, { owner: "key:aaa", key: "key_nobody" }, { owner: "key:bbb", model: "never-asked" }]) {
        expect(await store.requests(filter, 10)).toEqual([]);
        expect(await store.summary("model", filter)).toEqual([]);
      }
      expect(await store.requests({ owner: "key:nobody" }, 10, "r1")).toBeUndefined();
    });

    test("before finds its row by a gateway id (a UUIDv7, near its start time) and by a client's own id; no id scans the table", async () => {
      const { store } = await open();
      opened.push(store);
      const started = (ms: number) => Bun.randomUUIDv7("hex", ms);
      const ids = { gateway: started(T0 + 900), client: "client-chosen-id-1", far: started(T0 + 86_400_000) };
      await store.insert([
        row(0, { id: "r0" }), row(1, { id: ids.gateway }), row(2, { id: ids.client }), row(3, { id: ids.far }), row(4, { id: "r4" }),
      ]);
      const before = async (id: string, owner?: string) => (await store.requests({ owner }, 10, id))?.map((r) => r.id);
      expect(await before(ids.gateway)).toEqual(["r0"]);
      expect(await before(ids.client)).toEqual([ids.gateway, "r0"]);
      // A row that ended more than an hour after its id's start is no cursor, nor is a UUIDv7 shape without hex.
      expect(await before(ids.far)).toBeUndefined();
      expect(await before("zzzzzzzz-zzzz-7zzz")).toBeUndefined();
      expect(await before(ids.gateway, "key:aaa")).toEqual(["r0"]);
      // Another caller's row, or no row at all, is no cursor.
      expect(await before(ids.gateway, "key:bbb")).toBeUndefined();
      expect(await before(started(T0))).toBeUndefined();
    });
  });
}

test("a SQLite ledger from a newer gateway is refused, not silently misread", () => {
  const db = new Database(":memory:");
  new SqliteLedger(db);
  db.run("INSERT INTO ledger_migrations (version, applied_at) VALUES (99, 0)");
  expect(() => new SqliteLedger(db)).toThrow(/newer gateway/);
});

test("a Postgres ledger spends no ids marking names it has (its ids are INTEGER: hourly marks through INSERT would run the sequence out)", async () => {
  const url = await freshPostgresDatabase("ledger");
  const store = new PostgresLedger(url);
  opened.push(store);
  await store.insert([row(1)]);
  // One id left, as after years of a gateway marking every name it uses each hour.
  const sql = new SQL(url, { max: 1 });
  await sql.unsafe("SELECT setval(pg_get_serial_sequence('usage_names', 'id'), 2147483646)");
  await sql.close();
  for (const hour of [2, 4, 6]) await store.insert([row(hour, { id: `h${hour}`, time: T0 + hour * 3_600_000 })]);
  await store.insert([row(7, { id: "newcomer", owner: "key:new", time: T0 + 7 * 3_600_000 })]);
  expect((await store.requests({}, 10))!.map((r) => r.id)).toEqual(["newcomer", "h6", "h4", "h2", "r1"]);
  expect((await store.requests({ owner: "key:new" }, 10))!.map((r) => r.id)).toEqual(["newcomer"]);
});

test("two older Postgres replicas writing the same callers in other orders through the view do not deadlock", async () => {
  const url = await freshPostgresDatabase("ledger");
  const store = new PostgresLedger(url);
  opened.push(store);
  await store.insert([row(1)]);
  const replicas = [new SQL(url, { max: 1 }), new SQL(url, { max: 1 })];
  const owners = Array.from({ length: 30 }, (_, i) => `key:${i}`);
  // A batch as a replica of schema 3 sends it: one multi-row INSERT, its rows a millisecond apart.
  const batch = (sql: SQL, order: string[], round: number) => sql.unsafe(`INSERT INTO usage_requests
      (id, time, owner, key_id, endpoint, model, status, prompt_tokens, completion_tokens, latency_ms, attempts, cost_usd) VALUES
      ${order.map((owner, k) => `('${owner}-${round}-${sql === replicas[0] ? "a" : "b"}', ${T0 + round * 100 + k}, '${owner}', 'k${owner}', '/v1/chat/completions', 'm', 200, 1, 1, 1, 1, 0)`).join(", ")}`);
  try {
    await batch(replicas[0], owners, 0);
    const failed: string[] = [];
    for (let round = 1; round <= 30; round++) {
      const results = await Promise.allSettled([batch(replicas[0], owners, round), batch(replicas[1], [...owners.slice(round), ...owners.slice(0, round)], round)]);
      for (const r of results) if (r.status === "rejected") failed.push(String(r.reason));
    }
    expect(failed).toEqual([]);
    expect((await store.requests({ owner: "key:7" }, 100))!.length).toBe(61);
  } finally {
    for (const sql of replicas) await sql.close();
  }
}, 20_000); // a deadlock costs its victim Postgres's deadlock_timeout, a second
