// What upstreams said is left of their quotas (rate-limit headers), per candidate or per shared pool, so
// the router skips a candidate that reported 0 requests or 0 tokens until that window resets, without
// a call. Behind a store like the breakers (cooldown.ts), so that replicas can share what one learned.
import type { RateLimitReport, ReportedWindow } from "../providers/rate-limit-headers.ts";

export interface QuotaWindow {
  remaining: number;
  /** Epoch ms at which the window resets. */
  resetAt: number;
}

/** The last report for a key: the tightest window of each dimension. */
export interface QuotaState {
  requests?: QuotaWindow;
  tokens?: QuotaWindow;
}

export interface QuotaStore {
  /** Replaces what is known of a key's quota with the latest report. */
  record(key: string, state: QuotaState): Promise<void>;
  get(key: string): Promise<QuotaState | undefined>;
  /** Every key with a report, for /health. */
  entries(): Promise<Array<[string, QuotaState]>>;
}

/** A report's windows as epoch times on the router's clock. */
export function quotaState(report: RateLimitReport, now: number): QuotaState {
  const at = (w: ReportedWindow): QuotaWindow => ({ remaining: w.remaining, resetAt: w.resetAt ?? now + (w.resetInMs ?? 0) });
  const state: QuotaState = {};
  if (report.requests) state.requests = at(report.requests);
  if (report.tokens) state.tokens = at(report.tokens);
  return state;
}

/** Epoch ms until which nothing is left (0 requests or 0 tokens in a window not reset yet), else undefined. */
export function spentUntil(state: QuotaState | undefined, now: number): number | undefined {
  if (!state) return undefined;
  let until: number | undefined;
  for (const w of [state.requests, state.tokens]) {
    if (w && w.remaining <= 0 && w.resetAt > now) until = Math.max(until ?? 0, w.resetAt);
  }
  return until;
}

/** One process's quotas. */
export class MemoryQuotaStore implements QuotaStore {
  private readonly states = new Map<string, QuotaState>();

  async record(key: string, state: QuotaState): Promise<void> {
    this.states.set(key, state);
  }

  async get(key: string): Promise<QuotaState | undefined> {
    return this.states.get(key);
  }

  async entries(): Promise<Array<[string, QuotaState]>> {
    return [...this.states];
  }

  /** Takes one key's report as another replica left it (redis/quota.ts mirrors the shared reports here). */
  put(key: string, state: QuotaState | undefined): void {
    if (state) this.states.set(key, state);
    else this.states.delete(key);
  }

  /** Replaces every report at once (redis/quota.ts resynchronising its mirror). */
  replace(entries: Iterable<[string, QuotaState]>): void {
    this.states.clear();
    for (const [key, state] of entries) this.states.set(key, state);
  }
}
