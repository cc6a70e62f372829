// Circuit breakers, cooldowns and learned quota pools (a free pool's daily cap) shared by every replica.
// The states live in one Redis hash, changed by scripts that do what MemoryCooldownStore does, atomically;
// each change is published, and every replica mirrors the hash in a MemoryCooldownStore (mirrored-hash.ts). So the common
// case costs no round trip: a candidate with no state is admitted from the mirror, and only a circuit
// past its cooldown asks Redis (to claim the one probe). One replica learns a cap, every replica skips
// the pool as soon as the message arrives. While Redis is down the mirror works on its own (local
// cooldowns); on reconnection it is reloaded from Redis.
import { TIMED_REASONS, type Admission, type BreakerState, type CooldownStore, type FailureRecord, type MemoryCooldownStore } from "../routing/cooldown.ts";
import { type Redis, Script, whenDown } from "./client.ts";
import { MirroredHash } from "./mirrored-hash.ts";

// KEYS[1]: the hash. ARGV: candidate, now, probe ms. Returns {admission, state JSON or ''}.
const ADMIT = new Script(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'closed', ''} end
local s = cjson.decode(raw)
local now = tonumber(ARGV[2])
if s.openUntil == nil then return {'closed', raw} end
if s.timed and s.openUntil <= now then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return {'closed', ''}
end
if s.openUntil > now or (s.probeUntil or 0) > now then return {'open', raw} end
s.probeUntil = now + tonumber(ARGV[3])
raw = cjson.encode(s)
redis.call('HSET', KEYS[1], ARGV[1], raw)
return {'probe', raw}
`);

// KEYS[1]: the hash. ARGV: candidate, now, reason, threshold, cooldown ms, openUntil or '', '1' when that
// openUntil is a time the upstream named. Returns the state JSON.
const FAIL = new Script(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local s = raw and cjson.decode(raw) or {failures = 0}
local probing = s.probeUntil ~= nil
local now = tonumber(ARGV[2])
s.failures = s.failures + 1
s.probeUntil = nil
local untilAt = tonumber(ARGV[6])
if untilAt == nil and (probing or s.failures >= tonumber(ARGV[4])) then untilAt = now + tonumber(ARGV[5]) end
if untilAt ~= nil and untilAt >= (s.openUntil or 0) then
  s.openUntil = untilAt
  s.reason = ARGV[3]
  s.timed = ARGV[7] == '1'
end
raw = cjson.encode(s)
redis.call('HSET', KEYS[1], ARGV[1], raw)
return raw
`);

export class RedisCooldownStore implements CooldownStore {
  readonly #hash: MirroredHash<BreakerState>;

  constructor(private readonly redis: Redis, private readonly mirror: MemoryCooldownStore) {
    this.#hash = new MirroredHash(redis, "breakers", mirror);
  }

  async admit(key: string, now: number, probeMs: number): Promise<Admission> {
    if (!this.mirror.has(key) || !this.redis.up) return this.mirror.admit(key, now, probeMs);
    const local = await this.mirror.get(key);
    // Still open by the mirror's account: no need to ask (only a half-open circuit's probe is claimed in Redis).
    if (local?.openUntil !== undefined && local.openUntil > now) return "open";
    return ADMIT.run<[Admission, string]>(this.redis, [this.#hash.key], [key, String(now), String(probeMs)]).then(
      ([admission, raw]) => {
        this.mirror.put(key, raw ? (JSON.parse(raw) as BreakerState) : undefined);
        return admission;
      },
      whenDown(() => this.mirror.admit(key, now, probeMs)),
    );
  }

  async recordFailure(key: string, f: FailureRecord): Promise<BreakerState> {
    if (!this.redis.up) return this.mirror.recordFailure(key, f);
    const timed = f.openUntil !== undefined && TIMED_REASONS.has(f.reason);
    const args = [key, String(f.now), f.reason, String(f.threshold), String(f.cooldownMs), f.openUntil === undefined ? "" : String(f.openUntil), timed ? "1" : "0"];
    return FAIL.run<string>(this.redis, [this.#hash.key], args).then(
      (raw) => {
        const state = JSON.parse(raw) as BreakerState;
        this.mirror.put(key, state);
        this.#hash.announce(key, state);
        return state;
      },
      whenDown(() => this.mirror.recordFailure(key, f)),
    );
  }

  async recordSuccess(key: string): Promise<void> {
    // Nearly every success is of a candidate without state: nothing to clear anywhere.
    if (!this.mirror.has(key)) return;
    await this.mirror.recordSuccess(key);
    await this.#hash.delete(key);
  }

  get(key: string): Promise<BreakerState | undefined> {
    return this.mirror.get(key);
  }

  entries(): Promise<Array<[string, BreakerState]>> {
    return this.mirror.entries();
  }
}
