import { type Clock, systemClock } from "./clock.ts";
import { LruMap } from "./lru.ts";

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
   * Creates the session or records one more request on it, in one atomic step (the only call on
   * the request path). Returns undefined, changing nothing, when the id belongs to another owner.
   */
  touch(id: string, update: SessionUpdate): Session | undefined | Promise<Session | undefined>;
  get(id: string): Session | undefined | Promise<Session | undefined>;
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

// A class gives every session the same compact shape; it is mutable here, read-only outside.
class SessionRecord implements Session {
  requests = 0;
  promptTokens = 0;
  completionTokens = 0;
  models: string[] = [];
  providers: string[] = [];
  constructor(
    readonly id: string,
    readonly owner: string,
    readonly createdAt: number,
    public lastActivity: number,
  ) {}
}

/**
 * Sessions in an LRU whose order is activity order: touch() marks a session used, get() does not.
 * So the least recently used session is also the first to expire, and a sweep stops at the first
 * live one. No timers: nothing keeps the process alive.
 * Returned sessions are live records: read them, do not keep them across awaits if a snapshot matters.
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions: LruMap<SessionRecord>;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #sweepIntervalMs: number;
  #nextSweep = 0;
  #created = 0;
  #evicted = 0;
  #expired = 0;

  constructor({ ttlMs, max = 10_000, clock = systemClock, sweepIntervalMs = 10_000 }: MemorySessionOptions) {
    this.#ttlMs = ttlMs;
    this.#sessions = new LruMap(max);
    this.#clock = clock;
    this.#sweepIntervalMs = sweepIntervalMs;
  }

  touch(id: string, update: SessionUpdate): Session | undefined {
    const now = this.#clock();
    if (now >= this.#nextSweep) this.#sweep(now);
    let session = this.#live(id, now);
    if (session !== undefined) {
      if (session.owner !== update.owner) return undefined;
    } else {
      session = new SessionRecord(id, update.owner, now, now);
      this.#created++;
    }
    session.lastActivity = now;
    session.requests++;
    if (update.promptTokens) session.promptTokens += update.promptTokens;
    if (update.completionTokens) session.completionTokens += update.completionTokens;
    if (update.model !== undefined) addTag(session.models, update.model);
    if (update.provider !== undefined) addTag(session.providers, update.provider);
    if (this.#sessions.set(id, session)) this.#evicted++;
    return session;
  }

  get(id: string): Session | undefined {
    return this.#live(id, this.#clock());
  }

  delete(id: string): boolean {
    return this.#sessions.delete(id);
  }

  stats(): SessionStats {
    this.#sweep(this.#clock());
    return { active: this.#sessions.size, created: this.#created, evicted: this.#evicted, expired: this.#expired };
  }

  // The session, or undefined after dropping it when it has expired (expiry is lazy).
  #live(id: string, now: number): SessionRecord | undefined {
    const session = this.#sessions.peek(id);
    if (session === undefined || session.lastActivity + this.#ttlMs > now) return session;
    this.#sessions.delete(id);
    this.#expired++;
    return undefined;
  }

  #sweep(now: number): void {
    this.#nextSweep = now + this.#sweepIntervalMs;
    this.#expired += this.#sessions.dropOldestWhile((session) => session.lastActivity + this.#ttlMs <= now);
  }
}

function addTag(tags: string[], tag: string): void {
  if (tags.length < MAX_SESSION_TAGS && !tags.includes(tag)) tags.push(tag);
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
