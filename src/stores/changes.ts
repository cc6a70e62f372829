// Persisted state that replicas cache in memory (API key lookups, the admin's runtime configuration)
// changes in the database; a ChangeFeed tells the other replicas to reload it. One process has no one
// to tell; redis/changes.ts announces through Redis pub/sub.

/** What changed: "keys" (an API key was created or revoked), "runtime" (mappings, custom providers, profile). */
export type Topic = "keys" | "runtime";

export interface ChangeFeed {
  /** Tells the other replicas; this one has already applied the change. */
  announce(topic: Topic): void;
  /** Runs `reload` when another replica announces `topic` (and whenever announcements may have been missed). */
  on(topic: Topic, reload: () => void): void;
}

export const localChanges: ChangeFeed = { announce() {}, on() {} };
