// Builds the gateway from a config and its dependencies, so tests run the real app on a free port
// with fake upstreams and injected stores behind it. Read a request top to bottom: plugins (context,
// errors, auth, rate limit, body, door translation, sessions, cache) -> routes (the front doors,
// src/doors/) -> router -> provider.
import { Elysia } from "elysia";
import consolePage from "./console/index.html";
import { builtinProviders } from "./admin/effective-config.ts";
import { RuntimeConfig } from "./admin/runtime-config.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { GitHubClient } from "./auth/github.ts";
import { TokenService } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import { ApiKeyStore } from "./db/api-keys.ts";
import { Checkpointer } from "./db/checkpointer.ts";
import { openDatabase, openPostgres } from "./db/database.ts";
import { OAuthStateStore } from "./db/oauth-states.ts";
import { PostgresRevocations, RevocationStore } from "./db/revocations.ts";
import { RuntimeConfigStore } from "./db/runtime-config.ts";
import { UserStore } from "./db/users.ts";
import { countTokensRoute, messagesDoor } from "./doors/anthropic/door.ts";
import { chatDoor } from "./doors/chat/door.ts";
import { completionsDoor } from "./doors/completions/door.ts";
import { doorRoute, doorTranslation } from "./doors/door.ts";
import { responsesDoor, storedResponseRoutes } from "./doors/responses/door.ts";
import { Budgets } from "./ledger/budgets.ts";
import { Ledger } from "./ledger/ledger.ts";
import type { WriterOptions } from "./ledger/writer.ts";
import { createLogger, type Logger } from "./log.ts";
import { createGatewayMetrics, type GatewayMetrics } from "./metrics/gateway-metrics.ts";
import { authGuard } from "./plugins/auth.ts";
import { budgetGuard } from "./plugins/budgets.ts";
import { cors } from "./plugins/cors.ts";
import { responseCache } from "./plugins/cache.ts";
import { docs } from "./plugins/docs.ts";
import { errors, type RouteInfo } from "./plugins/errors.ts";
import { jsonBody } from "./plugins/json-body.ts";
import { requestLogging } from "./plugins/logging.ts";
import { metrics } from "./plugins/metrics.ts";
import { deferredChecks } from "./plugins/deferred-checks.ts";
import { rateLimit } from "./plugins/rate-limit.ts";
import { RequestEvents, requestContext } from "./plugins/request-context.ts";
import { sessions } from "./plugins/sessions.ts";
import { staticAssets } from "./plugins/static-assets.ts";
import { createRegistry, ProviderRegistry } from "./providers/registry.ts";
import { ModelCatalog } from "./routing/catalog.ts";
import { LiveCatalog } from "./routing/live-catalog.ts";
import type { RouterObserver } from "./routing/observer.ts";
import { ModelOverrides } from "./routing/overrides.ts";
import { Router, type RouterDeps } from "./routing/router.ts";
import { adminRoutes, emulationRoutes } from "./routes/admin.ts";
import { authRoutes } from "./routes/auth.ts";
import { embeddingRoutes } from "./routes/embeddings.ts";
import { healthRoutes } from "./routes/health.ts";
import { modelRoutes } from "./routes/models.ts";
import { redisStores } from "./redis/stores.ts";
import { usageRoutes } from "./routes/usage.ts";
import { MemoryBudgetStore, type BudgetStore } from "./stores/budgets.ts";
import { MemoryCacheStore, type CacheStore } from "./stores/cache.ts";
import { localChanges } from "./stores/changes.ts";
import { systemClock, type Clock } from "./stores/clock.ts";
import { MemoryRateLimitStore, type RateLimitStore } from "./stores/rate-limit.ts";
import { MemoryResponseStore, type ResponseStore } from "./stores/responses.ts";
import { MemorySessionStore, type SessionStore } from "./stores/sessions.ts";

export interface Deps {
  registry: ProviderRegistry;
  log: Logger;
  /** Epoch ms for everything time-based (buckets, cache, sessions, cooldowns, tokens); tests move it. */
  clock: Clock;
  rateLimitStore: RateLimitStore;
  cacheStore: CacheStore;
  sessionStore: SessionStore;
  /** Stored Responses (POST /v1/responses), owned by their creator. */
  responseStore: ResponseStore;
  metrics: GatewayMetrics;
  /** What each API key used today and this month, for its budget. */
  budgetStore: BudgetStore;
  /** The usage ledger's queue and flush timing (tests flush sooner and bound the queue tighter). */
  ledger: WriterOptions;
  /** Routing internals tests replace: sleep, jitter, cooldown store, live catalog, an observer. */
  routing: Partial<Omit<RouterDeps, "log" | "dropped" | "clock" | "overrides">> & { catalog?: LiveCatalog; observer?: RouterObserver };
}

export function createApp(config: Config, deps: Partial<Deps> = {}) {
  const clock = deps.clock ?? systemClock;
  const registry = deps.registry ?? createRegistry(config);
  const log = deps.log ?? createLogger();
  const m = deps.metrics ?? createGatewayMetrics();
  // Persistent state (keys, users, revocations, admin changes) lives in SQLite (DATABASE_PATH) or, with
  // DATABASE_URL, in Postgres, which replicas on several hosts share; the app closes it when it stops.
  const pg = config.usage.databaseUrl ? openPostgres(config.usage.databaseUrl) : undefined;
  const db = pg ? undefined : openDatabase(config.databasePath);
  // The worker's URL is resolved here, from src/: the compiled binary keeps each entry point (packaging/
  // compile.sh) at its path under src/, and every module's import.meta.url there is the binary's root.
  const checkpointer = db && config.databasePath !== ":memory:"
    ? new Checkpointer(db, config.databasePath, new URL("./db/checkpoint-worker.ts", import.meta.url), m.sqlite, log)
    : undefined;
  const tables = pg?.db ?? db!;
  const pgRevocations = pg && new PostgresRevocations(pg.db, log);
  const revocations = pgRevocations ?? new RevocationStore(db!);
  // REDIS_URL puts every shared store on Redis so replicas share them (docs/scaling.md); tests inject their own.
  const shared = config.redis.url ? redisStores(config.redis.url, config, log, clock, revocations) : undefined;
  const rateLimitStore = deps.rateLimitStore ?? shared?.rateLimit ?? new MemoryRateLimitStore({ clock });
  const cacheStore = deps.cacheStore ?? shared?.cache ?? new MemoryCacheStore({ maxEntries: config.cache.maxEntries, clock });
  const sessionStore = deps.sessionStore ?? shared?.sessions ?? new MemorySessionStore({ ttlMs: config.sessions.ttlMs, max: config.sessions.max, clock });
  const responseStore = deps.responseStore ?? shared?.responses ?? new MemoryResponseStore({ ...config.responseStore, clock });
  const changes = shared?.changes ?? localChanges;
  const keys = new ApiKeyStore<boolean>(tables, changes);
  const users = new UserStore<boolean>(tables);
  const tokens = new TokenService(config.auth.jwtSecret, config.auth.jwtTtlSeconds, shared?.revocations ?? revocations, clock);
  const auth = new Authenticator(config.auth, tokens, keys);
  const overrides = new ModelOverrides();
  const reserved = new Set([...builtinProviders(config).keys(), ...registry.all().map((p) => p.name)]);
  const runtime = new RuntimeConfig(new RuntimeConfigStore<boolean>(tables), registry, overrides, reserved, log, clock, changes);
  // SQLite answers at once, so on it everything is loaded before createApp returns; on Postgres the
  // migrations, the revocations and the admin's configuration are read first: await `ready` before serving.
  const load = () => Promise.all([pgRevocations?.load(), runtime.load(config.customProviders.map((p) => ({ ...p, apiKey: p.apiKey ?? null })))]);
  const ready: Promise<unknown> = pg ? pg.migrated.then(load) : load();
  const { clientId } = config.github;
  const github = clientId ? new GitHubClient({ ...config.github, clientId }, config.upstreamTimeoutMs) : undefined;
  if (config.auth.jwtSecretGenerated) log("jwt_secret_generated", { note: "JWT_SECRET is not set: tokens are signed with a random secret and end with this process" });

  const { catalog: injected, observer, ...routing } = deps.routing ?? {};
  const live = injected ?? new LiveCatalog(registry, { refreshMs: config.catalogRefreshMs, timeoutMs: config.upstreamTimeoutMs, log, clock });
  const router = new Router(registry, config, {
    clock, ...(shared && { cooldowns: shared.cooldowns, quotas: shared.quotas }), ...routing, log, overrides, dropped: (target) => live.dropped(target),
    capabilities: (target) => live.capabilities(target),
  });
  if (observer) router.observe(observer);
  const catalog = new ModelCatalog(registry, live, overrides);
  const events = new RequestEvents();
  requestLogging(events, log);
  const ledger = new Ledger(config.usage, db, { metrics: m, log, clock, writer: deps.ledger });
  ledger.record(events, (provider, model) => live.price(provider, model));
  const budgets = new Budgets(deps.budgetStore ?? shared?.budgets ?? new MemoryBudgetStore(), ledger.store, clock, log);
  ledger.onRow((row) => budgets.count(row));
  const isAdmin = (request: Request) => auth.isAdmin(request);
  const doors = [
    chatDoor(config.maxTokensLimit),
    messagesDoor(config.maxTokensLimit),
    responsesDoor({ store: responseStore, storing: config.responseStore.max > 0, maxTokensLimit: config.maxTokensLimit }),
    completionsDoor(router, config.maxTokensLimit),
  ];

  let routes: RouteInfo[] = [];
  const app = new Elysia({
    name: "openai-gateway",
    // No copy of every body to strip unknown fields: the chat and embeddings schemas keep them on purpose
    // (they go upstream) and the other routes read only the fields they know.
    normalize: false,
    // Our own json-body plugin enforces MAX_BODY_SIZE with an OpenAI error; Bun's limit is only a backstop.
    serve: {
      reusePort: false,
      maxRequestBodySize: Math.max(config.maxBodySize + 1, 128 * 1024 * 1024),
      // idleTimeout closes connections that send nothing for IDLE_TIMEOUT seconds: idle keep-alives and
      // slowloris headers or bodies (Bun has no separate header timeout; each silence counts). Connections
      // cost an idle socket, not a thread, so hundreds of them do not starve other clients.
      idleTimeout: config.idleTimeoutSeconds,
      // The admin console (src/console/) is one of Bun's HTML imports: Bun bundles it (TypeScript, CSS)
      // on first request, or at `bun build --compile` time into the binary, and serves the page and its
      // hashed chunks itself, before Elysia. Development mode would inject an inline hot-reload script
      // that the page's Content-Security-Policy refuses, so it stays off everywhere.
      development: false,
      routes: { "/admin": consolePage },
    },
  })
    .use(requestContext(events, (request, ip) => auth.identify(request, ip), clock))
    .use(metrics(m, events, router))
    .use(errors(() => routes, log))
    // Before auth and the rate limit: a preflight carries no credential and costs no token.
    .use(cors(config.corsOrigins))
    .use(authGuard(auth, config.auth.requireAuth))
    .use(rateLimit(rateLimitStore, config.rateLimit, m, (request) => auth.keyRateLimit(request)))
    .use(jsonBody(config.maxBodySize))
    .use(docs())
    // Before anything that could answer (the cache) or call an upstream.
    .use(budgetGuard(budgets, auth, !!shared))
    // Door translation before sessions and the cache: both read the translated request.
    .use(doorTranslation(doors))
    // Sessions before the cache: a cache hit still belongs to the caller's session.
    .use(sessions(sessionStore, events, isAdmin))
    .use(responseCache(cacheStore, config.cache.maxEntries > 0 ? config.cache.ttlMs : 0, m))
    // Memory stores answer at once; on Redis, what the rate limit and sessions sent is awaited here at the latest.
    .use(shared ? deferredChecks() : new Elysia({ name: "deferred-checks" }))
    .use(authRoutes({ github, tokens, users, states: new OAuthStateStore<boolean>(tables), auth, secureCookie: config.github.callbackUrl.startsWith("https:"), now: clock, log }))
    .use(adminRoutes({ config, auth, runtime, keys, budgets, registry, catalog, router, overrides, cache: cacheStore, now: clock, log }))
    .use(emulationRoutes(runtime))
    .use(staticAssets())
    // The live catalog is fetched in the background: start-up never waits for it.
    .onStart(() => {
      live.start();
      shared?.redis.start();
      ledger.start();
    })
    .onStop(() => void close())
    .use(healthRoutes(registry, router, live, Date.now(), sessionStore, shared?.redis))
    .use(modelRoutes(catalog, registry))
    .use(doors.reduce((all, door) => all.use(doorRoute(door, router, events)), new Elysia()))
    .use(storedResponseRoutes(responseStore, isAdmin))
    .use(countTokensRoute())
    .use(embeddingRoutes(router))
    .use(usageRoutes(ledger.store, auth, clock));
  routes = app.routes;

  // Elysia does not wait for onStop hooks, and runs after-response hooks (which record usage rows) a
  // turn after the response: `close()` lets that turn pass, writes the last rows, then closes the
  // database. The entry point awaits it before exiting.
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    live.stop();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Bounded: a database that is down at shutdown loses the queued rows rather than outlast the
    // container runtime's grace period.
    const closed = ledger.close().catch((error) => log("usage_ledger_close_failed", { error: error instanceof Error ? error.message : String(error) }));
    await Promise.race([closed, Bun.sleep(LEDGER_CLOSE_MS)]);
    // After the last rows: their budget counts go to Redis too.
    shared?.redis.close();
    await checkpointer?.stop();
    db?.close();
    await pg?.db.close();
  })());
  return Object.assign(app, { close, ready });
}

/** The longest a stop waits for the usage ledger's final flush. */
const LEDGER_CLOSE_MS = 1_500;

export type App = ReturnType<typeof createApp>;
