// Sessions shared by every replica: a hash per session that expires after SESSION_TTL without activity,
// an index sorted by last activity (for SESSION_MAX and the counts) and a hash of counters. touch() is one
// script, atomic like the memory store's. While Redis is down, chats are answered without session
// tracking and /session/* answers 503 (RedisUnavailable): see docs/scaling.md.
import { MAX_SESSION_TAGS, type Session, type SessionStats, type SessionStore, type SessionUpdate } from "../stores/sessions.ts";
import { type Redis, Script } from "./client.ts";

// KEYS: the session, the index, the counters. ARGV: owner, ttl ms, max, the session key prefix, id,
// model, provider, prompt tokens, completion tokens, most tags. Model and provider lists are
// newline-separated (names hold no newline).
const TOUCH = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl, max = tonumber(ARGV[2]), tonumber(ARGV[3])
local gone = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl)
if gone > 0 then redis.call('HINCRBY', KEYS[3], 'expired', gone) end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return 0 end
if not owner then
  if redis.call('ZCARD', KEYS[2]) >= max then
    local oldest = redis.call('ZPOPMIN', KEYS[2])
    if oldest[1] then
      redis.call('DEL', ARGV[4] .. oldest[1])
      redis.call('HINCRBY', KEYS[3], 'evicted', 1)
    end
  end
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'createdAt', now, 'models', '', 'providers', '')
  redis.call('HINCRBY', KEYS[3], 'created', 1)
end
redis.call('HSET', KEYS[1], 'lastActivity', now)
redis.call('HINCRBY', KEYS[1], 'requests', 1)
redis.call('HINCRBY', KEYS[1], 'promptTokens', tonumber(ARGV[8]))
redis.call('HINCRBY', KEYS[1], 'completionTokens', tonumber(ARGV[9]))
local function tag(field, name)
  if name == '' then return end
  local list = redis.call('HGET', KEYS[1], field) or ''
  local n = 0
  for item in string.gmatch(list, '[^\\n]+') do
    if item == name then return end
    n = n + 1
  end
  if n >= tonumber(ARGV[10]) then return end
  redis.call('HSET', KEYS[1], field, list == '' and name or (list .. '\\n' .. name))
end
tag('models', ARGV[6])
tag('providers', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[5])
return 1
`);

// KEYS: the index, the counters. ARGV: ttl ms. Returns {active, created, evicted, expired}.
const STATS = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
if gone > 0 then redis.call('HINCRBY', KEYS[2], 'expired', gone) end
local c = redis.call('HMGET', KEYS[2], 'created', 'evicted', 'expired')
return {redis.call('ZCARD', KEYS[1]), tonumber(c[1] or '0'), tonumber(c[2] or '0'), tonumber(c[3] or '0')}
`);

export class RedisSessionStore implements SessionStore {
  readonly #key: string;
  readonly #index: string;
  readonly #counters: string;

  constructor(private readonly redis: Redis, private readonly settings: { ttlMs: number; max: number }) {
    this.#key = `${redis.prefix}session:`;
    this.#index = `${redis.prefix}sessions`;
    this.#counters = `${redis.prefix}sessions:counts`;
  }

  async touch(id: string, u: SessionUpdate): Promise<boolean> {
    const { ttlMs, max } = this.settings;
    const done = await TOUCH.run<number>(this.redis, [this.#key + id, this.#index, this.#counters], [
      u.owner, String(ttlMs), String(max), this.#key, id, u.model ?? "", u.provider ?? "",
      String(u.promptTokens ?? 0), String(u.completionTokens ?? 0), String(MAX_SESSION_TAGS),
    ]);
    return done === 1;
  }

  async get(id: string): Promise<Session | undefined> {
    const h = await this.redis.send<Record<string, string>>("HGETALL", [this.#key + id]);
    if (!h || h.owner === undefined) return undefined;
    const list = (text: string | undefined) => (text ? text.split("\n") : []);
    return {
      id,
      owner: h.owner,
      createdAt: Number(h.createdAt),
      lastActivity: Number(h.lastActivity),
      requests: Number(h.requests ?? 0),
      promptTokens: Number(h.promptTokens ?? 0),
      completionTokens: Number(h.completionTokens ?? 0),
      models: list(h.models),
      providers: list(h.providers),
    };
  }

  /** Newest first from the activity index; a session whose hash expired in between is left out. */
  async list(limit: number): Promise<Session[]> {
    const ids = await this.redis.send<string[]>("ZREVRANGE", [this.#index, "0", String(limit - 1)]);
    const sessions = await Promise.all(ids.map((id) => this.get(id)));
    return sessions.filter((s): s is Session => s !== undefined);
  }

  async delete(id: string): Promise<boolean> {
    const [removed] = await Promise.all([this.redis.send<number>("DEL", [this.#key + id]), this.redis.send("ZREM", [this.#index, id])]);
    return removed > 0;
  }

  async stats(): Promise<SessionStats> {
    const [active, created, evicted, expired] = await STATS.run<number[]>(this.redis, [this.#index, this.#counters], [String(this.settings.ttlMs)]);
    return { active, created, evicted, expired };
  }
}
