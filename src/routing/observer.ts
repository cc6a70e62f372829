// What the router reports as it works, for metrics and logs. Observers are called synchronously on the
// request path: keep them cheap, and a throwing observer never breaks a request.
import type { FailureKind } from "../errors.ts";
import type { Target } from "./aliases.ts";
import type { QuotaState } from "./quota.ts";
import type { Endpoint } from "./resolve.ts";

export interface AttemptEvent {
  endpoint: Endpoint;
  /** The model the client asked for: an alias or a direct upstream id. */
  requested: string;
  provider: string;
  /** The upstream model id this attempt asked for. */
  model: string;
  /** 1-based number of this attempt within the request, retries included. */
  attempt: number;
  /** Upstream HTTP status: 200 on success, null when none arrived (connection, timeout, abort). */
  status: number | null;
  /** "success", why it failed, or "aborted" (client gone or REQUEST_TIMEOUT hit). */
  outcome: "success" | FailureKind | "aborted";
  durationMs: number;
}

export interface FailoverEvent {
  endpoint: Endpoint;
  requested: string;
  from: Target;
  to: Target;
  reason: FailureKind;
  /** The failure's message (never request content). */
  message: string;
}

/** An answer (or an error) carried rate-limit headers: what is left of the candidate's quota. */
export interface QuotaEvent {
  provider: string;
  model: string;
  quota: QuotaState;
}

export interface RouterObserver {
  onAttempt?(event: AttemptEvent): void;
  onFailover?(event: FailoverEvent): void;
  onQuota?(event: QuotaEvent): void;
}
