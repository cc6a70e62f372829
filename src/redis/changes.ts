// Announces database changes to every replica through Redis pub/sub (stores/changes.ts). Each replica
// ignores its own announcements; after a reconnection every topic is reloaded, since announcements made
// while the link was down are lost.
import type { ChangeFeed, Topic } from "../stores/changes.ts";
import type { Redis } from "./client.ts";

const CHANNEL = "changes";

export class RedisChangeFeed implements ChangeFeed {
  readonly #origin = crypto.randomUUID();
  readonly #handlers = new Map<Topic, Array<() => void>>();

  constructor(private readonly redis: Redis) {
    redis.subscribe(CHANNEL, (message) => {
      const { origin, topic } = JSON.parse(message) as { origin: string; topic: Topic };
      if (origin !== this.#origin) this.#run(topic);
    });
    redis.onUp(() => {
      for (const topic of this.#handlers.keys()) this.#run(topic);
    });
  }

  announce(topic: Topic): void {
    this.redis.publish(CHANNEL, JSON.stringify({ origin: this.#origin, topic }));
  }

  on(topic: Topic, reload: () => void): void {
    this.#handlers.set(topic, [...(this.#handlers.get(topic) ?? []), reload]);
  }

  #run(topic: Topic): void {
    for (const reload of this.#handlers.get(topic) ?? []) reload();
  }
}
