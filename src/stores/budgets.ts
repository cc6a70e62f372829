// What each gateway API key used in the current UTC day and month, for its budget. Periods are named
// ("2026-11-30", "2026-11") so a counter from an earlier period reads as zero: nothing to reset. Behind
// an interface like the rate-limit store's, so a Redis version (HINCRBY per key and period) can share
// the counters between replicas.

export interface BudgetUsage {
  dayRequests: number;
  dayTokens: number;
  monthRequests: number;
  monthTokens: number;
}

export interface Periods {
  day: string;
  month: string;
}

export interface BudgetStore {
  get(key: string, at: Periods): BudgetUsage | Promise<BudgetUsage>;
  /** Counts an answer: `requests` (0 or 1) and its tokens, in the periods it completed in. */
  add(key: string, at: Periods, requests: number, tokens: number): void | Promise<void>;
  /** Sets a key's counters for these periods (the start-up rebuild from the ledger). */
  seed(key: string, at: Periods, usage: BudgetUsage): void | Promise<void>;
}

interface Counter extends BudgetUsage, Periods {}

export const NO_USAGE: BudgetUsage = { dayRequests: 0, dayTokens: 0, monthRequests: 0, monthTokens: 0 };

export class MemoryBudgetStore implements BudgetStore {
  // One entry per gateway API key (admins create them, so the map stays small).
  readonly #counters = new Map<string, Counter>();

  get(key: string, at: Periods): BudgetUsage {
    const c = this.#counters.get(key);
    if (!c || c.month !== at.month) return NO_USAGE;
    return c.day === at.day ? c : { ...NO_USAGE, monthRequests: c.monthRequests, monthTokens: c.monthTokens };
  }

  add(key: string, at: Periods, requests: number, tokens: number): void {
    const c = this.#counters.get(key);
    const fresh = !c || c.month !== at.month;
    const sameDay = !fresh && c.day === at.day;
    this.#counters.set(key, {
      ...at,
      dayRequests: (sameDay ? c.dayRequests : 0) + requests,
      dayTokens: (sameDay ? c.dayTokens : 0) + tokens,
      monthRequests: (fresh ? 0 : c.monthRequests) + requests,
      monthTokens: (fresh ? 0 : c.monthTokens) + tokens,
    });
  }

  seed(key: string, at: Periods, usage: BudgetUsage): void {
    this.#counters.set(key, { ...at, ...usage });
  }
}
