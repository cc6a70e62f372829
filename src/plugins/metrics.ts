// Prometheus metrics: GET /metrics in text format 0.0.4, fed by completed requests and the router.
import { Elysia } from "elysia";
import type { FailureKind } from "../errors.ts";
import type { GatewayMetrics, UpstreamOutcome } from "../metrics/gateway-metrics.ts";
import { contentType } from "../metrics/registry.ts";
import type { Router } from "../routing/router.ts";
import type { RequestEvents } from "./request-context.ts";

const OUTCOMES: Record<FailureKind | "success" | "aborted", UpstreamOutcome> = {
  success: "success",
  aborted: "aborted",
  timeout: "timeout",
  rate_limit: "rate_limited",
  quota: "rate_limited",
  connection: "error",
  server: "error",
  rejected: "error",
  client: "error",
};

export function metrics(m: GatewayMetrics, events: RequestEvents, router: Router) {
  router.observe({
    onAttempt: (e) => {
      m.upstreamRequest(e.provider, e.status ?? 0, OUTCOMES[e.outcome]);
      m.upstreamDuration.observe({ provider: e.provider }, e.durationMs / 1000);
    },
    onFailover: (e) => m.failovers.inc({ provider: e.from.provider }),
    onQuota: ({ provider, model, quota }) => {
      for (const kind of ["requests", "tokens"] as const) {
        const w = quota[kind];
        if (!w) continue;
        m.quotaRemaining.set({ provider, model, kind }, w.remaining);
        m.quotaReset.set({ provider, model, kind }, Math.round(w.resetAt / 1000));
      }
    },
  });

  events.onComplete((meta, durationMs) => {
    m.activeRequests.dec();
    m.httpRequests.inc({ endpoint: meta.route, method: meta.method, status: meta.status ?? 0 });
    m.httpRequestDuration.observe({ endpoint: meta.route, method: meta.method }, durationMs / 1000);
    // For a stream the gateway's share ends with the first byte; the rest is the upstream generating.
    const answeredMs = meta.firstByteMs ?? durationMs;
    if (meta.upstreamMs !== undefined) m.gatewayOverhead.observe(Math.max(0, answeredMs - meta.upstreamMs) / 1000);
    if (meta.firstByteMs !== undefined) m.timeToFirstToken.observe(meta.firstByteMs / 1000);
    // Every front door's completions, labelled by door.
    if (meta.door && meta.provider && (meta.status ?? 0) < 400) {
      const door = meta.door.name;
      m.chatCompletions.inc({ model: meta.upstreamModel ?? "unknown", provider: meta.provider, door });
      if (meta.usage) {
        m.chatTokens.inc({ type: "prompt", door }, meta.usage.prompt_tokens);
        m.chatTokens.inc({ type: "completion", door }, meta.usage.completion_tokens);
      }
    }
  });

  return new Elysia({ name: "metrics" })
    .onRequest(() => {
      m.activeRequests.inc();
    })
    .get("/metrics", () => new Response(m.registry.render(), { headers: { "content-type": contentType } }), {
      detail: { summary: "Prometheus metrics", tags: ["Gateway"] },
    });
}
