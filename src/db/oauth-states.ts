// Pending web-flow logins: each `state` is stored (hashed) until its callback uses it once or it expires.
import type { Database } from "bun:sqlite";
import { sha256 } from "../auth/secrets.ts";

export class OAuthStateStore {
  constructor(private readonly db: Database) {}

  /** `expiresAt` and `now` in epoch ms. */
  add(state: string, expiresAt: number, now: number): void {
    this.db.query("DELETE FROM oauth_states WHERE expires_at <= $now").run({ now });
    this.db.query("INSERT INTO oauth_states (state_hash, expires_at) VALUES ($hash, $expiresAt)").run({ hash: sha256(state), expiresAt });
  }

  /** True once for a state that was issued and has not expired; the state is gone afterwards. */
  consume(state: string, now: number): boolean {
    const row = this.db
      .query<{ expires_at: number }, { hash: string }>("DELETE FROM oauth_states WHERE state_hash = $hash RETURNING expires_at")
      .get({ hash: sha256(state) });
    return row !== null && row.expires_at > now;
  }
}
