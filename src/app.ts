// Builds the gateway from a config and its dependencies, so tests run the real app on a free port
// with fake upstreams and injected stores behind it. Read a request top to bottom: plugins (context,
// errors, body, rate limit, sessions, cache) -> routes -> router -> provider.
import { Elysia } from "elysia";
import { adminTokenMatcher } from "./auth/admin-token.ts";
import type { Config } from "./config.ts";
import { createLogger, type Logger } from "./log.ts";
import { createGatewayMetrics, type GatewayMetrics } from "./metrics/gateway-metrics.ts";
import { responseCache } from "./plugins/cache.ts";
import { docs } from "./plugins/docs.ts";
import { errors, type RouteInfo } from "./plugins/errors.ts";
import { jsonBody } from "./plugins/json-body.ts";
import { requestLogging } from "./plugins/logging.ts";
import { metrics } from "./plugins/metrics.ts";
import { rateLimit } from "./plugins/rate-limit.ts";
import { RequestEvents, requestContext } from "./plugins/request-context.ts";
import { sessions } from "./plugins/sessions.ts";
import { createRegistry, ProviderRegistry } from "./providers/registry.ts";
import { ModelCatalog } from "./routing/catalog.ts";
import { Router } from "./routing/router.ts";
import { chatRoutes } from "./routes/chat.ts";
import { embeddingRoutes } from "./routes/embeddings.ts";
import { healthRoutes } from "./routes/health.ts";
import { modelRoutes } from "./routes/models.ts";
import { MemoryCacheStore, type CacheStore } from "./stores/cache.ts";
import { systemClock, type Clock } from "./stores/clock.ts";
import { MemoryRateLimitStore, type RateLimitStore } from "./stores/rate-limit.ts";
import { MemorySessionStore, type SessionStore } from "./stores/sessions.ts";

export interface Deps {
  registry: ProviderRegistry;
  log: Logger;
  clock: Clock;
  rateLimitStore: RateLimitStore;
  cacheStore: CacheStore;
  sessionStore: SessionStore;
  metrics: GatewayMetrics;
}

export function createApp(config: Config, deps: Partial<Deps> = {}) {
  const clock = deps.clock ?? systemClock;
  const registry = deps.registry ?? createRegistry(config);
  const log = deps.log ?? createLogger();
  const m = deps.metrics ?? createGatewayMetrics();
  const rateLimitStore = deps.rateLimitStore ?? new MemoryRateLimitStore({ clock });
  const cacheStore = deps.cacheStore ?? new MemoryCacheStore({ maxEntries: config.cache.maxEntries, clock });
  const sessionStore = deps.sessionStore ?? new MemorySessionStore({ ttlMs: config.sessions.ttlMs, max: config.sessions.max, clock });
  const isAdmin = adminTokenMatcher(config.adminToken);
  const router = new Router(registry, config);
  const catalog = new ModelCatalog(registry);
  const events = new RequestEvents();
  requestLogging(events, log);

  let routes: RouteInfo[] = [];
  const app = new Elysia({
    name: "openai-gateway",
    // Our own json-body plugin enforces MAX_BODY_SIZE with an OpenAI error; Bun's limit is only a backstop.
    serve: { reusePort: false, maxRequestBodySize: Math.max(config.maxBodySize + 1, 128 * 1024 * 1024) },
  })
    .use(requestContext(events))
    .use(metrics(m, events))
    .use(errors(() => routes, log))
    .use(rateLimit(rateLimitStore, config.rateLimit, m))
    .use(jsonBody(config.maxBodySize))
    .use(docs())
    // Sessions before the cache: a cache hit still belongs to the caller's session.
    .use(sessions(sessionStore, events, isAdmin))
    .use(responseCache(cacheStore, config.cache.maxEntries > 0 ? config.cache.ttlMs : 0, m, isAdmin))
    .use(healthRoutes(registry, router.health, Date.now(), sessionStore))
    .use(modelRoutes(catalog, registry))
    .use(chatRoutes(router, events, config.maxTokensLimit))
    .use(embeddingRoutes(router));
  routes = app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;
