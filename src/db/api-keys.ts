// Gateway API keys created by admins. Only the SHA-256 of a key is stored: the key is shown once, at
// creation, and a lost key is replaced, never recovered.
import type { Database } from "bun:sqlite";
import { randomToken, sha256 } from "../auth/secrets.ts";
import { out, type Out, type Param, PostgresClient, type Runner, runner, then } from "./sql.ts";
import { type ChangeFeed, localChanges } from "../stores/changes.ts";
import { LruMap } from "../stores/lru.ts";

export interface ApiKey {
  id: string;
  name: string;
  /** Requests per minute for this key, read by the rate limiter; null means the default limit. */
  rateLimit: number | null;
  /** Daily and monthly caps (UTC), enforced before any upstream call; null means none. */
  budget: Budget | null;
  createdAt: string;
  createdBy: string;
}

export interface Budget {
  requests_per_day?: number;
  tokens_per_day?: number;
  tokens_per_month?: number;
}

interface Row {
  id: string;
  name: string;
  rate_limit: number | null;
  budget: string | null;
  /** Epoch ms; Postgres answers BIGINT as a string. */
  created_at: number | string;
  created_by: string;
}

const COLUMNS = "id, name, rate_limit, budget, created_at, created_by";

/** Recognisable in logs and secret scanners; never confused with a JWT (no dots). */
export const KEY_PREFIX = "gwk_";

/**
 * Lookups remembered (found or not); an entry lives this long, which bounds how stale another process's
 * changes can be when nothing announces them (replicas on Redis hear of them at once).
 */
const LOOKUP_TTL_MS = 1_000;
const LOOKUP_MAX = 1_000;

/**
 * On SQLite (`Sync`) every method answers at once, as before; on Postgres with promises.
 * What is read when: a request's key is read from the database only the first time it is seen, then at
 * most once per LOOKUP_TTL_MS, and again after a change made here or announced by another replica
 * (stores/changes.ts, on Redis); every other lookup is answered from memory. The admin routes read and
 * write the database directly.
 */
export class ApiKeyStore<Sync extends boolean = true> {
  // Every request with a bearer key looks it up; a query per request cost more than the rest of auth.
  // Keyed by the key's hash, never the key; emptied by every change made through this store.
  readonly #lookups = new LruMap<{ key: ApiKey | undefined; until: number }>(LOOKUP_MAX);
  /** Bumped by every change: a lookup that started before one does not remember what it read. */
  #generation = 0;
  readonly #db: Runner<Sync>;

  constructor(db: Database | Runner<Sync>, private readonly changes: ChangeFeed = localChanges) {
    this.#db = runner(db);
    changes.on("keys", () => this.#forget());
  }

  create(input: { name: string; rateLimit: number | null; budget?: Budget | null; createdBy: string }, now: number): Out<Sync, { key: string; record: ApiKey }> {
    const key = `${KEY_PREFIX}${randomToken()}`;
    const row: Row = {
      id: `key_${randomToken(9)}`, name: input.name, rate_limit: input.rateLimit, budget: input.budget ? JSON.stringify(input.budget) : null,
      created_at: now, created_by: input.createdBy,
    };
    const inserted = this.#db.run(
      "INSERT INTO api_keys (id, name, key_hash, rate_limit, budget, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [row.id, row.name, sha256(key), row.rate_limit, row.budget, row.created_at, row.created_by],
    );
    return out(then(inserted, () => {
      this.#changed();
      return { key, record: toApiKey(row) };
    }));
  }

  list(): Out<Sync, ApiKey[]> {
    return out(then(this.#db.all<Row>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`), (rows) => rows.map(toApiKey)));
  }

  /** Changes what is given (`null` clears rateLimit or budget); the updated key, or undefined when there is none. */
  update(id: string, change: { name?: string; rateLimit?: number | null; budget?: Budget | null }): Out<Sync, ApiKey | undefined> {
    const sets: string[] = [];
    const values: Param[] = [];
    if (change.name !== undefined) (sets.push("name = ?"), values.push(change.name));
    if (change.rateLimit !== undefined) (sets.push("rate_limit = ?"), values.push(change.rateLimit));
    if (change.budget !== undefined) (sets.push("budget = ?"), values.push(change.budget && JSON.stringify(change.budget)));
    const updated = sets.length > 0 ? this.#db.run(`UPDATE api_keys SET ${sets.join(", ")} WHERE id = ?`, [...values, id]) : 0;
    return out(then(updated, () => then(this.#db.all<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, [id]), ([row]) => {
      if (sets.length > 0) this.#changed();
      return row ? toApiKey(row) : undefined;
    })));
  }

  remove(id: string): Out<Sync, boolean> {
    return out(then(this.#db.run("DELETE FROM api_keys WHERE id = ?", [id]), (changes) => {
      this.#changed();
      return changes > 0;
    }));
  }

  /** The key whose SHA-256 is `hash`, if an admin created it and has not revoked it. */
  findByHash(hash: string): Out<Sync, ApiKey | undefined> {
    const now = performance.now();
    const known = this.#lookups.get(hash);
    if (known && known.until > now) return out(this.#db instanceof PostgresClient ? Promise.resolve(known.key) : known.key);
    const generation = this.#generation;
    return out(then(this.#db.all<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`, [hash]), ([row]) => {
      const key = row ? toApiKey(row) : undefined;
      if (generation === this.#generation) this.#lookups.set(hash, { key, until: now + LOOKUP_TTL_MS });
      return key;
    }));
  }

  #forget(): void {
    this.#generation++;
    this.#lookups.clear();
  }

  #changed(): void {
    this.#forget();
    this.changes.announce("keys");
  }
}

function toApiKey(row: Row): ApiKey {
  return {
    id: row.id, name: row.name, rateLimit: row.rate_limit, budget: row.budget ? (JSON.parse(row.budget) as Budget) : null,
    createdAt: new Date(Number(row.created_at)).toISOString(), createdBy: row.created_by,
  };
}
