// The usage ledger's storage: one row per inference request (never its text), written in batches,
// read by the usage API and by the budget counters at start-up. Two implementations share the schema
// and the SQL (./sql.ts): SQLite in the gateway's own database file, Postgres for several gateways.

/** One request as the ledger keeps it. Times are epoch ms (UTC). A type, not an interface, so SQLite binds it by name. */
export type UsageRow = {
  /** The request id (x-request-id). */
  id: string;
  time: number;
  /** Whose row it is: "key:<sha256 of the bearer>", "user:<github id>" or "ip:<sha256 of the address>". */
  owner: string;
  /** The gateway API key's id ("admin" for ADMIN_TOKEN), or "anon:<hash prefix>" for an anonymous caller. */
  key_id: string | null;
  /** The GitHub login of a logged-in user. */
  user_login: string | null;
  endpoint: string;
  /** The model the client asked for (the alias). */
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  status: number;
  /** OpenAI error code; set on a 200 too when a stream failed after its first byte. */
  error: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number;
  first_byte_ms: number | null;
  attempts: number;
  cache: string | null;
  session_id: string | null;
  cost_usd: number;
};

export const GROUP_BY = ["model", "provider", "key", "user", "day", "hour"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface UsageFilter {
  from?: number;
  to?: number;
  /** Only this caller's rows (everyone but admins). */
  owner?: string;
  model?: string;
  provider?: string;
  status?: number;
  key?: string;
}

export interface UsageGroup {
  group: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cache_hits: number;
  latency_ms_p50: number;
  latency_ms_p95: number;
  cost_usd: number;
}

/** A row as GET /v1/usage/requests answers it: who is named by key id and login, never by owner hash. */
export type UsageRecord = Omit<UsageRow, "time" | "owner" | "key_id" | "user_login" | "session_id" | "cost_usd"> & {
  time: string;
  key: string | null;
  user: string | null;
};

/** What a key used since the start of the UTC day and month: the budget counters' starting point. */
export interface KeyTotals {
  key: string;
  dayRequests: number;
  dayTokens: number;
  monthRequests: number;
  monthTokens: number;
}

export interface LedgerStore {
  insert(rows: UsageRow[]): Promise<void>;
  summary(groupBy: GroupBy, filter: UsageFilter): Promise<UsageGroup[]>;
  /** Newest first; `before` is a row id (undefined when that row is not one the filter can see). */
  requests(filter: UsageFilter, limit: number, before?: string): Promise<UsageRecord[] | undefined>;
  /** Deletes rows older than `time`; how many. */
  prune(time: number): Promise<number>;
  keyTotals(dayStart: number, monthStart: number): Promise<KeyTotals[]>;
  close(): Promise<void>;
}
