// The usage API's shapes (GET /v1/usage and /v1/usage/requests) and the time windows and buckets the
// Dashboard and Usage charts draw from them.
import type { UsageGroup } from "../ledger/store.ts";
import { api, query } from "./api.ts";

// The JSON shape GET /v1/usage answers is the ledger's own type (a type import: nothing of the server is bundled).
export type { UsageGroup };

export interface RequestRow {
  id: string;
  time: string;
  key: string | null;
  user: string | null;
  endpoint: string;
  model: string;
  provider: string | null;
  upstream_model: string | null;
  status: number;
  error: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number | null;
  first_byte_ms: number | null;
  attempts: number | null;
  /** "HIT", "MISS" or null (not cacheable). */
  cache: string | null;
}

export const WINDOWS = {
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "24 hours", ms: 86_400_000 },
  "7d": { label: "7 days", ms: 7 * 86_400_000 },
} as const;
export type WindowId = keyof typeof WINDOWS;

export const windowStart = (w: WindowId, now = Date.now()) => new Date(now - WINDOWS[w].ms).toISOString();

export async function usage(groupBy: string, from: string, to?: string): Promise<UsageGroup[]> {
  return (await api<{ data: UsageGroup[] }>("GET", `/v1/usage${query({ group_by: groupBy, from, to })}`)).data;
}

/** Rows newer than `from`, newest first, following `before` for at most `pages` pages. */
export async function requestsSince(from: string, pages = 10, size = 200): Promise<RequestRow[]> {
  const out: RequestRow[] = [];
  const since = new Date(from).getTime();
  let before: string | undefined;
  for (let i = 0; i < pages; i++) {
    const page = (await api<{ data: RequestRow[] }>("GET", `/v1/usage/requests${query({ limit: size, before })}`)).data;
    for (const row of page) {
      if (new Date(row.time).getTime() < since) return out;
      out.push(row);
    }
    if (page.length < size) break;
    before = page.at(-1)!.id;
  }
  return out;
}

export interface Point {
  /** Bucket start, epoch seconds. */
  t: number;
  requests: number;
  errors: number;
  tokens: number;
  p50: number | null;
  p95: number | null;
  /** Minutes the bucket covers so far (the current hour is partial; a minute counts whole). */
  minutes: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : null);

/** Per-minute points over the last hour, from the request rows (the usage API groups by hour at the finest). */
export function minutePoints(rows: RequestRow[], now = Date.now()): Point[] {
  const end = Math.floor(now / 60_000);
  const buckets = new Map<number, RequestRow[]>();
  for (const row of rows) {
    const minute = Math.floor(new Date(row.time).getTime() / 60_000);
    if (minute > end - 60) buckets.set(minute, [...(buckets.get(minute) ?? []), row]);
  }
  const points: Point[] = [];
  for (let m = end - 59; m <= end; m++) {
    const list = buckets.get(m) ?? [];
    const latencies = list.map((r) => r.latency_ms).filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
    points.push({
      t: m * 60,
      requests: list.length,
      errors: list.filter((r) => r.status >= 400).length,
      tokens: list.reduce((sum, r) => sum + (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0), 0),
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      minutes: 1,
    });
  }
  return points;
}

/** Hourly points from `group_by=hour` ("YYYY-MM-DDTHH" groups, UTC), with empty hours filled in. */
export function hourPoints(groups: UsageGroup[], from: string, now = Date.now()): Point[] {
  const byHour = new Map(groups.map((g) => [Date.parse(`${g.group}:00:00Z`) / 3_600_000, g]));
  const end = Math.floor(now / 3_600_000);
  const points: Point[] = [];
  for (let h = Math.floor(Date.parse(from) / 3_600_000); h <= end; h++) {
    const g = byHour.get(h);
    points.push({
      t: h * 3600,
      requests: g?.requests ?? 0,
      errors: g?.errors ?? 0,
      tokens: g?.total_tokens ?? 0,
      p50: g?.latency_ms_p50 ?? null,
      p95: g?.latency_ms_p95 ?? null,
      minutes: h === end ? Math.max(1, (now / 60_000) - end * 60) : 60,
    });
  }
  return points;
}

export function totals(groups: UsageGroup[]) {
  const sum = (k: keyof UsageGroup) => groups.reduce((s, g) => s + (Number(g[k]) || 0), 0);
  return { requests: sum("requests"), errors: sum("errors"), tokens: sum("total_tokens"), cacheHits: sum("cache_hits"), cost: sum("cost_usd") };
}
