// Builds the gateway from a config and its dependencies, so tests run the real app on a free port
// with fake upstreams behind it. Read a request top to bottom: plugins (errors, body) -> routes ->
// router -> provider.
import { Elysia } from "elysia";
import { builtinProviders } from "./admin/effective-config.ts";
import { RuntimeConfig } from "./admin/runtime-config.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { GitHubClient } from "./auth/github.ts";
import { TokenService } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import { ApiKeyStore } from "./db/api-keys.ts";
import { openDatabase } from "./db/database.ts";
import { OAuthStateStore } from "./db/oauth-states.ts";
import { RevocationStore } from "./db/revocations.ts";
import { RuntimeConfigStore } from "./db/runtime-config.ts";
import { UserStore } from "./db/users.ts";
import { createLogger, type Logger } from "./log.ts";
import { docs } from "./plugins/docs.ts";
import { errors, type RouteInfo } from "./plugins/errors.ts";
import { authGuard } from "./plugins/auth.ts";
import { jsonBody } from "./plugins/json-body.ts";
import { createRegistry, ProviderRegistry } from "./providers/registry.ts";
import { ModelCatalog } from "./routing/catalog.ts";
import { ModelOverrides } from "./routing/overrides.ts";
import { Router } from "./routing/router.ts";
import { adminRoutes, emulationRoutes, type ClearableCache } from "./routes/admin.ts";
import { adminPageRoutes } from "./routes/admin-page.ts";
import { authRoutes } from "./routes/auth.ts";
import { chatRoutes } from "./routes/chat.ts";
import { embeddingRoutes } from "./routes/embeddings.ts";
import { healthRoutes } from "./routes/health.ts";
import { modelRoutes } from "./routes/models.ts";

export interface Deps {
  registry: ProviderRegistry;
  log: Logger;
  /** The response cache, cleared by POST /config/clear-cache. */
  cache: ClearableCache;
  /** Clock in epoch ms (token expiry, login states); tests move it forward. */
  now: () => number;
}

export function createApp(config: Config, deps: Partial<Deps> = {}) {
  const registry = deps.registry ?? createRegistry(config);
  const log = deps.log ?? createLogger();
  const now = deps.now ?? Date.now;
  const overrides = new ModelOverrides();
  const router = new Router(registry, config, overrides);
  const catalog = new ModelCatalog(registry);

  // Persistent state (keys, revocations, admin changes) lives in SQLite; the app closes it when it stops.
  const db = openDatabase(config.databasePath);
  const keys = new ApiKeyStore(db);
  const users = new UserStore(db);
  const tokens = new TokenService(config.auth.jwtSecret, config.auth.jwtTtlSeconds, new RevocationStore(db), now);
  const auth = new Authenticator(config.auth, tokens, keys);
  const reserved = new Set([...Object.keys(builtinProviders(config)), ...registry.all().map((p) => p.name)]);
  const runtime = new RuntimeConfig(new RuntimeConfigStore(db), registry, overrides, reserved, log, now);
  runtime.load();
  const { clientId, clientSecret } = config.github;
  const github = clientId && clientSecret ? new GitHubClient({ ...config.github, clientId, clientSecret }, config.upstreamTimeoutMs) : undefined;
  if (config.auth.jwtSecretGenerated) log("jwt_secret_generated", { note: "JWT_SECRET is not set: tokens are signed with a random secret and end with this process" });

  let routes: RouteInfo[] = [];
  const app = new Elysia({
    name: "openai-gateway",
    // Our own json-body plugin enforces MAX_BODY_SIZE with an OpenAI error; Bun's limit is only a backstop.
    serve: { reusePort: false, maxRequestBodySize: Math.max(config.maxBodySize + 1, 128 * 1024 * 1024) },
  })
    .use(errors(() => routes, log))
    .use(authGuard(auth, config.auth.requireAuth))
    .use(jsonBody(config.maxBodySize))
    .use(docs())
    .use(authRoutes({ github, tokens, users, states: new OAuthStateStore(db), auth, secureCookie: config.github.callbackUrl.startsWith("https:"), now, log }))
    .use(adminRoutes({ config, auth, runtime, keys, registry, catalog, cache: deps.cache, now, log }))
    .use(emulationRoutes(runtime))
    .use(adminPageRoutes())
    .use(healthRoutes(registry, router.health, Date.now()))
    .use(modelRoutes(catalog, registry))
    .use(chatRoutes(router, config.maxTokensLimit))
    .use(embeddingRoutes(router))
    .onStop(() => db.close());
  routes = app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;
