// Each candidate's state as /health shows it: ok, failing (some recent failures), cooling down
// until the time the upstream named, open circuit, half-open (the next request probes it), or dropped
// because its provider's live list no longer has it; and what its rate-limit headers said is left.
import type { Target } from "./aliases.ts";
import { TABLE_TARGETS } from "./catalog.ts";
import { targetOfKey, type BreakerState, type CooldownStore } from "./cooldown.ts";
import { spentUntil, type QuotaState, type QuotaStore, type QuotaWindow } from "./quota.ts";

export interface CandidateStatus {
  model: string;
  state: "ok" | "failing" | "cooling_down" | "open" | "half_open" | "dropped";
  /** ISO time until which it is skipped. */
  until?: string;
  reason?: string;
  failures?: number;
  /** This replica's moving average of the candidate's latency in ms (router.ts adds it; latency.ts keeps it). */
  latency_ms?: number;
  /** Left in the current window as the upstream last reported it, and when the window resets (ISO). */
  remaining_requests?: number;
  requests_reset_at?: string;
  remaining_tokens?: number;
  tokens_reset_at?: string;
}

/** Failures whose Retry-After or reset told us when the candidate is back. */
const UPSTREAM_TIMED = new Set(["quota", "rate_limit"]);

/** Candidates by provider: every table target plus any direct id (or quota pool) that has state. */
export async function candidateStatus(
  store: CooldownStore,
  quotas: QuotaStore,
  dropped: (target: Target) => boolean,
  now: number,
): Promise<Map<string, CandidateStatus[]>> {
  const [states, reports] = await Promise.all([store.entries().then((e) => new Map(e)), quotas.entries().then((e) => new Map(e))]);
  const targets = new Map(TABLE_TARGETS);
  for (const key of [...states.keys(), ...reports.keys()]) if (!targets.has(key)) targets.set(key, targetOfKey(key));
  const out = new Map<string, CandidateStatus[]>();
  for (const [key, target] of targets) {
    const list = out.get(target.provider) ?? [];
    list.push(describe(target, states.get(key), reports.get(key), dropped(target), now));
    out.set(target.provider, list);
  }
  return out;
}

function describe(target: Target, s: BreakerState | undefined, q: QuotaState | undefined, isDropped: boolean, now: number): CandidateStatus {
  const base = { model: target.model, ...(s ? { failures: s.failures } : {}), ...quotaFields(q, now) };
  if (isDropped) return { ...base, state: "dropped", reason: "not in the provider's model list" };
  const spent = spentUntil(q, now);
  if (spent !== undefined && (s?.openUntil === undefined || s.openUntil <= spent)) {
    return { ...base, state: "cooling_down", until: new Date(spent).toISOString(), reason: "quota" };
  }
  if (!s) return { ...base, state: "ok" };
  if (s.openUntil === undefined) return { ...base, state: s.failures > 0 ? "failing" : "ok" };
  if (s.openUntil <= now) return { ...base, state: s.timed ? "ok" : "half_open", reason: s.reason };
  const state = UPSTREAM_TIMED.has(s.reason ?? "") ? "cooling_down" : "open";
  return { ...base, state, until: new Date(s.openUntil).toISOString(), reason: s.reason };
}

/** A window's figures, while they still describe the current window. */
function quotaFields(q: QuotaState | undefined, now: number): Partial<CandidateStatus> {
  const live = (w: QuotaWindow | undefined) => (w && w.resetAt > now ? w : undefined);
  const requests = live(q?.requests);
  const tokens = live(q?.tokens);
  return {
    ...(requests ? { remaining_requests: requests.remaining, requests_reset_at: new Date(requests.resetAt).toISOString() } : {}),
    ...(tokens ? { remaining_tokens: tokens.remaining, tokens_reset_at: new Date(tokens.resetAt).toISOString() } : {}),
  };
}
