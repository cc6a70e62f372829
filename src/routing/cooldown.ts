// A small circuit breaker per candidate (provider + model), behind a store so that several gateway
// instances can later share it (Redis). Each operation reads and writes one key and is written to be
// expressible as one atomic script:
//   closed    -> failures counted; FAILURE_THRESHOLD in a row, or one failure that says so (daily cap,
//                long Retry-After, refused), opens it until a time;
//   open      -> skipped until `openUntil`;
//   half-open -> after `openUntil` one request (the probe) may try it; success closes it, failure
//                opens it again for a new cooldown. A probe that never reports back expires.
// A circuit opened until a time the upstream named (a quota's reset, a long Retry-After) is no guess:
// past that time it closes at once, with no probe.
import type { Target } from "./aliases.ts";

export interface BreakerState {
  /** Consecutive failed attempts since the last success. */
  failures: number;
  /** Epoch ms until which the candidate is skipped; absent while the circuit is closed. */
  openUntil?: number;
  /** Why it opened: a failure kind ("quota" for a daily cap, "server", "rate_limit" ...). */
  reason?: string;
  /** While half-open: epoch ms until which the one probe request holds its claim. */
  probeUntil?: number;
  /** True when `openUntil` is a reset the upstream named rather than a cooldown the gateway guessed. */
  timed?: boolean;
}

/** Failure kinds whose `openUntil` (when the failure itself sets one) is a time the upstream named. */
export const TIMED_REASONS: ReadonlySet<string> = new Set(["quota", "rate_limit"]);

/** "probe": this caller is the single trial request of a half-open circuit and must report back. */
export type Admission = "closed" | "probe" | "open";

export interface FailureRecord {
  now: number;
  reason: string;
  /** Open the circuit until then regardless of the count (daily cap reset, long Retry-After, refusal). */
  openUntil?: number;
  /** How many consecutive failures open the circuit, and for how long. */
  threshold: number;
  cooldownMs: number;
}

export interface CooldownStore {
  /** Atomically decides whether a candidate may be tried now, claiming the probe of a half-open one. */
  admit(key: string, now: number, probeMs: number): Promise<Admission>;
  recordFailure(key: string, failure: FailureRecord): Promise<BreakerState>;
  recordSuccess(key: string): Promise<void>;
  get(key: string): Promise<BreakerState | undefined>;
  /** Every candidate with state, for /health. */
  entries(): Promise<Array<[string, BreakerState]>>;
}

/** Provider names contain no ":", so the first ":" splits a key again (model ids may contain ":"). */
export const candidateKey = (target: Target): string => `${target.provider}:${target.model}`;

export function targetOfKey(key: string): Target {
  const at = key.indexOf(":");
  return { provider: key.slice(0, at), model: key.slice(at + 1) };
}

/** One process's breakers. Operations are synchronous inside, hence atomic. */
export class MemoryCooldownStore implements CooldownStore {
  private readonly states = new Map<string, BreakerState>();

  async admit(key: string, now: number, probeMs: number): Promise<Admission> {
    const s = this.states.get(key);
    if (s?.openUntil === undefined) return "closed";
    if (s.timed && s.openUntil <= now) {
      this.states.delete(key);
      return "closed";
    }
    if (s.openUntil > now || (s.probeUntil ?? 0) > now) return "open";
    s.probeUntil = now + probeMs;
    return "probe";
  }

  async recordFailure(key: string, f: FailureRecord): Promise<BreakerState> {
    const s = this.states.get(key) ?? { failures: 0 };
    const probing = s.probeUntil !== undefined;
    s.failures++;
    delete s.probeUntil;
    const until = f.openUntil ?? (probing || s.failures >= f.threshold ? f.now + f.cooldownMs : undefined);
    // A shorter cooldown never cuts a longer one short, nor takes over its reason.
    if (until !== undefined && until >= (s.openUntil ?? 0)) {
      s.openUntil = until;
      s.reason = f.reason;
      s.timed = f.openUntil !== undefined && TIMED_REASONS.has(f.reason);
    }
    this.states.set(key, s);
    return { ...s };
  }

  async recordSuccess(key: string): Promise<void> {
    this.states.delete(key);
  }

  async get(key: string): Promise<BreakerState | undefined> {
    const s = this.states.get(key);
    return s && { ...s };
  }

  async entries(): Promise<Array<[string, BreakerState]>> {
    return [...this.states].map(([k, s]) => [k, { ...s }]);
  }

  /** Takes one candidate's state as another replica left it (redis/cooldown.ts mirrors the shared states here). */
  put(key: string, state: BreakerState | undefined): void {
    if (state) this.states.set(key, { ...state });
    else this.states.delete(key);
  }

  has(key: string): boolean {
    return this.states.has(key);
  }

  /** Replaces every state at once (a resynchronisation). */
  replace(entries: Iterable<[string, BreakerState]>): void {
    this.states.clear();
    for (const [key, state] of entries) this.states.set(key, state);
  }
}
