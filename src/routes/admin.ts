// The admin API under /config (admins only: ADMIN_USERS logins or ADMIN_TOKEN) and the emulation profile
// at /v1/emulate. The auth guard already refused everyone else in onRequest; the `resolve` here checks
// again where the handler runs and names the admin for the audit log.
import { Elysia, t } from "elysia";
import type { Authenticator } from "../auth/authenticator.ts";
import { CustomProviderSchema, NoSpaces } from "../admin/custom-provider.schema.ts";
import { builtinProviders, effectiveConfig } from "../admin/effective-config.ts";
import type { RuntimeConfig } from "../admin/runtime-config.ts";
import type { Config } from "../config.ts";
import type { ApiKey, ApiKeyStore } from "../db/api-keys.ts";
import { modelTable } from "../admin/model-table.ts";
import { badRequest, decodePercent, GatewayError, notFound } from "../errors.ts";
import type { Budgets } from "../ledger/budgets.ts";
import type { Logger } from "../log.ts";
import { BEARER } from "../plugins/docs.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { ModelCatalog } from "../routing/catalog.ts";
import type { ModelOverrides } from "../routing/overrides.ts";
import type { Router } from "../routing/router.ts";

/** The response cache's one operation the admin API needs (POST /config/clear-cache). */
export interface ClearableCache {
  clear(): void | Promise<void>;
}

export interface AdminRouteDeps {
  config: Config;
  auth: Authenticator;
  runtime: RuntimeConfig;
  keys: ApiKeyStore<boolean>;
  budgets: Budgets;
  registry: ProviderRegistry;
  catalog: ModelCatalog;
  router: Router;
  overrides: ModelOverrides;
  cache: ClearableCache;
  now: () => number;
  log: Logger;
}

const KeyName = t.String({ minLength: 1, maxLength: 100 });
const RateLimit = t.Integer({ minimum: 1, maximum: 1_000_000, description: "requests per minute, 1 to 1000000" });
const Cap = (description: string) => t.Optional(t.Integer({ minimum: 1, maximum: 1e15, description: `${description}, a positive integer` }));
const BudgetSchema = t.Object({
  requests_per_day: Cap("answered requests per UTC day (cache hits included)"),
  tokens_per_day: Cap("prompt + completion tokens per UTC day"),
  tokens_per_month: Cap("prompt + completion tokens per UTC month"),
}, { additionalProperties: false, description: "requests_per_day, tokens_per_day and/or tokens_per_month, each a positive integer" });

const admin = (summary: string, description?: string) => ({ summary, description, tags: ["Admin"], security: BEARER });

export function adminRoutes(deps: AdminRouteDeps) {
  const { config, auth, runtime, keys, budgets, registry, catalog, log, now } = deps;
  const withUsage = async (key: ApiKey) => {
    const u = await budgets.usage(key.id);
    return { ...key, used: { today: { requests: u.dayRequests, tokens: u.dayTokens }, month: { requests: u.monthRequests, tokens: u.monthTokens } } };
  };
  const audit = (actor: string, action: string, data: Record<string, unknown>) => log("admin_change", { actor, action, ...data });

  return new Elysia()
    .resolve(async ({ request }) => {
      const p = await auth.requireAdmin(request);
      return { actor: p.kind === "user" ? `github:${p.claims.login}` : "admin_token" };
    })
    .get("/config", () => effectiveConfig(config, runtime), { detail: admin("Effective configuration (secrets redacted)") })

    .get("/config/models", async () => ({ data: modelTable(registry, deps.overrides, await deps.router.candidates()) }), {
      detail: admin("Every alias with its ordered candidates and their state",
        "What a request for each alias would try right now: admin mappings, custom providers and the emulation profile applied. "
        + "`state` is the candidate's breaker state as in /health (ok, failing, cooling_down until `until`, open, half_open, dropped)."),
    })

    .post("/config/models", async ({ body, actor }) => {
      await runtime.setMapping(body);
      audit(actor, "set_model_mapping", { ...body });
      return { mapping: body };
    }, {
      body: t.Object({
        alias: NoSpaces(200, "a model name without spaces"),
        provider: NoSpaces(64, "a provider name from GET /config/providers"),
        model: NoSpaces(300, "the provider's model id"),
      }),
      detail: admin("Map a model name to a provider's model", "Adds or replaces the mapping; it wins over the built-in aliases and the emulation profile."),
    })

    // Wildcard: aliases may contain slashes.
    .delete("/config/models/*", async ({ params, actor }) => {
      const alias = decodePercent(params["*"], "alias", "The alias in the path");
      await runtime.removeMapping(alias);
      audit(actor, "delete_model_mapping", { alias });
      return { alias, deleted: true };
    }, { detail: admin("Remove a model mapping") })

    .get("/config/routing", async () => ({ data: await runtime.orders() }), {
      detail: admin("How admins ordered aliases",
        "`latency`: the fastest healthy candidate first, as `auto` does; `fixed`: as listed. Aliases not here follow the model table (`auto`, `auto-code` and `auto-vision` by latency, the others as listed)."),
    })

    .post("/config/routing", async ({ body, actor }) => {
      await runtime.setOrder(body.alias, body.order);
      audit(actor, "set_alias_order", { ...body });
      return { alias: body.alias, order: body.order };
    }, {
      body: t.Object({
        alias: NoSpaces(200, "a model name without spaces"),
        order: t.Union([t.Literal("latency"), t.Literal("fixed")], { description: "latency (fastest first) or fixed (as listed)" }),
      }),
      detail: admin("Order an alias's candidates by latency or as listed", "Wins over the model table's order; saved, and applied on every replica."),
    })

    // Wildcard: aliases may contain slashes.
    .delete("/config/routing/*", async ({ params, actor }) => {
      const alias = decodePercent(params["*"], "alias", "The alias in the path");
      await runtime.removeOrder(alias);
      audit(actor, "delete_alias_order", { alias });
      return { alias, deleted: true };
    }, { detail: admin("Give an alias back the model table's order") })

    .post("/config/clear-cache", async ({ actor }) => {
      await deps.cache.clear();
      audit(actor, "clear_cache", {});
      return { cleared: true };
    }, { detail: admin("Clear the response cache") })

    .get("/config/providers", () => {
      const custom = new Map(runtime.customProviders().map((p) => [p.name, p]));
      const counts = catalog.byProvider();
      const builtin = builtinProviders(config);
      return {
        data: registry.all().map((p) => {
          const c = custom.get(p.name);
          return c
            ? { name: p.name, builtin: false, configured: p.configured, keySet: c.keySet, models: c.models.length, baseUrl: c.baseUrl }
            : { name: p.name, builtin: true, configured: p.configured, keySet: !!builtin.get(p.name)?.apiKey, models: counts.get(p.name)?.length ?? 0 };
        }),
      };
    }, { detail: admin("Providers: configured or not, model counts, whether a key is set") })

    .post("/config/providers/:name/test", async ({ params }) => {
      const provider = registry.get(params.name);
      if (!provider) throw notFound(`No provider \`${params.name}\`; GET /config/providers lists them.`);
      if (!provider.configured) throw badRequest(`Provider \`${params.name}\` has no API key set.`, "name", "provider_not_configured");
      const started = now();
      try {
        const models = await provider.listModels(AbortSignal.timeout(config.upstreamTimeoutMs));
        return { name: provider.name, ok: true, latency_ms: now() - started, models: models.map((m) => m.id) };
      } catch (error) {
        // The upstream's answer is the provider's problem, not the caller's: always a 502 naming it.
        const why = error instanceof Error ? error.message : String(error);
        throw new GatewayError(502, `Provider \`${provider.name}\` did not list its models: ${why}`, "upstream_error", "provider_test_failed");
      }
    }, { detail: admin("Test a provider's connection", "Asks the provider for its model list once; 502 with the upstream's error when that fails.") })

    .post("/config/providers/custom", async ({ body, actor, set }) => {
      const replaced = await runtime.addCustomProvider({ name: body.name, baseUrl: body.baseUrl, apiKey: body.apiKey ?? null, models: body.models });
      audit(actor, replaced ? "replace_custom_provider" : "add_custom_provider", { name: body.name, baseUrl: body.baseUrl, models: body.models.length });
      set.status = replaced ? 200 : 201;
      return { provider: runtime.customProviders().find((p) => p.name === body.name), replaced };
    }, {
      body: CustomProviderSchema,
      detail: admin("Add an OpenAI-compatible provider", "Its models become routable by their ids. The key is stored to call the provider and never returned."),
    })

    .delete("/config/providers/custom/:name", async ({ params, actor }) => {
      await runtime.removeCustomProvider(params.name);
      audit(actor, "delete_custom_provider", { name: params.name });
      return { name: params.name, deleted: true };
    }, { detail: admin("Remove a custom provider") })

    .get("/config/keys", async () => ({ data: await Promise.all((await keys.list()).map(withUsage)) }), {
      detail: admin("Gateway API keys (without the keys)", "Each with its budget and what it used today and this month (UTC): `used.today.requests`, `used.today.tokens`, `used.month.requests`, `used.month.tokens`."),
    })

    .post("/config/keys", async ({ body, actor, set }) => {
      const { key, record } = await keys.create({ name: body.name, rateLimit: body.rateLimit ?? null, budget: body.budget ?? null, createdBy: actor }, now());
      audit(actor, "create_api_key", { id: record.id, name: record.name });
      set.status = 201;
      set.headers["cache-control"] = "no-store";
      return { ...record, key, note: "Store this key now: it is shown only once." };
    }, {
      body: t.Object({
        name: KeyName,
        rateLimit: t.Optional(RateLimit),
        budget: t.Optional(BudgetSchema),
      }),
      detail: admin("Create a gateway API key", "The key is in this response only; the gateway keeps its SHA-256. `budget` caps requests per day, tokens per day and tokens per month (UTC); a key at its budget gets 429 insufficient_quota."),
    })

    .patch("/config/keys/:id", async ({ params, body, actor }) => {
      const key = await keys.update(params.id, body);
      if (!key) throw notFound(`No API key \`${params.id}\`.`);
      audit(actor, "update_api_key", { id: key.id, fields: Object.keys(body) });
      return withUsage(key);
    }, {
      body: t.Object({
        name: t.Optional(KeyName),
        rateLimit: t.Optional(t.Union([RateLimit, t.Null()], { description: "requests per minute, 1 to 1000000, or null for the default limit" })),
        budget: t.Optional(t.Union([BudgetSchema, t.Null()], { description: "the new budget (replaces the old one), or null to remove it" })),
      }, { additionalProperties: false }),
      detail: admin("Change a gateway API key's name, rate limit or budget", "Only the fields given change. `budget` replaces the whole budget; `null` removes it (and `rateLimit: null` restores the default limit)."),
    })

    .delete("/config/keys/:id", async ({ params, actor }) => {
      if (!(await keys.remove(params.id))) throw notFound(`No API key \`${params.id}\`.`);
      audit(actor, "delete_api_key", { id: params.id });
      return { id: params.id, deleted: true };
    }, { detail: admin("Revoke a gateway API key") })

    .post("/v1/emulate", async ({ body, actor }) => {
      await runtime.setProfile(body.profile);
      audit(actor, "set_emulation_profile", { profile: body.profile });
      return emulation(runtime);
    }, {
      body: t.Object({ profile: t.String({ minLength: 1, maxLength: 64 }) }),
      detail: admin("Switch the emulation profile", "Which provider family answers the gpt-* names: openrouter (default), gemini, opencode or a custom provider."),
    });
}

/** GET /v1/emulate: readable by every API client (REQUIRE_AUTH still applies to /v1). */
export function emulationRoutes(runtime: RuntimeConfig) {
  return new Elysia().get("/v1/emulate", () => emulation(runtime), {
    detail: { summary: "Current emulation profile and the available ones", tags: ["Admin"] },
  });
}

const emulation = (runtime: RuntimeConfig) => ({ profile: runtime.profile, available: runtime.profiles() });
