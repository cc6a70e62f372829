// JWT revocations (logouts) shared by replicas whatever database each one uses: the database keeps them
// as before, and a Redis sorted set (token id by expiry) plus a pub/sub announcement let every replica
// mirror them in memory. So checking a token stays a local lookup, and a logout on one replica is refused
// on all within a second. While Redis is down each replica still has its database and what it mirrored;
// on reconnection the mirror is reloaded from the set.
import type { Revocations } from "../db/revocations.ts";
import type { Maybe } from "../db/sql.ts";
import { type Redis, whenDown } from "./client.ts";

const CHANNEL = "revoked";

export class RedisRevocations implements Revocations {
  readonly #set: string;
  /** Token id -> expiry (epoch seconds). */
  readonly #mirror = new Map<string, number>();

  constructor(private readonly redis: Redis, private readonly db: Revocations) {
    this.#set = `${redis.prefix}revoked`;
    redis.subscribe(CHANNEL, (message) => {
      const { jti, exp } = JSON.parse(message) as { jti: string; exp: number };
      this.#mirror.set(jti, exp);
    });
    redis.onUp(() => this.#reload());
  }

  /** Mirrored and announced at once; the database write is what a caller may await (Postgres). */
  revoke(jti: string, expiresAt: number, now: number): Maybe<void> {
    // Logouts are rare: each one also forgets the tokens that have expired since.
    for (const [id, exp] of this.#mirror) if (exp * 1000 <= now) this.#mirror.delete(id);
    this.#mirror.set(jti, expiresAt);
    if (this.redis.up) {
      this.redis.send("ZADD", [this.#set, String(expiresAt), jti]).then(
        () => this.redis.publish(CHANNEL, JSON.stringify({ jti, exp: expiresAt })),
        whenDown(() => {}),
      );
    }
    return this.db.revoke(jti, expiresAt, now);
  }

  isRevoked(jti: string): boolean {
    return this.#mirror.has(jti) || this.db.isRevoked(jti);
  }

  async #reload(): Promise<void> {
    const now = String(Math.floor(Date.now() / 1000));
    // Tokens past their expiry are refused anyway: drop them from the set and the mirror.
    await this.redis.send("ZREMRANGEBYSCORE", [this.#set, "-inf", now]);
    const pairs = await this.redis.send<Array<[string, number]>>("ZRANGE", [this.#set, "0", "-1", "WITHSCORES"]);
    this.#mirror.clear();
    for (const [jti, exp] of pairs) this.#mirror.set(jti, Number(exp));
  }
}
