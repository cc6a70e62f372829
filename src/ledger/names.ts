// The texts a ledger row repeats (whose row it is, which key, model, provider ...) are stored once, in
// usage_names, and usage_rows holds their ids (sql.ts, schema 4). A process remembers the ids it has seen:
// a name's id never changes, so what it remembers is never stale.
import { NAMED, type Named } from "./sql.ts";
import type { UsageRow } from "./store.ts";

/** A row with its names as usage_names ids, as usage_rows keeps it. A type, so SQLite binds it by name. */
export type EncodedRow = Omit<UsageRow, Named> & { [column in Named]: number | null };

/** Most ids remembered; past it the memory starts over (every anonymous caller adds an owner name). */
const MAX_REMEMBERED = 100_000;

export class NameIds {
  readonly #ids = new Map<string, number>();

  /** Looks up (adding it when new, with `idOf`) every name of `rows` not remembered yet. */
  async learn(rows: UsageRow[], idOf: (name: string) => number | Promise<number>): Promise<void> {
    if (this.#ids.size > MAX_REMEMBERED) this.#ids.clear();
    for (const row of rows) {
      for (const column of NAMED) {
        const name = row[column];
        if (name !== null && !this.#ids.has(name)) this.#ids.set(name, await idOf(name));
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
