// Builds the gateway from a config and its dependencies, so tests run the real app on a free port
// with fake upstreams behind it. Read a request top to bottom: plugins (errors, body) -> routes ->
// router -> provider.
import { Elysia } from "elysia";
import type { Config } from "./config.ts";
import { createLogger, type Logger } from "./log.ts";
import { docs } from "./plugins/docs.ts";
import { errors, type RouteInfo } from "./plugins/errors.ts";
import { jsonBody } from "./plugins/json-body.ts";
import { createRegistry, ProviderRegistry } from "./providers/registry.ts";
import { ModelCatalog } from "./routing/catalog.ts";
import { Router } from "./routing/router.ts";
import { chatRoutes } from "./routes/chat.ts";
import { embeddingRoutes } from "./routes/embeddings.ts";
import { healthRoutes } from "./routes/health.ts";
import { modelRoutes } from "./routes/models.ts";

export interface Deps {
  registry: ProviderRegistry;
  log: Logger;
}

export function createApp(config: Config, deps: Partial<Deps> = {}) {
  const registry = deps.registry ?? createRegistry(config);
  const log = deps.log ?? createLogger();
  const router = new Router(registry, config);
  const catalog = new ModelCatalog(registry);

  let routes: RouteInfo[] = [];
  const app = new Elysia({
    name: "openai-gateway",
    // Our own json-body plugin enforces MAX_BODY_SIZE with an OpenAI error; Bun's limit is only a backstop.
    serve: { reusePort: false, maxRequestBodySize: Math.max(config.maxBodySize + 1, 128 * 1024 * 1024) },
  })
    .use(errors(() => routes, log))
    .use(jsonBody(config.maxBodySize))
    .use(docs())
    .use(healthRoutes(registry, router.health, Date.now()))
    .use(modelRoutes(catalog, registry))
    .use(chatRoutes(router, config.maxTokensLimit))
    .use(embeddingRoutes(router));
  routes = app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;
