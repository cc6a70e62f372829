// The usage ledger assembled: the store the settings name (SQLite in the gateway's database, or
// Postgres), the batching writer fed by completed requests, and the daily pruning of old rows.
import type { Database } from "bun:sqlite";
import type { Logger } from "../log.ts";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import type { RequestEvents } from "../plugins/request-context.ts";
import { PostgresLedger } from "./postgres.ts";
import { recordUsage, type Pricing } from "./recorder.ts";
import { SqliteLedger } from "./sqlite.ts";
import type { LedgerStore, UsageRow } from "./store.ts";
import { LedgerWriter, type WriterOptions } from "./writer.ts";

export interface LedgerSettings {
  /** false: no rows are written (budgets still count; the usage API answers from what is there). */
  enabled: boolean;
  /** postgres://... for a shared ledger; otherwise the gateway's SQLite database. */
  databaseUrl?: string;
  /** Rows older than this many days are deleted once a day; 0 keeps everything. */
  retentionDays: number;
}

const DAY_MS = 86_400_000;

export class Ledger {
  readonly store: LedgerStore;
  readonly writer: LedgerWriter;
  readonly #listeners: Array<(row: UsageRow) => void> = [];
  #pruner: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly settings: LedgerSettings,
    /** The gateway's SQLite database; none when DATABASE_URL puts everything in Postgres. */
    db: Database | undefined,
    private readonly deps: { metrics: GatewayMetrics; log: Logger; clock: () => number; writer?: WriterOptions },
  ) {
    if (!settings.databaseUrl && !db) throw new Error("The usage ledger needs DATABASE_URL or the SQLite database.");
    this.store = settings.databaseUrl ? new PostgresLedger(settings.databaseUrl) : new SqliteLedger(db!);
    this.writer = new LedgerWriter(this.store, deps.metrics.ledger, deps.log, deps.writer);
  }

  /** Records every completed inference request; `onRow` listeners (the budget counters) see each row first. */
  record(events: RequestEvents, price: Pricing): void {
    const { enabled } = this.settings;
    recordUsage(events, (row) => {
      for (const listener of this.#listeners) listener(row);
      if (enabled) this.writer.push(row);
    }, price, this.deps.clock);
  }

  onRow(listener: (row: UsageRow) => void): void {
    this.#listeners.push(listener);
  }

  /** Prunes now and then once a day (the timer never keeps the process alive). */
  start(): void {
    if (this.settings.retentionDays === 0 || this.#pruner) return;
    const prune = () => void this.prune().catch((error) => this.deps.log("usage_ledger_prune_failed", { error: error instanceof Error ? error.message : String(error) }));
    prune();
    this.#pruner = setInterval(prune, DAY_MS);
    this.#pruner.unref();
  }

  /** Deletes the rows older than the retention period; how many. */
  async prune(): Promise<number> {
    const deleted = await this.store.prune(this.deps.clock() - this.settings.retentionDays * DAY_MS);
    if (deleted > 0) this.deps.log("usage_ledger_pruned", { rows: deleted, retention_days: this.settings.retentionDays });
    return deleted;
  }

  /** The final flush, then the store's connections. */
  async close(): Promise<void> {
    clearInterval(this.#pruner);
    await this.writer.close();
    await this.store.close();
  }
}
