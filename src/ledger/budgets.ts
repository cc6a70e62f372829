// Per-key budgets: requests per day, tokens per day, tokens per month (UTC). Answered requests (status
// below 400, cache hits included) and the tokens of every recorded answer count as each ledger row is
// made; a request may overshoot a token budget by its own size, and the next one is refused. The
// counters are rebuilt from the ledger at start-up, so a restart forgets nothing the ledger kept.
import type { Budget } from "../db/api-keys.ts";
import { GatewayError, retryAfterHeaders } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { BudgetStore, BudgetUsage, Periods } from "../stores/budgets.ts";
import type { LedgerStore, UsageRow } from "./store.ts";

/** Rows of callers without a budget of their own: anonymous bearers and ADMIN_TOKEN. */
const isGatewayKey = (keyId: string | null): keyId is string => keyId !== null && keyId !== "admin" && !keyId.startsWith("anon:");

export function periodsOf(time: number): Periods {
  const iso = new Date(time).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

function startOfDay(time: number): number {
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function startOfMonth(time: number, monthsLater = 0): number {
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + monthsLater, 1);
}

export class Budgets {
  readonly #ready: Promise<void>;

  constructor(
    private readonly store: BudgetStore,
    ledger: LedgerStore,
    private readonly clock: () => number,
    log: Logger,
  ) {
    this.#ready = this.#rebuild(ledger).catch((error) => {
      log("budget_rebuild_failed", { error: error instanceof Error ? error.message : String(error), note: "budgets count from zero until the next start" });
    });
  }

  /** Counts a ledger row toward its key's budget. */
  count(row: UsageRow): void {
    if (!isGatewayKey(row.key_id)) return;
    void this.store.add(row.key_id, periodsOf(row.time), row.status < 400 ? 1 : 0, row.prompt_tokens + row.completion_tokens);
  }

  /** What a key used today and this month. */
  async usage(keyId: string): Promise<BudgetUsage> {
    await this.#ready;
    return this.store.get(keyId, periodsOf(this.clock()));
  }

  /** Throws the 429 insufficient_quota answer when the key has used up one of its budgets. */
  async check(keyId: string, budget: Budget): Promise<void> {
    const used = await this.usage(keyId);
    const now = this.clock();
    const spent: Array<[keyof Budget, number, number]> = [
      ["requests_per_day", used.dayRequests, startOfDay(now) + 86_400_000],
      ["tokens_per_day", used.dayTokens, startOfDay(now) + 86_400_000],
      ["tokens_per_month", used.monthTokens, startOfMonth(now, 1)],
    ];
    for (const [name, value, resetAt] of spent) {
      const limit = budget[name];
      if (limit === undefined || value < limit) continue;
      throw new GatewayError(429,
        `This API key has used its budget: ${name} is ${limit} and ${value} ${name.startsWith("requests") ? "requests were" : "tokens were"} used; it resets at ${new Date(resetAt).toISOString()}.`,
        "insufficient_quota", "insufficient_quota", null, retryAfterHeaders(resetAt - now));
    }
  }

  async #rebuild(ledger: LedgerStore): Promise<void> {
    const now = this.clock();
    const at = periodsOf(now);
    for (const { key, ...usage } of await ledger.keyTotals(startOfDay(now), startOfMonth(now))) await this.store.seed(key, at, usage);
  }
}
