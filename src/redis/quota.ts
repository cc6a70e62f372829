// Quotas learned from upstreams' rate-limit headers, shared by every replica: one Redis hash written on
// each report and published, mirrored by every replica in a MemoryQuotaStore (mirrored-hash.ts), so the
// router reads them with no round trip and a replica skips a spent candidate as soon as another one
// learned it. While Redis is down the mirror works on its own; on reconnection it is reloaded from Redis.
import type { MemoryQuotaStore, QuotaState, QuotaStore } from "../routing/quota.ts";
import type { Redis } from "./client.ts";
import { MirroredHash } from "./mirrored-hash.ts";

export class RedisQuotaStore implements QuotaStore {
  readonly #hash: MirroredHash<QuotaState>;

  constructor(redis: Redis, private readonly mirror: MemoryQuotaStore) {
    this.#hash = new MirroredHash(redis, "quotas", mirror);
  }

  async record(key: string, state: QuotaState): Promise<void> {
    await this.mirror.record(key, state);
    // Not awaited: the answer that carried the report is not held up by the write. A report lost to a
    // failing write costs at most one refused call on another replica, never a request.
    void this.#hash.set(key, state).catch(() => {});
  }

  get(key: string): Promise<QuotaState | undefined> {
    return this.mirror.get(key);
  }

  entries(): Promise<Array<[string, QuotaState]>> {
    return this.mirror.entries();
  }
}
