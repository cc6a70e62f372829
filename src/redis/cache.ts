// Response cache entries shared by every replica, each with its TTL (SET ... PX). Redis bounds memory
// with its own policy (maxmemory + volatile-lru in docker-compose.yml), not CACHE_MAX_ENTRIES. While Redis
// is down the cache is bypassed: every lookup misses and nothing is stored.
import type { CacheStore } from "../stores/cache.ts";
import { type Redis, whenDown } from "./client.ts";

const SCAN_BATCH = "1000";

export class RedisCacheStore implements CacheStore {
  readonly #prefix: string;

  constructor(private readonly redis: Redis) {
    this.#prefix = `${redis.prefix}cache:`;
  }

  get(key: string): Promise<string | undefined> | undefined {
    if (!this.redis.up) return undefined;
    return this.redis.send<string | null>("GET", [this.#prefix + key]).then((v) => v ?? undefined, whenDown(() => undefined));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0 || !this.redis.up) return;
    await this.redis.send("SET", [this.#prefix + key, value, "PX", String(Math.ceil(ttlMs))]).catch(whenDown(() => {}));
  }

  /** Admin-only (POST /config/clear-cache): walks the prefix with SCAN, never KEYS, so Redis stays responsive. */
  async clear(): Promise<void> {
    await this.#scan((keys) => this.redis.send("UNLINK", keys));
  }

  async size(): Promise<number> {
    let n = 0;
    await this.#scan(async (keys) => {
      n += keys.length;
    });
    return n;
  }

  async #scan(each: (keys: string[]) => Promise<unknown>): Promise<void> {
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.send<[string, string[]]>("SCAN", [cursor, "MATCH", `${this.#prefix}*`, "COUNT", SCAN_BATCH]);
      if (keys.length > 0) await each(keys);
      cursor = next;
    } while (cursor !== "0");
  }
}
