// JWT ids revoked by /auth/logout. A row is kept only until the token would have expired anyway.
import type { Database } from "bun:sqlite";
import type { Logger } from "../log.ts";
import { type Maybe, out, type Out, type PostgresClient, type Runner, runner, then } from "./sql.ts";

/** What TokenService needs: revoke a token id until it expires, and ask about one (on every JWT request, so synchronous). */
export interface Revocations {
  /** `expiresAt` in epoch seconds, like the token's `exp`; `now` in epoch ms. */
  revoke(jti: string, expiresAt: number, now: number): Maybe<void>;
  isRevoked(jti: string): boolean;
}

function save<Sync extends boolean>(db: Runner<Sync>, jti: string, expiresAt: number, now: number): Out<Sync, void> {
  return out(then(db.run("DELETE FROM revoked_tokens WHERE expires_at <= ?", [Math.floor(now / 1000)]), () =>
    then(db.run("INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING", [jti, expiresAt]), () => undefined)));
}

/** SQLite: each check is one indexed read, so processes sharing the file see each other's logouts at once. */
export class RevocationStore implements Revocations {
  readonly #db: Runner<true>;

  constructor(db: Database) {
    this.#db = runner(db);
  }

  revoke(jti: string, expiresAt: number, now: number): void {
    save(this.#db, jti, expiresAt, now);
  }

  isRevoked(jti: string): boolean {
    return this.#db.all("SELECT 1 FROM revoked_tokens WHERE jti = ?", [jti]).length > 0;
  }
}

/** How often a Postgres replica rereads the revocations (in the background, never while a request waits). */
const REFRESH_MS = 1_000;

/**
 * Postgres: a request never waits on it. The unexpired revocations are read at start-up and kept in
 * memory; a check answers from there and, when the copy is older than REFRESH_MS, rereads the table in
 * the background, so another host's logout is refused here within about a second even without Redis
 * (with Redis, redis/revocations.ts announces it at once).
 */
export class PostgresRevocations implements Revocations {
  /** Token id -> expiry (epoch seconds). Revocations are never undone, so a reread only adds. */
  readonly #mirror = new Map<string, number>();
  #readAt = -Infinity;
  #reading: Promise<void> | undefined;

  constructor(private readonly db: PostgresClient, private readonly log: Logger) {}

  /** Rereads the table; the gateway awaits the first read before it serves. */
  load(): Promise<void> {
    this.#readAt = performance.now();
    return (this.#reading ??= this.db
      .all<{ jti: string; expires_at: number | string }>("SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > ?", [Math.floor(Date.now() / 1000)])
      .then((rows) => {
        for (const row of rows) this.#mirror.set(row.jti, Number(row.expires_at));
        for (const [jti, exp] of this.#mirror) if (exp * 1000 <= Date.now()) this.#mirror.delete(jti);
      })
      .finally(() => (this.#reading = undefined)));
  }

  async revoke(jti: string, expiresAt: number, now: number): Promise<void> {
    this.#mirror.set(jti, expiresAt);
    await save(this.db, jti, expiresAt, now);
  }

  isRevoked(jti: string): boolean {
    if (performance.now() - this.#readAt > REFRESH_MS) {
      this.load().catch((error) => this.log("revocations_read_failed", { error: error instanceof Error ? error.message : String(error) }));
    }
    return this.#mirror.has(jti);
  }
}
