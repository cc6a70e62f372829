// Response cache for non-streaming chat completions (from every front door) and embeddings. Identical
// requests (same model, messages and every answer-changing parameter) get the stored answer with
// `x-cache: HIT`; misses say MISS. A door's request is keyed by its translation (RequestMeta.chat) and
// the internal completion is stored, so a hit is answered through the door (door.reply) in its dialect. Request `Cache-Control: no-cache` skips the lookup (the fresh answer is stored), `no-store`
// skips the cache entirely. Errors and cut-short answers are never stored. Admins empty it with
// POST /config/clear-cache (routes/admin.ts).
import { Elysia } from "elysia";
import type { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import type { ChatCompletion } from "../providers/types.ts";
import { cacheKey, type CacheKind } from "../stores/cache-key.ts";
import type { CacheStore } from "../stores/cache.ts";
import { settle } from "./deferred-checks.ts";
import { metaOf } from "./request-context.ts";

const EMBEDDINGS = "/v1/embeddings";

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
      const meta = metaOf(request);
      const { door, chat } = meta;
      let kind: CacheKind;
      if (door) {
        if (chat!.stream) return;
        kind = "chat";
      } else if (route === EMBEDDINGS) kind = "embeddings";
      else return;
      const directive = request.headers.get("cache-control") ?? "";
      if (/\bno-store\b/i.test(directive)) {
        meta.cache = set.headers["x-cache"] = "BYPASS";
        return;
      }
      const key = cacheKey(kind, (chat ?? body) as Record<string, unknown>);
      keys.set(request, key);
      const lookup = /\bno-cache\b/i.test(directive) ? undefined : store.get(key);
      // A Redis lookup goes out before the request waits for its deferred checks (rate limit, session).
      await settle(request);
      const hit = await lookup;
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
      return door ? door.reply(entry.body as ChatCompletion, body, meta) : entry.body;
    })
    .onAfterHandle({ as: "global" }, ({ request, responseValue }) => {
      const key = keys.get(request);
      if (!key) return;
      const meta = metaOf(request);
      const value = meta.door ? meta.completion : responseValue;
      if (meta.cache !== "MISS" || !complete(value)) return;
      // The session id belongs to the requester, not to the answer.
      const entry: Entry = { body: { ...value, sessionId: undefined }, provider: meta.provider, upstreamModel: meta.upstreamModel };
      // The answer does not wait for a Redis write (a lost one is a later miss).
      const stored = store.set(key, JSON.stringify(entry), ttlMs);
      if (stored instanceof Promise) stored.catch(() => {});
    });
}

/** Only whole answers are stored: every choice finished normally (not cut by length or a filter). */
function complete(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== "object" || value instanceof Response) return false;
  const choices = (value as { choices?: Array<{ finish_reason?: string | null }> }).choices;
  if (!choices) return Array.isArray((value as { data?: unknown }).data);
  return choices.length > 0 && choices.every((c) => c.finish_reason === "stop" || c.finish_reason === "tool_calls");
}
