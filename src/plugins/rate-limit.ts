// Token bucket per client on /v1/* and /auth/*: MAX requests, refilled continuously over WINDOW ms. Every
// limited response carries the x-ratelimit-* headers OpenAI clients read; over the limit is a 429 with
// Retry-After (whole seconds, at least 1) and retry-after-ms. Health, metrics, docs and admin are exempt.
import { Elysia } from "elysia";
import { errorResponse } from "../doors/errors.ts";
import { GatewayError, retryAfterHeaders } from "../errors.ts";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import type { RateLimitStore } from "../stores/rate-limit.ts";
import { metaOf } from "./request-context.ts";

export interface RateLimitSettings {
  windowMs: number;
  maxRequests: number;
}

/** A per-key limit an admin set (requests per minute), overriding the default bucket. */
export type KeyLimit = (request: Request) => Promise<number | undefined>;

export function rateLimit(store: RateLimitStore, settings: RateLimitSettings, m: GatewayMetrics, keyLimit: KeyLimit) {
  return new Elysia({ name: "rate-limit" }).onRequest(async ({ request, set }) => {
    // Cheap prefix test on the URL: no URL object on the hot path.
    if (!isLimited(request.url)) return;
    const perMinute = await keyLimit(request);
    const [capacity, windowMs] = perMinute ? [perMinute, 60_000] : [settings.maxRequests, settings.windowMs];
    const limit = String(capacity);
    const result = await store.take(metaOf(request).client, capacity, capacity / windowMs);
    set.headers["x-ratelimit-limit-requests"] = limit;
    set.headers["x-ratelimit-remaining-requests"] = String(result.remaining);
    set.headers["x-ratelimit-reset-requests"] = duration(result.resetMs);
    if (result.allowed) return;
    m.rateLimitHits.inc();
    const retry = retryAfterHeaders(result.retryAfterMs);
    const refusal = new GatewayError(429, `Rate limit reached: ${limit} requests per ${duration(windowMs)}. Try again in ${retry["retry-after"]}s.`,
      "rate_limit_error", "rate_limit_exceeded", null, retry);
    return errorResponse(refusal, request, set.headers as Record<string, string>);
  });
}

/** The API, and the login routes (which anyone can call, and which cost GitHub device codes and state rows). */
function isLimited(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return url.startsWith("/v1/", start) || url.startsWith("/auth/", start);
}

/** OpenAI's style for reset headers: "250ms", "1s", "6m0s". */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}
