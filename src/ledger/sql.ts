// The SQL both ledger stores run, written once with `?` placeholders (Postgres numbers them). Only the
// auto-increment columns and the compatibility view's trigger differ. Rows hold the ids of their names (schema 4): queries
// look a name's id up, and spell ids out as names, through usage_names. Percentiles are nearest-rank from
// window functions, which SQLite and Postgres both have.
import type { Dialect } from "../db/sql.ts";
import type { GroupBy, KeyTotals, UsageFilter, UsageGroup, UsageRecord, UsageRow } from "./store.ts";

export type { Dialect };

/**
 * Ids shaped like a UUIDv7 (the gateway's own, time-ordered) are found through the time index; only the
 * others, which clients chose, are indexed. LIKE is the pattern both databases know; a query must repeat
 * the same condition for either to use the index. `timeOrdered` is the same shape in JavaScript.
 */
const CLIENT_ID = "id NOT LIKE '________-____-7%'";
const timeOrdered = (id: string) => /^.{8}-.{4}-7/.test(id);
const CLIENT_ID_INDEX = `CREATE INDEX usage_requests_client_id ON usage_requests (id) WHERE ${CLIENT_ID}`;

/** Schema versions, applied in order once each and recorded in ledger_migrations. Never edit one that shipped. */
export const MIGRATIONS: Array<(d: Dialect) => string[]> = [
  (d) => [
    `CREATE TABLE usage_requests (
       seq ${d === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"},
       id TEXT NOT NULL,
       time BIGINT NOT NULL,
       hour TEXT NOT NULL,
       owner TEXT NOT NULL,
       key_id TEXT,
       user_login TEXT,
       endpoint TEXT NOT NULL,
       model TEXT,
       provider TEXT,
       upstream_model TEXT,
       status INTEGER NOT NULL,
       error TEXT,
       prompt_tokens INTEGER NOT NULL,
       completion_tokens INTEGER NOT NULL,
       latency_ms DOUBLE PRECISION NOT NULL,
       first_byte_ms DOUBLE PRECISION,
       attempts INTEGER NOT NULL,
       cache TEXT,
       session_id TEXT,
       cost_usd DOUBLE PRECISION NOT NULL
     )`,
    "CREATE INDEX usage_requests_time ON usage_requests (time)",
    "CREATE INDEX usage_requests_owner_time ON usage_requests (owner, time)",
    "CREATE INDEX usage_requests_key_time ON usage_requests (key_id, time)",
    "CREATE INDEX usage_requests_id ON usage_requests (id)",
  ],
  // Each index costs every insert (measured: 4 indexes were ~80% of a row's CPU); key filters and the
  // budget rebuild read a time range anyway, so the time index serves them.
  () => ["DROP INDEX usage_requests_key_time"],
  // A row's cost on the event loop (measured in the gateway and by bench/ledger-sqlite.ts, see
  // docs/benchmarks.md). One index, (time, owner), replaces three: time ranges read it as before, and a
  // caller's rows are found in it without touching the table; (owner, time) cost every insert a write at
  // each owner's place in the tree (twice the row's cost with 50 callers). The id index now holds only the
  // ids clients chose (a random x-request-id costs ~8 µs a row in it; the gateway's own time-ordered ids
  // are found through the time index, see cursorQuery). SQLite's AUTOINCREMENT went, and the hour text
  // is no longer written (day and hour groups compute it); its column stays, nullable, so replicas of the
  // previous version still running during an upgrade can go on writing rows.
  (d) => d === "postgres"
    ? [
      "DROP INDEX usage_requests_id", "DROP INDEX usage_requests_owner_time", "DROP INDEX usage_requests_time",
      "CREATE INDEX usage_requests_time_owner ON usage_requests (time, owner)", CLIENT_ID_INDEX,
      "ALTER TABLE usage_requests ALTER COLUMN hour DROP NOT NULL",
    ]
    : [
      // Schema 1's table with hour nullable, spelled out: a migration that shipped never changes, so none
      // shares text. Copying the rows takes ~2 s a million, once, at the first start of this version.
      `CREATE TABLE usage_requests_v3 (
         seq INTEGER PRIMARY KEY,
         id TEXT NOT NULL,
         time BIGINT NOT NULL,
         hour TEXT,
         owner TEXT NOT NULL,
         key_id TEXT,
         user_login TEXT,
         endpoint TEXT NOT NULL,
         model TEXT,
         provider TEXT,
         upstream_model TEXT,
         status INTEGER NOT NULL,
         error TEXT,
         prompt_tokens INTEGER NOT NULL,
         completion_tokens INTEGER NOT NULL,
         latency_ms DOUBLE PRECISION NOT NULL,
         first_byte_ms DOUBLE PRECISION,
         attempts INTEGER NOT NULL,
         cache TEXT,
         session_id TEXT,
         cost_usd DOUBLE PRECISION NOT NULL
       )`,
      "INSERT INTO usage_requests_v3 SELECT * FROM usage_requests",
      "DROP TABLE usage_requests",
      "ALTER TABLE usage_requests_v3 RENAME TO usage_requests",
      "CREATE INDEX usage_requests_time_owner ON usage_requests (time, owner)",
      CLIENT_ID_INDEX,
    ],
  schema4,
  schema5,
];

// Schema 4's lists and the pieces of its trigger that schema 5's trigger keeps: a migration's text never changes.
const V4_NAMED = ["owner", "key_id", "user_login", "endpoint", "model", "provider", "upstream_model", "error", "cache"];
const V4_COLUMNS = [
  "id", "time", "owner", "key_id", "user_login", "endpoint", "model", "provider", "upstream_model", "status", "error",
  "prompt_tokens", "completion_tokens", "latency_ms", "first_byte_ms", "attempts", "cache", "session_id", "cost_usd",
];
const v4IdOf = (name: string) => `(SELECT n.id FROM usage_names n WHERE n.name = ${name})`;
const v4FromNames = (of: (column: string) => string) => V4_COLUMNS.map((c) => (V4_NAMED.includes(c) ? v4IdOf(of(c)) : of(c))).join(", ");
const v4NamesOf = (of: (column: string) => string) => V4_NAMED.map((c) => `SELECT ${of(c)} AS name`).join(" UNION ");
const v4InsertRow = (of: (column: string) => string) => `INSERT INTO usage_rows (${V4_COLUMNS.join(", ")}) VALUES (${v4FromNames(of)})`;

/**
 * Schema 4: names are stored once. The texts that repeat from row to row (whose row, which key, model,
 * provider ...) move to usage_names, and a row of usage_rows holds their ids: a row shrinks from ~350 to
 * ~100 bytes and its index entry from ~80 to ~15, which cuts what a row costs to write by a third
 * (measured, see docs/benchmarks.md). The rows are copied over once at the first start, ~5.5 s a million
 * on SQLite and ~7 on Postgres. usage_requests
 * becomes a view of usage_rows with the names spelled out, and a row inserted into it (by a replica of the
 * previous version, during a rolling upgrade) lands in usage_rows. Its lists are its own (V4_...): a
 * migration that shipped never changes.
 */
function schema4(d: Dialect): string[] {
  const named = V4_NAMED;
  const columns = V4_COLUMNS;
  const nameOf = (column: string) => `(SELECT n.name FROM usage_names n WHERE n.id = r.${column}) AS ${column}`;
  const insertNames = (of: (column: string) => string) => `INSERT INTO usage_names (name, used) SELECT name, ${of("time")} FROM (${v4NamesOf(of)}) names
    WHERE name IS NOT NULL ON CONFLICT (name) DO UPDATE SET used = excluded.used WHERE usage_names.used < excluded.used`;
  return [
    // AUTOINCREMENT: a pruned name's id is never given to another name (a replica may still remember it).
    `CREATE TABLE usage_names (
       id ${d === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "SERIAL PRIMARY KEY"},
       name TEXT NOT NULL UNIQUE,
       used BIGINT NOT NULL
     )`,
    `CREATE TABLE usage_rows (
       seq ${d === "sqlite" ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY"},
       id TEXT NOT NULL,
       time BIGINT NOT NULL,
       owner INTEGER NOT NULL,
       key_id INTEGER,
       user_login INTEGER,
       endpoint INTEGER NOT NULL,
       model INTEGER,
       provider INTEGER,
       upstream_model INTEGER,
       status INTEGER NOT NULL,
       error INTEGER,
       prompt_tokens INTEGER NOT NULL,
       completion_tokens INTEGER NOT NULL,
       latency_ms DOUBLE PRECISION NOT NULL,
       first_byte_ms DOUBLE PRECISION,
       attempts INTEGER NOT NULL,
       cache INTEGER,
       session_id TEXT,
       cost_usd DOUBLE PRECISION NOT NULL
     )`,
    `INSERT INTO usage_names (name, used) SELECT name, MAX(time) FROM (${named.map((c) => `SELECT ${c} AS name, time FROM usage_requests`).join(" UNION ALL ")}) names
       WHERE name IS NOT NULL GROUP BY name`,
    // Joins rather than a subquery a name: the copy takes a third of the time on Postgres (~4 s a million rows
    // instead of ~12 here), where the other replicas' reads and writes wait for it.
    `INSERT INTO usage_rows (${columns.join(", ")})
       SELECT ${columns.map((c) => (named.includes(c) ? `n_${c}.id` : `r.${c}`)).join(", ")} FROM usage_requests r
       ${named.map((c) => `LEFT JOIN usage_names n_${c} ON n_${c}.name = r.${c}`).join(" ")} ORDER BY r.seq`,
    "DROP TABLE usage_requests",
    `CREATE VIEW usage_requests AS SELECT r.seq, r.id, r.time, CAST(NULL AS TEXT) AS hour, ${columns.slice(2).map((c) => (named.includes(c) ? nameOf(c) : `r.${c}`)).join(", ")} FROM usage_rows r`,
    ...(d === "sqlite"
      ? [`CREATE TRIGGER usage_requests_insert INSTEAD OF INSERT ON usage_requests BEGIN
           ${insertNames((c) => `NEW.${c}`)};
           ${v4InsertRow((c) => `NEW.${c}`)};
         END`]
      : [
        `CREATE FUNCTION usage_requests_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
           ${insertNames((c) => `NEW.${c}`)};
           ${v4InsertRow((c) => `NEW.${c}`)};
           RETURN NEW;
         END $$`,
        "CREATE TRIGGER usage_requests_insert INSTEAD OF INSERT ON usage_requests FOR EACH ROW EXECUTE FUNCTION usage_requests_insert()",
      ]),
    "CREATE INDEX usage_rows_time_owner ON usage_rows (time, owner)",
    `CREATE INDEX usage_rows_client_id ON usage_rows (id) WHERE ${CLIENT_ID}`,
  ];
}

/**
 * Schema 5: a row an older replica inserts through usage_requests adds the names that are new without
 * touching the others, and marks them used at most hourly, as this version's stores do (names.ts). Schema
 * 4's trigger upserted every name of every row, and Postgres locks a row ON CONFLICT DO UPDATE meets until
 * the batch commits: two older replicas writing the same callers in other orders deadlocked (measured: 14
 * of 200 batches, each a second lost), and all their batches waited on the names every row has (endpoint,
 * model). It also took a sequence value for every name of every row.
 */
function schema5(d: Dialect): string[] {
  const NEW = (column: string) => `NEW.${column}`;
  const body = `INSERT INTO usage_names (name, used) SELECT name, NEW.time FROM (${v4NamesOf(NEW)}) names
      WHERE name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usage_names u WHERE u.name = names.name) ON CONFLICT (name) DO NOTHING;
    UPDATE usage_names SET used = NEW.time WHERE used < NEW.time - 3600000 AND name IN (${V4_NAMED.map(NEW).join(", ")});
    ${v4InsertRow(NEW)};`;
  return d === "sqlite"
    ? ["DROP TRIGGER usage_requests_insert", `CREATE TRIGGER usage_requests_insert INSTEAD OF INSERT ON usage_requests BEGIN ${body} END`]
    : [`CREATE OR REPLACE FUNCTION usage_requests_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} RETURN NEW; END $$`];
}

export const MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS ledger_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)";

/** usage_rows' columns, as the gateway writes them. */
export const COLUMNS = [
  "id", "time", "owner", "key_id", "user_login", "endpoint", "model", "provider", "upstream_model", "status", "error",
  "prompt_tokens", "completion_tokens", "latency_ms", "first_byte_ms", "attempts", "cache", "session_id", "cost_usd",
] as const satisfies ReadonlyArray<keyof UsageRow>;

/** The columns that hold a usage_names id (names.ts turns a row's texts into them). */
export const NAMED = ["owner", "key_id", "user_login", "endpoint", "model", "provider", "upstream_model", "error", "cache"] as const satisfies ReadonlyArray<keyof UsageRow>;
export type Named = (typeof NAMED)[number];

/** A name's id, in a query (null when the name was never stored, so `column = ` it matches no row). */
const idOf = (name: string) => `(SELECT id FROM usage_names WHERE name = ${name})`;
/** A named column spelled out as its name again, for answers. */
const nameOf = (column: string, as = column) => `(SELECT name FROM usage_names WHERE id = ${column}) AS ${as}`;

/**
 * A stored name's id, marking it used at a row's time (`used` never goes back): parameters time, time, name.
 * No row: the name is new, for ADD_NAME. Names already there are never INSERTed: Postgres takes a sequence
 * value for every row an INSERT proposes, also one ON CONFLICT turns into an update, and usage_names.id is
 * an INTEGER there (SERIAL), which hourly marks of every name would run out.
 */
export const TOUCH_NAME = "UPDATE usage_names SET used = CASE WHEN used < ? THEN ? ELSE used END WHERE name = ? RETURNING id";
/** Adds a new name used at a row's time, and answers its id; a replica adding it at the same moment finds the other's. */
export const ADD_NAME = `INSERT INTO usage_names (name, used) VALUES (?, ?)
  ON CONFLICT (name) DO UPDATE SET used = CASE WHEN usage_names.used < excluded.used THEN excluded.used ELSE usage_names.used END RETURNING id`;

export interface Query {
  text: string;
  params: Array<string | number>;
}

/** The filter as AND-ed conditions and their parameters. */
function conditions(f: UsageFilter): { clauses: string[]; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  const add = (clause: string, value: string | number | undefined) => {
    if (value === undefined) return;
    clauses.push(clause);
    params.push(value);
  };
  add("time >= ?", f.from);
  add("time < ?", f.to);
  add(`owner = ${idOf("?")}`, f.owner);
  add(`model = ${idOf("?")}`, f.model);
  add(`provider = ${idOf("?")}`, f.provider);
  add("status = ?", f.status);
  add(`key_id = ${idOf("?")}`, f.key);
  return { clauses, params };
}

const where = (clauses: string[]) => (clauses.length ? `WHERE ${clauses.join(" AND ")}` : "");

/** Day and hour groups are whole UTC days or hours since the epoch (integer division, the same on both), named in toGroups. */
const TIME_GROUPS = { day: { ms: 86_400_000, chars: 10 }, hour: { ms: 3_600_000, chars: 13 } } as const;
const GROUP_EXPR: Record<GroupBy, string> = {
  model: "model",
  provider: "provider",
  key: "key_id",
  user: "user_login",
  day: `time / ${TIME_GROUPS.day.ms}`,
  hour: `time / ${TIME_GROUPS.hour.ms}`,
};

export function summaryQuery(groupBy: GroupBy, filter: UsageFilter): Query {
  const { clauses, params } = conditions(filter);
  const g = GROUP_EXPR[groupBy];
  return {
    text: `WITH f AS (
        SELECT ${g} AS g, status, error, prompt_tokens, completion_tokens, cache, latency_ms, cost_usd,
          ROW_NUMBER() OVER (PARTITION BY ${g} ORDER BY latency_ms) AS rn, COUNT(*) OVER (PARTITION BY ${g}) AS n
        FROM usage_rows ${where(clauses)})
      SELECT ${groupBy in TIME_GROUPS ? "f.g" : nameOf("f.g", "g")}, COUNT(*) AS requests,
        SUM(CASE WHEN status >= 400 OR error IS NOT NULL THEN 1 ELSE 0 END) AS errors,
        SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
        SUM(CASE WHEN cache = ${idOf("'HIT'")} THEN 1 ELSE 0 END) AS cache_hits,
        MIN(CASE WHEN rn * 100 >= n * 50 THEN latency_ms END) AS p50,
        MIN(CASE WHEN rn * 100 >= n * 95 THEN latency_ms END) AS p95,
        SUM(cost_usd) AS cost
      FROM f GROUP BY f.g`,
    params,
  };
}

type Numeric = number | string | bigint | null;
const num = (v: Numeric) => Number(v ?? 0);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Postgres answers COUNT and SUM as strings; the order is the same on both (time groups in time order, others busiest first). */
export function toGroups(
  rows: Array<{ g: Numeric; requests: Numeric; errors: Numeric; prompt_tokens: Numeric; completion_tokens: Numeric; cache_hits: Numeric; p50: Numeric; p95: Numeric; cost: Numeric }>,
  groupBy: GroupBy,
): UsageGroup[] {
  const time = groupBy === "day" || groupBy === "hour" ? TIME_GROUPS[groupBy] : undefined;
  // "2026-11-30" for a day, "2026-11-30T17" for an hour (UTC).
  const name = (g: Numeric) => (time && g !== null ? new Date(num(g) * time.ms).toISOString().slice(0, time.chars) : (g as string | null));
  const groups = rows.map((r) => ({
    group: name(r.g),
    requests: num(r.requests),
    errors: num(r.errors),
    prompt_tokens: num(r.prompt_tokens),
    completion_tokens: num(r.completion_tokens),
    total_tokens: num(r.prompt_tokens) + num(r.completion_tokens),
    cache_hits: num(r.cache_hits),
    latency_ms_p50: round(num(r.p50), 1),
    latency_ms_p95: round(num(r.p95), 1),
    cost_usd: round(num(r.cost), 9),
  }));
  const byName = (a: UsageGroup, b: UsageGroup) => (a.group ?? "").localeCompare(b.group ?? "");
  return groups.sort(time ? byName : (a, b) => b.requests - a.requests || byName(a, b));
}

const RECORD_COLUMNS = [
  "seq", "id", "time", ...["key_id", "user_login", "endpoint", "model", "provider", "upstream_model"].map((c) => nameOf(c)), "status", nameOf("error"),
  "prompt_tokens", "completion_tokens", "latency_ms", "first_byte_ms", "attempts", nameOf("cache"),
].join(", ");

/**
 * Newest first, in the order of the (time, owner) index (seq is the row id it ends with), so a page is
 * read straight from the index; a cursor is a row's place in that order.
 */
const NEWEST_FIRST = "time DESC, owner DESC, seq DESC";
const CURSOR = "time, owner, seq";
export interface Cursor {
  time: Numeric;
  /** The owner's usage_names id. */
  owner: Numeric;
  seq: Numeric;
}

/** How far from its id's start time a row is looked for: a request that ran longer is not found as a cursor. */
const ROW_AFTER_START_MS = 3_600_000;
/** Slack for an id minted on another clock than the row's (a client's own UUIDv7). */
const CLOCK_SKEW_MS = 300_000;

/**
 * Where row `id` sits in the newest-first order, among the rows the filter may see. A time-ordered id (the
 * gateway's UUIDv7, minted on the clock that times its row) is looked for among the rows that ended within
 * an hour of its start, through the time index; any other id through the index of client-chosen ids.
 * Neither ever scans the table, whatever id a caller sends. Undefined: no such id can be a row.
 */
export function cursorQuery(filter: UsageFilter, id: string): Query | undefined {
  const { clauses, params } = conditions({ owner: filter.owner });
  if (!timeOrdered(id)) {
    return { text: `SELECT ${CURSOR} FROM usage_rows ${where(["id = ?", CLIENT_ID, ...clauses])} ORDER BY ${NEWEST_FIRST} LIMIT 1`, params: [id, ...params] };
  }
  if (!/^[\da-f]{8}-[\da-f]{4}$/i.test(id.slice(0, 13))) return undefined;
  const start = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return {
    text: `SELECT ${CURSOR} FROM usage_rows ${where(["time >= ?", "time < ?", "id = ?", ...clauses])} ORDER BY ${CURSOR} LIMIT 1`,
    params: [start - CLOCK_SKEW_MS, start + ROW_AFTER_START_MS, id, ...params],
  };
}

export function requestsQuery(filter: UsageFilter, limit: number, cursor?: Cursor): Query {
  const { clauses, params } = conditions(filter);
  if (cursor) {
    clauses.push("(time, owner, seq) < (?, ?, ?)");
    params.push(num(cursor.time), num(cursor.owner), num(cursor.seq));
  }
  params.push(limit);
  return {
    text: `SELECT ${RECORD_COLUMNS} FROM usage_rows ${where(clauses)} ORDER BY ${NEWEST_FIRST} LIMIT ?`,
    params,
  };
}

export function toRecord(r: Record<string, unknown>): UsageRecord {
  return {
    id: r.id as string,
    time: new Date(num(r.time as Numeric)).toISOString(),
    key: (r.key_id as string | null) ?? null,
    user: (r.user_login as string | null) ?? null,
    endpoint: r.endpoint as string,
    model: (r.model as string | null) ?? null,
    provider: (r.provider as string | null) ?? null,
    upstream_model: (r.upstream_model as string | null) ?? null,
    status: num(r.status as Numeric),
    error: (r.error as string | null) ?? null,
    prompt_tokens: num(r.prompt_tokens as Numeric),
    completion_tokens: num(r.completion_tokens as Numeric),
    latency_ms: num(r.latency_ms as Numeric),
    first_byte_ms: r.first_byte_ms === null || r.first_byte_ms === undefined ? null : num(r.first_byte_ms as Numeric),
    attempts: num(r.attempts as Numeric),
    cache: (r.cache as string | null) ?? null,
  };
}

export const pruneQuery = (time: number): Query => ({ text: "DELETE FROM usage_rows WHERE time < ?", params: [time] });

/**
 * Names no row can still use go with the rows, a day after them. A store marks each name it uses at least
 * every hour of its rows' time (names.ts), so a name's `used` is at most an hour older than any row that
 * holds its id, and a name unused for a day longer than the rows are kept is in none of them. A store that
 * still remembers the id (an idle one) looks the name up again before its next rows, which are more than an
 * hour newer, and adds it anew, under a new id (ids are never reused).
 */
export const pruneNamesQuery = (time: number): Query => ({ text: "DELETE FROM usage_names WHERE used < ?", params: [time - NAME_SLACK_MS] });
const NAME_SLACK_MS = 86_400_000;

/** Budgets count answered requests (status < 400, cache hits included) and every recorded token. */
export function keyTotalsQuery(dayStart: number, monthStart: number): Query {
  return {
    text: `SELECT ${nameOf("r.key_id", "key_id")},
        SUM(CASE WHEN time >= ? AND status < 400 THEN 1 ELSE 0 END) AS day_requests,
        SUM(CASE WHEN time >= ? THEN prompt_tokens + completion_tokens ELSE 0 END) AS day_tokens,
        SUM(CASE WHEN status < 400 THEN 1 ELSE 0 END) AS month_requests,
        SUM(prompt_tokens + completion_tokens) AS month_tokens
      FROM usage_rows r WHERE key_id IS NOT NULL AND time >= ? GROUP BY r.key_id`,
    params: [dayStart, dayStart, monthStart],
  };
}

export function toKeyTotals(rows: Array<{ key_id: string; day_requests: Numeric; day_tokens: Numeric; month_requests: Numeric; month_tokens: Numeric }>): KeyTotals[] {
  return rows.map((r) => ({
    key: r.key_id,
    dayRequests: num(r.day_requests),
    dayTokens: num(r.day_tokens),
    monthRequests: num(r.month_requests),
    monthTokens: num(r.month_tokens),
  }));
}
