// Token bucket per client on /v1/* and /auth/*: MAX requests, refilled continuously over WINDOW ms. Every
// limited response carries the x-ratelimit-* headers OpenAI clients read; over the limit is a 429 with
// Retry-After (whole seconds, at least 1) and retry-after-ms. Health, metrics, docs and admin are exempt.
import { Elysia } from "elysia";
import { errorResponse } from "../doors/errors.ts";
import { GatewayError, retryAfterHeaders } from "../errors.ts";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import type { RateLimitStore, TakeResult } from "../stores/rate-limit.ts";
import { defer } from "./deferred-checks.ts";
import { pathStartsWith } from "../path-prefix.ts";
import { metaOf } from "./request-context.ts";

export interface RateLimitSettings {
  windowMs: number;
  maxRequests: number;
}

/** A per-key limit an admin set (requests per minute), overriding the default bucket. */
export type KeyLimit = (request: Request) => Promise<number | undefined>;

/**
 * Takes a token in onRequest. A memory bucket answers at once and a refused request stops there. A Redis
 * bucket answers after a round trip: its verdict is a deferred check (plugins/deferred-checks.ts), so
 * the take travels while the request is read and the other Redis lookups go out.
 */
export function rateLimit(store: RateLimitStore, settings: RateLimitSettings, m: GatewayMetrics, keyLimit: KeyLimit) {
  const refusal = (result: TakeResult, capacity: number, windowMs: number, headers: Record<string, string>): GatewayError | undefined => {
    headers["x-ratelimit-limit-requests"] = String(capacity);
    headers["x-ratelimit-remaining-requests"] = String(result.remaining);
    headers["x-ratelimit-reset-requests"] = duration(result.resetMs);
    if (result.allowed) return undefined;
    m.rateLimitHits.inc();
    const retry = retryAfterHeaders(result.retryAfterMs);
    return new GatewayError(429, `Rate limit reached: ${capacity} requests per ${duration(windowMs)}. Try again in ${retry["retry-after"]}s.`,
      "rate_limit_error", "rate_limit_exceeded", null, { ...retry, ...headers });
  };

  return new Elysia({ name: "rate-limit" }).onRequest(async ({ request, set }) => {
    // Cheap prefix test on the URL: no URL object on the hot path.
    if (!isLimited(request.url)) return;
    const perMinute = await keyLimit(request);
    const [capacity, windowMs] = perMinute ? [perMinute, 60_000] : [settings.maxRequests, settings.windowMs];
    const headers = set.headers as Record<string, string>;
    const result = store.take(metaOf(request).client, capacity, capacity / windowMs);
    if (result instanceof Promise) {
      defer(request, result.then((r) => {
        const refused = refusal(r, capacity, windowMs, headers);
        if (refused) throw refused;
      }));
      return;
    }
    const refused = refusal(result, capacity, windowMs, headers);
    return refused && errorResponse(refused, request);
  });
}

/** The API, and the login routes (which anyone can call, and which cost GitHub device codes and state rows). */
function isLimited(url: string): boolean {
  return pathStartsWith(url, "/v1/") || pathStartsWith(url, "/auth/");
}

/** OpenAI's style for reset headers: "250ms", "1s", "6m0s". */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}
