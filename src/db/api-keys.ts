// Gateway API keys created by admins. Only the SHA-256 of a key is stored: the key is shown once, at
// creation, and a lost key is replaced, never recovered.
import type { Database } from "bun:sqlite";
import { randomToken, sha256 } from "../auth/secrets.ts";

export interface ApiKey {
  id: string;
  name: string;
  /** Requests per minute for this key, read by the rate limiter; null means the default limit. */
  rateLimit: number | null;
  createdAt: string;
  createdBy: string;
}

interface Row {
  id: string;
  name: string;
  rate_limit: number | null;
  created_at: number;
  created_by: string;
}

/** Recognisable in logs and secret scanners; never confused with a JWT (no dots). */
const KEY_PREFIX = "gwk_";

export class ApiKeyStore {
  constructor(private readonly db: Database) {}

  create(input: { name: string; rateLimit: number | null; createdBy: string }, now: number): { key: string; record: ApiKey } {
    const key = `${KEY_PREFIX}${randomToken()}`;
    const row: Row = { id: `key_${randomToken(9)}`, name: input.name, rate_limit: input.rateLimit, created_at: now, created_by: input.createdBy };
    this.db.query(
      `INSERT INTO api_keys (id, name, key_hash, rate_limit, created_at, created_by)
       VALUES ($id, $name, $hash, $rate_limit, $created_at, $created_by)`,
    ).run({ ...row, hash: sha256(key) });
    return { key, record: toApiKey(row) };
  }

  list(): ApiKey[] {
    return this.db.query<Row, []>("SELECT id, name, rate_limit, created_at, created_by FROM api_keys ORDER BY created_at, id").all().map(toApiKey);
  }

  remove(id: string): boolean {
    return this.db.query("DELETE FROM api_keys WHERE id = $id").run({ id }).changes > 0;
  }

  /** The key whose SHA-256 is `hash`, if an admin created it and has not revoked it. */
  findByHash(hash: string): ApiKey | undefined {
    const row = this.db
      .query<Row, { hash: string }>("SELECT id, name, rate_limit, created_at, created_by FROM api_keys WHERE key_hash = $hash")
      .get({ hash });
    return row ? toApiKey(row) : undefined;
  }
}

function toApiKey(row: Row): ApiKey {
  return { id: row.id, name: row.name, rateLimit: row.rate_limit, createdAt: new Date(row.created_at).toISOString(), createdBy: row.created_by };
}
