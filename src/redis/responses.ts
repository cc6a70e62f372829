// Stored Responses (POST /v1/responses) shared by every replica: one key per response, its JSON with the
// store's TTL (SET ... PX), so a `previous_response_id` or GET on any replica finds it. Redis bounds their
// number and bytes with its memory policy. While Redis is down a new response is answered but not stored,
// and reads (GET, DELETE, previous_response_id) answer 503 (RedisUnavailable).
import type { ResponseStore, StoredResponse } from "../stores/responses.ts";
import { type Redis, whenDown } from "./client.ts";

export class RedisResponseStore implements ResponseStore {
  readonly #prefix: string;

  constructor(private readonly redis: Redis, private readonly settings: { ttlMs: number; maxBytes: number }) {
    this.#prefix = `${redis.prefix}response:`;
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const text = await this.redis.send<string | null>("GET", [this.#prefix + id]);
    return text ? (JSON.parse(text) as StoredResponse) : undefined;
  }

  async put(id: string, value: StoredResponse): Promise<void> {
    const text = JSON.stringify(value);
    // As in memory: one response larger than the whole store is not kept.
    if (text.length > this.settings.maxBytes) return;
    await this.redis.send("SET", [this.#prefix + id, text, "PX", String(this.settings.ttlMs)]).catch(whenDown(() => {}));
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.send<number>("DEL", [this.#prefix + id])) > 0;
  }
}
