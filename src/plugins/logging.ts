// One JSON line per completed request: ids, route, status, timing and routing facts. Never message
// content, keys or tokens: the client appears only as a short prefix of its key hash or its IP.
import type { Logger } from "../log.ts";
import type { RequestEvents, RequestMeta } from "./request-context.ts";

export function requestLogging(events: RequestEvents, log: Logger): void {
  events.onComplete((meta, durationMs) => log("request", line(meta, durationMs)));
}

function line(meta: RequestMeta, durationMs: number): Record<string, unknown> {
  return {
    request_id: meta.id,
    method: meta.method,
    route: meta.route,
    status: meta.status,
    duration_ms: Math.round(durationMs * 100) / 100,
    client: meta.client.startsWith("key:") ? meta.client.slice(0, 16) : meta.client,
    ...(meta.provider && { provider: meta.provider, upstream_model: meta.upstreamModel, attempts: meta.attempts }),
    ...(meta.cache && { cache: meta.cache }),
    ...(meta.sessionId && { session_id: meta.sessionId }),
    ...(meta.streaming && { stream: true }),
    ...(meta.usage && { prompt_tokens: meta.usage.prompt_tokens, completion_tokens: meta.usage.completion_tokens }),
    ...(meta.error && { error: meta.error }),
  };
}
