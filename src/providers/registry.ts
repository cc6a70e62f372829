// The set of upstreams the gateway can call, by name. Built once from the config; custom providers
// are added and removed at run time (admin API), so lookups always go through the registry.
import type { Config } from "../config.ts";
import { GeminiProvider } from "./gemini/provider.ts";
import { OpenAICompatibleProvider } from "./openai-compatible/provider.ts";
import { PRESETS } from "./presets.ts";
import type { Provider } from "./types.ts";

export class ProviderRegistry {
  private readonly providers = new Map<string, Provider>();

  constructor(providers: Provider[]) {
    for (const p of providers) this.add(p);
  }

  add(provider: Provider): void {
    this.providers.set(provider.name, provider);
  }

  remove(name: string): boolean {
    return this.providers.delete(name);
  }

  get(name: string): Provider | undefined {
    return this.providers.get(name);
  }

  all(): Provider[] {
    return [...this.providers.values()];
  }
}

/** The built-in providers and the free-tier presets, configured from settings. */
export function createRegistry(config: Config): ProviderRegistry {
  const { openrouter, gemini, opencode } = config;
  return new ProviderRegistry([
    new OpenAICompatibleProvider({
      name: "openrouter",
      label: "OpenRouter",
      baseUrl: openrouter.baseUrl,
      apiKey: openrouter.apiKey,
      requiresKey: true,
      envHint: ["OPENROUTER_API_KEY"],
      freeModelPool: true,
      // Attribution headers OpenRouter documents; only sent when the operator set them.
      headers: {
        ...(openrouter.appUrl ? { "HTTP-Referer": openrouter.appUrl } : {}),
        ...(openrouter.appName ? { "X-Title": openrouter.appName } : {}),
      },
    }),
    new GeminiProvider({ apiKey: gemini.apiKey, baseUrl: gemini.baseUrl }),
    new OpenAICompatibleProvider({
      name: "opencode",
      label: "OpenCode",
      baseUrl: opencode.baseUrl,
      apiKey: opencode.apiKey,
      requiresKey: true,
      envHint: ["OPENCODE_API_KEY"],
    }),
    ...PRESETS.map((p) => new OpenAICompatibleProvider({
      name: p.name,
      label: p.label,
      ...config.presets[p.name],
      requiresKey: true,
      envHint: [p.keyEnv],
    })),
  ]);
}
