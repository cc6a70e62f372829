import { type Clock, systemClock } from "./clock.ts";
import { LruMap } from "./lru.ts";

/** Response cache: opaque string values (serialised responses) under keys from cacheKey(). */
export interface CacheStore {
  get(key: string): string | undefined | Promise<string | undefined>;
  /** ttlMs <= 0 stores nothing. */
  set(key: string, value: string, ttlMs: number): void | Promise<void>;
  clear(): void | Promise<void>;
  /** Entries held, counting expired ones not yet reclaimed. */
  size(): number | Promise<number>;
}

export interface MemoryCacheOptions {
  /** Most entries held; past it the least recently used goes. 0 disables the cache. */
  maxEntries: number;
  clock?: Clock;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * LRU with per-entry TTL; every operation is O(1). Expired entries are dropped when read or when
 * they reach the least recently used end; maxEntries bounds memory either way.
 */
export class MemoryCacheStore implements CacheStore {
  readonly #entries: LruMap<Entry>;
  readonly #clock: Clock;

  constructor({ maxEntries, clock = systemClock }: MemoryCacheOptions) {
    this.#entries = new LruMap(maxEntries);
    this.#clock = clock;
  }

  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.#clock()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: string, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.set(key, { value, expiresAt: this.#clock() + ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }

  size(): number {
    return this.#entries.size;
  }
}
