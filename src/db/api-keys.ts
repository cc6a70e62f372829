// Gateway API keys created by admins. Only the SHA-256 of a key is stored: the key is shown once, at
// creation, and a lost key is replaced, never recovered.
import type { Database } from "bun:sqlite";
import { randomToken, sha256 } from "../auth/secrets.ts";
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
  created_at: number;
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

export class ApiKeyStore {
  // Every request with a bearer key looks it up; a query per request cost more than the rest of auth.
  // Keyed by the key's hash, never the key; emptied by every change made through this store.
  readonly #lookups = new LruMap<{ key: ApiKey | undefined; until: number }>(LOOKUP_MAX);

  constructor(private readonly db: Database, private readonly changes: ChangeFeed = localChanges) {
    changes.on("keys", () => this.#lookups.clear());
  }

  create(input: { name: string; rateLimit: number | null; budget?: Budget | null; createdBy: string }, now: number): { key: string; record: ApiKey } {
    const key = `${KEY_PREFIX}${randomToken()}`;
    const row: Row = {
      id: `key_${randomToken(9)}`, name: input.name, rate_limit: input.rateLimit, budget: input.budget ? JSON.stringify(input.budget) : null,
      created_at: now, created_by: input.createdBy,
    };
    this.db.query(
      `INSERT INTO api_keys (id, name, key_hash, rate_limit, budget, created_at, created_by)
       VALUES ($id, $name, $hash, $rate_limit, $budget, $created_at, $created_by)`,
    ).run({ ...row, hash: sha256(key) });
    this.#changed();
    return { key, record: toApiKey(row) };
  }

  list(): ApiKey[] {
    return this.db.query<Row, []>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`).all().map(toApiKey);
  }

  /** Changes what is given (`null` clears rateLimit or budget); the updated key, or undefined when there is none. */
  update(id: string, change: { name?: string; rateLimit?: number | null; budget?: Budget | null }): ApiKey | undefined {
    const sets: string[] = [];
    const values: Record<string, string | number | null> = { id };
    if (change.name !== undefined) (sets.push("name = $name"), (values.name = change.name));
    if (change.rateLimit !== undefined) (sets.push("rate_limit = $rate_limit"), (values.rate_limit = change.rateLimit));
    if (change.budget !== undefined) (sets.push("budget = $budget"), (values.budget = change.budget && JSON.stringify(change.budget)));
    if (sets.length > 0) this.db.query(`UPDATE api_keys SET ${sets.join(", ")} WHERE id = $id`).run(values);
    const row = this.db.query<Row, { id: string }>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $id`).get({ id });
    if (sets.length > 0) this.#changed();
    return row ? toApiKey(row) : undefined;
  }

  remove(id: string): boolean {
    const removed = this.db.query("DELETE FROM api_keys WHERE id = $id").run({ id }).changes > 0;
    this.#changed();
    return removed;
  }

  /** The key whose SHA-256 is `hash`, if an admin created it and has not revoked it. */
  findByHash(hash: string): ApiKey | undefined {
    const now = performance.now();
    const known = this.#lookups.get(hash);
    if (known && known.until > now) return known.key;
    const key = this.#query(hash);
    this.#lookups.set(hash, { key, until: now + LOOKUP_TTL_MS });
    return key;
  }

  #changed(): void {
    this.#lookups.clear();
    this.changes.announce("keys");
  }

  #query(hash: string): ApiKey | undefined {
    const row = this.db
      .query<Row, { hash: string }>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $hash`)
      .get({ hash });
    return row ? toApiKey(row) : undefined;
  }
}

function toApiKey(row: Row): ApiKey {
  return {
    id: row.id, name: row.name, rateLimit: row.rate_limit, budget: row.budget ? (JSON.parse(row.budget) as Budget) : null,
    createdAt: new Date(row.created_at).toISOString(), createdBy: row.created_by,
  };
}
