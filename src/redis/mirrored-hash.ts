// A Redis hash of JSON values that every replica mirrors in memory, so reads cost no round trip: each
// change is written to the hash and published on a channel of the same name ({key, state}, no state
// for a deletion), every replica applies what is published, and every (re)connection reloads the whole
// hash, since messages published while a link was down are lost. While Redis is down writes are skipped
// and the mirror goes on alone. The stores keep their own logic (scripts, fallbacks); this is the sync.
import { type Redis, whenDown } from "./client.ts";

/** The replica's copy of the hash (the store's memory version). */
export interface Mirror<V> {
  /** One key as the hash now has it; undefined when it was deleted. */
  put(key: string, value: V | undefined): void;
  /** Every key at once (a resynchronisation). */
  replace(entries: Iterable<[string, V]>): void;
}

export class MirroredHash<V> {
  /** The hash's Redis key, for the stores' scripts. */
  readonly key: string;

  constructor(private readonly redis: Redis, private readonly name: string, private readonly mirror: Mirror<V>) {
    this.key = redis.prefix + name;
    redis.subscribe(name, (message) => {
      const { key, state } = JSON.parse(message) as { key: string; state?: V };
      mirror.put(key, state);
    });
    redis.onUp(() => this.#reload());
  }

  /** Writes a key and announces it; nothing while Redis is down (the reconnection reloads every mirror). */
  async set(key: string, value: V): Promise<void> {
    if (!this.redis.up) return;
    await this.redis.send("HSET", [this.key, key, JSON.stringify(value)]).then(() => this.announce(key, value), whenDown(() => {}));
  }

  /** Deletes a key and announces it; nothing while Redis is down. */
  async delete(key: string): Promise<void> {
    if (!this.redis.up) return;
    await this.redis.send("HDEL", [this.key, key]).then(() => this.announce(key), whenDown(() => {}));
  }

  /** Tells the other replicas a key's value that a script wrote to the hash (undefined: deleted). */
  announce(key: string, value?: V): void {
    this.redis.publish(this.name, JSON.stringify({ key, state: value }));
  }

  async #reload(): Promise<void> {
    const all = await this.redis.send<Record<string, string>>("HGETALL", [this.key]);
    this.mirror.replace(Object.entries(all ?? {}).map(([key, raw]) => [key, JSON.parse(raw) as V]));
  }
}
