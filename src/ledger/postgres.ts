// The ledger on Postgres (DATABASE_URL=postgres://...) through Bun's built-in SQL client, for several
// gateways sharing one ledger. Same schema and queries as SQLite; migrations run under an advisory lock
// so gateways starting together apply each one once.
import { SQL } from "bun";
import { migratePostgres, numbered } from "../db/sql.ts";
import { NameIds } from "./names.ts";
import {
  ADD_NAME, COLUMNS, cursorQuery, keyTotalsQuery, MIGRATIONS, pruneNamesQuery, pruneQuery, requestsQuery, summaryQuery, toGroups, toKeyTotals, toRecord,
  TOUCH_NAME, type Cursor, type Query,
} from "./sql.ts";
import type { GroupBy, LedgerStore, UsageFilter, UsageRow } from "./store.ts";

/** Any constant: the advisory lock that serialises ledger migrations across gateways. */
const MIGRATION_LOCK = 7_301_013;
/** Name lookups run side by side on this many of the pool's connections; one stays free for the usage API. */
const NAME_LANES = 3;

export class PostgresLedger implements LedgerStore {
  readonly #sql: SQL;
  readonly #names = new NameIds();
  #migrated: Promise<void> | undefined;

  /** Connects lazily: a server that is down at start-up fails the first writes (counted), not the gateway. */
  constructor(url: string) {
    this.#sql = new SQL(url, { max: NAME_LANES + 1, idleTimeout: 30, connectionTimeout: 5 });
  }

  /** Applies pending migrations once; a failed attempt is retried by the next operation. */
  migrate(): Promise<void> {
    this.#migrated ??= migratePostgres(this.#sql, { table: "ledger_migrations", lock: MIGRATION_LOCK, migrations: MIGRATIONS, name: "usage ledger" })
      .catch((error) => {
        this.#migrated = undefined;
        throw error;
      });
    return this.#migrated;
  }

  async insert(rows: UsageRow[]): Promise<void> {
    await this.migrate();
    await this.#names.learn(rows, async (name, time) => {
      const [touched] = await this.#sql.unsafe(numbered(TOUCH_NAME), [time, time, name]);
      const { id } = touched ?? (await this.#sql.unsafe(numbered(ADD_NAME), [name, time]))[0];
      return Number(id);
    }, NAME_LANES);
    // One multi-row INSERT per batch.
    const params = rows.flatMap((row) => {
      const encoded = this.#names.encode(row);
      return COLUMNS.map((c) => encoded[c]);
    });
    const tuples = rows.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(", ")})`);
    await this.#sql.unsafe(`INSERT INTO usage_rows (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`, params);
  }

  async summary(groupBy: GroupBy, filter: UsageFilter) {
    return toGroups(await this.#all(summaryQuery(groupBy, filter)), groupBy);
  }

  async requests(filter: UsageFilter, limit: number, before?: string) {
    let cursor: Cursor | undefined;
    if (before !== undefined) {
      const q = cursorQuery(filter, before);
      if (q) [cursor] = await this.#all(q);
      if (!cursor) return undefined;
    }
    return (await this.#all(requestsQuery(filter, limit, cursor))).map(toRecord);
  }

  async prune(time: number): Promise<number> {
    const result = await this.#all(pruneQuery(time));
    await this.#all(pruneNamesQuery(time));
    return (result as unknown as { count: number }).count;
  }

  async keyTotals(dayStart: number, monthStart: number) {
    return toKeyTotals(await this.#all(keyTotalsQuery(dayStart, monthStart)));
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }

  /** Rows as objects; COUNT, SUM and BIGINT come back as strings (the mappers in sql.ts convert). */
  async #all(q: Query): Promise<any[]> {
    await this.migrate();
    return this.#sql.unsafe(numbered(q.text), q.params);
  }
}
