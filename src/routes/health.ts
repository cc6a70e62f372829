// GET / (what this is and where to go next) and GET /health (liveness plus provider state).
import { Elysia } from "elysia";
import landingPageFile from "../../public/index.html" with { type: "file" };
import type { ProviderRegistry } from "../providers/registry.ts";
import type { LiveCatalog } from "../routing/live-catalog.ts";
import type { Router } from "../routing/router.ts";
import { type Redis, whenDown } from "../redis/client.ts";
import type { SessionStore } from "../stores/sessions.ts";
import { VERSION } from "../version.ts";

// With `type: "file"` the import is the file's path (embedded in the compiled binary), not an HTML bundle.
const landingPage = landingPageFile as unknown as string;

export function healthRoutes(registry: ProviderRegistry, router: Router, live: LiveCatalog, startedAt: number, sessions: SessionStore, redis?: Redis) {
  return new Elysia({ detail: { tags: ["Gateway"] } })
    .get("/", ({ request }) => {
      // Browsers get a small page; API clients and curl get JSON.
      if (request.headers.get("accept")?.includes("text/html")) return new Response(Bun.file(landingPage), { headers: { "content-type": "text/html; charset=utf-8" } });
      return {
        name: "openai-gateway",
        version: VERSION,
        description: "OpenAI-compatible API over free models on OpenRouter, Gemini and OpenCode.",
        links: { docs: "/swagger", openapi: "/swagger/json", admin: "/admin", health: "/health", models: "/v1/models", chat: "/v1/chat/completions" },
      };
    }, { detail: { summary: "About this gateway" } })
    .get("/health", async () => {
      const candidates = await router.candidates();
      const providers = Object.fromEntries(registry.all().map((p) => {
        if (!p.configured) return [p.name, { configured: false, state: "unconfigured", set: p.envHint }];
        const list = live.get(p.name);
        return [p.name, {
          configured: true,
          ...router.health.get(p.name),
          catalog: list ? { models: list.models.length, fetched_at: new Date(list.fetchedAt).toISOString() } : { models: null, fetched_at: null },
          candidates: candidates.get(p.name) ?? [],
        }];
      }));
      const configured = registry.all().some((p) => p.configured);
      // Redis down: still serving (every store has its fallback), but replicas no longer share state.
      const degraded = redis && !redis.up;
      return {
        status: !configured ? "unconfigured" : degraded ? "degraded" : "ok",
        version: VERSION,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
        timestamp: new Date().toISOString(),
        providers,
        sessions: await Promise.resolve(sessions.stats()).catch(whenDown(() => null)),
        ...(redis && { redis: redis.health() }),
      };
    }, { detail: { summary: "Health and provider state" } });
}
