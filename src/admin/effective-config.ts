// GET /config: the configuration in effect, for people. Secrets appear only as "is it set" booleans:
// provider keys, the GitHub client secret, the JWT secret and the admin token are never in the output,
// not even in part.
import type { Config, ProviderSettings } from "../config.ts";
import type { RuntimeConfig } from "./runtime-config.ts";

/** Settings of the built-in providers by registry name; their names are reserved for them. */
export function builtinProviders(config: Config): ReadonlyMap<string, ProviderSettings> {
  return new Map(Object.entries({ openrouter: config.openrouter, gemini: config.gemini, opencode: config.opencode, ...config.presets }));
}

export async function effectiveConfig(config: Config, runtime: RuntimeConfig) {
  const provider = (p: ProviderSettings) => ({ baseUrl: p.baseUrl, keySet: !!p.apiKey });
  return {
    server: {
      env: config.env,
      host: config.host,
      port: config.port,
      debug: config.debug,
      maxBodySize: config.maxBodySize,
      maxTokensLimit: config.maxTokensLimit,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      idleTimeoutSeconds: config.idleTimeoutSeconds,
      databasePath: config.databasePath,
    },
    routing: {
      maxRetries: config.maxRetries,
      retryDelayMs: config.retryDelayMs,
      requestTimeoutMs: config.requestTimeoutMs,
      catalogRefreshMs: config.catalogRefreshMs,
    },
    rateLimit: config.rateLimit,
    cache: config.cache,
    sessions: config.sessions,
    providers: {
      openrouter: { ...provider(config.openrouter), appUrl: config.openrouter.appUrl ?? null, appName: config.openrouter.appName ?? null },
      gemini: provider(config.gemini),
      opencode: provider(config.opencode),
      ...Object.fromEntries(Object.entries(config.presets).map(([name, p]) => [name, provider(p)])),
      custom: runtime.customProviders(),
    },
    auth: {
      requireAuth: config.auth.requireAuth,
      jwtTtlSeconds: config.auth.jwtTtlSeconds,
      jwtSecret: config.auth.jwtSecretGenerated ? "generated for this run" : "set",
      adminUsers: config.auth.adminUsers,
      adminTokenSet: !!config.auth.adminToken,
    },
    github: {
      configured: !!(config.github.clientId && config.github.clientSecret),
      // The client id is public (it is in every authorize URL); the secret is not.
      clientId: config.github.clientId ?? null,
      clientSecretSet: !!config.github.clientSecret,
      callbackUrl: config.github.callbackUrl,
      baseUrl: config.github.baseUrl,
      apiUrl: config.github.apiUrl,
    },
    models: { mappings: await runtime.mappings(), emulationProfile: runtime.profile, emulationProfiles: runtime.profiles() },
  };
}
