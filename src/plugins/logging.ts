// One JSON line per completed request: ids, route, status, timing and routing facts. Never message
// content, keys or tokens: the client appears only as a short prefix of its key hash or its IP.
import type { Logger } from "../log.ts";
import type { RequestEvents, RequestMeta } from "./request-context.ts";

export function requestLogging(events: RequestEvents, log: Logger): void {
  events.onComplete((meta, durationMs) => log("request", line(meta, durationMs)));
}

// Optional fields are assigned rather than spread: this runs once per request.
function line(meta: RequestMeta, durationMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    request_id: meta.id,
    method: meta.method,
    route: meta.route,
    status: meta.status,
    duration_ms: Math.round(durationMs * 100) / 100,
    client: meta.client.startsWith("key:") ? meta.client.slice(0, 16) : meta.client,
  };
  if (meta.provider) {
    out.provider = meta.provider;
    out.upstream_model = meta.upstreamModel;
    out.attempts = meta.attempts;
  }
  if (meta.cache) out.cache = meta.cache;
  if (meta.sessionId) out.session_id = meta.sessionId;
  if (meta.streaming) out.stream = true;
  if (meta.usage) {
    out.prompt_tokens = meta.usage.prompt_tokens;
    out.completion_tokens = meta.usage.completion_tokens;
  }
  if (meta.error) out.error = meta.error;
  return out;
}
