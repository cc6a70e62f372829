// Response cache for non-streaming chat completions and embeddings. Identical requests (same model,
// messages and every answer-changing parameter) get the stored answer with `x-cache: HIT`; misses say
// MISS. Request `Cache-Control: no-cache` skips the lookup (the fresh answer is stored), `no-store`
// skips the cache entirely. Errors and cut-short answers are never stored. Admins empty it with
// POST /config/clear-cache (routes/admin.ts).
import { Elysia } from "elysia";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import { cacheKey, type CacheKind } from "../stores/cache-key.ts";
import type { CacheStore } from "../stores/cache.ts";
import { metaOf } from "./request-context.ts";

const KINDS: ReadonlyMap<string, CacheKind> = new Map([["/v1/chat/completions", "chat"], ["/v1/embeddings", "embeddings"]]);

interface Entry {
  body: unknown;
  provider?: string;
  upstreamModel?: string;
}

export function responseCache(store: CacheStore, ttlMs: number, m: GatewayMetrics) {
  // Switched off (CACHE_TTL=0 or CACHE_MAX_ENTRIES=0), it adds no hooks: requests pay nothing for it.
  if (ttlMs <= 0) return new Elysia({ name: "response-cache" });
  const keys = new WeakMap<Request, string>();

  return new Elysia({ name: "response-cache" })
    .onBeforeHandle({ as: "global" }, async ({ request, route, body, set }) => {
      const kind = KINDS.get(route);
      if (!kind || (body as { stream?: boolean }).stream) return;
      const directive = request.headers.get("cache-control") ?? "";
      const meta = metaOf(request);
      if (/\bno-store\b/i.test(directive)) {
        meta.cache = set.headers["x-cache"] = "BYPASS";
        return;
      }
      const key = cacheKey(kind, body as Record<string, unknown>);
      keys.set(request, key);
      const hit = /\bno-cache\b/i.test(directive) ? undefined : await store.get(key);
      if (hit === undefined) {
        m.responseCacheMisses.inc();
        meta.cache = set.headers["x-cache"] = "MISS";
        return;
      }
      m.responseCacheHits.inc();
      const entry = JSON.parse(hit) as Entry;
      meta.cache = set.headers["x-cache"] = "HIT";
      if (entry.provider) {
        meta.provider = entry.provider;
        meta.upstreamModel = entry.upstreamModel;
        set.headers["x-gateway-provider"] = entry.provider;
        set.headers["x-gateway-upstream-model"] = entry.upstreamModel ?? "";
        set.headers["x-gateway-attempts"] = "0";
      }
      return entry.body;
    })
    .onAfterHandle({ as: "global" }, async ({ request, responseValue }) => {
      const key = keys.get(request);
      const meta = metaOf(request);
      if (!key || meta.cache !== "MISS" || !complete(responseValue)) return;
      // The session id belongs to the requester, not to the answer.
      const entry: Entry = { body: { ...responseValue, sessionId: undefined }, provider: meta.provider, upstreamModel: meta.upstreamModel };
      await store.set(key, JSON.stringify(entry), ttlMs);
    });
}

/** Only whole answers are stored: every choice finished normally (not cut by length or a filter). */
function complete(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== "object" || value instanceof Response) return false;
  const choices = (value as { choices?: Array<{ finish_reason?: string | null }> }).choices;
  if (!choices) return Array.isArray((value as { data?: unknown }).data);
  return choices.length > 0 && choices.every((c) => c.finish_reason === "stop" || c.finish_reason === "tool_calls");
}
