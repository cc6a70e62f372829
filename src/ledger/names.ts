// The texts a ledger row repeats (whose row it is, which key, model, provider ...) are stored once, in
// usage_names, and usage_rows holds their ids (sql.ts, schema 4). A process remembers the ids it has looked
// up, for an hour of rows at most: each lookup marks the name used at its batch's newest row's time, which lets
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

  /**
   * Looks up every name of `rows` not remembered (`idOf` adds it if new, and marks it used at `time`),
   * `lanes` at a time (a round trip each on Postgres: after each hour a batch of new callers has thousands).
   * Stores call it before, and outside, the transaction of the rows: a new name commits on its own, so a
   * failed batch leaves no id remembered that is not there.
   */
  async learn(rows: UsageRow[], idOf: (name: string, time: number) => number | Promise<number>, lanes = 1): Promise<void> {
    const time = rows.reduce((latest, row) => Math.max(latest, row.time), -Infinity);
    if (time - this.#since > REMEMBER_MS || this.#ids.size > MAX_REMEMBERED) {
      this.#ids.clear();
      this.#since = time;
    }
    const missing = new Set<string>();
    for (const row of rows) {
      for (const column of NAMED) {
        const name = row[column];
        if (name !== null && !this.#ids.has(name)) missing.add(name);
      }
    }
    if (missing.size === 0) return;
    const names = [...missing];
    const ids: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(lanes, names.length) }, async () => {
      for (let i = next++; i < names.length; i = next++) ids[i] = await idOf(names[i], time);
    }));
    // Remembered once all are known: a lane still running after another failed changes nothing.
    names.forEach((name, i) => this.#ids.set(name, ids[i]));
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
