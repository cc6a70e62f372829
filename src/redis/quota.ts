// Quotas learned from upstreams' rate-limit headers, shared by every replica: one Redis hash written on
// each report and published, mirrored by every replica in a MemoryQuotaStore, so the router reads them
// with no round trip and a replica skips a spent candidate as soon as another one learned it. While Redis
// is down the mirror works on its own; on reconnection it is reloaded from Redis.
import type { MemoryQuotaStore, QuotaState, QuotaStore } from "../routing/quota.ts";
import { type Redis, whenDown } from "./client.ts";

const CHANNEL = "quotas";

export class RedisQuotaStore implements QuotaStore {
  readonly #hash: string;

  constructor(private readonly redis: Redis, private readonly mirror: MemoryQuotaStore) {
    this.#hash = `${redis.prefix}quotas`;
    redis.subscribe(CHANNEL, (message) => {
      const { key, state } = JSON.parse(message) as { key: string; state: QuotaState };
      void mirror.record(key, state);
    });
    redis.onUp(() => this.#reload());
  }

  async record(key: string, state: QuotaState): Promise<void> {
    await this.mirror.record(key, state);
    if (!this.redis.up) return;
    // Not awaited: the answer that carried the report is not held up by the write. A report lost to a
    // failing write costs at most one refused call on another replica, never a request.
    void this.redis.send("HSET", [this.#hash, key, JSON.stringify(state)])
      .then(() => this.redis.publish(CHANNEL, JSON.stringify({ key, state })), whenDown(() => {}))
      .catch(() => {});
  }

  get(key: string): Promise<QuotaState | undefined> {
    return this.mirror.get(key);
  }

  entries(): Promise<Array<[string, QuotaState]>> {
    return this.mirror.entries();
  }

  async #reload(): Promise<void> {
    const all = await this.redis.send<Record<string, string>>("HGETALL", [this.#hash]);
    this.mirror.replace(Object.entries(all ?? {}).map(([key, raw]) => [key, JSON.parse(raw) as QuotaState]));
  }
}
