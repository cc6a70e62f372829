// JWT ids revoked by /auth/logout. A row is kept only until the token would have expired anyway.
import type { Database } from "bun:sqlite";

/** What TokenService needs: revoke a token id until it expires, and ask about one (on every JWT request, so synchronous). */
export interface Revocations {
  /** `expiresAt` in epoch seconds, like the token's `exp`; `now` in epoch ms. */
  revoke(jti: string, expiresAt: number, now: number): void;
  isRevoked(jti: string): boolean;
}

export class RevocationStore implements Revocations {
  constructor(private readonly db: Database) {}

  revoke(jti: string, expiresAt: number, now: number): void {
    this.db.query("DELETE FROM revoked_tokens WHERE expires_at <= $now").run({ now: Math.floor(now / 1000) });
    this.db.query("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES ($jti, $expiresAt)").run({ jti, expiresAt });
  }

  isRevoked(jti: string): boolean {
    return this.db.query("SELECT 1 FROM revoked_tokens WHERE jti = $jti").get({ jti }) !== null;
  }
}
