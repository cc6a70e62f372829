// Each candidate's routing state as /health shows it: ok, failing (some recent failures), cooling down
// until the time the upstream named, open circuit, half-open (the next request probes it), or dropped
// because its provider's live list no longer has it.
import type { Target } from "./aliases.ts";
import { TABLE_TARGETS } from "./catalog.ts";
import { targetOfKey, type BreakerState, type CooldownStore } from "./cooldown.ts";

export interface CandidateStatus {
  model: string;
  state: "ok" | "failing" | "cooling_down" | "open" | "half_open" | "dropped";
  /** ISO time until which it is skipped. */
  until?: string;
  reason?: string;
  failures?: number;
}

/** Failures whose Retry-After or reset told us when the candidate is back. */
const UPSTREAM_TIMED = new Set(["quota", "rate_limit"]);

/** Candidates by provider: every table target plus any direct id that has breaker state. */
export async function candidateStatus(
  store: CooldownStore,
  dropped: (target: Target) => boolean,
  now: number,
): Promise<Map<string, CandidateStatus[]>> {
  const states = new Map(await store.entries());
  const targets = new Map(TABLE_TARGETS);
  for (const key of states.keys()) if (!targets.has(key)) targets.set(key, targetOfKey(key));
  const out = new Map<string, CandidateStatus[]>();
  for (const [key, target] of targets) {
    const list = out.get(target.provider) ?? [];
    list.push(describe(target, states.get(key), dropped(target), now));
    out.set(target.provider, list);
  }
  return out;
}

function describe(target: Target, s: BreakerState | undefined, isDropped: boolean, now: number): CandidateStatus {
  const base = { model: target.model, ...(s ? { failures: s.failures } : {}) };
  if (isDropped) return { ...base, state: "dropped", reason: "not in the provider's model list" };
  if (!s) return { ...base, state: "ok" };
  if (s.openUntil === undefined) return { ...base, state: s.failures > 0 ? "failing" : "ok" };
  if (s.openUntil <= now) return { ...base, state: "half_open", reason: s.reason };
  const state = UPSTREAM_TIMED.has(s.reason ?? "") ? "cooling_down" : "open";
  return { ...base, state, until: new Date(s.openUntil).toISOString(), reason: s.reason };
}
