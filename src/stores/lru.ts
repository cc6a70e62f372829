// Least-recently-used bookkeeping for the in-memory stores.
//
// LruSlots numbers its entries: a Map from key to slot plus a doubly linked recency list held in two
// Int32Arrays. Stores keep their values in columns indexed by slot (LruMap below in one array; the
// session store in typed arrays), so an entry is no object of its own. That matters under load: the
// entries of a full store live just long enough to be promoted by the GC and then die in the old
// generation, and with one object per entry 10 000 sessions raised the gateway's peak RSS by ~30 MB.
//
// Why not a Map's insertion order (delete + re-set to bump, first key = oldest)? Bun's Map leaves a
// tombstone per delete and iterating from the front walks over them until a rehash, so "evict the
// first key" degraded to ~20 µs per call once ~100k keys had churned; here every operation is O(1).

const NONE = -1;
const FIRST_CAPACITY = 64;

export class LruSlots {
  readonly #slots = new Map<string, number>();
  #keys: (string | undefined)[] = [];
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  /** Least recently used. */
  #head = NONE;
  /** Most recently used. */
  #tail = NONE;
  /** Slots freed by release(), reused before new ones. */
  #free: number[] = [];
  #used = 0;

  /**
   * Past `max` entries, claim() reuses the least recently used slot. `grow` hears each new capacity
   * (slots are numbered below it) so the owner can widen its value columns.
   */
  constructor(
    readonly max = Infinity,
    private readonly grow: (capacity: number) => void = () => {},
  ) {}

  get size(): number {
    return this.#slots.size;
  }

  /** The key's slot, or -1; recency is left alone. */
  slotOf(key: string): number {
    return this.#slots.get(key) ?? NONE;
  }

  /** The least recently used slot, or -1 when empty. */
  oldest(): number {
    return this.#head;
  }

  /** Keys from the most recently used to the least, at most `limit` of them. */
  newest(limit: number): string[] {
    const out: string[] = [];
    for (let slot = this.#tail; slot !== NONE && out.length < limit; slot = this.#prev[slot]) out.push(this.#keys[slot] as string);
    return out;
  }

  /** Marks a slot most recently used. */
  use(slot: number): void {
    if (slot === this.#tail) return;
    this.#unlink(slot);
    this.#append(slot);
  }

  /**
   * A slot for a key that has none, marked most recently used. When the LRU is full (max >= 1) this is
   * the least recently used entry's slot, its old key forgotten: callers check `size >= max` first to know.
   */
  claim(key: string): number {
    if (this.#slots.size >= this.max) this.release(this.#head);
    const slot = this.#free.pop() ?? this.#fresh();
    this.#keys[slot] = key;
    this.#slots.set(key, slot);
    this.#append(slot);
    return slot;
  }

  release(slot: number): void {
    this.#unlink(slot);
    this.#slots.delete(this.#keys[slot] as string);
    this.#keys[slot] = undefined;
    this.#free.push(slot);
  }

  clear(): void {
    this.#slots.clear();
    this.#keys = [];
    this.#free = [];
    this.#used = 0;
    this.#head = this.#tail = NONE;
  }

  #fresh(): number {
    if (this.#used === this.#prev.length) {
      const capacity = Math.min(this.max, Math.max(FIRST_CAPACITY, this.#prev.length * 2));
      const prev = new Int32Array(capacity);
      const next = new Int32Array(capacity);
      prev.set(this.#prev);
      next.set(this.#next);
      this.#prev = prev;
      this.#next = next;
      this.grow(capacity);
    }
    return this.#used++;
  }

  #append(slot: number): void {
    this.#prev[slot] = this.#tail;
    this.#next[slot] = NONE;
    if (this.#tail === NONE) this.#head = slot;
    else this.#next[this.#tail] = slot;
    this.#tail = slot;
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot];
    const next = this.#next[slot];
    if (prev === NONE) this.#head = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#tail = prev;
    else this.#prev[next] = prev;
  }
}

/** A string-keyed LRU map over LruSlots. */
export class LruMap<V> {
  readonly #lru: LruSlots;
  #values: (V | undefined)[] = [];

  /** Past `max` entries, set() drops the least recently used one. */
  constructor(max = Infinity) {
    this.#lru = new LruSlots(max);
  }

  get size(): number {
    return this.#lru.size;
  }

  /** The value, marking it most recently used. */
  get(key: string): V | undefined {
    const slot = this.#lru.slotOf(key);
    if (slot === NONE) return undefined;
    this.#lru.use(slot);
    return this.#values[slot];
  }

  /** The value, leaving recency alone. */
  peek(key: string): V | undefined {
    const slot = this.#lru.slotOf(key);
    return slot === NONE ? undefined : this.#values[slot];
  }

  /** Inserts or replaces, marking it most recently used. True when an older entry was evicted to make room. */
  set(key: string, value: V): boolean {
    // A map of size 0 (CACHE_MAX_ENTRIES=0) keeps nothing.
    if (this.#lru.max < 1) return true;
    let slot = this.#lru.slotOf(key);
    const evicts = slot === NONE && this.#lru.size >= this.#lru.max;
    if (slot === NONE) slot = this.#lru.claim(key);
    else this.#lru.use(slot);
    this.#values[slot] = value;
    return evicts;
  }

  delete(key: string): boolean {
    const slot = this.#lru.slotOf(key);
    if (slot === NONE) return false;
    this.#drop(slot);
    return true;
  }

  /** Drops entries from the least recently used end while `stale` holds; returns how many. */
  dropOldestWhile(stale: (value: V) => boolean): number {
    let dropped = 0;
    for (let slot = this.#lru.oldest(); slot !== NONE && stale(this.#values[slot] as V); slot = this.#lru.oldest()) {
      this.#drop(slot);
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.#lru.clear();
    this.#values = [];
  }

  #drop(slot: number): void {
    this.#lru.release(slot);
    // Let go of the value now, not when the slot is reused.
    this.#values[slot] = undefined;
  }
}
