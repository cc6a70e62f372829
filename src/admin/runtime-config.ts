// Applies what admins change at run time (model mappings, custom providers, the emulation profile) to
// the live registry and router, and persists it so it survives a restart. The environment's settings
// stay underneath: deleting an override brings the static behaviour back. Every change is announced
// (stores/changes.ts) so that the other replicas reload it from the shared database.
import { trimSlash } from "../config.ts";
import { badRequest, GatewayError, notFound } from "../errors.ts";
import type { Logger } from "../log.ts";
import { OpenAICompatibleProvider } from "../providers/openai-compatible/provider.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { AliasOrder, CustomProviderSpec, ModelMapping, RuntimeConfigStore, SavedConfig } from "../db/runtime-config.ts";
import { type Maybe, then } from "../db/sql.ts";
import { BUILTIN_PROFILES, DEFAULT_PROFILE, oneModelProfile } from "../routing/emulation.ts";
import type { ModelOverrides } from "../routing/overrides.ts";
import { type ChangeFeed, localChanges } from "../stores/changes.ts";

/** A custom provider as routes show it: whether a key is set, never the key. */
export interface CustomProviderView {
  name: string;
  baseUrl: string;
  keySet: boolean;
  models: string[];
}

export class RuntimeConfig {
  private readonly custom = new Map<string, CustomProviderSpec>();
  private configured: CustomProviderSpec[] = [];

  constructor(
    private readonly store: RuntimeConfigStore<boolean>,
    private readonly registry: ProviderRegistry,
    private readonly overrides: ModelOverrides,
    /** Names custom providers may not take: the built-in providers. */
    private readonly reserved: Set<string>,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly changes: ChangeFeed = localChanges,
  ) {
    changes.on("runtime", () => void Promise.resolve(this.reload()).catch((error) =>
      log("runtime_config_reload_failed", { error: error instanceof Error ? error.message : String(error) })));
  }

  /**
   * Start-up: the CUSTOM_PROVIDERS setting first (not persisted: the environment stays its source),
   * then what admins saved, which replaces a configured provider of the same name. Saved entries that
   * no longer fit are skipped and logged, not lost. Synchronous on SQLite; on Postgres the gateway
   * awaits it before serving.
   */
  load(configured: CustomProviderSpec[] = []): Maybe<void> {
    this.configured = configured;
    return then(this.store.saved(), (saved) => this.apply(saved));
  }

  /**
   * Another replica changed the saved configuration: read it all, then start again from the environment
   * and what was read, in one step (requests never see it half applied).
   */
  reload(): Maybe<void> {
    return then(this.store.saved(), (saved) => {
      for (const name of this.custom.keys()) {
        this.registry.remove(name);
        this.overrides.setCustomModels(name, []);
      }
      this.custom.clear();
      this.overrides.clearMappings();
      this.overrides.clearLatencyOrders();
      this.apply(saved);
    });
  }

  private apply(saved: SavedConfig): void {
    for (const spec of this.configured) this.register(spec);
    for (const spec of saved.customProviders) {
      if (this.reserved.has(spec.name)) this.log("custom_provider_skipped", { name: spec.name, reason: "clashes with a built-in provider" });
      else this.register(spec);
    }
    for (const m of saved.mappings) {
      if (this.registry.get(m.provider)) this.overrides.setMapping(m.alias, { provider: m.provider, model: m.model });
      else this.log("model_mapping_skipped", { alias: m.alias, provider: m.provider, reason: "unknown provider" });
    }
    for (const [alias, order] of Object.entries(saved.orders)) this.overrides.setLatencyOrder(alias, order === "latency");
    const { profile } = saved;
    if (profile && this.profiles().includes(profile)) this.applyProfile(profile);
    else if (profile) this.log("emulation_profile_skipped", { profile, reason: "its provider is not available" });
  }

  mappings(): Maybe<ModelMapping[]> {
    return this.store.mappings();
  }

  async setMapping(mapping: ModelMapping): Promise<void> {
    if (!this.registry.get(mapping.provider)) {
      throw badRequest(`Unknown provider \`${mapping.provider}\`; GET /config/providers lists them.`, "provider", "invalid_value");
    }
    await this.store.saveMapping(mapping, this.now());
    this.overrides.setMapping(mapping.alias, { provider: mapping.provider, model: mapping.model });
    this.changes.announce("runtime");
  }

  async removeMapping(alias: string): Promise<void> {
    if (!(await this.store.removeMapping(alias))) throw notFound(`No model mapping for \`${alias}\`.`);
    this.overrides.removeMapping(alias);
    this.changes.announce("runtime");
  }

  /** The aliases admins ordered by latency ("latency") or as listed ("fixed"). */
  orders(): Maybe<Record<string, AliasOrder>> {
    return this.store.orders();
  }

  async setOrder(alias: string, order: AliasOrder): Promise<void> {
    await this.store.saveOrders({ ...(await this.store.orders()), [alias]: order });
    this.overrides.setLatencyOrder(alias, order === "latency");
    this.changes.announce("runtime");
  }

  async removeOrder(alias: string): Promise<void> {
    const orders = await this.store.orders();
    if (!Object.hasOwn(orders, alias)) throw notFound(`No routing order set for \`${alias}\`.`);
    delete orders[alias];
    await this.store.saveOrders(orders);
    this.overrides.removeLatencyOrder(alias);
    this.changes.announce("runtime");
  }

  customProviders(): CustomProviderView[] {
    return [...this.custom.values()].map(({ name, baseUrl, apiKey, models }) => ({ name, baseUrl, keySet: !!apiKey, models }));
  }

  /** Adds or replaces a custom OpenAI-compatible provider; true when it replaced one. */
  async addCustomProvider(input: CustomProviderSpec): Promise<boolean> {
    const spec = { ...input, baseUrl: checkBaseUrl(input.baseUrl) };
    if (this.reserved.has(spec.name)) {
      throw new GatewayError(409, `\`${spec.name}\` is a built-in provider; pick another name.`, "invalid_request_error", "provider_exists", "name");
    }
    for (const model of spec.models) {
      const owner = this.overrides.customOwner(model);
      if (owner && owner !== spec.name) {
        throw new GatewayError(409, `Model \`${model}\` is already served by custom provider \`${owner}\`.`, "invalid_request_error", "model_exists", "models");
      }
    }
    const replaced = this.custom.has(spec.name);
    await this.store.saveCustomProvider(spec, this.now());
    this.register(spec);
    // A profile pointing at this provider follows its (possibly new) first model.
    if (this.overrides.profile === spec.name) this.applyProfile(spec.name);
    this.changes.announce("runtime");
    return replaced;
  }

  async removeCustomProvider(name: string): Promise<void> {
    if (!this.custom.has(name)) throw notFound(`No custom provider \`${name}\`.`);
    const users = [
      ...(await this.store.mappings()).filter((m) => m.provider === name).map((m) => `model mapping \`${m.alias}\``),
      ...(this.overrides.profile === name ? ["the emulation profile"] : []),
    ];
    if (users.length > 0) {
      throw new GatewayError(409, `Custom provider \`${name}\` is still used by ${users.join(", ")}; change those first.`, "invalid_request_error", "provider_in_use");
    }
    await this.store.removeCustomProvider(name);
    this.custom.delete(name);
    this.registry.remove(name);
    this.overrides.setCustomModels(name, []);
    this.changes.announce("runtime");
  }

  get profile(): string {
    return this.overrides.profile;
  }

  /** Profiles whose provider is in the registry. */
  profiles(): string[] {
    const builtin = [...BUILTIN_PROFILES].filter(([, p]) => this.registry.get(p.provider)).map(([name]) => name);
    return [...builtin, ...this.custom.keys()];
  }

  async setProfile(profile: string): Promise<void> {
    if (!this.profiles().includes(profile)) {
      throw badRequest(`Unknown or unavailable emulation profile \`${profile}\`; available: ${this.profiles().join(", ")}.`,
        "profile", "invalid_value");
    }
    await this.store.saveProfile(profile);
    this.applyProfile(profile);
    this.changes.announce("runtime");
  }

  private applyProfile(profile: string): void {
    const custom = this.custom.get(profile);
    this.overrides.setProfile(profile, custom ? oneModelProfile(profile, custom.models[0]) : (BUILTIN_PROFILES.get(profile) ?? BUILTIN_PROFILES.get(DEFAULT_PROFILE)!).table);
  }

  private register(spec: CustomProviderSpec): void {
    this.custom.set(spec.name, spec);
    this.registry.add(new OpenAICompatibleProvider({
      name: spec.name,
      label: spec.name,
      baseUrl: spec.baseUrl,
      apiKey: spec.apiKey ?? undefined,
      // Local servers (Ollama, vLLM ...) often need no key.
      requiresKey: false,
      envHint: [],
      staticModels: spec.models,
    }));
    this.overrides.setCustomModels(spec.name, spec.models);
  }
}

/** http(s) only, and no credentials in the URL: they would show wherever the URL is shown (apiKey is for that). */
function checkBaseUrl(text: string): string {
  const invalid = (why: string) => badRequest(`Invalid value for 'baseUrl': ${why}.`, "baseUrl", "invalid_value");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("only http and https URLs are allowed");
  if (url.username || url.password) throw invalid("put credentials in apiKey, not in the URL");
  if (url.search || url.hash) throw invalid("no query string or fragment");
  return trimSlash(url.href);
}
