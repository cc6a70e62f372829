// What admins change at run time: model mappings, custom providers and the emulation profile. These
// rows are layered over the settings from the environment when the gateway starts.
import type { Database } from "bun:sqlite";

export interface ModelMapping {
  alias: string;
  provider: string;
  model: string;
}

export interface CustomProviderSpec {
  name: string;
  baseUrl: string;
  /** Kept so the gateway can call the provider; no route ever returns it. */
  apiKey: string | null;
  models: string[];
}

const PROFILE_KEY = "emulation_profile";
/** Alias -> "latency" | "fixed", as one JSON object. */
const ORDER_KEY = "alias_order";

export type AliasOrder = "latency" | "fixed";

export class RuntimeConfigStore {
  constructor(private readonly db: Database) {}

  mappings(): ModelMapping[] {
    return this.db.query<ModelMapping, []>("SELECT alias, provider, model FROM model_mappings ORDER BY alias").all();
  }

  saveMapping(mapping: ModelMapping, now: number): void {
    this.db.query(
      `INSERT INTO model_mappings (alias, provider, model, updated_at) VALUES ($alias, $provider, $model, $now)
       ON CONFLICT (alias) DO UPDATE SET provider = $provider, model = $model, updated_at = $now`,
    ).run({ ...mapping, now });
  }

  removeMapping(alias: string): boolean {
    return this.db.query("DELETE FROM model_mappings WHERE alias = $alias").run({ alias }).changes > 0;
  }

  customProviders(): CustomProviderSpec[] {
    return this.db
      .query<{ name: string; base_url: string; api_key: string | null; models: string }, []>(
        "SELECT name, base_url, api_key, models FROM custom_providers ORDER BY name")
      .all()
      .map((r) => ({ name: r.name, baseUrl: r.base_url, apiKey: r.api_key, models: JSON.parse(r.models) as string[] }));
  }

  saveCustomProvider(spec: CustomProviderSpec, now: number): void {
    this.db.query(
      `INSERT INTO custom_providers (name, base_url, api_key, models, created_at) VALUES ($name, $baseUrl, $apiKey, $models, $now)
       ON CONFLICT (name) DO UPDATE SET base_url = $baseUrl, api_key = $apiKey, models = $models`,
    ).run({ ...spec, models: JSON.stringify(spec.models), now });
  }

  removeCustomProvider(name: string): boolean {
    return this.db.query("DELETE FROM custom_providers WHERE name = $name").run({ name }).changes > 0;
  }

  profile(): string | undefined {
    return this.db.query<{ value: string }, { key: string }>("SELECT value FROM settings WHERE key = $key").get({ key: PROFILE_KEY })?.value;
  }

  /** How admins ordered aliases (POST /config/routing). */
  orders(): Record<string, AliasOrder> {
    const value = this.db.query<{ value: string }, { key: string }>("SELECT value FROM settings WHERE key = $key").get({ key: ORDER_KEY })?.value;
    return value ? (JSON.parse(value) as Record<string, AliasOrder>) : {};
  }

  saveOrders(orders: Record<string, AliasOrder>): void {
    this.db.query("INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = $value")
      .run({ key: ORDER_KEY, value: JSON.stringify(orders) });
  }

  saveProfile(profile: string): void {
    this.db.query("INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = $value")
      .run({ key: PROFILE_KEY, value: profile });
  }
}
