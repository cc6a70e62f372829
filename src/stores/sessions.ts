import { type Clock, systemClock } from "./clock.ts";
import { LruSlots } from "./lru.ts";

/** Usage bookkeeping for a conversation; never message content. */
export interface Session {
  readonly id: string;
  /** Hash of the API key, or the user id, that created it. */
  readonly owner: string;
  readonly createdAt: number;
  readonly lastActivity: number;
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Distinct models used, first MAX_SESSION_TAGS only. */
  readonly models: readonly string[];
  /** Distinct providers used, first MAX_SESSION_TAGS only. */
  readonly providers: readonly string[];
}

export interface SessionUpdate {
  owner: string;
  model?: string;
  provider?: string;
  promptTokens?: number;
  completionTokens?: number;
}

export interface SessionStats {
  /** Sessions held now. */
  active: number;
  created: number;
  /** Dropped to stay within `max`. */
  evicted: number;
  /** Dropped after `ttlMs` without activity. */
  expired: number;
}

export interface SessionStore {
  /**
   * Creates the session or records one more request on it, in one atomic step (the only call on the
   * request path). False, changing nothing, when the id belongs to another owner.
   */
  touch(id: string, update: SessionUpdate): boolean | Promise<boolean>;
  get(id: string): Session | undefined | Promise<Session | undefined>;
  /** The most recently active live sessions, newest first, at most `limit`. */
  list(limit: number): Session[] | Promise<Session[]>;
  /** True when a session was removed. */
  delete(id: string): boolean | Promise<boolean>;
  stats(): SessionStats | Promise<SessionStats>;
}

export interface MemorySessionOptions {
  /** Inactivity after which a session expires. */
  ttlMs: number;
  /** Most sessions held; past it the least recently active goes. */
  max?: number;
  clock?: Clock;
  /** touch() sweeps expired sessions at most this often. */
  sweepIntervalMs?: number;
}

export const MAX_SESSION_TAGS = 8;
/** Model and provider names are kept as numbers into one table; past this many names, new ones go unrecorded. */
const MAX_NAMES = 0xffff;

/**
 * Sessions in columns indexed by LRU slot (see lru.ts): a session is its id, its owner string and a
 * few numbers, no object of its own, so 10 000 sessions cost the GC almost nothing. The LRU's order is
 * activity order: touch() marks a session used, get() does not. So the least recently used session is
 * also the first to expire, and a sweep stops at the first live one. No timers: nothing keeps the
 * process alive. get() returns a snapshot.
 */
export class MemorySessionStore implements SessionStore {
  readonly #lru: LruSlots;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #sweepIntervalMs: number;
  #owners: string[] = [];
  #createdAt = new Float64Array(0);
  #lastActivity = new Float64Array(0);
  #requests = new Float64Array(0);
  #promptTokens = new Float64Array(0);
  #completionTokens = new Float64Array(0);
  /** Per slot, MAX_SESSION_TAGS model names then as many provider names, as name numbers + 1 (0 = none). */
  #tags = new Uint16Array(0);
  readonly #nameIds = new Map<string, number>();
  readonly #names: string[] = [];
  #nextSweep = 0;
  #created = 0;
  #evicted = 0;
  #expired = 0;

  constructor({ ttlMs, max = 10_000, clock = systemClock, sweepIntervalMs = 10_000 }: MemorySessionOptions) {
    this.#ttlMs = ttlMs;
    this.#lru = new LruSlots(max, (capacity) => this.#grow(capacity));
    this.#clock = clock;
    this.#sweepIntervalMs = sweepIntervalMs;
  }

  touch(id: string, update: SessionUpdate): boolean {
    const now = this.#clock();
    if (now >= this.#nextSweep) this.#sweep(now);
    let slot = this.#live(id, now);
    if (slot !== -1) {
      if (this.#owners[slot] !== update.owner) return false;
      this.#lru.use(slot);
    } else {
      if (this.#lru.size >= this.#lru.max) this.#evicted++;
      slot = this.#lru.claim(id);
      this.#created++;
      this.#owners[slot] = update.owner;
      this.#createdAt[slot] = now;
      this.#requests[slot] = this.#promptTokens[slot] = this.#completionTokens[slot] = 0;
      this.#tags.fill(0, slot * 2 * MAX_SESSION_TAGS, (slot + 1) * 2 * MAX_SESSION_TAGS);
    }
    this.#lastActivity[slot] = now;
    this.#requests[slot]++;
    if (update.promptTokens) this.#promptTokens[slot] += update.promptTokens;
    if (update.completionTokens) this.#completionTokens[slot] += update.completionTokens;
    if (update.model !== undefined) this.#tag(slot * 2 * MAX_SESSION_TAGS, update.model);
    if (update.provider !== undefined) this.#tag((slot * 2 + 1) * MAX_SESSION_TAGS, update.provider);
    return true;
  }

  get(id: string): Session | undefined {
    const slot = this.#live(id, this.#clock());
    if (slot === -1) return undefined;
    return {
      id,
      owner: this.#owners[slot],
      createdAt: this.#createdAt[slot],
      lastActivity: this.#lastActivity[slot],
      requests: this.#requests[slot],
      promptTokens: this.#promptTokens[slot],
      completionTokens: this.#completionTokens[slot],
      models: this.#tagNames(slot * 2 * MAX_SESSION_TAGS),
      providers: this.#tagNames((slot * 2 + 1) * MAX_SESSION_TAGS),
    };
  }

  list(limit: number): Session[] {
    const now = this.#clock();
    const out: Session[] = [];
    for (const id of this.#lru.newest(limit)) {
      // Expired ones are older than every live one: stop at the first.
      if (this.#live(id, now) === -1) break;
      out.push(this.get(id)!);
    }
    return out;
  }

  delete(id: string): boolean {
    const slot = this.#lru.slotOf(id);
    if (slot === -1) return false;
    this.#release(slot);
    return true;
  }

  stats(): SessionStats {
    this.#sweep(this.#clock());
    return { active: this.#lru.size, created: this.#created, evicted: this.#evicted, expired: this.#expired };
  }

  // The session's slot, or -1 after dropping it when it has expired (expiry is lazy).
  #live(id: string, now: number): number {
    const slot = this.#lru.slotOf(id);
    if (slot === -1 || this.#lastActivity[slot] + this.#ttlMs > now) return slot;
    this.#release(slot);
    this.#expired++;
    return -1;
  }

  #sweep(now: number): void {
    this.#nextSweep = now + this.#sweepIntervalMs;
    for (let slot = this.#lru.oldest(); slot !== -1 && this.#lastActivity[slot] + this.#ttlMs <= now; slot = this.#lru.oldest()) {
      this.#release(slot);
      this.#expired++;
    }
  }

  #release(slot: number): void {
    this.#lru.release(slot);
    this.#owners[slot] = "";
  }

  /** Adds a name to the tag run starting at `at` unless present or the run is full. */
  #tag(at: number, name: string): void {
    let id = this.#nameIds.get(name);
    if (id === undefined) {
      if (this.#names.length >= MAX_NAMES) return;
      id = this.#names.push(name);
      this.#nameIds.set(name, id);
    }
    for (let i = at; i < at + MAX_SESSION_TAGS; i++) {
      if (this.#tags[i] === id) return;
      if (this.#tags[i] === 0) {
        this.#tags[i] = id;
        return;
      }
    }
  }

  #tagNames(at: number): string[] {
    const out: string[] = [];
    for (let i = at; i < at + MAX_SESSION_TAGS && this.#tags[i] !== 0; i++) out.push(this.#names[this.#tags[i] - 1]);
    return out;
  }

  #grow(capacity: number): void {
    const widen = <T extends Float64Array | Uint16Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width);
      next.set(old);
      return next;
    };
    const f64 = (n: number) => new Float64Array(n);
    this.#createdAt = widen(this.#createdAt, f64);
    this.#lastActivity = widen(this.#lastActivity, f64);
    this.#requests = widen(this.#requests, f64);
    this.#promptTokens = widen(this.#promptTokens, f64);
    this.#completionTokens = widen(this.#completionTokens, f64);
    this.#tags = widen(this.#tags, (n) => new Uint16Array(n), 2 * MAX_SESSION_TAGS);
  }
}

const ID_BYTES = 18;
// Random bytes for 256 ids are drawn at once: one getRandomValues call and buffer per 256 sessions.
const randomPool = Buffer.alloc(ID_BYTES * 256);
let poolOffset = randomPool.length;

/** `sess_` + 24 base64url characters (144 random bits): unguessable, safe in headers and URLs. */
export function newSessionId(): string {
  if (poolOffset === randomPool.length) {
    crypto.getRandomValues(randomPool);
    poolOffset = 0;
  }
  const id = "sess_" + randomPool.toString("base64url", poolOffset, poolOffset + ID_BYTES);
  // Each byte serves one id only.
  poolOffset += ID_BYTES;
  return id;
}
