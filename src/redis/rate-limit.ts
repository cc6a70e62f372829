// Token buckets shared by every replica: the memory bucket's arithmetic (stores/rate-limit.ts) as one Lua
// script, so a take is one round trip and atomic under any concurrency (no read-modify-write race).
// Time is Redis' own clock, so replicas whose clocks disagree still share one bucket exactly. While
// Redis is down each replica limits with its own local bucket: clients stay limited, per replica.
import { bucketResult, checkTake, type RateLimitStore, type TakeResult } from "../stores/rate-limit.ts";
import { type Redis, Script, whenDown } from "./client.ts";

// KEYS[1] holds the time (ms, Redis clock) at which the bucket is full again; a missing key is a full
// bucket, and the key expires when it would be full anyway. Replies are strings: Lua numbers would be
// truncated to integers on the way out.
const TAKE = new Script(`
local capacity, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local fullAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if fullAt < now then fullAt = now end
local tokens = math.max(0, capacity - (fullAt - now) * rate)
if tokens + 1e-9 < cost then
  return {0, string.format('%.17g', tokens), string.format('%.17g', fullAt - now)}
end
local left = math.max(0, tokens - cost)
local fullIn = (capacity - left) / rate
if fullIn > 0 then redis.call('SET', KEYS[1], string.format('%.17g', now + fullIn), 'PX', math.ceil(fullIn)) end
return {1, string.format('%.17g', left), string.format('%.17g', fullIn)}
`);

export class RedisRateLimitStore implements RateLimitStore {
  constructor(private readonly redis: Redis, private readonly local: RateLimitStore) {}

  take(key: string, capacity: number, refillPerMs: number, cost = 1): TakeResult | Promise<TakeResult> {
    checkTake(capacity, refillPerMs, cost);
    if (!this.redis.up) return this.local.take(key, capacity, refillPerMs, cost);
    return TAKE.run<[number, string, string]>(this.redis, [`${this.redis.prefix}rl:${key}`], [String(capacity), String(refillPerMs), String(cost)])
      .then(
        ([allowed, tokens, fullIn]) => bucketResult(allowed === 1, Number(tokens), Number(fullIn), cost, refillPerMs),
        whenDown(() => this.local.take(key, capacity, refillPerMs, cost)),
      );
  }
}
