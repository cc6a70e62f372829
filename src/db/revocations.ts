// JWT ids revoked by /auth/logout. A row is kept only until the token would have expired anyway.
import type { Database } from "bun:sqlite";

export class RevocationStore {
  constructor(private readonly db: Database) {}

  /** `expiresAt` in epoch seconds, like the token's `exp`. */
  revoke(jti: string, expiresAt: number, now: number): void {
    this.db.query("DELETE FROM revoked_tokens WHERE expires_at <= $now").run({ now: Math.floor(now / 1000) });
    this.db.query("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES ($jti, $expiresAt)").run({ jti, expiresAt });
  }

  isRevoked(jti: string): boolean {
    return this.db.query("SELECT 1 FROM revoked_tokens WHERE jti = $jti").get({ jti }) !== null;
  }
}
