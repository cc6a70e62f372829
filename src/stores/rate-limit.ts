import { type Clock, systemClock } from "./clock.ts";
import { LruMap } from "./lru.ts";

export interface TakeResult {
  /** Whether `cost` tokens were taken. */
  allowed: boolean;
  /** Whole tokens left after this call (floor). */
  remaining: number;
  /** 0 when allowed; otherwise ms (rounded up) until `cost` tokens, i.e. one token by default, are available. */
  retryAfterMs: number;
  /** ms (rounded up) until the bucket is full again; 0 when it is full. */
  resetMs: number;
}

/**
 * Continuous-refill token buckets, one per key. A bucket holds up to `capacity` tokens and gains
 * `refillPerMs` tokens per ms (capacity / window for "capacity requests per window").
 * take() is one atomic read-modify-write, so a Redis version is a single Lua script.
 */
export interface RateLimitStore {
  take(key: string, capacity: number, refillPerMs: number, cost?: number): TakeResult | Promise<TakeResult>;
}

export interface MemoryRateLimitOptions {
  clock?: Clock;
  /** Most buckets held; past it the least recently used bucket is dropped (it comes back full). */
  maxKeys?: number;
  /** take() sweeps idle buckets at most this often. */
  sweepIntervalMs?: number;
}

export function checkTake(capacity: number, refillPerMs: number, cost: number): void {
  if (!(cost >= 0 && cost <= capacity && refillPerMs > 0)) {
    throw new RangeError(`rate limit: need 0 <= cost (${cost}) <= capacity (${capacity}) and refillPerMs (${refillPerMs}) > 0`);
  }
}

/**
 * A take's answer from the bucket after it: `tokens` left (fractional; what it holds when refused) and
 * `fullInMs` until it is full again. Shared by the memory and Redis buckets so both answer alike.
 */
export function bucketResult(allowed: boolean, tokens: number, fullInMs: number, cost: number, refillPerMs: number): TakeResult {
  return {
    allowed,
    remaining: Math.floor(tokens + EPSILON),
    retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / refillPerMs - EPSILON),
    resetMs: Math.ceil(fullInMs - EPSILON),
  };
}

// Float slack so a bucket refilled to exactly `cost` tokens by the injected clock is not refused
// over a rounding error in the last bit.
const EPSILON = 1e-9;

export class MemoryRateLimitStore implements RateLimitStore {
  // A bucket is a single number: the time at which it will be full again (as in GCRA), so
  //   tokens(now) = capacity - max(0, fullAt - now) * refillPerMs.
  // A missing key and a key whose fullAt has passed are the same state, so dropping idle buckets
  // loses nothing; Redis gets this for free with SET ... PX resetMs. Times are kept relative to
  // `origin` so that the floats stay small and exact enough at bucket boundaries.
  readonly #buckets: LruMap<number>;
  readonly #clock: Clock;
  readonly #origin: number;
  readonly #sweepIntervalMs: number;
  #nextSweep = 0;

  constructor({ clock = systemClock, maxKeys = 100_000, sweepIntervalMs = 1_000 }: MemoryRateLimitOptions = {}) {
    this.#clock = clock;
    this.#origin = clock();
    this.#buckets = new LruMap(maxKeys);
    this.#sweepIntervalMs = sweepIntervalMs;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, capacity: number, refillPerMs: number, cost = 1): TakeResult {
    checkTake(capacity, refillPerMs, cost);
    const now = this.#clock() - this.#origin;
    if (now >= this.#nextSweep) this.#sweep(now);

    const stored = this.#buckets.get(key);
    const fullAt = stored !== undefined && stored > now ? stored : now;
    const tokens = Math.max(0, capacity - (fullAt - now) * refillPerMs);
    if (tokens + EPSILON < cost) return bucketResult(false, tokens, fullAt - now, cost, refillPerMs);

    const left = Math.max(0, tokens - cost);
    const newFullAt = now + (capacity - left) / refillPerMs;
    // A zero-cost take of a full bucket leaves it full: nothing worth storing.
    if (newFullAt > now) this.#buckets.set(key, newFullAt);
    return bucketResult(true, left, newFullAt - now, cost, refillPerMs);
  }

  // Drops buckets that are full by now, least recently used first, stopping at the first one still
  // refilling. Each bucket is dropped once per insertion, so take() stays O(1) amortised.
  #sweep(now: number): void {
    this.#nextSweep = now + this.#sweepIntervalMs;
    this.#buckets.dropOldestWhile((fullAt) => fullAt <= now);
  }
}
