// Every shared store on one Redis link (REDIS_URL): what createApp uses instead of this process's memory.
import type { Config } from "../config.ts";
import type { Revocations } from "../db/revocations.ts";
import type { Logger } from "../log.ts";
import { MemoryCooldownStore } from "../routing/cooldown.ts";
import { MemoryQuotaStore } from "../routing/quota.ts";
import type { Clock } from "../stores/clock.ts";
import { MemoryRateLimitStore } from "../stores/rate-limit.ts";
import { MemoryBudgetStore } from "../stores/budgets.ts";
import { RedisBudgetStore } from "./budgets.ts";
import { RedisCacheStore } from "./cache.ts";
import { RedisChangeFeed } from "./changes.ts";
import { Redis } from "./client.ts";
import { RedisCooldownStore } from "./cooldown.ts";
import { RedisQuotaStore } from "./quota.ts";
import { RedisRateLimitStore } from "./rate-limit.ts";
import { RedisResponseStore } from "./responses.ts";
import { RedisRevocations } from "./revocations.ts";
import { RedisSessionStore } from "./sessions.ts";

export function redisStores(url: string, config: Pick<Config, "redis" | "sessions" | "responseStore">, log: Logger, clock: Clock, db: Revocations) {
  const redis = new Redis(url, config.redis.prefix, log);
  return {
    redis,
    // Fallbacks while Redis is down: a local bucket and budget counts per replica, local cooldowns (docs/scaling.md).
    rateLimit: new RedisRateLimitStore(redis, new MemoryRateLimitStore({ clock })),
    budgets: new RedisBudgetStore(redis, new MemoryBudgetStore()),
    cache: new RedisCacheStore(redis),
    sessions: new RedisSessionStore(redis, config.sessions),
    responses: new RedisResponseStore(redis, config.responseStore),
    cooldowns: new RedisCooldownStore(redis, new MemoryCooldownStore()),
    quotas: new RedisQuotaStore(redis, new MemoryQuotaStore()),
    changes: new RedisChangeFeed(redis),
    revocations: new RedisRevocations(redis, db),
  };
}
