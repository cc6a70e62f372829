// Prometheus metrics: GET /metrics in text format 0.0.4, fed by completed requests and the router.
import { Elysia } from "elysia";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import { contentType } from "../metrics/registry.ts";
import type { RequestEvents } from "./request-context.ts";

export function metrics(m: GatewayMetrics, events: RequestEvents) {
  events.onComplete((meta, durationMs) => {
    m.activeRequests.dec();
    m.httpRequests.inc({ endpoint: meta.route, method: meta.method, status: meta.status ?? 0 });
    m.httpRequestDuration.observe({ endpoint: meta.route, method: meta.method }, durationMs / 1000);
    // For a stream the gateway's share ends with the first byte; the rest is the upstream generating.
    const answeredMs = meta.firstByteMs ?? durationMs;
    if (meta.upstreamMs !== undefined) m.gatewayOverhead.observe(Math.max(0, answeredMs - meta.upstreamMs) / 1000);
    if (meta.firstByteMs !== undefined) m.timeToFirstToken.observe(meta.firstByteMs / 1000);
    if (meta.route === "/v1/chat/completions" && meta.provider && (meta.status ?? 0) < 400) {
      m.chatCompletions.inc({ model: meta.upstreamModel ?? "unknown", provider: meta.provider });
      if (meta.usage) {
        m.chatTokens.inc({ type: "prompt" }, meta.usage.prompt_tokens);
        m.chatTokens.inc({ type: "completion" }, meta.usage.completion_tokens);
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
