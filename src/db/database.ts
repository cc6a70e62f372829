// The embedded SQLite database (bun:sqlite) behind everything the admin API changes, plus API key
// hashes, users, pending login states and revoked tokens; with DATABASE_URL the same tables in Postgres.
// In SQLite, WAL keeps reads fast while a write happens; the schema moves forward through numbered
// migrations recorded in PRAGMA user_version.
import { Database } from "bun:sqlite";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Dialect, migratePostgres, PostgresClient } from "./sql.ts";

/**
 * Schema versions, applied in order once each: in SQLite recorded in PRAGMA user_version, in Postgres in
 * gateway_migrations (as the ledger does). Never edit one that shipped: the SQLite text must stay as it
 * was; Postgres needs BIGINT for epoch-ms columns (SQLite's INTEGER is 64-bit already).
 */
export const MIGRATIONS: Array<(d: Dialect) => string[]> = [
  (d) => {
    const ms = d === "sqlite" ? "INTEGER" : "BIGINT";
    return [
      `CREATE TABLE users (
     id TEXT PRIMARY KEY,            -- GitHub numeric id; logins can change
     login TEXT NOT NULL,
     name TEXT,
     email TEXT,
     last_login_at ${ms} NOT NULL
   )`,
      `CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at ${ms} NOT NULL)`,
      `CREATE TABLE oauth_states (state_hash TEXT PRIMARY KEY, expires_at ${ms} NOT NULL)`,
      `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     key_hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the key; the key itself is shown once and never stored
     rate_limit INTEGER,
     created_at ${ms} NOT NULL,
     created_by TEXT NOT NULL
   )`,
      `CREATE TABLE model_mappings (alias TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, updated_at ${ms} NOT NULL)`,
      `CREATE TABLE custom_providers (
     name TEXT PRIMARY KEY,
     base_url TEXT NOT NULL,
     api_key TEXT,                   -- needed to call the provider; never returned by any route
     models TEXT NOT NULL,           -- JSON array of model ids
     created_at ${ms} NOT NULL
   )`,
      "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ];
  },
  // Per-key budgets (JSON: requests_per_day, tokens_per_day, tokens_per_month), enforced by ledger/budgets.ts.
  () => ["ALTER TABLE api_keys ADD COLUMN budget TEXT"],
];

/** Any constant: the advisory lock that serialises the gateway's migrations across replicas (the ledger has its own). */
const MIGRATION_LOCK = 7_301_014;

/** The gateway's tables in Postgres (DATABASE_URL), which replicas on several hosts share; usable once `migrated`. */
export function openPostgres(url: string): { db: PostgresClient; migrated: Promise<void> } {
  const db = new PostgresClient(url);
  return { db, migrated: migratePostgres(db.sql, { table: "gateway_migrations", lock: MIGRATION_LOCK, migrations: MIGRATIONS, name: "database" }) };
}

/** How long a statement waits for another connection's lock (replicas on one file) before it fails. */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating file and directory) and migrates the database at `path`, or an in-memory one. */
export function openDatabase(path: string): Database {
  const inMemory = path === ":memory:";
  // The file holds custom provider keys: only the gateway's user may read it.
  if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, { create: true, strict: true });
  if (!inMemory) chmodSync(path, 0o600);
  // synchronous=NORMAL: in WAL mode no fsync per commit (only at checkpoints), still never corrupt; a power
  // loss may undo the last commits. bun:sqlite is synchronous, so a FULL fsync (3+ ms measured) would stall
  // every request in flight each time the usage ledger writes a batch.
  // busy_timeout first: replicas opening one file together wait for each other's locks instead of failing.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`);
  walMode(db);
  db.exec("PRAGMA synchronous = NORMAL;");
  migrate(db);
  return db;
}

/**
 * Switches the file to WAL. A new file's switch needs it alone, and when replicas switch it at the same
 * moment SQLite answers SQLITE_BUSY at once, without the busy timeout (seen once in ~200 opens of four
 * processes): try again for as long as the busy timeout would have waited.
 */
function walMode(db: Database): void {
  for (const started = performance.now(); ; ) {
    try {
      db.exec("PRAGMA journal_mode = WAL;");
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || performance.now() - started > BUSY_TIMEOUT_MS) throw error;
      Bun.sleepSync(5 + Math.random() * 20);
    }
  }
}

// IMMEDIATE takes the write lock before the version is read: replicas starting together on one file
// (docker-compose.yml) migrate it once; the others wait, then find it migrated.
function migrate(db: Database): void {
  db.transaction(() => {
    const { user_version: version } = db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
    if (version > MIGRATIONS.length) throw new Error(`The database was written by a newer gateway (schema ${version}); upgrade the gateway.`);
    MIGRATIONS.slice(version).forEach((migration) => migration("sqlite").forEach((sql) => db.exec(sql)));
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
