// Per-key budget counters shared by every replica: a hash per key and UTC day and one per key and month
// ({requests, tokens}), expiring after their period, so a budget spent across replicas is refused on
// all of them. Each replica also keeps its own counts (a MemoryBudgetStore): they answer while Redis is
// down, and when Redis comes back without the counters (restarted, evicted) each replica puts back what
// it knows (the ledger at its start plus what it counted since), so a budget is never reset to zero.
import { type BudgetStore, type BudgetUsage, type MemoryBudgetStore, type Periods } from "../stores/budgets.ts";
import { type Redis, Script, whenDown } from "./client.ts";

const DAY_TTL_S = String(2 * 86_400);
const MONTH_TTL_S = String(32 * 86_400);

// KEYS: the day's hash, the month's. ARGV: requests, tokens, day ttl s, month ttl s.
const ADD = new Script(`
for i = 1, 2 do
  redis.call('HINCRBY', KEYS[i], 'requests', ARGV[1])
  redis.call('HINCRBY', KEYS[i], 'tokens', ARGV[2])
  redis.call('EXPIRE', KEYS[i], ARGV[2 + i])
end
`);

// KEYS: the day's hash, the month's. ARGV: day requests, day tokens, month requests, month tokens, ttls.
// Only where Redis has no counters yet: those of running replicas are the live truth.
const SEED = new Script(`
for i = 1, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', KEYS[i], 'requests', ARGV[2 * i - 1], 'tokens', ARGV[2 * i])
    redis.call('EXPIRE', KEYS[i], ARGV[4 + i])
  end
end
`);

export class RedisBudgetStore implements BudgetStore {
  readonly #prefix: string;
  /** Keys counted in the current periods, with those periods: what a reconnection puts back. */
  readonly #known = new Map<string, Periods>();

  constructor(private readonly redis: Redis, private readonly local: MemoryBudgetStore) {
    this.#prefix = `${redis.prefix}budget:`;
    redis.onUp(async () => {
      for (const [key, at] of this.#known) await this.#seed(key, at, local.get(key, at));
    });
  }

  get(key: string, at: Periods): BudgetUsage | Promise<BudgetUsage> {
    if (!this.redis.up) return this.local.get(key, at);
    const [day, month] = this.#keys(key, at);
    // Sent in one tick: one round trip.
    return Promise.all([this.redis.send<Array<string | null>>("HMGET", [day, "requests", "tokens"]), this.redis.send<Array<string | null>>("HMGET", [month, "requests", "tokens"])])
      .then(
        ([d, m]) => ({ dayRequests: Number(d[0] ?? 0), dayTokens: Number(d[1] ?? 0), monthRequests: Number(m[0] ?? 0), monthTokens: Number(m[1] ?? 0) }),
        whenDown(() => this.local.get(key, at)),
      );
  }

  async add(key: string, at: Periods, requests: number, tokens: number): Promise<void> {
    this.local.add(key, at, requests, tokens);
    this.#known.set(key, at);
    if (!this.redis.up) return;
    await ADD.run(this.redis, this.#keys(key, at), [String(requests), String(tokens), DAY_TTL_S, MONTH_TTL_S]).catch(whenDown(() => {}));
  }

  async seed(key: string, at: Periods, usage: BudgetUsage): Promise<void> {
    this.local.seed(key, at, usage);
    this.#known.set(key, at);
    if (this.redis.up) await this.#seed(key, at, usage).catch(whenDown(() => {}));
  }

  #seed(key: string, at: Periods, u: BudgetUsage): Promise<unknown> {
    const args = [u.dayRequests, u.dayTokens, u.monthRequests, u.monthTokens].map(String);
    return SEED.run(this.redis, this.#keys(key, at), [...args, DAY_TTL_S, MONTH_TTL_S]);
  }

  #keys(key: string, at: Periods): [string, string] {
    return [`${this.#prefix}${key}:${at.day}`, `${this.#prefix}${key}:${at.month}`];
  }
}
