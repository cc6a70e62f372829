// What the gateway's two databases share. SQLite (bun:sqlite, the default) answers synchronously, so its
// stores return plain values and the request path stays as it was; Postgres (DATABASE_URL, Bun's SQL)
// answers with promises. Each store's statements are written once, with `?` placeholders, and run on
// either; callers `await` a `Maybe`, which costs nothing more than a microtask on SQLite.
import { SQL } from "bun";
import { Database } from "bun:sqlite";

export type Dialect = "sqlite" | "postgres";
export type Maybe<T> = T | Promise<T>;
export type Param = string | number | null;

/** A store's result: a value on SQLite (`Sync` true), a promise on Postgres; `boolean` when either. */
export type Out<Sync extends boolean, T> = Sync extends true ? T : Promise<T>;

/** Runs the stores' statements: bun:sqlite's prepared-statement cache, or Postgres. */
export interface Runner<Sync extends boolean> {
  all<T>(text: string, params?: Param[]): Out<Sync, T[]>;
  /** How many rows the statement changed. */
  run(text: string, params?: Param[]): Out<Sync, number>;
}

/** A store's constructor takes either the SQLite database or a Postgres client. */
export const runner = <Sync extends boolean>(db: Database | Runner<Sync>): Runner<Sync> =>
  (db instanceof Database ? sqliteRunner(db) : db) as Runner<Sync>;

function sqliteRunner(db: Database): Runner<true> {
  return {
    all: <T>(text: string, params: Param[] = []) => db.query(text).all(...params) as T[],
    run: (text, params = []) => db.query(text).run(...params).changes,
  };
}

/** `then` typed for a store of either kind. */
export const out = <Sync extends boolean, T>(value: Maybe<T>): Out<Sync, T> => value as unknown as Out<Sync, T>;

/** Applies `f` now to a value, or when a promise settles: one code path for both databases. */
export const then = <T, U>(value: Maybe<T>, f: (value: T) => Maybe<U>): Maybe<U> =>
  value instanceof Promise ? value.then(f) : f(value);

/** `?` placeholders as Postgres numbers them. */
export function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/**
 * Applies the migrations a Postgres database lacks, once each, recorded in `table`: the advisory lock
 * serialises gateways starting together, so each migration runs once.
 */
export function migratePostgres(
  sql: SQL,
  what: { table: string; lock: number; migrations: Array<(d: Dialect) => string[]>; name: string },
): Promise<void> {
  return sql.begin(async (tx) => {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(${what.lock})`);
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${what.table} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    const [{ version }] = await tx.unsafe(`SELECT COALESCE(MAX(version), 0) AS version FROM ${what.table}`);
    const applied = Number(version);
    if (applied > what.migrations.length) throw new Error(`The ${what.name} was written by a newer gateway (schema ${applied}); upgrade the gateway.`);
    for (let i = applied; i < what.migrations.length; i++) {
      for (const statement of what.migrations[i]("postgres")) await tx.unsafe(statement);
      await tx.unsafe(`INSERT INTO ${what.table} (version, applied_at) VALUES ($1, $2)`, [i + 1, Date.now()]);
    }
  });
}

/** The gateway's own tables on Postgres: rows as objects (BIGINT as strings: the stores convert). */
export class PostgresClient implements Runner<false> {
  readonly #sql: SQL;

  constructor(url: string) {
    this.#sql = new SQL(url, { max: 4, idleTimeout: 30, connectionTimeout: 5 });
  }

  get sql(): SQL {
    return this.#sql;
  }

  all<T>(text: string, params: Param[] = []): Promise<T[]> {
    return this.#sql.unsafe(numbered(text), params);
  }

  async run(text: string, params: Param[] = []): Promise<number> {
    return ((await this.#sql.unsafe(numbered(text), params)) as unknown as { count: number }).count;
  }

  close(): Promise<void> {
    return this.#sql.close();
  }
}
