import { Registry } from "./registry.ts";

// Bucket sets, in seconds. Whole requests and upstream calls of LLMs run from milliseconds to
// minutes; the gateway's own overhead should sit well under a millisecond to a few ms.
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60] as const;
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] as const;

/** How one upstream attempt ended; a closed set keeps label cardinality bounded. */
export type UpstreamOutcome = "success" | "rate_limited" | "error" | "timeout" | "aborted";

// Providers with a family of their own (<provider>_requests_total), kept for dashboards that
// expect them. Custom OpenAI-compatible providers only appear in upstream_requests_total.
const NAMED_PROVIDERS = ["openrouter", "gemini", "opencode"] as const;

/** The gateway's metric families on a fresh registry (or the one given); render with `registry.render()`. */
export function createGatewayMetrics(registry = new Registry()) {
  // Registration order is exposition order.
  const httpRequests = registry.counter("http_requests_total", "HTTP requests by endpoint, method and status.", ["endpoint", "method", "status"]);
  const httpRequestDuration = registry.histogram(
    "http_request_duration_seconds",
    "HTTP request duration until the response (or its stream) ended.",
    REQUEST_BUCKETS,
    ["endpoint", "method"],
  );
  const namedProviderRequests = new Map(
    NAMED_PROVIDERS.map((p) => [
      p as string,
      registry.counter(`${p}_requests_total`, `Upstream attempts to ${p} by HTTP status and outcome.`, ["status", "outcome"]),
    ]),
  );
  const upstreamRequests = registry.counter(
    "upstream_requests_total",
    "Upstream attempts by provider, HTTP status (0 when no response) and outcome; includes the named providers.",
    ["provider", "status", "outcome"],
  );

  return {
    registry,
    httpRequests,
    httpRequestDuration,
    rateLimitHits: registry.counter("rate_limit_hits_total", "Requests refused by the gateway's rate limiter."),
    responseCacheHits: registry.counter("response_cache_hits_total", "Requests answered from the response cache."),
    responseCacheMisses: registry.counter("response_cache_misses_total", "Cacheable requests not found in the response cache."),
    chatCompletions: registry.counter("chat_completions_total", "Chat completions served, by model, provider and front door (chat, messages ...).", ["model", "provider", "door"]),
    chatTokens: registry.counter("chat_completion_tokens_used", "Tokens used by chat completions, by type (prompt or completion) and front door.", ["type", "door"]),
    gatewayOverhead: registry.histogram("gateway_overhead_seconds", "Time spent in the gateway itself, excluding upstream calls.", OVERHEAD_BUCKETS),
    upstreamDuration: registry.histogram(
      "upstream_request_duration_seconds",
      "Upstream call duration until the response (or its stream) ended.",
      REQUEST_BUCKETS,
      ["provider"],
    ),
    timeToFirstToken: registry.histogram("time_to_first_token_seconds", "Time from request to the first streamed token.", TTFT_BUCKETS),
    failovers: registry.counter("failovers_total", "Failovers away from a provider to the next candidate.", ["provider"]),
    activeRequests: registry.gauge("active_requests", "Requests in flight."),
    sqlite: {
      checkpoints: registry.counter("sqlite_wal_checkpoints_total", "WAL checkpoints the SQLite database's checkpointer thread ran."),
      walFrames: registry.gauge("sqlite_wal_frames", "Frames in the SQLite write-ahead log at its last checkpoint (4 KB each by default)."),
    },
    ledger: {
      written: registry.counter("usage_ledger_rows_written_total", "Usage ledger rows written to the database."),
      failures: registry.counter("usage_ledger_write_failures_total", "Usage ledger batches the database refused (kept queued for the next try)."),
      dropped: registry.counter("usage_ledger_rows_dropped_total", "Usage ledger rows dropped, oldest first, because the queue was full."),
      queued: registry.gauge("usage_ledger_queue_rows", "Usage ledger rows waiting to be written."),
    },
    quotaRemaining: registry.gauge(
      "upstream_quota_remaining",
      "Requests or tokens (kind) left in an upstream's current window for a model, as its rate-limit headers last said.",
      ["provider", "model", "kind"],
    ),
    quotaReset: registry.gauge(
      "upstream_quota_reset_timestamp_seconds",
      "When that window resets, in Unix seconds.",
      ["provider", "model", "kind"],
    ),

    /**
     * Counts one upstream attempt in upstream_requests_total and, for a named provider, in its own
     * <provider>_requests_total; the only way to count attempts, so the two never disagree.
     */
    upstreamRequest(provider: string, status: number, outcome: UpstreamOutcome): void {
      upstreamRequests.inc({ provider, status, outcome });
      namedProviderRequests.get(provider)?.inc({ status, outcome });
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
