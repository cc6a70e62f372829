import { type Clock, systemClock } from "./clock.ts";
import { LruMap } from "./lru.ts";

/**
 * A stored Response (POST /v1/responses with `store` not false): what GET returns and what a later
 * `previous_response_id` replays. Held as JSON text, so a stored copy never changes under its reader
 * and the Redis version keeps the same bytes.
 */
export interface StoredResponse {
  /** RequestMeta.client of its creator ("key:<hash>", "user:<id>", "ip:<address>"): only it (or an admin) sees it. */
  owner: string;
  /** The Response object, JSON. */
  response: string;
  /** Every input item of the conversation up to this response (the chain's, then its own), JSON array. */
  input: string;
}

export interface ResponseStore {
  get(id: string): Promise<StoredResponse | undefined>;
  put(id: string, value: StoredResponse): Promise<void>;
  /** True when a response was removed. */
  delete(id: string): Promise<boolean>;
}

export interface MemoryResponseOptions {
  /** Time after creation at which a response is forgotten. */
  ttlMs: number;
  /** Most responses held; past it the least recently used go. */
  max: number;
  /** Most bytes of JSON held (responses plus inputs); past it the least recently used go. */
  maxBytes: number;
  clock?: Clock;
}

interface Entry {
  value: StoredResponse;
  expiresAt: number;
  bytes: number;
}

/** An LRU of responses bounded in count and bytes; expiry is checked on read and swept from the old end on write. */
export class MemoryResponseStore implements ResponseStore {
  readonly #entries = new LruMap<Entry>();
  readonly #opts: Required<MemoryResponseOptions>;
  #bytes = 0;

  constructor(opts: MemoryResponseOptions) {
    this.#opts = { clock: systemClock, ...opts };
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > this.#opts.clock()) return entry.value;
    this.#drop(id, entry);
    return undefined;
  }

  async put(id: string, value: StoredResponse): Promise<void> {
    // JSON is mostly ASCII, which the engine keeps at one byte a character.
    const bytes = value.response.length + value.input.length + value.owner.length;
    const old = this.#entries.peek(id);
    if (old) this.#drop(id, old);
    // One response larger than the whole store is not kept (it would evict everything else).
    if (bytes > this.#opts.maxBytes) return;
    this.#entries.set(id, { value, expiresAt: this.#opts.clock() + this.#opts.ttlMs, bytes });
    this.#bytes += bytes;
    const now = this.#opts.clock();
    this.#entries.dropOldestWhile((e) => {
      const stale = e.expiresAt <= now || this.#entries.size > this.#opts.max || this.#bytes > this.#opts.maxBytes;
      if (stale) this.#bytes -= e.bytes;
      return stale;
    });
  }

  async delete(id: string): Promise<boolean> {
    const entry = this.#entries.peek(id);
    if (!entry) return false;
    this.#drop(id, entry);
    return true;
  }

  #drop(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#bytes -= entry.bytes;
  }
}
