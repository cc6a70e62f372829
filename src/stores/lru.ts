// A string-keyed LRU map: a Map for lookup plus a doubly linked list for recency.
// Why not just a Map's insertion order (delete + re-set to bump, first key = oldest)? Bun's Map
// leaves a tombstone per delete and iterating from the front walks over them until a rehash, so
// "evict the first key" degraded to ~20 µs per call once ~100k keys had churned; here every
// operation is O(1) and a bump allocates nothing.

class Node<V> {
  prev: Node<V> | undefined = undefined;
  next: Node<V> | undefined = undefined;
  constructor(
    readonly key: string,
    public value: V,
  ) {}
}

export class LruMap<V> {
  readonly #nodes = new Map<string, Node<V>>();
  /** Least recently used. */
  #head: Node<V> | undefined = undefined;
  /** Most recently used. */
  #tail: Node<V> | undefined = undefined;

  /** Past `max` entries, set() drops the least recently used one. */
  constructor(readonly max = Infinity) {}

  get size(): number {
    return this.#nodes.size;
  }

  /** The value, marking it most recently used. */
  get(key: string): V | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    this.#moveToTail(node);
    return node.value;
  }

  /** The value, leaving recency alone. */
  peek(key: string): V | undefined {
    return this.#nodes.get(key)?.value;
  }

  /** Inserts or replaces, marking it most recently used. True when an older entry was evicted to make room. */
  set(key: string, value: V): boolean {
    const existing = this.#nodes.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.#moveToTail(existing);
      return false;
    }
    const node = new Node(key, value);
    this.#nodes.set(key, node);
    this.#append(node);
    if (this.#nodes.size <= this.max) return false;
    this.#remove(this.#head as Node<V>);
    return true;
  }

  delete(key: string): boolean {
    const node = this.#nodes.get(key);
    if (node === undefined) return false;
    this.#remove(node);
    return true;
  }

  /** Drops entries from the least recently used end while `stale` holds; returns how many. */
  dropOldestWhile(stale: (value: V) => boolean): number {
    let dropped = 0;
    while (this.#head !== undefined && stale(this.#head.value)) {
      this.#remove(this.#head);
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.#nodes.clear();
    this.#head = this.#tail = undefined;
  }

  #moveToTail(node: Node<V>): void {
    if (node === this.#tail) return;
    this.#unlink(node);
    this.#append(node);
  }

  #append(node: Node<V>): void {
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
  }

  #unlink(node: Node<V>): void {
    if (node.prev === undefined) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev;
    else node.next.prev = node.prev;
  }

  #remove(node: Node<V>): void {
    this.#unlink(node);
    this.#nodes.delete(node.key);
  }
}
