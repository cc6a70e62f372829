// The texts a ledger row repeats (whose row it is, which key, model, provider ...) are stored once, in
// usage_names, and usage_rows holds their ids (sql.ts, schema 4). A process remembers the ids it has looked
// up, for an hour of rows at most: each lookup marks the name used at its row's time, which is what lets
// names go with the last rows that held them (sql.ts, pruneNamesQuery).
import { NAMED, type Named } from "./sql.ts";
import type { UsageRow } from "./store.ts";

/** A row with its names as usage_names ids, as usage_rows keeps it. A type, so SQLite binds it by name. */
export type EncodedRow = Omit<UsageRow, Named> & { [column in Named]: number | null };

/** How long (in the rows' time) an id is remembered before it is looked up, and its name marked used, again. */
const REMEMBER_MS = 3_600_000;
/** Most ids remembered; past it the memory starts over (every anonymous caller adds an owner name). */
const MAX_REMEMBERED = 100_000;

export class NameIds {
  readonly #ids = new Map<string, number>();
  #since = -Infinity;

  /** Looks up every name of `rows` not remembered (`idOf` adds it if new, and marks it used at `time`). */
  async learn(rows: UsageRow[], idOf: (name: string, time: number) => number | Promise<number>): Promise<void> {
    const time = rows.reduce((latest, row) => Math.max(latest, row.time), -Infinity);
    if (time - this.#since > REMEMBER_MS || this.#ids.size > MAX_REMEMBERED) {
      this.#ids.clear();
      this.#since = time;
    }
    for (const row of rows) {
      for (const column of NAMED) {
        const name = row[column];
        if (name !== null && !this.#ids.has(name)) this.#ids.set(name, await idOf(name, time));
      }
    }
  }

  /** The row with its names' ids (all learnt before). */
  encode(row: UsageRow): EncodedRow {
    const encoded = { ...row } as unknown as EncodedRow;
    for (const column of NAMED) {
      const name = row[column];
      encoded[column] = name === null ? null : this.#ids.get(name)!;
    }
    return encoded;
  }
}
