// What the router does after a failed attempt, as pure functions of the failure: wait and retry the
// same candidate, or move on (and whether to take the candidate out of rotation at once).
import type { UpstreamError } from "../errors.ts";

export interface RetryPolicy {
  /** Retries of one candidate after the first attempt (MAX_RETRIES). */
  maxRetries: number;
  /** Backoff base in ms (RETRY_DELAY): retry n waits a random time in [0, base * 2^n). */
  baseDelayMs: number;
}

/**
 * The longest Retry-After worth waiting for. A longer one means the candidate is busy for a while:
 * another candidate answers sooner than waiting would, so the router fails over at once.
 */
const MAX_RETRY_WAIT_MS = 2_000;
/** Backoff never waits longer than this, whatever RETRY_DELAY and the retry number say. */
const MAX_BACKOFF_MS = 10_000;

/** Consecutive failed attempts that open a candidate's circuit. */
export const FAILURE_THRESHOLD = 3;
/** How long an open circuit skips its candidate before one probe request may try it again. */
export const COOLDOWN_MS = 30_000;

/** Ms to wait before retrying the same candidate after its `retry`-th retry (0-based), or undefined to move on. */
export function retryDelay(error: UpstreamError, retry: number, policy: RetryPolicy, random: () => number): number | undefined {
  if (!error.retryable || retry >= policy.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= MAX_RETRY_WAIT_MS ? error.retryAfterMs : undefined;
  // Full jitter: concurrent requests that failed together do not retry together.
  return Math.floor(random() * Math.min(MAX_BACKOFF_MS, policy.baseDelayMs * 2 ** retry));
}

/**
 * Epoch ms until which this failure alone takes the candidate out of rotation, or undefined when only
 * repeated failures should (the circuit breaker's threshold).
 */
export function cooldownUntil(error: UpstreamError, now: number): number | undefined {
  switch (error.kind) {
    // A daily cap clears at its reset (next UTC midnight for OpenRouter), not before.
    case "quota": return error.resetAt ?? now + (error.retryAfterMs ?? COOLDOWN_MS);
    // The upstream said how long it is busy (a reset time or a Retry-After), longer than worth waiting for.
    case "rate_limit": {
      const until = error.resetAt ?? (error.retryAfterMs === undefined ? undefined : now + error.retryAfterMs);
      return until !== undefined && until - now > MAX_RETRY_WAIT_MS ? until : undefined;
    }
    // Our key, credit or the model itself is refused there: asking again soon will not help.
    case "rejected": return now + COOLDOWN_MS;
    default: return undefined;
  }
}
